import pytest

from tests.factories import UserFactory, membership


@pytest.fixture
def role_client(client, business):
    """Log in a member of `business` with the given role."""

    def make(role, target=None):
        user = UserFactory()
        membership(target or business, user, role)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
