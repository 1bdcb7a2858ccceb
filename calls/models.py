"""Calls: the uploaded call logs and one record per attempt of a call in a queue."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CallImportFailure(models.TextChoices):
    WORKER_LOST = "worker_lost", _("The import stopped without finishing every time a worker tried it (the worker "
                                   "was lost or failed), so it was given up. Upload the file again to retry.")
    TIME_LIMIT = "time_limit", _("The import took longer than its time limit and was stopped. Split the file and "
                                 "upload the parts.")


class CallImport(models.Model):
    """One uploaded call log (Asterisk ``queue_log`` or CSV) and what importing it found.

    ``updated_at`` is the import's heartbeat: a worker bumps it as it goes, and the reaper
    (``calls.imports.call_imports_reap``, beat) queues again an import waiting or running with no progress
    for ``CALLS_IMPORT_STALE_SECONDS``, or fails it once ``CALLS_IMPORT_MAX_ATTEMPTS`` runs died."""

    class Format(models.TextChoices):
        QUEUE_LOG = "queue_log", _("Asterisk queue_log")
        CSV = "csv", _("CSV")

    name = models.CharField(_("file name"), max_length=200)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    content = models.TextField(_("content"))
    sha256 = models.CharField(_("checksum"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=CallImportStatus.choices,
                              default=CallImportStatus.PENDING)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    processed = models.PositiveIntegerField(_("lines read"), default=0)
    imported = models.PositiveIntegerField(_("calls imported"), default=0)
    duplicates = models.PositiveIntegerField(_("calls already known"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    failure_reason = models.CharField(_("why it failed"), max_length=20, choices=CallImportFailure.choices,
                                      blank=True, default="")

    class Meta:
        db_table = "sla_callimport"  # kept when the model moved here from the sla app
        verbose_name = _("call import")
        verbose_name_plural = _("call imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")
    TIMEOUT = "timeout", _("Timed out")
    EXIT_KEY = "exit_key", _("Left by key")
    EXIT_EMPTY = "exit_empty", _("Queue empty")
    TRANSFERRED = "transferred", _("Transferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DROPPED = "dropped", _("Dropped by the phone system")


class TransferKind(models.TextChoices):
    TRANSFER = "transfer", pgettext_lazy("call", "Transfer")  # Asterisk 1.2–11 do not say which kind
    BLIND = "blind", _("Blind transfer")
    ATTENDED = "attended", _("Attended transfer")


class CallRecord(models.Model):
    """One attempt of a call in one queue. A call that overflows through two queues has two records
    and one call id; so has a caller sent back into the same queue (attempts 1 and 2)."""

    call_id = models.CharField(_("call id"), max_length=64)
    queue = models.CharField(_("queue"), max_length=80)
    enqueued_at = models.DateTimeField(_("entered the queue"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), default=0)
    ring_seconds = models.PositiveIntegerField(_("ring (s)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk (s)"), null=True, blank=True)
    agent = models.CharField(_("agent"), max_length=80, blank=True)
    caller = models.CharField(_("caller"), max_length=40, blank=True)
    source = models.ForeignKey(CallImport, models.SET_NULL, null=True, blank=True, related_name="calls",
                               verbose_name=_("import"))
    # The n-th time the call entered this queue (in its log); with the time it entered, what makes an
    # attempt unique, so a file imported again adds nothing.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1, db_default=1)
    transfer_kind = models.CharField(_("how it was transferred"), max_length=20, choices=TransferKind.choices,
                                     blank=True,
                                     default="", db_default="")
    transfer_exten = models.CharField(_("transferred to extension"), max_length=80, blank=True, default="",
                                      db_default="")
    transfer_context = models.CharField(_("transferred to context"), max_length=80, blank=True, default="",
                                        db_default="")
    transfer_target = models.CharField(_("transferred to"), max_length=255, blank=True, default="", db_default="")

    class Meta:
        db_table = "sla_callrecord"  # kept when the model moved here from the sla app
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-enqueued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["call_id", "queue", "enqueued_at", "attempt"],
                                               name="call_attempt_once")]
        indexes = [
            models.Index(fields=["enqueued_at"], name="call_enqueued"),
            models.Index(fields=["queue", "enqueued_at"], name="call_queue_enqueued"),
            models.Index(fields=["agent", "enqueued_at"], name="call_agent_enqueued"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.queue}"
