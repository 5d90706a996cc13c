"""Leases and refresh requests for the stored figures (issue 18 at 100,000 mentees).

- ``lease_take`` / ``lease_release``: a named lease in the database
  (``InsightsLease``), taken with one conditional UPDATE, so that two beat
  passes (a pass that runs longer than its one-minute period, or a pass a
  page asked for while beat's own runs) never run at once, whatever process
  or machine they run in. A lease that is never released (the worker died)
  runs out after its ``seconds``.
- ``refresh_request``: a page that found stored figures older than
  FIGURES_MAX_AGE_SECONDS asks for ONE background refresh: the first such
  page within REQUEST_SECONDS enqueues the task (a cache key added with
  ``cache.add``; nothing written to the database during the GET), the others
  only show the stored figures with their age. Several web processes with a
  per-process cache may each enqueue one; the task then runs only if it takes
  the pass lease, so the work is still done once."""

import contextvars
import logging
from contextlib import contextmanager
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from ..models import InsightsLease

logger = logging.getLogger(__name__)

PASS_LEASE = "figures-pass"
PASS_SECONDS = 15 * 60  # a pass that has not finished by then is taken as dead
REQUEST_KEY = "insights:refresh-requested"
REQUEST_SECONDS = 120
_IN_PASS = contextvars.ContextVar("insights_in_pass", default=False)


def lease_take(*, name, seconds, now=None):
    """True if the lease ``name`` was free and is now held for ``seconds``
    (until released); False if someone else holds it."""
    now = now or timezone.now()
    until = now + timedelta(seconds=seconds)
    if InsightsLease.objects.filter(name=name, held_until__lte=now).update(held_until=until):
        return True
    _, created = InsightsLease.objects.get_or_create(name=name, defaults={"held_until": until})
    return created


def lease_release(*, name):
    """Free the lease ``name`` now."""
    InsightsLease.objects.filter(name=name).update(held_until=timezone.now())


@contextmanager
def pass_held(name, *, seconds=PASS_SECONDS):
    """``with pass_held(name) as held:`` runs the body's work only ``if held``:
    the lease ``name`` was taken (released on exit). Inside, refresh_request
    does nothing (a pass never asks for another pass)."""
    held = lease_take(name=name, seconds=seconds)
    token = _IN_PASS.set(True)
    try:
        yield held
    finally:
        _IN_PASS.reset(token)
        if held:
            lease_release(name=name)


def refresh_request(*, task="refresh_snapshots"):
    """Ask once for a background pass: ``task`` is ``"refresh_snapshots"`` (the
    coordinator home's figures and the needs-attention signals) or
    ``"refresh_rollups"`` (the reports' rollups and stored tables), both in
    mentoring.tasks. Returns True if this call enqueued it, False if one was
    asked for within REQUEST_SECONDS (or the broker could not be reached: the
    page still shows the stored figures, and beat refreshes them when it runs)."""
    if _IN_PASS.get() or not cache.add(f"{REQUEST_KEY}:{task}", True, REQUEST_SECONDS):
        return False
    from .. import tasks

    try:
        getattr(tasks, task).apply_async(retry=False)
    except Exception:  # noqa: BLE001  (a broker outage must not fail the page)
        logger.warning("could not enqueue %s", task, exc_info=True)
        return False
    return True
