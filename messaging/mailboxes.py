"""Where e-mail is taken from: IMAP mailboxes (imap-tools), or a local Maildir folder (the embedded
demo's ``var/mail``), named in ``MESSAGING_MAILBOXES``:

    [{"name": "support", "host": "imap.example.com", "port": 993, "security": "ssl",
      "folder": "INBOX", "user": "support@example.com", "password_env": "SUPPORT_IMAP_PASSWORD",
      "kind": "inquiry", "team": "reception"},
     {"name": "demo", "maildir": "var/mail/support", "kind": "inquiry"}]

The password is read from the environment variable the mailbox names, never from the list. A
message is marked seen (IMAP ``\\Seen``; Maildir ``cur`` with the ``S`` flag) only after the
transaction that took it has committed, so a poller that dies between the two leaves it unseen and
the next poll finds it taken already (``InboundMessage.key``) and only marks it.
"""

from __future__ import annotations

import logging
import mailbox as maildir
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage, MailMessageFlags

from messaging.intake import Mailbox, message_receive
from messaging.models import InboundState

logger = logging.getLogger("messaging.mailboxes")


class _Kept(MailMessage):
    """A fetched message that keeps its bytes as received (quarantine keeps them whole)."""

    def __init__(self, fetch_data: list) -> None:
        self.raw = self._get_message_data_parts(fetch_data)[0]
        super().__init__(fetch_data)


@dataclass
class PollResult:
    taken: int = 0
    again: int = 0  # already taken by an earlier poll (marked seen now)
    quarantined: int = 0
    failed: int = 0  # not taken for an error of ours (the database away, say): left unseen, tried next poll
    by_state: dict[str, int] = field(default_factory=dict)

    def count(self, record) -> None:
        if record is None:
            self.again += 1
            return
        self.taken += 1
        self.quarantined += record.state == InboundState.QUARANTINED
        self.by_state[record.state] = self.by_state.get(record.state, 0) + 1

    def as_dict(self) -> dict:
        return {"taken": self.taken, "again": self.again, "quarantined": self.quarantined, "failed": self.failed,
                **self.by_state}


def _take(config: dict, raw: bytes, result: PollResult) -> bool:
    """Take one message; False when it could not be taken now (it stays unseen, and the rest of the
    mailbox is still taken: one message that fails every time does not hold up the others)."""
    try:
        result.count(message_receive(mailbox=_mailbox(config), raw=raw))
    except Exception:
        logger.exception("messaging.poll message failed", extra={"mailbox": config["name"]})
        result.failed += 1
        return False
    return True


def configured() -> list[dict]:
    return list(settings.MESSAGING_MAILBOXES)


def _mailbox(config: dict) -> Mailbox:
    return Mailbox(name=config["name"], kind=config.get("kind", "inquiry"), team=config.get("team", ""))


@contextmanager
def _imap(config: dict) -> Iterator[MailBox]:
    security = config.get("security", "ssl")
    timeout = settings.MESSAGING_IMAP_TIMEOUT
    if security == "ssl":
        client = MailBox(config["host"], config.get("port", 993), timeout=timeout)
    elif security == "starttls":
        client = MailBoxStartTls(config["host"], config.get("port", 143), timeout=timeout)
    else:
        client = MailBoxUnencrypted(config["host"], config.get("port", 143), timeout=timeout)
    client.email_message_class = _Kept
    password = os.environ.get(config.get("password_env", ""), "")
    with client.login(config["user"], password, initial_folder=config.get("folder", "INBOX")) as box:
        yield box


def _poll_imap(config: dict, limit: int, result: PollResult) -> None:
    with _imap(config) as box:
        uids = box.uids(AND(seen=False))[:limit]
        if not uids:
            return
        for message in box.fetch(AND(uid=uids), mark_seen=False, bulk=50):
            if _take(config, message.raw, result):
                box.flag([message.uid], MailMessageFlags.SEEN, True)


def _poll_maildir(config: dict, limit: int, result: PollResult) -> None:
    """The messages in the folder's ``new/``, oldest name first; each moved to ``cur/`` with the seen
    flag (``:2,S``, the Maildir convention) once taken."""
    path = Path(config["maildir"])
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    path.parent.mkdir(parents=True, exist_ok=True)
    maildir.Maildir(path, create=True)  # new/, cur/ and tmp/
    for name in sorted(os.listdir(path / "new"))[:limit]:
        if _take(config, (path / "new" / name).read_bytes(), result):
            os.replace(path / "new" / name, path / "cur" / f"{name.split(':')[0]}:2,S")


def mailboxes_poll(*, limit: int | None = None) -> PollResult:
    """Take the unseen messages of every configured mailbox (at most ``limit`` each)."""
    limit = limit or settings.MESSAGING_POLL_BATCH
    result = PollResult()
    for config in configured():
        if config.get("maildir"):
            _poll_maildir(config, limit, result)
        else:
            _poll_imap(config, limit, result)
    return result
