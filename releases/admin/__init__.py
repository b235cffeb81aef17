from releases.admin import changes, releases  # noqa: F401  (registers the admin classes)
