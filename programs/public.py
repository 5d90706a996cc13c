"""What the public (no sign-in) may read about a program: its public page,
published stories, upcoming public dates and aggregate outcome figures.

Only what a coordinator chose to publish leaves through here:
- the page exists only while ``Program.public_page_enabled`` and the program is
  not archived (otherwise 404);
- stories only while ``Story.status`` is published (a revoked consent has
  already unpublished them, see programs.stories);
- group sessions, workshops and events only when ``GroupSession.is_public``,
  scheduled and still to come: title, kind, time and place, never who comes
  or leads them, never an online link;
- outcome figures only when ``Program.show_public_outcomes``, as totals for the
  calendar year so far in the program's time zone, each hidden when it is
  about fewer than ``settings.PUBLIC_OUTCOMES_MIN_GROUP`` people.
"""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from goals.models import Goal
from mentoring.models import Match
from sessions.models import GroupSession, Session

from .models import Program, Story

APPLY_PAGE_STORIES = 3


def public_programs():
    """Programs whose public page is published (and not archived)."""
    return Program.objects.filter(public_page_enabled=True).exclude(status=Program.Status.ARCHIVED)


def public_program_or_404(slug):
    return get_object_or_404(public_programs(), slug=slug)


def published_stories(program=None):
    """Published stories, newest first; of one program, or of every program whose public page is published."""
    stories = Story.objects.filter(status=Story.Status.PUBLISHED)
    if program is not None:
        return stories.filter(program=program).order_by("-published_at")
    return stories.filter(program__in=public_programs().values("pk")).order_by("-published_at")


def published_story_or_404(program, pk):
    return get_object_or_404(published_stories(program), pk=pk)


def upcoming_public_dates(program, *, now=None, limit=12):
    """The next public, scheduled groups, workshops and events of ``program``."""
    now = now or timezone.now()
    return GroupSession.objects.filter(
        program=program, is_public=True, status=GroupSession.Status.SCHEDULED, starts_at__gte=now
    ).order_by("starts_at")[:limit]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int  # the total shown
    people: int  # how many people it is about (compared with the minimum group size)


def year_start(program, now=None):
    """1 January 00:00 of the current year in the program's time zone (an aware datetime)."""
    zone = ZoneInfo(program.time_zone)
    today = timezone.localtime(now or timezone.now(), zone).date()
    return datetime.combine(today.replace(month=1, day=1), time(0), tzinfo=zone)


def outcome_figures(program, *, now=None):
    """Every outcome figure for the year so far, shown or not (three aggregate queries):
    people matched (mentees whose match started), meetings held (completed
    one-on-ones, about the mentees in them), goals achieved (about the mentees
    who achieved them)."""
    now = now or timezone.now()
    since = year_start(program, now)
    matched = Match.objects.filter(program=program, started_at__gte=since, started_at__lte=now).aggregate(
        people=Count("mentee", distinct=True)
    )
    meetings = Session.objects.filter(
        match__program=program, status=Session.Status.COMPLETED, starts_at__gte=since, starts_at__lte=now
    ).aggregate(value=Count("pk"), people=Count("match__mentee", distinct=True))
    goals = Goal.objects.filter(
        mentee__program=program, status=Goal.Status.ACHIEVED, closed_at__gte=since, closed_at__lte=now
    ).aggregate(value=Count("pk"), people=Count("mentee", distinct=True))
    return [
        Figure("matched", gettext("people matched with a peer mentor"), matched["people"], matched["people"]),
        Figure("meetings", gettext("one-on-one meetings held"), meetings["value"], meetings["people"]),
        Figure("goals", gettext("personal goals achieved"), goals["value"], goals["people"]),
    ]


def public_outcomes(program, *, now=None):
    """The figures the public page shows: [] unless the program opted in; each
    figure only when it is about at least PUBLIC_OUTCOMES_MIN_GROUP people."""
    if not program.show_public_outcomes:
        return []
    floor = settings.PUBLIC_OUTCOMES_MIN_GROUP
    return [figure for figure in outcome_figures(program, now=now) if figure.people >= floor]
