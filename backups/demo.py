"""Demo data (filled in below)."""


def seed(*, stdout=None):
    pass
