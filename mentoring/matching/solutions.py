"""Whole-pool matching solved by a background job, once per change of the pool.

A pool is identified by its fingerprint: a SHA-256 of everything matching
reads (every mentor and waiting mentee as a ``Person``: answers, exclusions,
capacity left, readiness; the program's weights, minimum time in recovery and
past conflicts). Any change to those — a profile edit, a new match, an expired
check, new weights — gives a new fingerprint, so a kept solution is never
shown for a pool that changed.

- ``pool_solve_request(*, program)`` (the coordinator's "Work out pairs", a
  POST) writes a queued ``PoolSolve`` row for the pool as it is now and queues
  the Celery task ``mentoring.tasks.pool_solve`` when the transaction commits.
  Nothing is queued when a solve of this pool is done or under way.
- ``pool_solve_run(*, solve_id)`` (the task) loads the pool, solves it
  (``assign_whole_pool``) and stores the pairs, the mentees left out and the
  total, updating ``progress`` (0–100) at each stage. Solves of the program's
  earlier pools are deleted then: a result is kept until the pool changes.
- ``pool_solve_current(program, fingerprint)`` (the page, a GET: reads only)
  is the program's solve of exactly this pool, or None.

Rows hold profile ids, scores and reasons, never names.
"""

import hashlib
import logging
from dataclasses import fields
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import PoolSolve
from .criteria import Person
from .loading import load_pool
from .pool import assign_whole_pool

logger = logging.getLogger(__name__)

# A queued or running solve that has not finished after this long is taken to
# be lost (its worker stopped); asking again queues it again.
STALE_AFTER = timedelta(minutes=15)


def _canonical(value):
    if isinstance(value, frozenset | set):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return sorted((repr(k), _canonical(v)) for k, v in value.items())
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    return value


# What a person's fingerprint reads: every field but the program's area names.
_PERSON_FIELDS = tuple(f.name for f in fields(Person) if f.name != "area_names")


def _person_key(person):
    key = []
    for name in _PERSON_FIELDS:
        value = getattr(person, name)
        if isinstance(value, frozenset | set):
            try:
                value = sorted(value)  # ids or strings: sorted as they are
            except TypeError:
                value = _canonical(value)
        elif isinstance(value, dict | tuple | list):
            value = _canonical(value)
        key.append((name, value))
    return key


def pool_fingerprint(mentors, mentees, ctx):
    """A hex SHA-256 of the pool as matching sees it (order-independent)."""
    digest = hashlib.sha256()
    digest.update(repr(_canonical(ctx.weights)).encode())
    digest.update(repr((ctx.min_recovery_months, _canonical(ctx.conflict_pairs))).encode())
    for side in (mentors, mentees):
        digest.update(b"|side|")
        for key in sorted(repr(_person_key(p)) for p in side):
            digest.update(key.encode())
    return digest.hexdigest()


def pool_solve_current(program, fingerprint):
    """The ``PoolSolve`` of ``program`` for the pool with this fingerprint
    (any status), or None. A read only."""
    return PoolSolve.objects.filter(program=program, fingerprint=fingerprint).first()


def is_stale(solve, now=None):
    """True when a queued or running solve has waited longer than STALE_AFTER."""
    if solve.status not in (PoolSolve.Status.QUEUED, PoolSolve.Status.RUNNING):
        return False
    since = solve.started_at or solve.requested_at
    return (now or timezone.now()) - since > STALE_AFTER


def pool_solve_request(*, program):
    """Ask for the program's pool, as it is now, to be solved in the background.

    Returns (solve, queued): the ``PoolSolve`` of this pool and whether a task
    was queued (False when a solve of this pool is done, or queued or running
    and not stale). A failed or stale solve is queued again. The task is sent
    when the surrounding transaction commits."""
    mentors, mentees, ctx = load_pool(program)
    fingerprint = pool_fingerprint(mentors, mentees, ctx)
    now = timezone.now()
    with transaction.atomic():
        solve, created = PoolSolve.objects.select_for_update().get_or_create(
            program=program,
            fingerprint=fingerprint,
            defaults={"requested_at": now, "mentors": len(mentors), "mentees": len(mentees)},
        )
        if not created:
            again = solve.status == PoolSolve.Status.FAILED or is_stale(solve, now)
            if not again:
                return solve, False
            solve.status, solve.progress, solve.requested_at = PoolSolve.Status.QUEUED, 0, now
            solve.started_at = solve.finished_at = None
            solve.save(update_fields=["status", "progress", "requested_at", "started_at", "finished_at"])
        from ..tasks import pool_solve  # the task module imports this one

        solve_id = solve.pk
        transaction.on_commit(lambda: pool_solve.delay(solve_id=solve_id))
    return solve, True


def _progress(solve_id, percent):
    PoolSolve.objects.filter(pk=solve_id).update(progress=max(0, min(100, int(percent))))


def pool_solve_run(*, solve_id):
    """Solve the pool of ``PoolSolve`` ``solve_id`` and store the result (the
    Celery task's body). Does nothing when the row is gone or already done.

    The pool is loaded again here: if it changed since the request, the row
    takes the new fingerprint (or is dropped when another row already holds
    that pool). On an error the row is marked failed and the error raised."""
    claimed = PoolSolve.objects.filter(pk=solve_id).exclude(status=PoolSolve.Status.DONE)
    if not claimed.update(status=PoolSolve.Status.RUNNING, started_at=timezone.now(), progress=1):
        return None
    solve = PoolSolve.objects.select_related("program").get(pk=solve_id)
    try:
        mentors, mentees, ctx = load_pool(solve.program)
        fingerprint = pool_fingerprint(mentors, mentees, ctx)
        _progress(solve_id, 5)
        if fingerprint != solve.fingerprint:
            try:
                with transaction.atomic():
                    PoolSolve.objects.filter(pk=solve_id).update(fingerprint=fingerprint)
            except IntegrityError:  # another request already holds the pool as it is now
                PoolSolve.objects.filter(pk=solve_id).delete()
                return None
        result = assign_whole_pool(mentors, mentees, ctx, progress=lambda p: _progress(solve_id, 5 + p * 0.9))
        pairs = sorted(
            ([mentees[i].pk, mentors[j].pk, score] for i, j, score in result.pairs), key=lambda pair: -pair[2]
        )
        with transaction.atomic():
            PoolSolve.objects.filter(pk=solve_id).update(
                status=PoolSolve.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                mentors=len(mentors),
                mentees=len(mentees),
                pairs=pairs,
                unassigned=[[mentees[i].pk, reason] for i, reason in result.unassigned],
                objective=result.objective,
            )
            # Kept until the pool changes: the program's solves of other pools go.
            PoolSolve.objects.filter(program_id=solve.program_id).exclude(pk=solve_id).exclude(
                status__in=[PoolSolve.Status.QUEUED, PoolSolve.Status.RUNNING]
            ).delete()
    except Exception:
        logger.exception("Pool solve %s failed", solve_id)
        PoolSolve.objects.filter(pk=solve_id).update(status=PoolSolve.Status.FAILED, finished_at=timezone.now())
        raise
    return PoolSolve.objects.get(pk=solve_id)
