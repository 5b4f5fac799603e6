import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from taxonomy.services import load_reference
from tests.helpers import member_of


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real reference data (regions, countries, vocabularies)."""
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_superuser("curator", "curator@example.org", "a-curator-password")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's default hasher is slow on purpose (about 0.25 s a password); tests log in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def page_cache(request, settings):
    """Views are tested as rendered (their context is read, their queries counted): the page cache is off,
    except in the modules marked `page_cache`, which test it, and those walking every public answer."""
    if request.node.get_closest_marker("page_cache") is None:
        settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counts are cached per data revision; a test's rolled-back writes must not leave any behind."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """A request in French leaves French active in the thread (LocaleMiddleware activates, nothing resets):
    tests calling selectors directly must start in the default language whatever ran before them."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def curator_role_client(client, django_user_model):
    """Logged in as a member of the Curator group: edits and submits for review, cannot publish."""
    client.force_login(member_of("Curator", "carla"))
    return client


@pytest.fixture
def editor_role_client(client, django_user_model):
    """Logged in as a member of the Editor group: also publishes, archives, merges and imports."""
    client.force_login(member_of("Editor", "edith"))
    return client
