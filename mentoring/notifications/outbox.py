"""The outbox: every message is a row first, then a claim, then a send.

    dispatch()          – beat: write what became due since the last run, then kick
    kick()              – claim batches of ready rows (owner token, short lease) and queue them
    send_batch(ids, t)  – a Celery task's body: send the rows that token t still holds
    sweep()             – beat: expired claims return (or, if a send started, per kind)

Guarantees (tests/reminders/test_delivery_proofs.py, test_fencing_proofs.py):
- not lost: rows are written before anything is queued; a claim lives
  ``LEASE`` (45 s) and is renewed while its batch sends; an expired claim is
  returned by the sweeper (beat, every 30 s), so a lost queue (broker
  restart) holds nothing for more than about a minute and a quarter;
- never twice: a claim carries an owner token; a task sends only rows its
  token still holds and that have not started a send; before an email or a
  text message goes out, "attempt started" is committed in its own step
  (together with the previous message's outcome: one commit per message).
  A row whose send started and never finished (the worker died between the
  provider call and "sent") is, per kind (kinds.py ``resend_unfinished``):
  routine — not sent again (at most once; the row becomes dead and
  coordinators see it: if the worker died inside the provider call before
  the provider accepted, that one message is lost); safety alerts — sent again with the same Message-ID
  / idempotency key (at least once). In-app notifications are created in the
  same transaction that marks the row sent: exactly once.
"""

import logging
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from ..models import Channel, ChannelPreference, Delivery, DispatchState, Notification, ReminderKind, zone_named
from . import channels
from .kinds import KINDS

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=45)
MAX_ATTEMPTS = 5
BATCH = 500  # ids per Celery message
IN_FLIGHT = 4  # batches claimed and queued at once; each finished batch claims the next
RENEW_EVERY = 50  # messages between lease renewals of the whole batch
# Each dispatch looks back this much before the last run, for rows whose
# transaction committed late; the rows found again already exist and are not
# written again.
OVERLAP = timedelta(minutes=5)
REMINDER_MODULES = [
    "goals.reminders",
    "sessions.reminders",
    "mentoring.reminders",
    "resources.reminders",
    "programs.reminders",
]
RESEND_UNFINISHED = [name for name, kind in KINDS.items() if kind.resend_unfinished]
SECRET_LINK = [name for name, kind in KINDS.items() if kind.secret_link]
INTERRUPTED = "Interrupted after the provider was called; not sent again (at most once)"
S = Delivery.Status


@dataclass(frozen=True)
class Due:
    """One reminder that is due: what, about what, for whom, since when."""

    kind: str
    subject: str
    recipient: object  # a User
    due_at: datetime
    url: str = ""
    program_id: int | None = None
    changed_at: datetime | None = None  # when the thing it is about was created or last changed


class Claimed(list):
    """The ids one claim took, and the claim's owner token."""

    def __init__(self, ids=(), token=None):
        super().__init__(ids)
        self.token = token


# --- what is due -------------------------------------------------------------------------------


def coordinators_by_program(program_ids):
    """{program id: [coordinator users]} in one query."""
    from programs.models import Program

    result = {}
    through = Program.coordinators.through.objects.filter(program_id__in=program_ids).select_related("user")
    for row in through:
        result.setdefault(row.program_id, []).append(row.user)
    return result


# What the outbox reads of a recipient when it writes a row (outbox_values:
# active, channels, quiet hours, zone); the rest of an account stays in the database.
RECIPIENT_FIELDS = (
    "is_active", "time_zone", "quiet_from", "quiet_until",
    "phone", "ok_to_text", "text_confirmed_at", "texts_stopped_at",
)  # fmt: skip


def recipients_by_id(user_ids):
    """{user id: user} with only ``RECIPIENT_FIELDS`` loaded, in one query:
    for a reminder module that found thousands of due rows as plain values."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.only(*RECIPIENT_FIELDS).in_bulk(set(user_ids) - {None})


def collect_due(now, since=None):
    """Every app's reminders that are due at ``now``; with ``since``, only
    those that became due after ``since - OVERLAP`` or whose subject was
    created or changed after it (a meeting booked for the next hour is due at
    once). Each module's ``due(now, since)`` narrows its queries by the window
    where it can; this is the one filter that decides."""
    start = None if since is None else since - OVERLAP
    _collecting.active, _collecting.zone_names = True, None  # people's zones read once (zones_passing)
    try:
        for module_name in REMINDER_MODULES:
            for due in import_module(module_name).due(now, start):
                if start is None or due.due_at > start or (due.changed_at is not None and due.changed_at > start):
                    yield due
    finally:
        _collecting.active, _collecting.zone_names = False, None


_collecting = threading.local()


def _people_zone_names():
    """The distinct ``User.time_zone`` names (an index-only read of the
    time-zone index); within one ``collect_due`` read once for every module."""
    from django.contrib.auth import get_user_model

    names = getattr(_collecting, "zone_names", None)
    if names is None:
        names = set(get_user_model().objects.order_by().values_list("time_zone", flat=True).distinct())
        if getattr(_collecting, "active", False):
            _collecting.zone_names = names
    return names


def zones_passing(at, start, now, weekday=None):
    """The time-zone names (among people's) in which the wall-clock time ``at``
    (on ``weekday`` if given, Monday = 0) falls in (start, now]: the only
    zones where a reminder fixed at that local time can have become due.
    Unknown zone names count as DEFAULT_USER_TIME_ZONE, as User.zone does."""
    names = _people_zone_names()
    passing = set()
    for name in names:
        zone = zone_named(name)
        day, last = start.astimezone(zone).date(), now.astimezone(zone).date()
        while day <= last:
            moment = datetime.combine(day, at, tzinfo=zone)
            if start < moment <= now and (weekday is None or day.weekday() == weekday):
                passing.add(name)
                break
            day += timedelta(days=1)
    return passing


def _zone(user):
    return user.zone


def in_quiet_hours(user, now):
    return quiet_until(user, now) is not None


def quiet_until(user, now):
    """When the person's quiet hours end, if ``now`` is inside them (UTC), else None."""
    if not (user.quiet_from and user.quiet_until):
        return None
    zone = _zone(user)
    local = timezone.localtime(now, zone)
    start, end = user.quiet_from, user.quiet_until
    t = local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if (start < end or t < end) else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(now.tzinfo)


def channels_for(user, kind, preferences, *, staff=False):
    """The channels one person gets one kind on: the kind's defaults, or the
    person's preference. A kind that may not be turned off keeps its defaults
    when a preference would leave nothing; text messages only for people who
    said okay-to-text, gave a number and confirmed with YES (``User.texts_confirmed``),
    never for someone who stopped texts.

    ``staff`` (a coordinator or designated safety staff of some program): a
    safety alert goes on every channel they have, whatever their preferences,
    and by text message whenever a phone number is on file and they have not
    stopped texts (okay-to-text is a mentee's and mentor's choice; answering
    safety alerts is part of the staff role)."""
    spec = KINDS[kind]
    if spec.channels_fixed:
        return set(spec.channels)
    if staff and kind == ReminderKind.SAFETY_ALERT:
        return {c for c in spec.channels if c != Channel.SMS or (user.phone and not user.texts_stopped_at)}
    pref = preferences.get((user.pk, kind))
    if pref is None:
        chosen = set(spec.channels)
    else:
        chosen = {
            c for c, on in ((Channel.IN_APP, pref.in_app), (Channel.EMAIL, pref.email), (Channel.SMS, pref.sms)) if on
        }
        if not chosen and not spec.opt_out:
            chosen = set(spec.channels)
    if not user.texts_confirmed:
        chosen.discard(Channel.SMS)
    return chosen


def staff_ids(user_ids):
    """The ids among ``user_ids`` of people who coordinate a program or are
    designated safety staff of one (one query; none when ``user_ids`` is empty)."""
    if not user_ids:
        return set()
    from programs.models import Program

    coordinators = Program.coordinators.through.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    designated = Program.safety_staff.through.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    return set(coordinators) | set(designated)


def outbox_values(dues, now):
    """The outbox rows for what is due, on each person's channels, as tuples
    in ``FILLED`` order (what ``insert_new`` writes; no model instances: at
    9:00 for 100,000 mentees that is 32,000 rows). Inside a person's quiet
    hours a row waits (next_attempt_at) until they end, unless its kind
    ignores quiet hours."""
    dues = [d for d in dues if d.recipient.is_active]
    user_ids = {d.recipient.pk for d in dues}
    preferences = {(p.user_id, p.kind): p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    staff = staff_ids({d.recipient.pk for d in dues if d.kind == ReminderKind.SAFETY_ALERT})
    rows = []
    for due in dues:
        ready = (KINDS[due.kind].quiet_hours and quiet_until(due.recipient, now)) or now
        for channel in channels_for(due.recipient, due.kind, preferences, staff=due.recipient.pk in staff):
            rows.append(
                (due.kind, due.subject, due.recipient.pk, "", channel, due.due_at, due.url, due.program_id, ready, now)
            )
    return rows


def outbox_rows(dues, now):
    """``outbox_values`` as unsaved ``Delivery`` instances with their recipients (for notify())."""
    people = {d.recipient.pk: d.recipient for d in dues}
    rows = []
    for values in outbox_values(dues, now):
        row = Delivery(**dict(zip(FILLED, values, strict=True)))
        row.recipient = people[row.recipient_id]
        rows.append(row)
    return rows


def write_due(dues, now):
    """Write outbox rows for ``dues`` (skipping keys already there). Returns how many were new."""
    return len(insert_new(outbox_values(dues, now)))


# Columns a new outbox row takes from its Due; every other column starts at the model's default.
FILLED = (
    "kind",
    "subject",
    "recipient_id",
    "address",
    "channel",
    "due_at",
    "url",
    "program_id",
    "next_attempt_at",
    "created_at",
)
PAGE = 500  # rows per INSERT: 500 × 17 parameters stays under SQLite's 32,766 and PostgreSQL's 65,535


def insert_new(rows):
    """Insert new pending outbox rows (tuples in ``FILLED`` order, from
    ``outbox_values``) whose idempotency key (kind, subject, recipient,
    channel, due_at) is not in the outbox yet.
    Returns the new rows' ids (a key already there is skipped, never written twice).

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` per ``PAGE`` rows
    (PostgreSQL; SQLite ≥ 3.35): no read of existing keys first and none of
    ``bulk_create``'s per-field preparation, which cost 2.7 s of the 9 am
    dispatch at 100,000 mentees. Only the ``FILLED`` columns come from
    each row; the others (status, attempts, lease, claim, errors) take the
    model's defaults, prepared once: this writes new pending rows only."""
    if not rows:
        return []
    fields = [f for f in Delivery._meta.concrete_fields if not f.primary_key]
    template = Delivery()
    constant = {
        f.attname: f.get_db_prep_save(getattr(template, f.attname), connection)
        for f in fields
        if f.attname not in FILLED
    }
    moments = {f.attname for f in fields if isinstance(f, models.DateTimeField)}
    position = {name: index for index, name in enumerate(FILLED)}
    adapt = connection.ops.adapt_datetimefield_value
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = connection.ops.quote_name(Delivery._meta.db_table)
    pk = connection.ops.quote_name(Delivery._meta.pk.column)
    if connection.vendor == "postgresql":
        return _insert_new_columns(rows, fields, constant, table, columns, pk)
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), PAGE):
            page = rows[start : start + PAGE]
            params = []
            for row in page:
                for f in fields:
                    name = f.attname
                    if name in constant:
                        params.append(constant[name])
                    else:
                        value = row[position[name]]
                        params.append(adapt(value) if name in moments and value is not None else value)
            # Names come from the model's metadata; every value is a parameter.
            values = ", ".join([one] * len(page))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            ids += [pk_value for (pk_value,) in cursor.fetchall()]
    return ids


COLUMN_PAGE = 10_000  # rows per INSERT … SELECT FROM unnest(…) on PostgreSQL


def _insert_new_columns(rows, fields, constant, table, columns, pk):
    """PostgreSQL: one ``INSERT … SELECT … FROM unnest(arrays) ON CONFLICT DO
    NOTHING RETURNING id`` per ``COLUMN_PAGE`` rows, one array parameter per
    ``FILLED`` column. The server reads ten arrays instead of parsing a
    statement of 8,500 placeholders per 500 rows: at 100,000 mentees the
    9 am write's INSERT statements for 32,000 rows fell from 1.6 s to 1.0 s
    (same rows, same ids returned; SQLite keeps the multi-row VALUES)."""
    by_name = {f.attname: f for f in fields}
    array_types = {name: by_name[name].db_type(connection) + "[]" for name in FILLED}
    select = []
    for f in fields:
        if f.attname in constant:
            select.append("%s")
        else:
            select.append(f"filled.{connection.ops.quote_name(f.attname)}")
    unnest = ", ".join(f"%s::{array_types[name]}" for name in FILLED)
    names = ", ".join(connection.ops.quote_name(name) for name in FILLED)
    # Names and types come from the model's metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {', '.join(select)} "  # noqa: S608
        f"FROM unnest({unnest}) AS filled({names}) ON CONFLICT DO NOTHING RETURNING {pk}"
    )
    constants = [constant[f.attname] for f in fields if f.attname in constant]
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), COLUMN_PAGE):
            page = rows[start : start + COLUMN_PAGE]
            cursor.execute(sql, [*constants, *(list(column) for column in zip(*page, strict=True))])
            ids += [pk_value for (pk_value,) in cursor.fetchall()]
    return ids


# --- dispatch, claim, kick, sweep ---------------------------------------------------------------------------


def dispatch(now=None, *, enqueue=True):
    """Write the reminders that became due since the last run (none twice:
    the unique key and ``ignore_conflicts``), remember this run, then claim
    what the workers can take and queue it after commit. Returns the claimed ids."""
    now = now or timezone.now()
    state = DispatchState.objects.filter(pk=1).values_list("dispatched_until", flat=True).first()
    if state is None:
        dues = collect_due(now)  # the first run looks at everything
    elif state < now:
        dues = collect_due(now, since=state)
    else:
        dues = []  # this moment (or a later one) was already dispatched
    write_due(dues, now)
    if state is None:
        DispatchState.objects.get_or_create(pk=1, defaults={"dispatched_until": now})
    elif state < now:
        DispatchState.objects.filter(pk=1, dispatched_until__lt=now).update(dispatched_until=now)
    return kick(now, batches=free_batches(now), enqueue=enqueue)


def free_batches(now):
    """How many more batches to queue: ``IN_FLIGHT`` minus what is claimed
    and not yet started (so a long backlog never piles up in the broker)."""
    waiting = Delivery.objects.filter(
        status=S.SENDING, attempt_started_at__isnull=True, lease_expires_at__gte=now
    ).count()
    return max(IN_FLIGHT - -(-waiting // BATCH), 1)


def kick(now=None, *, batches=1, ids=None, enqueue=True):
    """Claim up to ``batches`` batches of ready rows (only ``ids`` if given)
    and queue one task per batch after commit. Returns the claimed ids."""
    now = now or timezone.now()
    taken = []
    for _ in range(batches):
        batch = claim(now, ids=ids)
        if not batch:
            break
        taken.append(batch)
        if ids is not None:
            break
    if enqueue and taken:
        transaction.on_commit(lambda: enqueue_batches(taken))
    return [pk for batch in taken for pk in batch]


def enqueue_batches(batches):
    """Queue claimed batches; once the broker refuses one, give the rest back too."""
    for number, batch in enumerate(batches):
        if not enqueue_batch(batch, batch.token):
            for rest in batches[number + 1 :]:
                release(rest, rest.token)
            return


def claim(now=None, limit=BATCH, *, ids=None):
    """Mark up to ``limit`` ready rows as sending under a new owner token with
    a lease, safely against other dispatchers: SKIP LOCKED on PostgreSQL; a
    conditional UPDATE elsewhere (SQLite transactions take the write lock up
    front). Returns a ``Claimed`` list (ids, ``.token``)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    ready = Delivery.objects.filter(status=S.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        ready = ready.filter(pk__in=ids)
    ready = ready.order_by("next_attempt_at")
    lease = {"status": S.SENDING, "lease_expires_at": now + LEASE, "claim_token": token, "attempt_started_at": None}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            picked = list(ready.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Delivery.objects.filter(pk__in=picked).update(**lease)
            return Claimed(picked, token)
        candidates = list(ready.values_list("pk", flat=True)[:limit])
        for start in range(0, len(candidates), 500):
            # Only rows still pending flip; a competing dispatcher gets the rest.
            Delivery.objects.filter(pk__in=candidates[start : start + 500], status=S.PENDING).update(**lease)
        picked = list(Delivery.objects.filter(claim_token=token).values_list("pk", flat=True))
    return Claimed(picked, token)


def enqueue_batch(ids, token, *, follow=True):
    """Queue one task for a claimed batch (``follow``: the task then claims
    and queues the next batch). If the broker is down the claim is released
    at once, so the next dispatch (or kick) takes the rows again."""
    from .tasks import send_deliveries

    try:
        send_deliveries.apply_async(args=[list(ids), str(token)], kwargs={"follow": follow}, retry=False)
    except Exception:  # broker unreachable: the database still has the rows
        logger.warning("Broker unavailable; %s deliveries wait in the outbox", len(ids))
        release(ids, token)
        return False
    return True


def release(ids, token):
    """Give a claim back unsent (rows return to pending at once)."""
    return Delivery.objects.filter(
        pk__in=list(ids), claim_token=token, status=S.SENDING, attempt_started_at__isnull=True
    ).update(status=S.PENDING, claim_token=None, lease_expires_at=None)


def sweep(now=None):
    """Expired claims: never started → back to pending; started and never
    finished → per kind: re-sent (safety alerts) or dead (at most once).
    Returns (returned to pending, dead)."""
    now = now or timezone.now()
    expired = Delivery.objects.filter(status=S.SENDING, lease_expires_at__lt=now)
    returned = expired.filter(attempt_started_at__isnull=True).update(
        status=S.PENDING, lease_expires_at=None, claim_token=None, next_attempt_at=now
    )
    unfinished = expired.filter(attempt_started_at__isnull=False)
    dead = unfinished.filter(kind__in=RESEND_UNFINISHED, attempts__gte=MAX_ATTEMPTS).update(
        status=S.DEAD, lease_expires_at=None, attempt_started_at=None, last_error="Interrupted mid-send too often"
    )
    returned += unfinished.filter(kind__in=RESEND_UNFINISHED).update(
        status=S.PENDING,
        lease_expires_at=None,
        claim_token=None,
        attempt_started_at=None,
        next_attempt_at=now,
        last_error="Interrupted mid-send; sent again with the same Message-ID",
    )
    # Keeps its token: a send that does finish after all still marks it sent.
    dead += unfinished.update(status=S.DEAD, lease_expires_at=None, last_error=INTERRUPTED)
    _blank_secret_links()
    return returned, dead


# --- sending -------------------------------------------------------------------------------------------------


def send(pk, now=None, *, token=None):
    """Send one claimed row (tests, the admin). Without ``token``, the row's
    current claim. Returns the new status, or None when there was nothing to send."""
    if token is None:
        token = Delivery.objects.filter(pk=pk).values_list("claim_token", flat=True).first()
    return send_batch([pk], token, now).get(pk)


def send_batch(ids, token, now=None):
    """Send the rows of ``ids`` that claim ``token`` still holds and that have
    not started a send. Returns {id: new status}. A late or redelivered task
    whose rows were swept, re-claimed or started does nothing for them."""
    now = now or timezone.now()
    rows = _take(ids, token, now)
    statuses = {}
    by_channel = {}
    for row in rows:
        if channels.reachable(row):
            by_channel.setdefault(row.channel, []).append(row)
        else:
            statuses[row.pk] = S.SKIPPED
    if statuses:
        _finish(list(statuses), token, S.SKIPPED, now, rows)
    if by_channel.get(Channel.IN_APP):
        statuses.update(_send_in_app(by_channel[Channel.IN_APP], token, now))
    for channel, sender in ((Channel.EMAIL, channels.email_sender), (Channel.SMS, channels.text_sender)):
        if by_channel.get(channel):
            with sender() as send_one:
                statuses.update(_send_external(by_channel[channel], token, now, send_one, ids))
    return statuses


def _held(ids, token):
    return Delivery.objects.filter(
        pk__in=list(ids), claim_token=token, status=S.SENDING, attempt_started_at__isnull=True
    )


def _take(ids, token, now):
    """The rows token still holds (locked, lease renewed)."""
    if token is None:
        return []
    with transaction.atomic():
        rows = list(_held(ids, token).select_for_update(of=("self",)).select_related("recipient"))
        if rows:
            Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
                lease_expires_at=max(now, timezone.now()) + LEASE
            )
    return rows


def _send_in_app(rows, token, now):
    """Notifications created in the same transaction that marks the rows sent."""
    with transaction.atomic():
        live = set(_held([r.pk for r in rows], token).select_for_update().values_list("pk", flat=True))
        Notification.objects.bulk_create(
            channels.notifications_for([r for r in rows if r.pk in live]), ignore_conflicts=True, batch_size=500
        )
        _finish(live, token, S.SENT, now, rows, attempts=True)
    return dict.fromkeys(live, S.SENT)


def _send_external(rows, token, now, send_one, batch_ids):
    """One commit per message: it records the previous message's outcome and
    "attempt started" for the next, before the provider is called. So at any
    moment at most one row per worker is uncertain (started, not finished);
    the sweeper decides about it per kind. The batch's lease is renewed every
    ``RENEW_EVERY`` messages. After a success that commit is one statement
    (``FINISH_AND_START``): one round trip per message, the drain's bound."""
    statuses = {}
    previous = None  # (row, error or None)
    for number, row in enumerate(rows):
        if number % RENEW_EVERY == RENEW_EVERY - 1:
            _held(batch_ids, token).update(lease_expires_at=timezone.now() + LEASE)
        if previous and previous[1] is None and previous[0].kind not in SECRET_LINK:
            # The common case in ONE statement (its own commit): the previous
            # message is sent and this one's attempt starts, atomically, as
            # the two statements below did in one transaction (a third of the
            # round trips; the drain is bound by them).
            statuses[previous[0].pk] = S.SENT
            started = _finish_and_start(previous[0].pk, row.pk, token, now)
        else:
            with transaction.atomic():
                if previous:
                    statuses[previous[0].pk] = _record(*previous, token, now)
                started = _start_one(row.pk, token)
        previous = None
        if not started:
            continue  # the claim was lost (swept): leave the row to its new owner
        try:
            send_one(row)
            previous = (row, None)
        except Exception as error:  # a channel failure: retried with backoff
            previous = (row, error)
    if previous:
        statuses[previous[0].pk] = _record(*previous, token, now)
    return statuses


def _record(row, error, token, now):
    if error is None:
        if row.kind in SECRET_LINK:
            _finish([row.pk], token, S.SENT, now, [row])
        else:
            _sql(FINISH_ONE, [now, row.pk, _uuid(token)])
        return S.SENT
    return _failed(row, error, now, token)


# The per-message statements in plain SQL: the ORM's query building costs
# more than the statement itself here (one pair per email or text message).
START_ONE = (
    "UPDATE mentoring_delivery SET attempt_started_at = %s, attempts = attempts + 1, lease_expires_at = %s"
    " WHERE id = %s AND claim_token = %s AND status = 'sending' AND attempt_started_at IS NULL"
)
FINISH_ONE = (
    "UPDATE mentoring_delivery SET status = 'sent', sent_at = %s, lease_expires_at = NULL,"
    " attempt_started_at = NULL WHERE id = %s AND claim_token = %s"
)


# FINISH_ONE for the previous row and START_ONE for the next in one UPDATE
# (each row keeps exactly its own statement's conditions); RETURNING says
# whether the next row's attempt started (PostgreSQL; SQLite 3.35+).
FINISH_AND_START = (
    "UPDATE mentoring_delivery SET"
    " status = CASE WHEN id = %s THEN 'sent' ELSE status END,"
    " sent_at = CASE WHEN id = %s THEN %s ELSE sent_at END,"
    " attempts = CASE WHEN id = %s THEN attempts ELSE attempts + 1 END,"
    " attempt_started_at = CASE WHEN id = %s THEN NULL ELSE %s END,"
    " lease_expires_at = CASE WHEN id = %s THEN NULL ELSE %s END"
    " WHERE (id = %s AND claim_token = %s)"
    " OR (id = %s AND claim_token = %s AND status = 'sending' AND attempt_started_at IS NULL)"
    " RETURNING id"
)


def _sql(statement, params, *, returning=False):
    field = Delivery._meta.get_field("claim_token")
    params = [field.get_db_prep_value(p, connection) if isinstance(p, uuid.UUID) else p for p in params]
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [pk for (pk,) in cursor.fetchall()] if returning else cursor.rowcount


def _start_one(pk, token):
    started = timezone.now()
    return _sql(START_ONE, [started, started + LEASE, pk, _uuid(token)])


def _finish_and_start(previous_pk, pk, token, now):
    """Mark ``previous_pk`` sent (at ``now``) and start ``pk``'s attempt in
    one statement. True when ``pk`` started (the claim still holds it)."""
    started, token = timezone.now(), _uuid(token)
    p = previous_pk
    changed = _sql(
        FINISH_AND_START,
        [p, p, now, p, p, started, p, started + LEASE, p, token, pk, token],
        returning=True,
    )
    return pk in changed


def _uuid(token):
    return token if isinstance(token, uuid.UUID) else uuid.UUID(str(token))


def _finish(pks, token, status, now, rows, attempts=False):
    """Record the outcome of rows this token sent (a row the sweeper gave up
    on in the meantime keeps its token, so a finished send still counts)."""
    if not pks:
        return
    fields = {
        "status": status,
        "sent_at": now if status == S.SENT else None,
        "lease_expires_at": None,
        "attempt_started_at": None,
    }
    if attempts:
        fields["attempts"] = F("attempts") + 1
    Delivery.objects.filter(pk__in=list(pks), claim_token=token).update(**fields)
    if any(r.kind in SECRET_LINK for r in rows):
        _blank_secret_links()


def _blank_secret_links():
    """A secret link (an invitation's) is kept only until its row is done."""
    Delivery.objects.filter(kind__in=SECRET_LINK, status__in=[S.SENT, S.DEAD, S.SKIPPED]).exclude(url="").update(url="")


def _failed(row, error, now, token):
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        status, when = S.DEAD, None
    else:
        status, when = S.PENDING, now + backoff(attempts)
    Delivery.objects.filter(pk=row.pk, claim_token=token).update(
        status=status,
        last_error=type(error).__name__[:300],
        lease_expires_at=None,
        attempt_started_at=None,
        claim_token=None,
        next_attempt_at=when or F("next_attempt_at"),
    )
    if status == S.DEAD and row.kind in SECRET_LINK:
        _blank_secret_links()
    logger.warning("Delivery %s failed (%s), attempt %s", row.pk, type(error).__name__, attempts)
    return status


def backoff(attempt):
    """Exponential backoff with jitter: about 1, 2, 4, 8 minutes."""
    base = 60 * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=base + random.uniform(0, base / 2))  # noqa: S311


def dead_letters(programs):
    """Rows that gave up, for coordinators' homes."""
    return Delivery.objects.filter(status=S.DEAD, program__in=programs)


# --- coordinators' undelivered-reminders page -------------------------------------------------------


def delivery_retry(*, delivery, now=None):
    """Send a dead row again: back to pending with a fresh count of attempts,
    no claim and no started attempt, due now; the next dispatch (within
    30 s) claims and sends it. Only a row that gave up (status dead) is
    changed; returns True when it was. The one place a coordinator's "retry"
    touches the outbox."""
    now = now or timezone.now()
    changed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.DEAD).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        lease_expires_at=None,
        claim_token=None,
        attempt_started_at=None,
    )
    return bool(changed)


def delivery_mark_handled(*, delivery):
    """A coordinator dealt with a dead row another way (a call, a fixed
    address): it leaves the list as skipped, keeping its last error. Returns
    True when a dead row was changed."""
    changed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.DEAD).update(
        status=Delivery.Status.SKIPPED
    )
    return bool(changed)
