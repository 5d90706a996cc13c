"""Thin Celery tasks of the outbox. Their names stay ``mentoring.tasks.*``
(the beat schedule in config/settings.py names them as strings)."""

from celery import shared_task

from . import outbox


@shared_task(name="mentoring.tasks.dispatch_reminders", ignore_result=True)
def dispatch_reminders():
    """Beat, every 30 s: write what became due to the outbox and queue the sends."""
    outbox.dispatch()


@shared_task(name="mentoring.tasks.sweep_reminders", ignore_result=True)
def sweep_reminders():
    """Beat, every 30 s: claims whose worker or queue was lost come back."""
    outbox.sweep()


@shared_task(name="mentoring.tasks.send_deliveries", ignore_result=True, acks_late=True, bind=True)
def send_deliveries(self, ids, token, follow=True):
    """Send a claimed batch of outbox rows. Safe to run twice or late: only
    rows the token still holds and that have not started a send go out. Then
    claim and queue the next batch, so a backlog drains without waiting for
    beat (not when eager: tests run one batch at a time)."""
    outbox.send_batch(ids, token)
    if follow and not self.request.is_eager:
        outbox.kick()
