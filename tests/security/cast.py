"""The cast of the attacks (tests/security/test_attacks*.py): two reports whose reporters must stay
hidden, three inquiries, and the helpers that look for the reporters in what a page or API says."""

from tickets.models import Kind

RH_REPORTER = {"name": "举报人甲", "phone": "13500000001"}
RU_REPORTER = {"name": "举报人乙", "phone": "13500000002"}
SECRETS = [RH_REPORTER["name"], RH_REPORTER["phone"], RU_REPORTER["name"], RU_REPORTER["phone"]]
MISSING = 987654


def make_cast(make_ticket, member, units) -> dict:
    reception = units["reception"]
    return {
        "RH": make_ticket(kind=Kind.REPORT, by="agent3", assignee=member("agent3"), responsible_unit=reception,
                          **RH_REPORTER),
        "RU": make_ticket(kind=Kind.REPORT, team="tech-region-2", by="lead2", responsible_unit=reception,
                          **RU_REPORTER),
        "TI": make_ticket(by="agent1", assignee=member("agent1"), responsible_unit=reception),
        "TU": make_ticket(team="tech-region-2", by="agent4", responsible_unit=reception),
        "T2": make_ticket(team="tech-region-2", by="agent4"),
    }


def no_secret(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]
