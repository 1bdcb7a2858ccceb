"""The embedded broker and result store: kombu's filesystem transport made safe for several processes.

Why not kombu's ``filesystem://`` as it is. Its producer creates the message file and then writes it,
and its consumer lists the folder and reads whatever it finds there, so a worker can read a message
that is still empty and stop on ``JSONDecodeError`` (``make demo`` did, about ten minutes in). It also
deletes a message when it hands it to the worker, so with acks late a worker killed in the middle of
a task loses the task. Celery's ``file://`` result backend writes in place, so a reader polling for
a result can read it half written.

Why files rather than kombu's SQLAlchemy transport on a SQLite file: that would be a new dependency
and a second SQLite database that web, beat and the worker all lock to publish or poll, and it marks
a message invisible when it is fetched and never brings it back, so a killed worker's task is lost
there too. Files need nothing more than ``rename``, which is atomic within one filesystem.

What this transport (URL ``fsatomic://``) does:

* **whole messages only**: a producer writes the message under a temporary name in ``tmp/`` and
  renames it into ``queue/``, so a message in the queue is either absent or complete;
* **one consumer per message**: a consumer claims a message by renaming it into its own folder
  ``processing/<pid>-<start time>/``; of several consumers only one rename succeeds;
* **acks late that survive a killed worker**: the claimed file stays until the worker acknowledges
  it (after the task, ``task_acks_late``) and is renamed back into the queue, at its old place in
  the order, when the worker rejects it (``task_reject_on_worker_lost``), shuts down with it
  unacknowledged, or dies. A consumer that starts, and every consumer every ``RECOVER_EVERY``
  seconds, returns the claims of processes that are gone; a process is known by its pid *and* its
  start time, so a reused pid is not taken for the old worker. Delivery is at least once, as on
  Redis: a worker killed after its task's work but before the acknowledgement runs it again, and
  every task here is idempotent;
* **no poison pill**: a file that does not decode (written by something else, or cut short by a full
  disk) is moved to ``failed/`` and logged as an error, never handed to a worker;
* exchange tables (the fanout bindings in ``control/``) are created whole, too.

Concurrency: the web process, beat and the worker's pool processes only publish (write + rename);
the worker's main process is the one consumer. Nothing is locked, so nobody waits for anybody.
Results (``fsatomic+file://<folder>``) are written to a temporary name and renamed the same way.
A power cut may lose the last messages written (nothing is fsynced: this is the laptop mode).
"""

import logging
import os
import time
import uuid
from contextlib import suppress
from pathlib import Path
from queue import Empty

from celery.backends.filesystem import FilesystemBackend
from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str, ensure_bytes, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

#: Seconds between two looks, by a running consumer, for messages claimed by a process that is gone.
RECOVER_EVERY = 30.0

#: Delivery tag → claimed file, for every message this process holds unacknowledged. Module-wide:
#: kombu may settle a message through another channel of the connection than the one that got it.
_claims: dict[str, Path] = {}

_HAS_PROC = os.path.exists("/proc/self/stat")
_own: tuple[int, str] | None = None


def process_key(pid: int) -> str | None:
    """``<pid>-<start time>`` of a live process, or None when it is gone (a zombie counts as gone)."""
    if not _HAS_PROC:  # no /proc (macOS): the pid alone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return f"{pid}-0"
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    if fields[0] in ("Z", "X"):
        return None
    return f"{pid}-{fields[19]}"


def own_key() -> str:
    """This process's key; computed again after a fork, as a pool process is another process."""
    global _own
    pid = os.getpid()
    if _own is None or _own[0] != pid:
        _own = (pid, process_key(pid) or f"{pid}-0")
    return _own[1]


class QoS(virtual.QoS):
    """Acknowledging deletes the claimed file; rejecting or restoring renames it back into the queue."""

    def ack(self, delivery_tag):
        self.channel.settle(delivery_tag)
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if requeue:
            self.channel.unclaim(self._delivered[delivery_tag])
        else:
            self.channel.settle(delivery_tag)
        self._quick_ack(delivery_tag)

    def restore_unacked(self):
        self._flush()
        errors = []
        while self._delivered:
            try:
                tag, message = self._delivered.popitem()
            except KeyError:  # pragma: no cover - emptied by another thread
                break
            try:
                self.channel.unclaim(message)
            except Exception as exc:
                if tag not in self._dirty:
                    errors.append((exc, message))
        self._delivered.clear()
        return errors


class Channel(filesystem.Channel):
    QoS = QoS

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        options = self.transport_options
        self.queue_folder = Path(self.data_folder_in)
        self.out_folder = Path(self.data_folder_out)
        base = self.queue_folder.parent
        self.tmp_folder = Path(options.get("tmp_folder") or base / "tmp")
        self.processing_folder = Path(options.get("processing_folder") or base / "processing")
        self.failed_folder = Path(options.get("failed_folder") or base / "failed")
        for folder in (self.queue_folder, self.out_folder, self.tmp_folder, self.processing_folder):
            folder.mkdir(parents=True, exist_ok=True)
        self._no_ack_queues: set[str] = set()
        self._recovered_at = float("-inf")

    # Producing -------------------------------------------------------------------------------------

    def _put(self, queue, payload, **kwargs):
        # Zero-padded milliseconds, so that the names sort in the order the messages were sent.
        name = f"{time.monotonic_ns() // 1_000_000:015d}_{uuid.uuid4()}.{queue}.msg"
        tmp = self.tmp_folder / name
        try:
            tmp.write_bytes(str_to_bytes(dumps(payload)))
            os.replace(tmp, self.out_folder / name)
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink()
            raise ChannelError(f"Cannot add a message to {self.out_folder}") from exc

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        # kombu creates a missing table with open("wb") and then locks and writes it, so a reader can
        # find it empty. Create it whole (link fails if it exists), then let kombu add the binding.
        table = self._exchange_file(exchange)
        if not table.exists():
            self.control_folder.mkdir(parents=True, exist_ok=True)
            tmp = self.control_folder / f".{uuid.uuid4().hex}.tmp"
            tmp.write_bytes(str_to_bytes(dumps([])))
            try:
                os.link(tmp, table)
            except OSError:
                pass  # created meanwhile by another process (or no hard links here: kombu's way then)
            finally:
                tmp.unlink()
        super()._queue_bind(exchange, routing_key, pattern, queue)

    # Consuming -------------------------------------------------------------------------------------

    def claim_folder(self) -> Path:
        folder = self.processing_folder / own_key()
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _get(self, queue):
        if time.monotonic() - self._recovered_at >= RECOVER_EVERY:
            self.recover_orphans()
        wanted = f"{queue}.msg"
        names = sorted(n for n in os.listdir(self.queue_folder) if n.partition(".")[2] == wanted)
        if not names:
            raise Empty()
        claims = self.claim_folder()
        for name in names:
            claimed = claims / name
            try:
                os.rename(self.queue_folder / name, claimed)
            except FileNotFoundError:
                continue  # another consumer took it
            except OSError as exc:
                raise ChannelError(f"Cannot claim {name} from {self.queue_folder}") from exc
            try:
                payload = loads(bytes_to_str(claimed.read_bytes()))
                tag = payload["properties"]["delivery_tag"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self._quarantine(claimed, exc)
                continue
            if queue in self._no_ack_queues:
                claimed.unlink(missing_ok=True)
            else:
                _claims[tag] = claimed
            return payload
        raise Empty()

    def _quarantine(self, path: Path, exc: Exception) -> None:
        self.failed_folder.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, self.failed_folder / path.name)
        except OSError:
            path.unlink(missing_ok=True)
        logger.error("Unreadable message %s (%r) moved to %s; it was not delivered.", path.name, exc,
                     self.failed_folder)

    def settle(self, delivery_tag) -> None:
        """The message is done with (acknowledged, or rejected without requeue): delete its file."""
        path = _claims.pop(delivery_tag, None)
        if path is not None:
            path.unlink(missing_ok=True)

    def unclaim(self, message) -> None:
        """Put an unacknowledged message back into the queue, where it was in the order."""
        path = _claims.pop(message.delivery_tag, None)
        if path is not None:
            with suppress(FileNotFoundError):
                os.rename(path, self.queue_folder / path.name)
                return
        self._restore(message)  # not claimed here (a no-ack get): publish it again

    def recover_orphans(self) -> int:
        """Return to the queue every message claimed by a consumer process that is gone."""
        self._recovered_at = time.monotonic()
        own, returned = own_key(), 0
        try:
            entries = [e for e in os.scandir(self.processing_folder) if e.is_dir() and e.name != own]
        except FileNotFoundError:
            return 0
        for entry in entries:
            pid = entry.name.partition("-")[0]
            if pid.isdigit() and process_key(int(pid)) == entry.name:
                continue  # its consumer is still running
            for name in os.listdir(entry.path):
                with suppress(FileNotFoundError):  # another consumer returned it first
                    os.rename(os.path.join(entry.path, name), self.queue_folder / name)
                    returned += 1
            with suppress(OSError):
                os.rmdir(entry.path)
        if returned:
            logger.warning("Returned %d unacknowledged message(s) of a stopped worker to the queue.", returned)
        # A temporary file an hour old belongs to a producer that died while writing it: never sent.
        for entry in os.scandir(self.tmp_folder) if self.tmp_folder.is_dir() else ():
            with suppress(OSError):
                if entry.stat().st_mtime < time.time() - 3600:
                    os.unlink(entry.path)
        return returned

    def basic_consume(self, queue, no_ack, callback, consumer_tag, **kwargs):
        if no_ack:  # e.g. the worker's remote-control mailbox: nothing will acknowledge these
            self._no_ack_queues.add(queue)
        else:
            self._no_ack_queues.discard(queue)
        self.recover_orphans()
        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def basic_get(self, queue, no_ack=False, **kwargs):
        message = super().basic_get(queue, no_ack=no_ack, **kwargs)
        if message is not None and no_ack:
            self.settle(message.delivery_tag)
        return message


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = virtual.BrokerState()
    driver_name = "fsatomic"

    @property
    def default_connection_params(self):
        # No host (it is a folder); with kombu's default "localhost" every connection logs a warning.
        return {"port": self.default_port}


class ResultBackend(FilesystemBackend):
    """Celery's file result backend, with each result written to a temporary name and renamed into place."""

    def set(self, key, value):
        # The temporary name does not start with a result key prefix, so ``cleanup()`` never reads it.
        tmp = self.sep.join((self.path, b".tmp-" + uuid.uuid4().hex.encode()))
        try:
            with self.open(tmp, "wb") as outfile:
                outfile.write(ensure_bytes(value))
            os.replace(tmp, self._filename(key))
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
