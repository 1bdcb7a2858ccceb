"""Job descriptions as versioned documents: draft → submitted → approved → published (with a date).

Who may draft, submit, approve and publish a post's job description: an org admin, or anyone who holds
a post above it (its superior, and theirs, up to the director). Everyone signed in reads the version in
effect and the earlier published ones; drafts are seen only by those who may edit them.

One version at a time is open (being drafted, submitted or approved). A published version dated today
or earlier goes into effect at once; one dated later waits for :func:`jd_versions_apply_due` (the same
beat task as dated org changes). Going into effect writes the document into ``JobDescription`` and its
duties and standards, which the API and the scorecards read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from servicecenter.periods import EffectiveDateError, effective_date
from staff import jobdoc
from staff.chain import position_ancestor_ids
from staff.models import ConcurrentPost, Duty, JobDescription, JobDescriptionVersion, PerformanceStandard, Position
from staff.selectors import AnyUser, active_staff_for_user, user_is_org_admin

State = JobDescriptionVersion.State


def may_edit_jd(user: AnyUser | None, position: Position) -> bool:
    """An org admin, or someone holding a post above this one."""
    if user_is_org_admin(user):
        return True
    member = active_staff_for_user(user)
    if member is None:
        return False
    above = position_ancestor_ids(position.pk)
    if not above:
        return False
    return member.position_id in above or ConcurrentPost.objects.filter(staff=member, position_id__in=above).exists()


def versions_for(user: AnyUser | None, position: Position) -> QuerySet[JobDescriptionVersion]:
    """The versions this person may read: all for editors, the published ones for everyone else."""
    versions = JobDescriptionVersion.objects.filter(job_description__position=position).select_related(
        "created_by__staff_member", "approved_by__staff_member").order_by("number")
    return versions if may_edit_jd(user, position) else versions.filter(state=State.PUBLISHED)


def version_get(user: AnyUser | None, position: Position, number: int) -> JobDescriptionVersion:
    version = versions_for(user, position).filter(number=number).first()
    if version is None:
        raise NotFoundError(_("No such version."))
    return version


def _editor(user: AnyUser | None, position: Position) -> User:
    """The signed-in person who may edit this post's job description, or ForbiddenError."""
    if user is None or not user.is_authenticated or not may_edit_jd(user, position):
        raise ForbiddenError(_("Only the post's superiors and org administrators may edit its job description."))
    return user


def _locked(version: JobDescriptionVersion, *states: str) -> JobDescriptionVersion:
    locked = JobDescriptionVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state not in states:
        raise ConflictError(_("Version %(number)d is %(state)s; this cannot be done to it now.")
                            % {"number": locked.number, "state": locked.get_state_display()})
    return locked


def in_effect(position: Position) -> JobDescriptionVersion | None:
    return JobDescriptionVersion.objects.filter(job_description__position=position, in_effect=True).first()


@transaction.atomic
def jd_version_draft(*, user: AnyUser, position: Position, content: dict[str, Any] | None = None,
                     note: str = "", now: datetime | None = None) -> JobDescriptionVersion:
    """Open the next version as a draft, starting from the version in effect (or from ``content``)."""
    user = _editor(user, position)
    jd, _c = JobDescription.objects.get_or_create(position=position)
    JobDescription.objects.select_for_update().get(pk=jd.pk)
    open_version = jd.versions.filter(state__in=JobDescriptionVersion.OPEN_STATES).first()
    if open_version is not None:
        raise ConflictError(_("Version %(number)d is already open (%(state)s); finish or edit it first.")
                            % {"number": open_version.number, "state": open_version.get_state_display()})
    current = jd.versions.filter(in_effect=True).first()
    document = jobdoc.normalize(content) if content is not None else (
        dict(current.content) if current else jobdoc.from_description(jd))
    number = (jd.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return JobDescriptionVersion.objects.create(
        job_description=jd, number=number, content=document, note=_limit(note), created_by=user,
        created_at=now or timezone.now())


def _limit(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 300:
        raise jobdoc.DocumentError({"note": _("At most %(limit)d characters.") % {"limit": 300}})
    return note


@transaction.atomic
def jd_version_edit(*, user: AnyUser, version: JobDescriptionVersion, content: Any,
                    note: str | None = None) -> JobDescriptionVersion:
    user = _editor(user, version.job_description.position)
    document = jobdoc.normalize(content)
    clean_note = _limit(note) if note is not None else None
    version = _locked(version, State.DRAFT)
    version.content = document
    if clean_note is not None:
        version.note = clean_note
    version.save(update_fields=["content", "note"])
    return version


@transaction.atomic
def jd_version_submit(*, user: AnyUser, version: JobDescriptionVersion,
                      now: datetime | None = None) -> JobDescriptionVersion:
    user = _editor(user, version.job_description.position)
    version = _locked(version, State.DRAFT)
    version.state, version.submitted_by, version.submitted_at = State.SUBMITTED, user, now or timezone.now()
    version.returned_reason = ""
    version.save(update_fields=["state", "submitted_by", "submitted_at", "returned_reason"])
    return version


@transaction.atomic
def jd_version_return(*, user: AnyUser, version: JobDescriptionVersion, reason: str) -> JobDescriptionVersion:
    """Send a submitted or approved version back to draft, with the reason."""
    user = _editor(user, version.job_description.position)
    reason = (reason or "").strip()
    if not reason:
        raise jobdoc.DocumentError({"reason": _("Say why it goes back, so the author knows what to change.")})
    version = _locked(version, State.SUBMITTED, State.APPROVED)
    version.state, version.returned_reason = State.DRAFT, reason[:300]
    version.approved_by = version.approved_at = None
    version.save(update_fields=["state", "returned_reason", "approved_by", "approved_at"])
    return version


@transaction.atomic
def jd_version_approve(*, user: AnyUser, version: JobDescriptionVersion,
                       now: datetime | None = None) -> JobDescriptionVersion:
    user = _editor(user, version.job_description.position)
    version = _locked(version, State.SUBMITTED)
    version.state, version.approved_by, version.approved_at = State.APPROVED, user, now or timezone.now()
    version.save(update_fields=["state", "approved_by", "approved_at"])
    return version


def _effective_date(value: date | str | None, today: date) -> date:
    try:
        return effective_date(value, today)
    except EffectiveDateError as exc:
        raise jobdoc.DocumentError({"effective_on": _("Enter a date as YYYY-MM-DD.") if exc.reason == "format"
                                    else _("A version cannot take effect in the past.")}) from None


@transaction.atomic
def jd_version_publish(*, user: AnyUser, version: JobDescriptionVersion, effective_on: date | str | None = None,
                       now: datetime | None = None) -> JobDescriptionVersion:
    """Publish an approved version from ``effective_on`` (today when not given); in effect at once if due."""
    user = _editor(user, version.job_description.position)
    now = now or timezone.now()
    effective = _effective_date(effective_on, timezone.localdate(now))
    version = _locked(version, State.APPROVED)
    version.state, version.published_by, version.published_at = State.PUBLISHED, user, now
    version.effective_on = effective
    version.save(update_fields=["state", "published_by", "published_at", "effective_on"])
    if effective <= timezone.localdate(now):
        jd_version_put_in_effect(version=version)
    return version


def jd_version_put_in_effect(*, version: JobDescriptionVersion) -> None:
    """Make a published version the one staff read, and write it into the job description's rows."""
    jd = version.job_description
    JobDescriptionVersion.objects.filter(job_description=jd, in_effect=True).exclude(pk=version.pk).update(
        in_effect=False)
    JobDescriptionVersion.objects.filter(pk=version.pk).update(in_effect=True)
    version.in_effect = True
    document_write(jd=jd, document=version.content)


def document_write(*, jd: JobDescription, document: dict[str, Any]) -> None:
    """Write a (normalized) document into the job description's own rows."""
    for name in jobdoc.TEXT_FIELDS:
        setattr(jd, name, document.get(name, ""))
    jd.years_experience = document.get("years_experience")
    jd.save()
    jd.duties.all().delete()
    jd.standards.all().delete()
    Duty.objects.bulk_create(Duty(job_description=jd, sort_order=i, title=d["title"], tasks=d["tasks"])
                             for i, d in enumerate(document.get("duties", [])))
    PerformanceStandard.objects.bulk_create(
        PerformanceStandard(job_description=jd, sort_order=i, **s) for i, s in enumerate(document.get("standards", [])))


def jd_versions_apply_due(*, now: datetime | None = None) -> int:
    """Put into effect every published version whose date has come and that is newer than the one in
    effect; returns how many. Running it twice changes nothing the second time."""
    today = timezone.localdate(now or timezone.now())
    due = (JobDescriptionVersion.objects.filter(state=State.PUBLISHED, in_effect=False, effective_on__lte=today)
           .order_by("job_description_id", "-effective_on", "-number"))
    count = 0
    seen: set[int] = set()
    for version in due.select_related("job_description"):
        if version.job_description_id in seen:
            continue
        seen.add(version.job_description_id)
        with transaction.atomic():
            current = JobDescriptionVersion.objects.select_for_update().filter(
                job_description_id=version.job_description_id, in_effect=True).first()
            if current is None or (current.effective_on or date.min, current.number) < (
                    version.effective_on, version.number):
                jd_version_put_in_effect(version=version)
                count += 1
    return count


def jd_publish_direct(*, jd: JobDescription, document: Any, user: AnyUser | None = None,
                      note: str = "", now: datetime | None = None) -> JobDescriptionVersion | None:
    """An admin's or an import's write of the whole document: a new version, published and in effect at
    once (no version when the document is what is in effect already). ``jd`` may be unsaved: it is then
    saved once, with the document."""
    document = jobdoc.normalize(document)
    if jd.pk is not None:
        current = jd.versions.filter(in_effect=True).first()
        if current is not None and current.content == document:
            return None
        if jd.versions.filter(state__in=JobDescriptionVersion.OPEN_STATES).exists():
            raise ConflictError(_("A new version of this job description is being drafted; finish it instead."))
    now = now or timezone.now()
    document_write(jd=jd, document=document)
    number = (jd.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    author = user if user is not None and user.is_authenticated else None
    JobDescriptionVersion.objects.filter(job_description=jd, in_effect=True).update(in_effect=False)
    return JobDescriptionVersion.objects.create(
        job_description=jd, number=number, content=document, note=note[:300], state=State.PUBLISHED,
        in_effect=True, created_by=author, created_at=now, published_by=author, published_at=now,
        effective_on=timezone.localdate(now))


def compare_pair(user: AnyUser | None, position: Position, a: Any, b: Any) -> tuple[JobDescriptionVersion,
                                                                                    JobDescriptionVersion]:
    """The two versions to compare, as numbers from a query string; 404 for one the reader may not see."""
    try:
        first, second = int(a), int(b)
    except (TypeError, ValueError):
        raise DomainError(_("Name two versions by number, as ?a=1&b=2.")) from None
    return version_get(user, position, first), version_get(user, position, second)


def pending_for(user: AnyUser | None) -> QuerySet[JobDescriptionVersion]:
    """Versions waiting for this person's approval or publication (for the org page's to-do list)."""
    qs = JobDescriptionVersion.objects.filter(state__in=[State.SUBMITTED, State.APPROVED]).select_related(
        "job_description__position")
    if user_is_org_admin(user):
        return qs
    member = active_staff_for_user(user)
    if member is None:
        return qs.none()
    return qs.filter(Q(job_description__position__reports_to=member.position_id)
                     | Q(job_description__position__reports_to__concurrent_assignments__staff=member))
