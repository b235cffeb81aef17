"""Every admin page a superuser can reach renders with the demo data: changelists, add forms,
one change form each, and the history page — no 500 anywhere in the console."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_admin(client, django_user_model):
    call_command("ensure_demo_superuser", "--quiet")
    call_command("seed_demo")
    client.force_login(django_user_model.objects.get(username="admin"))
    return client


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def test_every_admin_page_renders_with_demo_data(seeded_admin):
    failures = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [_url(f"{prefix}_changelist"), _url(f"{prefix}_add")]
        obj = model_admin.get_queryset(_request()).order_by("pk").first()
        if obj is not None:
            urls.append(_url(f"{prefix}_change", obj.pk))
            urls.append(_url(f"{prefix}_history", obj.pk))
        for url in filter(None, urls):
            status = seeded_admin.get(url).status_code
            if status not in (200, 302, 403):
                failures.append(f"{url} → {status}")
    assert failures == []
    assert seeded_admin.get("/admin/").status_code == 200


def _request():
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="admin")
    return request
