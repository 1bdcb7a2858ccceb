import pytest
from django.test import Client, override_settings

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
WITH_AXES = {"AXES_ENABLED": True, "AUTHENTICATION_BACKENDS": [
    "axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]}


@override_settings(**WITH_AXES)
def test_five_failed_sign_ins_lock_the_user_even_with_the_right_password():
    client = Client()
    for _ in range(4):
        response = client.post("/login/", {"username": "agent1", "password": "wrong-pass"})
        assert response.status_code == 200
    locked = client.post("/login/", {"username": "agent1", "password": "wrong-pass"})
    assert locked.status_code == 429
    right = client.post("/login/", {"username": "agent1", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked.
    other = Client().post("/login/", {"username": "agent2", "password": PASSWORD})
    assert other.status_code == 302


@override_settings(**WITH_AXES)
def test_a_success_resets_the_count():
    client = Client()
    for _ in range(4):
        client.post("/login/", {"username": "agent1", "password": "wrong-pass"})
    assert client.post("/login/", {"username": "agent1", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert client.post("/login/", {"username": "agent1", "password": "wrong-pass"}).status_code == 200
