from celery import shared_task

from marketplace_ops.actors import acting_as, system_user


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def sweep_ticket_sla(self):
    """Every minute: record ticket SLA breaches that are due (safe on two workers at once)."""
    from incidents.support.services import ticket_sla_sweep

    with acting_as(system_user(), reason="ticket SLA sweep", via="celery"):
        return ticket_sla_sweep()
