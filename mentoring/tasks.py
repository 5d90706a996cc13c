from celery import shared_task

from . import audit, delivery, snapshots
from .services import heartbeat_record


@shared_task(name="mentoring.tasks.heartbeat", ignore_result=True)
def heartbeat():
    """Scheduled by beat every minute: proves beat, broker and worker work."""
    heartbeat_record()


@shared_task(name="mentoring.tasks.dispatch_reminders", ignore_result=True)
def dispatch_reminders():
    """Beat, every minute: write what is due to the outbox and queue the sends."""
    delivery.dispatch()


@shared_task(name="mentoring.tasks.sweep_reminders", ignore_result=True)
def sweep_reminders():
    """Beat, every minute: claims whose worker died go back to pending."""
    delivery.sweep()


@shared_task(name="mentoring.tasks.send_delivery", ignore_result=True, acks_late=True)
def send_delivery(delivery_id):
    """Send one outbox row. Safe to run twice: it re-checks the row's claim.
    Failures are retried through the outbox with backoff and jitter."""
    delivery.send(delivery_id)


@shared_task(name="mentoring.tasks.prune_audit", ignore_result=True)
def prune_audit():
    """Beat, daily: delete read-audit rows older than AUDIT_RETENTION_DAYS."""
    audit.access_events_prune()


@shared_task(name="mentoring.tasks.refresh_snapshots", ignore_result=True)
def refresh_snapshots():
    """Beat, every minute: recompute the coordinator home's figures and the
    needs-attention signals (mentoring.snapshots.snapshots_refresh)."""
    snapshots.snapshots_refresh()
