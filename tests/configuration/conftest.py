import pytest


@pytest.fixture
def people(make_user):
    class People:
        author = make_user("erin", roles=["engineering"])
        approver = make_user("sam", roles=["security"])
        operator = make_user("omar", roles=["operations"])
        cab = make_user("cara", roles=["change-advisory-board"])
        viewer = make_user("pat", roles=["product"])

    return People


@pytest.fixture
def seed_item(db, make_user):
    """seed_item(env, key, value, sensitive=False) -> item, through the normal path (approved by a
    second person where the environment needs it)."""
    from configuration import services
    from configuration.models import ConfigurationItem

    seeder = make_user("seeder", roles=["operations"])
    reviewer = make_user("reviewer", roles=["operations"])

    def make(environment, key, value, *, sensitive=False, user=None, description=""):
        user = user or seeder
        item = ConfigurationItem.objects.filter(environment=environment, key=key).first()
        cs = services.config_changeset_create(
            environment=environment, title="fixture", reason="fixture",
            operations=[{"key": key, "value": value, "sensitive": sensitive, "description": description,
                         "base_version": item.version if item else 0}],
            acting_user=user,
        )
        if cs.state == "pending_approval":
            cs = services.config_changeset_approve(change_set=cs, acting_user=reviewer if user != reviewer else seeder)
        services.config_changeset_apply(change_set=cs, acting_user=seeder)
        return ConfigurationItem.objects.get(environment=environment, key=key)

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """Each test gets an empty local cache, except Redis tests, which use the configured Redis."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"config-{request.node.nodeid}"}}
    from django.core.cache import cache

    cache.clear()
    yield
