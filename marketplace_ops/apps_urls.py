"""Mounts each local app's `urls.py` (if it has one) without the kernel naming a domain.

An app's urls module declares `urlpatterns`; its paths are absolute from the site root
(e.g. "api/v1/releases/", "status/"), so each app owns its own prefixes.
"""

import importlib

from django.conf import settings
from django.urls import include, path


def domain_urlpatterns():
    patterns = []
    for label in settings.LOCAL_APPS:
        if label == "marketplace_ops":
            continue
        try:
            importlib.import_module(f"{label}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.urls":
                raise
            continue
        patterns.append(path("", include(f"{label}.urls")))
    return patterns
