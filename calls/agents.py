"""Who an agent of the phone system is: a queue log names agents by their channel or interface
(``Agent/1101``, ``SIP/1101``, ``PJSIP/1101-00000a3f``, ``Local/1101@agents``); the staff member whose
agent number (``StaffMember.agent_no``) matches is the person a page shows."""

import re
from collections.abc import Iterable

from staff.models import StaffMember

_NUMBER = re.compile(r"^(?:[A-Za-z]+/)?([^@/\-;]+)")


def agent_number(agent: str) -> str:
    """The agent number in a phone-system agent name: ``Agent/1101`` → ``1101``; a bare number as is."""
    match = _NUMBER.match(agent.strip())
    return match[1] if match else agent.strip()


def agent_names(agents: Iterable[str]) -> dict[str, str]:
    """Each agent name → the name of the staff member with that agent number (one query); an agent
    nobody has keeps its own name."""
    agents = [a for a in agents if a]
    numbers = {a: agent_number(a) for a in agents}
    people = dict(StaffMember.objects.filter(agent_no__in=set(numbers.values())).values_list("agent_no", "name"))
    return {a: people.get(numbers[a], a) for a in agents}
