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
