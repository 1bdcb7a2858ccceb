import pytest

from messaging.backends import LocmemBackend


@pytest.fixture(autouse=True)
def empty_outbox():
    LocmemBackend.outbox.clear()
    yield
    LocmemBackend.outbox.clear()
