from celery import shared_task

from .services import messages_prune


@shared_task(name="conversations.tasks.prune_messages", ignore_result=True)
def prune_messages():
    """Beat, daily: delete messages older than their program's retention
    (conversations.services.messages_prune)."""
    messages_prune()
