"""The reminder engine: find what is due, write it to the outbox, claim it,
send it. Never lost (rows are written before anything is queued; expired
claims return to pending), never twice (a unique key per reminder,
recipient, channel and due time; a send re-checks its claim first).

    dispatch()  – every minute (beat): create due rows, claim them, queue sends on commit
    sweep()     – every minute (beat): return expired leases; too many attempts → dead
    send(id)    – the Celery task's body: deliver one claimed row
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Channel, ChannelPreference, Delivery, ReminderKind

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
CLAIM_BATCH = 2000
REMINDER_MODULES = [
    "goals.reminders",
    "sessions.reminders",
    "mentoring.reminders",
    "resources.reminders",
    "programs.reminders",
]
# Kinds that never wait for quiet hours.
URGENT = {ReminderKind.SAFETY_ALERT}


@dataclass(frozen=True)
class Due:
    """One reminder that is due: what, about what, for whom, since when."""

    kind: str
    subject: str
    recipient: object  # a User
    due_at: datetime
    url: str = ""
    program_id: int | None = None


# --- what is due -------------------------------------------------------------------------------


def coordinators_by_program(program_ids):
    """{program id: [coordinator users]} in one query."""
    from programs.models import Program

    result = {}
    through = Program.coordinators.through.objects.filter(program_id__in=program_ids).select_related("user")
    for row in through:
        result.setdefault(row.program_id, []).append(row.user)
    return result


def collect_due(now):
    for module_name in REMINDER_MODULES:
        yield from import_module(module_name).due(now)


def in_quiet_hours(user, now):
    if not (user.quiet_from and user.quiet_until):
        return False
    try:
        local = timezone.localtime(now, ZoneInfo(user.time_zone)).time()
    except (ValueError, KeyError):
        local = now.time()
    start, end = user.quiet_from, user.quiet_until
    return start <= local < end if start < end else (local >= start or local < end)


def channels_for(user, kind, preferences):
    pref = preferences.get((user.pk, kind))
    if pref is None:
        chosen = {Channel.IN_APP, Channel.EMAIL} | ({Channel.SMS} if kind in URGENT else set())
    else:
        chosen = {
            c for c, on in ((Channel.IN_APP, pref.in_app), (Channel.EMAIL, pref.email), (Channel.SMS, pref.sms)) if on
        }
    if not (user.ok_to_text and user.phone):
        chosen.discard(Channel.SMS)  # text messages only for people who said okay
    return chosen


def outbox_rows(dues, now):
    """Delivery rows for what is due, by each person's channels and quiet hours."""
    dues = [d for d in dues if d.recipient.is_active]
    user_ids = {d.recipient.pk for d in dues}
    preferences = {(p.user_id, p.kind): p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    rows = []
    for due in dues:
        if due.kind not in URGENT and in_quiet_hours(due.recipient, now):
            continue  # created on a later minute, with the same key
        for channel in channels_for(due.recipient, due.kind, preferences):
            rows.append(
                Delivery(
                    kind=due.kind,
                    subject=due.subject,
                    recipient=due.recipient,
                    channel=channel,
                    due_at=due.due_at,
                    url=due.url,
                    program_id=due.program_id,
                    next_attempt_at=now,
                )
            )
    return rows


# --- dispatch, claim, sweep ----------------------------------------------------------------------------


def dispatch(now=None, *, enqueue=True):
    """Create due rows (idempotent), claim what is ready and queue the sends
    after commit. Returns the claimed ids."""
    now = now or timezone.now()
    rows = outbox_rows(collect_due(now), now)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    with transaction.atomic():
        claimed = claim(now)
        if enqueue and claimed:
            transaction.on_commit(lambda: enqueue_sends(claimed))
    return claimed


def claim(now, limit=CLAIM_BATCH):
    """Mark ready rows as sending with a lease, safely against other dispatchers:
    SKIP LOCKED on PostgreSQL; a conditional UPDATE elsewhere."""
    ready = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )
    lease = {"status": Delivery.Status.SENDING, "lease_expires_at": now + LEASE}
    if connection.vendor == "postgresql":
        ids = list(ready.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(**lease)
        return ids
    # SQLite: transactions take the write lock up front (IMMEDIATE), so two
    # dispatchers run one after the other; the status condition does the rest.
    candidates = list(ready.values_list("pk", flat=True)[:limit])
    claimed = []
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        # Only rows still pending flip; a competing dispatcher gets the rest.
        Delivery.objects.filter(pk__in=batch, status=Delivery.Status.PENDING).update(**lease)
        claimed += list(
            Delivery.objects.filter(
                pk__in=batch, status=Delivery.Status.SENDING, lease_expires_at=now + LEASE
            ).values_list("pk", flat=True)
        )
    return claimed


def enqueue_sends(ids):
    """Queue one send per id. If the broker is down the rows keep their lease;
    the sweeper returns them to pending and a later dispatch queues them again."""
    from .tasks import send_delivery

    for pk in ids:
        try:
            send_delivery.apply_async(args=[pk], retry=False)
        except Exception:  # broker unreachable: the database still has the row
            logger.warning("Broker unavailable; %s deliveries wait for the sweeper", len(ids))
            return


def sweep(now=None):
    """Return expired claims to pending; rows out of attempts become dead."""
    now = now or timezone.now()
    expired = Delivery.objects.filter(status=Delivery.Status.SENDING, lease_expires_at__lt=now)
    dead = expired.filter(attempts__gte=MAX_ATTEMPTS).update(status=Delivery.Status.DEAD, lease_expires_at=None)
    returned = expired.update(status=Delivery.Status.PENDING, lease_expires_at=None, next_attempt_at=now)
    return returned, dead


# --- sending -------------------------------------------------------------------------------------------------


class SendFailed(Exception):
    pass


def send(pk, now=None):
    """Deliver one claimed row. Returns the new status."""
    from .channels import deliver

    now = now or timezone.now()
    # Re-check the claim: a row already sent, skipped or re-claimed is left alone.
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=pk, status=Delivery.Status.SENDING, lease_expires_at__gte=now).update(
            attempts=F("attempts") + 1
        )
        if not updated:
            return None
    delivery = Delivery.objects.select_related("recipient").get(pk=pk)
    try:
        delivered = deliver(delivery)
    except Exception as error:  # channel failure: retry later with backoff
        return _failed(delivery, error, now)
    status = Delivery.Status.SENT if delivered else Delivery.Status.SKIPPED
    Delivery.objects.filter(pk=pk, status=Delivery.Status.SENDING).update(
        status=status, sent_at=now if delivered else None, lease_expires_at=None
    )
    return status


def _failed(delivery, error, now):
    attempts = delivery.attempts
    if attempts >= MAX_ATTEMPTS:
        status, when = Delivery.Status.DEAD, None
    else:
        status, when = Delivery.Status.PENDING, now + backoff(attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        last_error=type(error).__name__[:300],
        lease_expires_at=None,
        next_attempt_at=when or F("next_attempt_at"),
    )
    logger.warning("Delivery %s failed (%s), attempt %s", delivery.pk, type(error).__name__, attempts)
    return status


def backoff(attempt):
    """Exponential backoff with jitter: about 1, 2, 4, 8 minutes."""
    base = 60 * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=base + random.uniform(0, base / 2))  # noqa: S311


def dead_letters(programs):
    """Rows that gave up, for coordinators' homes."""
    return Delivery.objects.filter(status=Delivery.Status.DEAD, program__in=programs)


# --- coordinators' undelivered-reminders page -------------------------------------------------------


def delivery_retry(*, delivery, now=None):
    """Send a dead reminder again: back to pending with a fresh count of
    attempts, due now; the next dispatch claims and sends it. Only a row that
    gave up (status dead) is changed; returns True when it was. The one place
    a coordinator's "retry" touches the outbox (point it at the new outbox
    module when it moves)."""
    now = now or timezone.now()
    changed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.DEAD).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, lease_expires_at=None
    )
    return bool(changed)


def delivery_mark_handled(*, delivery):
    """A coordinator dealt with a dead reminder another way (a call, a fixed
    address and a new reminder later): it leaves the list as skipped, keeping
    its last error. Returns True when a dead row was changed."""
    changed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.DEAD).update(
        status=Delivery.Status.SKIPPED
    )
    return bool(changed)
