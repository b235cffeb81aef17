from datetime import date, time

import factory

from incidents.models import Rotation, RotationMember


class RotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rotation

    name = factory.Sequence(lambda n: f"Rotation {n}")
    time_zone = "UTC"
    handoff_weekday = 0
    handoff_time = time(9)
    length_days = 7
    starts_on = date(2026, 1, 5)
    is_primary = True


def rotation_with(users, **kwargs) -> Rotation:
    rotation = RotationFactory(**kwargs)
    for position, user in enumerate(users):
        RotationMember.objects.create(rotation=rotation, user=user, position=position)
    return rotation
