"""RPO/RTO watch: a breach opens exactly one incident and resolves it when a good backup lands."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backups import services
from backups.selectors import objectives_board
from tests.backups.conftest import notifications_for

pytestmark = pytest.mark.django_db


def report(component, *, ago, outcome="success", restore_seconds=None):
    return services.report_record(component=component, backup_type="full", finished_at=timezone.now() - ago,
                                  outcome=outcome, acting_user=None, restore_seconds=restore_seconds,
                                  reported_by="test")


def open_incidents(key):
    from incidents.models import Incident

    return Incident.objects.filter(external_key=key)


def test_rpo_breach_opens_one_incident_and_resolves_after_a_good_backup(component, operations_user):
    gateway = component("api-gateway", "API Gateway")
    services.objectives_seed_defaults()
    report(gateway, ago=timedelta(minutes=2))
    assert objectives_board()[0]["rpo_state"] == "green"
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        services.objectives_check()
        services.objectives_check()  # a second sweep opens nothing new
        incidents = list(open_incidents("backups:rpo:api-gateway"))
        assert len(incidents) == 1 and incidents[0].is_open
        assert "API Gateway" in incidents[0].title
        assert len(notifications_for("backups.rpo_breach")) == 1
        assert objectives_board()[0]["state"] == "red"
        report(gateway, ago=timedelta(seconds=30))  # the good backup lands
    incidents[0].refresh_from_db()
    assert not incidents[0].is_open
    assert open_incidents("backups:rpo:api-gateway").count() == 1
    from backups.models import RecoveryObjective

    objective = RecoveryObjective.objects.get(component=gateway)
    assert objective.rpo_state == "green" and objective.rpo_breached_since is None


def test_amber_before_the_objective_and_failed_reports_do_not_count(component, operations_user):
    portal = component("api-portal")
    services.objectives_seed_defaults()
    report(portal, ago=timedelta(minutes=50))  # RPO 1 h: 83 %
    report(portal, ago=timedelta(minutes=1), outcome="failure")
    row = objectives_board()[0]
    assert row["rpo_state"] == "amber" and row["age"] > timedelta(minutes=49)
    assert len(notifications_for("backups.backup_failed")) == 1


def test_slow_restore_drill_breaches_the_rto(component):
    analytics = component("analytics")
    services.objectives_seed_defaults()
    report(analytics, ago=timedelta(minutes=1), restore_seconds=3 * 3600)  # RTO 2 h
    assert open_incidents("backups:rto:analytics").filter(status__in=["detected", "investigating"]).count() == 1
    report(analytics, ago=timedelta(seconds=10), restore_seconds=600)
    assert not open_incidents("backups:rto:analytics").get().is_open


def test_own_verified_runs_count_for_their_component(component, policy):
    database = component("user-database")
    services.objectives_seed_defaults()
    run = services.backup_run_start(policy=policy(component=database), acting_user=None)
    assert run.status == "verified"
    row = objectives_board()[0]
    assert row["rpo_state"] == "green" and row["last_drill_seconds"] is not None
