from incidents.admin import incidents, oncall, policies, reviews  # noqa: F401  (registers the admin classes)
