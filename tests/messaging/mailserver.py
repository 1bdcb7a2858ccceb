"""A real Dovecot IMAP server for tests: started in a temporary folder on a free loopback port, one
mailbox per user (plain passwords, no TLS: loopback only), stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CONFIG = """base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={user} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1
default_login_user = {user}
default_internal_user = {user}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    def __init__(self, root: Path, users: dict[str, str]) -> None:
        self.root, self.users, self.port = root, users, free_port()
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("dovecot") is not None and os.geteuid() == 0

    def start(self) -> Dovecot:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        (self.root / "dovecot.conf").write_text(CONFIG.format(root=self.root, port=self.port, user="dovenull"))
        shutil.chown(self.root / "home", "dovenull", "dovenull")
        self.root.chmod(0o755)
        # On the real clock, even when the tests run under libfaketime (scripts/test-dates.sh).
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        # Its own process group: stopping it ends its login and mail processes too, as a restart of the
        # machine would (its master alone leaves the open sessions running).
        self.process = subprocess.Popen(["dovecot", "-F", "-c", str(self.root / "dovecot.conf")], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(up=True)
        return self

    def _wait(self, *, up: bool) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    if up:
                        return
            except OSError:
                if not up:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"dovecot did not {'start' if up else 'stop'}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            group = os.getpgid(self.process.pid)
            os.killpg(group, signal.SIGTERM)
            self.process.wait(timeout=15)
            time.sleep(0.2)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.process = None
        self._wait(up=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""


@contextmanager
def running_dovecot(users: dict[str, str]) -> Iterator[Dovecot]:
    """A started server, stopped and removed afterwards. Its folder is not under pytest's temporary one:
    that is private to root, and Dovecot's processes run as dovenull."""
    root = Path(tempfile.mkdtemp(prefix="servicecenter-dovecot-"))
    server = Dovecot(root, users).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def fill_inbox(server: Dovecot, user: str, password: str, count: int, tag: str) -> None:
    """``count`` e-mails from as many customers, each its own subject, appended to ``user``'s inbox."""
    from email.message import EmailMessage
    from email.utils import make_msgid

    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted("127.0.0.1", server.port).login(user, password) as box:
        for n in range(count):
            message = EmailMessage()
            message["From"], message["To"] = f"客户{n} <{tag}-{n}@example.com>", f"{user}@example.com"
            message["Subject"], message["Message-ID"] = f"咨询 {tag} {n}", make_msgid(domain="example.com")
            message.set_content(f"第 {n} 封来信：请问电费怎么交？")
            box.append(message.as_bytes(), "INBOX")
