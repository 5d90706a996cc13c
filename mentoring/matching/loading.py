"""Build matching `Person`s from the database in a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from programs.readiness import with_readiness

from ..models import Match, MenteeProfile, MentorProfile
from .criteria import Context, Person, effective_weights


def program_context(program):
    conflicts = Match.objects.filter(
        program=program, status=Match.Status.CLOSED, close_reason=Match.CloseReason.CONFLICT
    ).values_list("mentor__user_id", "mentee__user_id")
    return Context(
        weights=effective_weights(program.matching_weights),
        min_recovery_months=program.min_recovery_months,
        conflict_pairs=frozenset(conflicts),
    )


def without_open_match(mentees):
    """The mentees (a MenteeProfile queryset) who wait: taking part in the
    program (not exited, consent not withdrawn, account active; see
    ``MenteeProfileQuerySet.taking_part``) and no open match."""
    return mentees.taking_part().exclude(pk__in=Match.objects.open().values("mentee"))


def waiting_mentees(program):
    """Mentees of the program with no open match."""
    return without_open_match(program.mentee_profiles.all())


def mentors_with_room(program):
    """Mentors annotated with readiness and open matches (capacity_left)."""
    return with_readiness(program.mentor_profiles.filter(user__is_active=True)).annotate(
        open_matches=Count("matches", filter=Q(matches__status__in=Match.OPEN), distinct=True)
    )


def _related(model, field, profile_ids):
    """{profile id: set of related ids} for an M2M of the profile model."""
    through = getattr(model, field).through
    source = f"{model._meta.model_name}_id"
    target = [f.name for f in through._meta.get_fields() if f.name not in ("id", model._meta.model_name)][0]
    result = defaultdict(set)
    for profile_id, related_id in through.objects.filter(**{f"{source}__in": profile_ids}).values_list(
        source, f"{target}_id"
    ):
        result[profile_id].add(related_id)
    return result


def with_waiting_since(mentees):
    """Mentee profiles annotated with ``waiting_since``: when they started
    waiting, the later of joining the program and the end of their last match
    (aware UTC). The one rule for "how long has this person waited"; order
    by it for the longest waits first."""
    return mentees.annotate(
        waiting_since=Greatest(F("joined_at"), Coalesce(Max("matches__ended_at"), F("joined_at")))
    )


def days_waiting(profile, now=None):
    """Whole days since ``profile.waiting_since`` (0 when not annotated)."""
    since = getattr(profile, "waiting_since", None)
    return max(((now or timezone.now()) - since).days, 0) if since else 0


# The columns matching reads, fetched as values (no model instances: building
# thousands of them was most of the page's time at 2,000 × 600).
_COLUMNS = (
    "pk",
    "user_id",
    "user__full_name",
    "pathways",
    "excluded_pathways",
    "languages",
    "gender",
    "age_range",
    "availability",
    "meeting_modes",
    "city",
    "postal_code",
    "interests",
    "topics",
)
_MENTOR_COLUMNS = ("recovery_months", "capacity", "open_matches", "is_ready")
_MENTEE_COLUMNS = ("preferred_mentor_gender", "waiting_since")


def _people(model, queryset, area_names, *, mentor):
    if not mentor:
        queryset = with_waiting_since(queryset)
    rows = list(queryset.values(*_COLUMNS, *(_MENTOR_COLUMNS if mentor else _MENTEE_COLUMNS)))
    now = timezone.now()
    ids = [row["pk"] for row in rows]
    areas = _related(model, "experience_areas", ids)
    excluded = _related(model, "excluded_people", ids)
    people = []
    for row in rows:
        pk = row["pk"]
        since = None if mentor else row["waiting_since"]
        people.append(
            Person(
                pk=pk,
                user_id=row["user_id"],
                name=row["user__full_name"],
                areas=frozenset(areas[pk]),
                area_names=area_names,
                pathways=frozenset(row["pathways"]),
                excluded_pathways=frozenset(row["excluded_pathways"]),
                languages=frozenset(row["languages"]),
                gender=row["gender"],
                preferred_gender="" if mentor else row["preferred_mentor_gender"],
                age_range=row["age_range"],
                availability=frozenset(row["availability"]),
                modes=frozenset(row["meeting_modes"]),
                city=row["city"],
                postal_code=row["postal_code"],
                interests=frozenset(i.casefold() for i in row["interests"]),
                topics=frozenset(row["topics"]),
                recovery_months=row["recovery_months"] if mentor else None,
                excluded_users=frozenset(excluded[pk]),
                capacity_left=(row["capacity"] - row["open_matches"]) if mentor else 0,
                ready=row["is_ready"] if mentor else True,
                waiting_days=max((now - since).days, 0) if since else 0,
            )
        )
    return people


def load_pool(program, *, mentees=None, mentors=None):
    """(mentors, mentees, context) for a program; by default every mentor and
    every waiting mentee."""
    area_names = dict(program.experience_areas.values_list("pk", "name"))
    mentor_rows = mentors if mentors is not None else mentors_with_room(program)
    mentee_rows = mentees if mentees is not None else waiting_mentees(program)
    return (
        _people(MentorProfile, mentor_rows, area_names, mentor=True),
        _people(MenteeProfile, mentee_rows, area_names, mentor=False),
        program_context(program),
    )


def load_pair(mentor, mentee):
    """The two `Person`s and the context, for checking one proposal."""
    program = mentor.program
    mentors, mentees, ctx = load_pool(
        program,
        mentors=mentors_with_room(program).filter(pk=mentor.pk),
        mentees=program.mentee_profiles.filter(pk=mentee.pk),
    )
    return mentors[0], mentees[0], ctx
