"""The read audit: who was shown whose sensitive record, and every export.

Health-adjacent records need an access trail (45 CFR 164.312(b) audit
controls; 42 CFR Part 2; OWASP ASVS 5.0 V16). Each sensitive page calls
``audit_read`` once, after it has loaded the row through the access policy
and before it renders; each download calls it before it streams. One call is
one INSERT and no reads: the viewer and the subject are already loaded by the
view. The rows are ``mentoring.AccessEvent``; coordinators read them on
``/audit/`` (their programs only), a person on ``/accounts/who-viewed/``
(their own record), and ``access_events_prune`` removes rows older than
``AUDIT_RETENTION_DAYS`` (beat, daily).

What is not recorded: a person opening their own pages (that is not a
disclosure), lists and dashboards that show many people at a glance (homes,
needs attention, the alert list), the calendar feed. Nothing of this goes to
the log files: the trail lives in the database only.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext

from programs.models import Program

from .access import match_ids_of
from .client_address import client_address
from .models import AccessEvent, Match


def _pk(value):
    """A model instance or a bare id -> the id (None stays None)."""
    return value.pk if isinstance(value, Model) else value


def _program_ids(program):
    """``program`` as a list of ids: a Program, an id, an iterable of them, or None ([None])."""
    if program is None or isinstance(program, (Model, int)):
        return [_pk(program)]
    ids = list(dict.fromkeys(_pk(p) for p in program))  # in order, once each
    return ids or [None]


def audit_read(request, *, subject, what, obj=None, program=None):
    """Record that ``request.user`` was shown ``subject``'s record.

    - ``subject``: the person whose record it is (a User or a user id), or
      None for an export about no one person (a resource list, a report
      without a mentor filter).
    - ``what``: an ``AccessEvent.What`` value ("profile", "intake",
      "application", "goals", "goal", "checkins", "progress",
      "session_notes", "alert", "export", "report_export",
      "resource_export"); anything else is a ValueError (a programming error).
    - ``obj``: the row shown (an instance or its id), when the page is about
      one row; None for a page about the person as a whole.
    - ``program``: the program the shown data belongs to (a Program or an id)
      — what the coordinators' trail filters on; a list when the page shows
      several programs (one row each, still one INSERT); None for none.

    Not recorded (returns []): anonymous requests, and a person viewing their
    own record — except exports (``AccessEvent.EXPORTS``), which leave the app
    and are recorded even when the data is one's own. Returns the rows written.
    One query; the time is UTC (``timezone.now()``)."""
    if what not in AccessEvent.What.values:
        raise ValueError(f"Unknown audit code: {what!r}")
    viewer = request.user
    if not viewer.is_authenticated:
        return []
    subject_id = _pk(subject)
    if subject_id == viewer.pk and what not in AccessEvent.EXPORTS:
        return []
    now = timezone.now()
    address = client_address(request)
    rows = [
        AccessEvent(
            viewer_id=viewer.pk,
            viewer_ref=viewer.pk,
            subject_id=subject_id,
            subject_ref=subject_id,
            program_id=program_id,
            what=what,
            object_id=_pk(obj),
            at=now,
            address=address,
        )
        for program_id in _program_ids(program)
    ]
    return AccessEvent.objects.bulk_create(rows)


def access_events_prune(*, now=None, days=None):
    """Delete audit rows older than ``days`` (default ``AUDIT_RETENTION_DAYS``)
    before ``now`` (default: the current UTC time). Returns how many were
    deleted. One DELETE (AccessEvent has no dependants)."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError("The retention must be at least one day.")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = AccessEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- reading the trail ---------------------------------------------------------------------------


def trail_for_programs(programs):
    """The coordinators' trail: rows whose data belongs to one of ``programs``
    (a queryset or list of Programs or ids), newest first, with the viewer,
    the person and the program loaded."""
    return AccessEvent.objects.filter(program__in=programs).select_related("viewer", "subject", "program")


def views_of(user):
    """Who has been shown ``user``'s record: every row about them, newest first."""
    return AccessEvent.objects.filter(subject=user).select_related("viewer", "program")


def label_viewer_roles(rows, subject):
    """Set ``row.viewer_role`` (text) on each of ``rows`` (AccessEvents about
    ``subject``): the viewer's relation to the person now — coordinator of the
    row's program, their mentor or mentee — in two queries whatever the number
    of rows. A relation that has ended since shows as "No current role"; the
    person's own downloads show as "You"."""
    rows = list(rows)
    viewers = {row.viewer_id for row in rows if row.viewer_id}
    programs = {row.program_id for row in rows if row.program_id}
    coordinating = set(
        Program.coordinators.through.objects.filter(user_id__in=viewers, program_id__in=programs).values_list(
            "user_id", "program_id"
        )
    )
    # The subject's current matches by id (see access.match_ids_of), the
    # viewers among their partners picked here: a handful of rows.
    pairs = (
        Match.objects.current().filter(pk__in=match_ids_of(_pk(subject))).values_list("mentor__user", "mentee__user")
    )
    mentors, mentees = set(), set()
    for mentor_id, mentee_id in pairs:
        if mentee_id == _pk(subject) and mentor_id in viewers:
            mentors.add(mentor_id)
        elif mentor_id == _pk(subject) and mentee_id in viewers:
            mentees.add(mentee_id)
    for row in rows:
        if row.viewer_id is None:
            row.viewer_role = gettext("Former team member")
        elif row.viewer_id == _pk(subject):
            row.viewer_role = gettext("You")
        elif (row.viewer_id, row.program_id) in coordinating:
            row.viewer_role = gettext("Coordinator of %(program)s") % {"program": row.program}
        elif row.viewer_id in mentors:
            row.viewer_role = gettext("Your mentor")
        elif row.viewer_id in mentees:
            row.viewer_role = gettext("Your mentee")
        else:
            row.viewer_role = gettext("No current role")
    return rows
