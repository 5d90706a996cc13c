"""The access policy: which rows each person may see, as querysets.

Every view loads rows through these functions, so that a row outside the
policy is simply not found (404) and never hinted at. Rules:
- coordinators see everything in the programs they coordinate, nothing else;
- mentors see themselves and the mentees of their matches (running or past);
- mentees see themselves and the mentors of their matches.
Anonymous users see nothing.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from goals.models import Assessment, CheckIn, Goal, SafetyAlert
from programs.models import Application, ConsentRecord, Program
from resources.models import Resource, Share
from sessions.models import GroupSession, Session

from .models import Invitation, Match, MenteeProfile, MentorProfile, VolunteerProfile

ROLES = ("coordinator", "mentor", "mentee", "volunteer")


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def coordinated_programs(user):
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(coordinators=user)


def visible_programs(user):
    """Programs the user takes part in, in any role."""
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(
        Q(coordinators=user) | Q(mentor_profiles__user=user) | Q(mentee_profiles__user=user)
    ).distinct()


def visible_matches(user):
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(
        Q(program__coordinators=user)
        | Q(mentor__user=user, status__in=Match.MENTOR_VISIBLE)
        | Q(mentee__user=user, status__in=Match.MENTOR_VISIBLE)
    ).distinct()


def _visible_profiles(model, user, *, partner_side):
    """Profiles in programs the user coordinates, the user's own, and those
    matched with the user (who sits on ``partner_side`` of the match)."""
    if not _signed_in(user):
        return model.objects.none()
    matched = {f"matches__{partner_side}__user": user, "matches__status__in": Match.MENTOR_VISIBLE}
    return model.objects.filter(Q(program__coordinators=user) | Q(user=user) | Q(**matched)).distinct()


def visible_mentee_profiles(user):
    return _visible_profiles(MenteeProfile, user, partner_side="mentor")


def visible_mentor_profiles(user):
    return _visible_profiles(MentorProfile, user, partner_side="mentee")


def visible_people(user):
    """People whose page this user may open."""
    User = get_user_model()
    if not _signed_in(user):
        return User.objects.none()
    mine = coordinated_programs(user).values("pk")
    return User.objects.filter(
        Q(pk=user.pk)
        | Q(mentor_profiles__program__in=mine)
        | Q(mentee_profiles__program__in=mine)
        | Q(volunteer_profiles__program__in=mine)
        | Q(coordinated_programs__in=mine)
        | Q(pk__in=visible_mentee_profiles(user).values("user"))
        | Q(pk__in=visible_mentor_profiles(user).values("user"))
    ).distinct()


def coordinated_people(user):
    """People who take part in, or applied to, a program the user coordinates (in any role):
    whose erasure a coordinator may open. Whether they may carry it out is
    ``personal_data.erasure_blockers`` (every program of the person must be theirs)."""
    User = get_user_model()
    if not _signed_in(user):
        return User.objects.none()
    mine = coordinated_programs(user).values("pk")
    return User.objects.filter(
        Q(mentor_profiles__program__in=mine)
        | Q(mentee_profiles__program__in=mine)
        | Q(volunteer_profiles__program__in=mine)
        | Q(coordinated_programs__in=mine)
        | Q(applications__program__in=mine)
    ).distinct()


def visible_invitations(user):
    if not _signed_in(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(program__in=coordinated_programs(user).values("pk"))


def _own_or_coordinated(model, user):
    """Rows that belong to the user, or to a program the user coordinates."""
    if not _signed_in(user):
        return model.objects.none()
    return model.objects.filter(Q(user=user) | Q(program__in=coordinated_programs(user).values("pk")))


def editable_mentor_profiles(user):
    """Mentor profiles the user may edit, and whose readiness they may see:
    their own and those in programs they coordinate (not their mentees')."""
    return _own_or_coordinated(MentorProfile, user)


def editable_mentee_profiles(user):
    """Mentee profiles the user may edit, with intake and consents."""
    return _own_or_coordinated(MenteeProfile, user)


def visible_volunteer_profiles(user):
    return _own_or_coordinated(VolunteerProfile, user)


def can_see_private_mentor_fields(user, mentor_profile):
    """Time in recovery is for the mentor and the program's coordinators only."""
    return editable_mentor_profiles(user).filter(pk=mentor_profile.pk).exists()


def visible_applications(user):
    """Applications and their internal notes: coordinators of the program only."""
    if not _signed_in(user):
        return Application.objects.none()
    return Application.objects.filter(program__in=coordinated_programs(user).values("pk"))


def visible_consents(user):
    """A person's own consent records, and those in programs the user coordinates."""
    if not _signed_in(user):
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(Q(person=user) | Q(program__in=coordinated_programs(user).values("pk")))


def can_manage_program(user, program):
    return coordinated_programs(user).filter(pk=program.pk).exists()


def roles_of(user):
    """The roles a person holds, in the order their homes are offered.

    One query, remembered on the user object: the navigation and the view of
    the same request both ask."""
    if not _signed_in(user):
        return []
    cached = getattr(user, "_waypoint_roles", None)
    if cached is None:
        flags = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .values_list(
                Exists(Program.objects.filter(coordinators=OuterRef("pk"))),
                Exists(MentorProfile.objects.filter(user=OuterRef("pk"))),
                Exists(MenteeProfile.objects.filter(user=OuterRef("pk"))),
                Exists(VolunteerProfile.objects.filter(user=OuterRef("pk"))),
            )
            .get()
        )
        cached = [role for role, held in zip(ROLES, flags, strict=True) if held]
        user._waypoint_roles = cached
    return cached


def visible_sessions(user):
    """One-on-one sessions: the two people of the match and the program's coordinators."""
    if not _signed_in(user):
        return Session.objects.none()
    return Session.objects.filter(
        Q(match__mentor__user=user) | Q(match__mentee__user=user) | Q(match__program__coordinators=user)
    ).distinct()


def can_see_private_notes(user, session):
    """A session's private notes: the match's mentor and the program's coordinators, never the mentee."""
    return session.match.mentor.user_id == user.pk or can_manage_program(user, session.match.program)


def member_programs(user):
    """Programs where the user is a coordinator, mentor, mentee or volunteer."""
    if not _signed_in(user):
        return Program.objects.none()
    # One subquery per role: OR-ing the four joins multiplied every program row by
    # its mentors × mentees before DISTINCT (seconds with thousands of people).
    return Program.objects.filter(
        Q(pk__in=Program.coordinators.through.objects.filter(user=user).values("program"))
        | Q(pk__in=MentorProfile.objects.filter(user=user).values("program"))
        | Q(pk__in=MenteeProfile.objects.filter(user=user).values("program"))
        | Q(pk__in=VolunteerProfile.objects.filter(user=user).values("program"))
    )


def visible_group_sessions(user):
    """Groups, workshops and events of the programs the user belongs to."""
    return GroupSession.objects.filter(program__in=member_programs(user).values("pk"))


def attendance_group_sessions(user):
    """Group sessions whose attendance the user takes: as a facilitator or coordinator."""
    if not _signed_in(user):
        return GroupSession.objects.none()
    return GroupSession.objects.filter(
        Q(facilitators=user) | Q(program__in=coordinated_programs(user).values("pk"))
    ).distinct()


def _mentee_rows(model, user, *, mentor_q=None):
    """Rows about a mentee: the mentee, the program's coordinators, and their
    mentor (a running or past match; ``mentor_q`` narrows what the mentor sees)."""
    if not _signed_in(user):
        return model.objects.none()
    mentor = Q(mentee__matches__mentor__user=user, mentee__matches__status__in=Match.MENTOR_VISIBLE)
    if mentor_q is not None:
        mentor &= mentor_q
    return model.objects.filter(Q(mentee__user=user) | Q(mentee__program__coordinators=user) | mentor).distinct()


def visible_goals(user):
    """A mentee's private goals are hidden from their mentor (coordinators see them)."""
    return _mentee_rows(Goal, user, mentor_q=Q(is_private=False))


def visible_checkins(user):
    return _mentee_rows(CheckIn, user)


def visible_assessments(user):
    return _mentee_rows(Assessment, user)


def visible_alerts(user):
    """Safety alerts: the mentee's current mentor and the program's coordinators."""
    if not _signed_in(user):
        return SafetyAlert.objects.none()
    current_mentor = Q(
        mentee__matches__mentor__user=user, mentee__matches__status__in=[Match.Status.ACTIVE, Match.Status.PAUSED]
    )
    return SafetyAlert.objects.filter(current_mentor | Q(mentee__program__coordinators=user)).distinct()


def visible_resources(user):
    """Listed resources that are global or belong to one of the user's
    programs; suggestions also to their author and the program's coordinators."""
    if not _signed_in(user):
        return Resource.objects.none()
    mine = member_programs(user).values("pk")
    listed = Q(status=Resource.Status.APPROVED) & (Q(program__isnull=True) | Q(program__in=mine))
    suggested = Q(status=Resource.Status.SUGGESTED) & (
        Q(suggested_by=user) | Q(program__in=coordinated_programs(user).values("pk"))
    )
    return Resource.objects.filter(listed | suggested)


def managed_resources(user):
    """Listings a coordinator edits, verifies and archives: their programs' own."""
    if not _signed_in(user):
        return Resource.objects.none()
    return Resource.objects.filter(program__in=coordinated_programs(user).values("pk"))


def visible_shares(user):
    return _mentee_rows(Share, user)
