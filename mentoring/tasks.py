from celery import shared_task

from .services import heartbeat_record


@shared_task(name="mentoring.tasks.heartbeat", ignore_result=True)
def heartbeat():
    """Scheduled by beat every minute: proves beat, broker and worker work."""
    heartbeat_record()
