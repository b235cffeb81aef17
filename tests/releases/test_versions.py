"""Every version rule, valid and invalid, with the message the user sees on the version field."""

import pytest
from django.core.exceptions import ValidationError

from releases.services import suggest_version


def version_error(make_release, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        make_release(**kwargs)
    return " ".join(caught.value.message_dict["version"])


@pytest.mark.parametrize(
    ("release_type", "version"),
    [("major", "3.0.0"), ("minor", "2.4.0"), ("patch", "2.3.2"), ("hotfix", "2.3.1-hotfix.1")],
)
def test_the_bumped_version_is_accepted(make_release, deployed_version, release_type, version):
    deployed_version("2.3.1")
    assert make_release(release_type=release_type, version=version).version == version


@pytest.mark.parametrize(
    ("release_type", "version", "message"),
    [
        ("minor", "2.5.0", "minor release after 2.3.1 must be 2.4.0"),
        ("minor", "2.4.1", "minor release after 2.3.1 must be 2.4.0"),
        ("major", "4.0.0", "major release after 2.3.1 must be 3.0.0"),
        ("major", "3.1.0", "major release after 2.3.1 must be 3.0.0"),
        ("patch", "2.3.3", "patch release after 2.3.1 must be 2.3.2"),
        ("patch", "2.4.0", "patch release after 2.3.1 must be 2.3.2"),
        ("minor", "2.4.0-rc.1", "A minor release is a plain MAJOR.MINOR.PATCH version"),
        ("minor", "two.four", "'two.four' is not a SemVer 2.0 version"),
        ("hotfix", "2.3.1", "A hotfix version is x.y.z-hotfix.N"),
        ("hotfix", "2.3.1-hotfix.2", "hotfix of 2.3.1 must be 2.3.1-hotfix.1"),
        ("hotfix", "2.3.2-hotfix.1", "2.3.2 of API Gateway is not released (latest released: 2.3.1)"),
    ],
)
def test_a_wrong_version_names_what_was_expected(make_release, deployed_version, release_type, version, message):
    deployed_version("2.3.1")
    assert message in version_error(make_release, release_type=release_type, version=version)


def test_hotfix_numbers_count_up(make_release, deployed_version):
    deployed_version("2.3.1")
    deployed_version("2.3.1-hotfix.1", release_type="hotfix")
    assert "must be 2.3.1-hotfix.2" in version_error(make_release, release_type="hotfix", version="2.3.1-hotfix.1")
    assert make_release(release_type="hotfix", version="2.3.1-hotfix.2").version == "2.3.1-hotfix.2"


def test_a_minor_after_a_hotfix_bumps_from_its_base(make_release, deployed_version):
    deployed_version("2.3.1")
    deployed_version("2.3.1-hotfix.3", release_type="hotfix")
    assert make_release(release_type="minor", version="2.4.0").version == "2.4.0"


def test_a_hotfix_of_an_older_line_is_not_greater_than_what_is_deployed(make_release, deployed_version):
    deployed_version("2.3.1")
    deployed_version("2.4.0")
    message = version_error(make_release, release_type="hotfix", version="2.3.1-hotfix.1")
    assert "must be greater than 2.4.0, already deployed" in message


def test_a_rolled_back_version_still_counts_as_deployed(make_release, deployed_version):
    deployed_version("2.3.1")
    deployed_version("2.4.0", status="rolled_back")
    assert "minor release after 2.4.0 must be 2.5.0" in version_error(make_release, version="2.4.0")


def test_versions_are_unique_per_component(make_release, deployed_version):
    deployed_version("2.3.1")
    make_release(version="2.4.0")
    assert "Version 2.4.0 of API Gateway already exists" in version_error(make_release, version="2.4.0")


def test_a_hotfix_needs_something_released(make_release):
    message = version_error(make_release, release_type="hotfix", version="")
    assert "nothing of API Gateway is released yet" in message


def test_first_versions_only_need_the_right_shape(make_release):
    assert "A major release must be X.0.0" in version_error(make_release, release_type="major", version="1.2.0")
    assert make_release(release_type="major", version="1.0.0").version == "1.0.0"


@pytest.mark.parametrize(
    ("release_type", "expected"),
    [("major", "3.0.0"), ("minor", "2.4.0"), ("patch", "2.3.2"), ("hotfix", "2.3.1-hotfix.1")],
)
def test_the_form_suggests_the_next_version(component, deployed_version, make_release, release_type, expected):
    deployed_version("2.3.1")
    assert suggest_version(component_id=component.pk, release_type=release_type) == expected
    assert make_release(release_type=release_type, version="").version == expected


def test_the_slot_must_lie_in_the_chosen_window_and_not_in_the_past(make_release):
    from datetime import timedelta

    import time_machine

    from marketplace_ops.models import MaintenanceWindow
    from tests.releases.conftest import PLANNING_TIME, SUNDAY_WINDOW

    primary = MaintenanceWindow.objects.get(kind="primary")
    with time_machine.travel(PLANNING_TIME, tick=False):
        with pytest.raises(ValidationError) as caught:
            make_release(scheduled_start=SUNDAY_WINDOW + timedelta(days=1), maintenance_window=primary)
        assert caught.value.message_dict["scheduled_start"] == [
            "2027-01-11 01:00 UTC is not inside the Primary maintenance window; its next opening is "
            "2027-01-17 01:00 UTC."]
        with pytest.raises(ValidationError) as caught:
            make_release(scheduled_start=PLANNING_TIME - timedelta(days=1))
        assert "is in the past" in caught.value.message_dict["scheduled_start"][0]
        release = make_release(scheduled_start=SUNDAY_WINDOW + timedelta(hours=1), maintenance_window=primary)
    assert release.scheduled_end == SUNDAY_WINDOW + timedelta(hours=4)
