import time

from celery import shared_task

from . import audit
from .insights import leases, rollups, snapshots
from .notifications import tasks as notification_tasks  # noqa: F401  (registers the outbox's tasks)
from .services import heartbeat_record

ROLLUPS_LEASE = "rollups-pass"


@shared_task(name="mentoring.tasks.heartbeat", ignore_result=True)
def heartbeat():
    """Scheduled by beat every minute: proves beat, broker and worker work."""
    heartbeat_record()


@shared_task(name="mentoring.tasks.prune_audit", ignore_result=True)
def prune_audit():
    """Beat, daily: delete read-audit rows older than AUDIT_RETENTION_DAYS."""
    audit.access_events_prune()


@shared_task(name="mentoring.tasks.refresh_snapshots", ignore_result=True)
def refresh_snapshots():
    """Beat, every minute: recompute the coordinator home's figures and the
    needs-attention signals (mentoring.insights.snapshots.snapshots_refresh_pass:
    skipped while another pass runs). Also enqueued, at most once per
    leases.REQUEST_SECONDS, by a page that found stale figures."""
    snapshots.snapshots_refresh_pass()


@shared_task(name="mentoring.tasks.pool_solve", ignore_result=True, acks_late=True)
def pool_solve(*, solve_id):
    """Solve one program's whole matching pool in the background
    (mentoring.matching.solutions.pool_solve_run; progress on the row)."""
    from .matching.solutions import pool_solve_run

    pool_solve_run(solve_id=solve_id)


@shared_task(name="mentoring.tasks.refresh_rollups", ignore_result=True)
def refresh_rollups():
    """Beat, every minute, and asked for by a report that found stale rows: build
    report rollups of zones not built yet and recompute the current month and
    week (the last ones until counted whole; mentoring.insights.rollups.rollups_refresh);
    then the stored tables of the coordinators' default report views, oldest
    first, within the pass's budget (snapshots.report_tables_refresh). Under the
    ROLLUPS_LEASE: a pass started while the previous one runs does nothing."""
    with leases.pass_held(ROLLUPS_LEASE) as held:
        if not held:
            return  # the previous pass is still running: never two at once
        started = time.monotonic()
        rollups.rollups_refresh()
        # Within the pass's budget: the oldest report tables first, the rest next minute.
        snapshots.report_tables_refresh(budget=max(snapshots.PASS_BUDGET - (time.monotonic() - started), 0))
