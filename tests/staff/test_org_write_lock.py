"""Org writes take the org chart's stamp before any other row (``staff.models.OrgStamp.lock``).

The stamp's triggers lock its row at a transaction's first org write and keep it to the commit. A
change that locked a person first and then waited for the stamp could deadlock with an import that
holds the stamp and comes to that person; with the stamp taken first, the second writer waits
holding nothing. On PostgreSQL: each thread has its own connection."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from staff.changes import change_check, org_change_apply
from staff.models import OrgChange, OrgStamp, StaffMember
from tests.conftest import require_service
from tests.factories import PositionFactory, StaffMemberFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")
        return cursor.fetchone()[0]


def test_an_org_change_waits_for_the_stamp_before_it_locks_the_person():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    unit = UnitFactory(code="lock-team")
    here, there = PositionFactory(unit=unit, headcount=2), PositionFactory(unit=unit, headcount=2)
    person = StaffMemberFactory(position=here)
    checked = change_check(kind="staff_assign", data={"staff": person.pk, "position": there.pk})
    change = OrgChange.objects.create(kind=checked.kind, payload=checked.payload, summary="调岗",
                                      effective_on=timezone.localdate(), reason="调岗", impact={},
                                      requested_at=timezone.now(), staff=person)
    held, release = threading.Event(), threading.Event()

    def hold_the_stamp():  # another org writer, in the middle of its transaction
        try:
            with transaction.atomic():
                OrgStamp.lock()
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    applied: list = []

    def apply():
        try:
            applied.append(org_change_apply(change_id=change.pk).state)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_stamp)
    holder.start()
    assert held.wait(10)
    applier = threading.Thread(target=apply)
    applier.start()
    try:
        deadline = time.monotonic() + 10
        while waiting_for_a_lock() < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_for_a_lock() == 1  # the change waits ...
        # ... holding no person: another writer may still lock the one it moves.
        with transaction.atomic():
            try:
                locked = list(StaffMember.objects.select_for_update(nowait=True).filter(pk=person.pk)
                              .values_list("pk", flat=True))
            except OperationalError as error:
                locked = [str(error)]
        assert locked == [person.pk]
        assert StaffMember.objects.get(pk=person.pk).position_id == here.pk
    finally:
        release.set()
        holder.join(10)
        applier.join(10)
    assert applied == [OrgChange.State.APPLIED]
    assert StaffMember.objects.get(pk=person.pk).position_id == there.pk
