from datetime import date

import pytest

from incidents.models import OnCallContact
from tests.incidents.factories import rotation_with


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """make_user hashes a password per user; the default hasher costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(make_user):
    """An on-call rotation (ivy on call), responders, a duty manager, phones for ivy and omar."""
    ivy = make_user("ivy", roles=["incident-response"])
    ian = make_user("ian", roles=["incident-response"])
    omar = make_user("omar", roles=["operations"])
    erin = make_user("erin", roles=["engineering"])
    lena = make_user("lena", roles=["support-l1"])
    OnCallContact.objects.create(user=ivy, phone="+14155550100")
    OnCallContact.objects.create(user=omar, phone="+14155550111")
    rotation = rotation_with([ivy, erin], starts_on=date(2020, 1, 6), length_days=30000)
    return {"ivy": ivy, "ian": ian, "omar": omar, "erin": erin, "lena": lena, "rotation": rotation}
