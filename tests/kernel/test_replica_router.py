"""The read-replica router (``servicecenter/replica.py``) without a replica: every read and write on
``default``, migrations only there; and the settings that add one from ``DATABASE_REPLICA_URL``."""

from servicecenter.replica import ReplicaRouter, replica_reads
from servicecenter.settings.base import with_replica
from tickets.models import Ticket


def test_without_a_replica_everything_is_the_default_database():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Ticket) is None  # Django's default
        assert router.db_for_write(Ticket) == "default"
    assert router.db_for_read(Ticket) is None
    assert router.allow_migrate("default", "tickets") is True
    assert router.allow_migrate("replica", "tickets") is False


def test_the_replica_comes_from_its_url_and_mirrors_default_in_tests(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader:pw@10.0.0.2:5433/servicecenter")
    databases = with_replica({"default": {"CONN_MAX_AGE": 60}})
    replica = databases["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"], replica["NAME"]) == (
        "10.0.0.2", 5433, "reader", "servicecenter")
    assert (replica["CONN_MAX_AGE"], replica["TEST"]) == (60, {"MIRROR": "default"})
    monkeypatch.delenv("DATABASE_REPLICA_URL")
    assert with_replica({"default": {"CONN_MAX_AGE": 0}}) == {"default": {"CONN_MAX_AGE": 0}}


def test_who_asks_and_what_they_may_see_are_read_from_the_primary(monkeypatch):
    """Even inside a replica read, with a replica configured: the session, the user and the org chart
    (a session or an org change a moment old may not have reached the replica)."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    from servicecenter import replica
    from staff.models import OrgStamp, StaffMember

    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Ticket) == "replica"
        assert [router.db_for_read(m) for m in (User, Session, StaffMember, OrgStamp)] == [None] * 4
    assert router.db_for_read(Ticket) is None
