"""The access policy: which rows each person may see, as querysets.

Every view loads rows through these functions, so that a row outside the
policy is simply not found (404) and never hinted at. Rules:
- coordinators see everything in the programs they coordinate, nothing else;
- mentees see themselves, their own records, and the mentors of their open
  matches (proposed, active or paused);
- mentors see themselves and, of the mentees they are matched with, what the
  match's stage allows (below).
Anonymous and deactivated users see nothing.

What a mentor sees of a mentee is bounded by the match's life (the stages are
``Match.objects.open()``, ``.current()``, ``.started()``, ``.listed()``):

- Proposed: the proposal (the match page, with the mentee's name) and the
  mentee's person page with what they chose to share for matching: the
  profile's non-private answers (lived experience, pathways, languages,
  availability, meeting modes, gender, age range, area, interests, topics).
  Nothing the mentee records: no check-ins (mood, cravings, reflections),
  goals, assessments, progress, shared resources, attendance or safety
  alerts, and no sessions. Consent to be mentored is given by accepting, not
  by being proposed, and either side may still decline.
- Current (active or paused): the mentee's records — check-ins, goals that are
  not private, assessments, progress, shares, safety alerts — and the
  sessions of the match with the mentor's own private notes.
- Closed (a former mentor): only the shared history of the match itself: the
  match on their list and its page (the mentee's name, dates, the closing
  survey), the sessions they were in (that match's one-on-ones) with their own
  session notes, and the mentee's name where those show it. No person page,
  check-ins, goals, assessments, progress, shares or alerts: neither those
  recorded after the close nor those from during the match.
- Declined: nothing; the proposal leaves both people's lists.

Why a former mentor loses the mentee's records altogether, not only those
made after the close: a mentee shares check-ins, cravings and goals with
*their mentor*, for the support the match gives, and when the match ends that
purpose ends. Matches end for many reasons — graduation, but also
disengagement, a move, a conflict or a boundary concern — and a mentee should
not have to wonder whether a past mentor still reads their history, or how
far back. A cut-off date would still leave a former mentor reading old
cravings and moods with no role left to play. What a mentor keeps is their
own work: the meetings they held and the notes they wrote (they may still log
a last meeting after the close), which coordinators see too; coordinators
keep the full record for the program's duty of care and its reports. The same
holds the other way round: a mentee keeps the match and its sessions, not
their former mentor's person page. A coordinator who reopens a closed match
makes the mentor current again, with the mentee's records, including those
made while it was closed: reopening is decided with both people.

Queries: the match rules are subqueries (``pk__in=...values(...)``) rather
than joins through many-valued relations, so no queryset here needs DISTINCT
and no row is multiplied by the matches or coordinators behind it.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Value
from django.utils.translation import gettext

from goals.models import Assessment, CheckIn, Goal, SafetyAlert
from programs.models import Application, ConsentRecord, Program, Story
from resources.models import Resource, Share
from sessions.models import GroupSession, Registration, Session

from .models import Invitation, Match, MenteeProfile, MentorProfile, ReportExport, VolunteerProfile

ROLES = ("coordinator", "mentor", "mentee", "volunteer")


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def coordinated_programs(user):
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(coordinators=user)


def group_creatable_programs(user):
    """Programs in which the user may create group sessions: the ones they
    coordinate, and the ones that let their mentors create groups where the
    user is a mentor."""
    if not _signed_in(user):
        return Program.objects.none()
    # Two subqueries of ids, no DISTINCT: OR-ing the joins to coordinators and
    # mentor profiles built coordinators × mentors rows per program first.
    return Program.objects.filter(
        Q(pk__in=Program.coordinators.through.objects.filter(user=user).values("program"))
        | Q(pk__in=MentorProfile.objects.filter(user=user, program__mentors_create_groups=True).values("program"))
    )


def visible_programs(user):
    """Programs the user takes part in, in any role."""
    if not _signed_in(user):
        return Program.objects.none()
    # One subquery per role, no DISTINCT: OR-ing three left joins built
    # mentors × mentees rows per program before removing duplicates.
    return Program.objects.filter(
        Q(pk__in=Program.coordinators.through.objects.filter(user=user).values("program"))
        | Q(pk__in=MentorProfile.objects.filter(user=user).values("program"))
        | Q(pk__in=MenteeProfile.objects.filter(user=user).values("program"))
    )


def visible_matches(user):
    """Coordinators: every match of their programs. The two people: their own
    matches but declined proposals (a closed match stays on their list)."""
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(
        Q(program__in=coordinated_programs(user).values("pk")) | Q(pk__in=match_ids_of(user, Match.objects.listed()))
    )


def match_ids_of(person, matches=None):
    """The ids of the matches in which ``person`` (a user, or a user's id) is
    the mentor or the mentee, as a subquery for ``pk__in=`` / ``match__in=``:
    of ``matches`` (a Match queryset, e.g. ``Match.objects.open()``; default
    every match, whatever its status). SQL: the matches reached through the
    person's mentor profiles UNION those reached through their mentee
    profiles, each found by index (profile by user, match by profile).

    Use it instead of ``Q(mentor__user=person) | Q(mentee__user=person)``: an
    OR across joins to both profile tables cannot be answered from an index,
    so PostgreSQL hashes every mentor and mentee profile and reads every
    match of the site to find a person's few (17 ms for a mentor at 10,000
    mentees; README "Pages at scale")."""
    matches = (Match.objects.all() if matches is None else matches).order_by()
    as_mentor = matches.filter(mentor__user=person).values("pk")
    as_mentee = matches.filter(mentee__user=person).values("pk")
    return as_mentor.union(as_mentee)


class OwnMatches:
    """The matches ``user`` is in, read once per request as plain values
    (issue 18: the mentor home asked the policy for the same matches per
    section, each time building and planning the subqueries again).

    One query, a UNION of the two sides as ``match_ids_of`` (each read by
    index; the mentor's side alone for a person with no mentee profile):
    every match in which ``user`` is the mentor or the mentee, any status, as
    (pk, status, mentee profile id, whether ``user`` is its mentor).
    It grows with the person's own matches, never with the program.

    The methods give what ``visible_matches`` and ``visible_alerts`` give for
    these matches, from the statuses read here (``Match.LISTED``,
    ``Match.CURRENT``): the same rows, cheaper to build and to plan. A person
    who coordinates a program (``roles_of``, remembered on the user: the homes
    ask it first) also sees what their programs hold, through the same
    subqueries as ``visible_matches`` and ``visible_alerts``."""

    def __init__(self, user):
        self.user = user
        self.rows = []
        roles = roles_of(user)
        if _signed_in(user):
            columns = ("pk", "status", "mentee_id")
            rows = Match.objects.filter(mentor__user=user).values_list(*columns, Value(True)).order_by()
            if "mentee" in roles:  # no mentee profile, no match as the mentee: no UNION to build and plan
                joined = Match.objects.filter(mentee__user=user).values_list(*columns, Value(False)).order_by()
                rows = rows.union(joined)
            self.rows = list(rows)
        self.coordinates = "coordinator" in roles

    def ids(self):
        """Every match's id, any status (e.g. for the person's calendar: ``upcoming_for(match_ids=...)``)."""
        return [pk for pk, *_ in self.rows]

    def is_a_mentee(self):
        """Whether ``user`` is the mentee of any of these matches."""
        return any(not mentor for *_, mentor in self.rows)

    def caseload(self, matches=None):
        """``visible_matches(user).filter(mentor__user=user)``: the matches
        ``user`` mentors but declined proposals (those too in a program they
        coordinate), of ``matches`` (a Match queryset; default every match).
        No query of its own: a queryset."""
        matches = Match.objects.all() if matches is None else matches
        mentored = [(pk, status) for pk, status, _, mentor in self.rows if mentor]
        listed = Q(pk__in=[pk for pk, status in mentored if status in Match.LISTED])
        if self.coordinates:
            coordinated = Q(pk__in=[pk for pk, _ in mentored], program__in=coordinated_programs(self.user).values("pk"))
            return matches.filter(listed | coordinated)
        return matches.filter(listed)

    def caseload_count(self):
        """How many rows ``caseload()`` has, when the values read tell it (a
        person who coordinates nothing); None otherwise."""
        if self.coordinates:
            return None
        return sum(1 for _, status, _, mentor in self.rows if mentor and status in Match.LISTED)

    def alerts(self):
        """``visible_alerts(user)``: the safety alerts of the mentees ``user``
        is the current mentor of, and, for a coordinator, those of their
        programs. A queryset."""
        if self.coordinates:
            return visible_alerts(self.user)
        mentees = {mentee for _, status, mentee, mentor in self.rows if mentor and status in Match.CURRENT}
        return SafetyAlert.objects.filter(mentee__in=sorted(mentees))


def _current_mentee_ids(user):
    """Mentee profiles the user is the current (active or paused) mentor of."""
    return Match.objects.current().filter(mentor__user=user).values("mentee")


def visible_mentee_profiles(user):
    """Mentee profiles whose records (goals, check-ins, progress...) the user may
    open: their own, those in programs they coordinate, their current mentees'."""
    if not _signed_in(user):
        return MenteeProfile.objects.none()
    return MenteeProfile.objects.filter(
        Q(user=user) | Q(program__in=coordinated_programs(user).values("pk")) | Q(pk__in=_current_mentee_ids(user))
    )


def proposed_mentee_profiles(user):
    """Mentees proposed to the user as their mentor: their person page shows
    their name and what they chose to share for matching, nothing they recorded."""
    if not _signed_in(user):
        return MenteeProfile.objects.none()
    return MenteeProfile.objects.filter(
        pk__in=Match.objects.filter(mentor__user=user, status=Match.Status.PROPOSED).values("mentee")
    )


def visible_mentor_profiles(user):
    """Mentor profiles: their own, those in programs they coordinate, and the
    mentors of their open matches (proposed, active or paused)."""
    if not _signed_in(user):
        return MentorProfile.objects.none()
    return MentorProfile.objects.filter(
        Q(user=user)
        | Q(program__in=coordinated_programs(user).values("pk"))
        | Q(pk__in=Match.objects.open().filter(mentee__user=user).values("mentor"))
    )


def visible_people(user):
    """People whose page this user may open: themselves, everyone in the
    programs they coordinate, their current mentees and the mentees proposed
    to them, and the mentors of their open matches. Never a former partner."""
    User = get_user_model()
    if not _signed_in(user):
        return User.objects.none()
    mine = coordinated_programs(user).values("pk")
    return User.objects.filter(
        Q(pk=user.pk)
        | Q(pk__in=MentorProfile.objects.filter(program__in=mine).values("user"))
        | Q(pk__in=MenteeProfile.objects.filter(program__in=mine).values("user"))
        | Q(pk__in=VolunteerProfile.objects.filter(program__in=mine).values("user"))
        | Q(pk__in=Program.coordinators.through.objects.filter(program__in=mine).values("user"))
        # The other side of the user's open matches (proposed, active or paused).
        | Q(pk__in=Match.objects.open().filter(mentor__user=user).values("mentee__user"))
        | Q(pk__in=Match.objects.open().filter(mentee__user=user).values("mentor__user"))
    )


def coordinated_people(user):
    """People who take part in, or applied to, a program the user coordinates (in any role):
    whose erasure a coordinator may open. Whether they may carry it out is
    ``personal_data.erasure_blockers`` (every program of the person must be theirs)."""
    User = get_user_model()
    if not _signed_in(user):
        return User.objects.none()
    mine = coordinated_programs(user).values("pk")
    # One correlated EXISTS per role, no joins + DISTINCT (rows multiplied by
    # every profile and application): asked about one person (the person and
    # erasure pages), each EXISTS is an index probe.
    person = OuterRef("pk")
    return User.objects.filter(
        Exists(MentorProfile.objects.filter(user=person, program__in=mine))
        | Exists(MenteeProfile.objects.filter(user=person, program__in=mine))
        | Exists(VolunteerProfile.objects.filter(user=person, program__in=mine))
        | Exists(Program.coordinators.through.objects.filter(user=person, program__in=mine))
        | Exists(Application.objects.filter(person=person, program__in=mine))
    )


def contact_editable_people(user):
    """People whose contact details (phone, preferred channel, okay-to-text
    and to call) the user may edit: themselves, and the people of the programs
    they coordinate (``coordinated_people``)."""
    User = get_user_model()
    if not _signed_in(user):
        return User.objects.none()
    # A UNION of ids, not ``Q(pk=user.pk) | Q(pk__in=...)``: behind an OR,
    # PostgreSQL worked out every coordinated person (12,505 at 10,000
    # mentees) to answer for one; in a UNION the person's id reaches each branch.
    mine = User.objects.filter(pk=user.pk).order_by().values("pk")
    return User.objects.filter(pk__in=mine.union(coordinated_people(user).order_by().values("pk")))


def contact_visible_to(viewer, person):
    """May ``viewer`` see ``person``'s phone number, email and preferred
    channel? The person themselves; coordinators of a program the person
    takes part in (or applied to); the person's current mentor (an active
    or paused match) when the person allows it (``User.mentor_sees_contact``,
    on unless they turn it off). Nobody else: not a proposed or former
    mentor, not another mentee, not the mentee's view of their mentor.
    At most three small queries."""
    if not _signed_in(viewer) or person is None:
        return False
    if viewer.pk == person.pk:
        return True
    if coordinated_people(viewer).filter(pk=person.pk).exists():
        return True
    return bool(
        person.mentor_sees_contact
        and Match.objects.current().filter(mentor__user=viewer, mentee__user=person).exists()
    )


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
    """True when the user coordinates ``program`` (a Program or its pk)."""
    return coordinated_programs(user).filter(pk=getattr(program, "pk", program)).exists()


# --- "may this user manage ...": the role predicates, one place each ---------------------------


def visible_report_exports(user):
    """Report exports: those of the programs the user coordinates, and their
    own "all programs" exports (no program)."""
    if not _signed_in(user):
        return ReportExport.objects.none()
    return ReportExport.objects.filter(
        Q(program__in=coordinated_programs(user).values("pk")) | Q(program__isnull=True, user=user)
    )


def managed_matches(user):
    """Matches a coordinator manages (move, close, graduate): every match of the
    programs they coordinate, whatever its stage. The two people are not here."""
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(program__in=coordinated_programs(user).values("pk"))


def managed_mentee_profiles(user):
    """Mentee profiles a coordinator manages (matching, consents): those of the
    programs they coordinate. Not the mentee themselves, not their mentor."""
    if not _signed_in(user):
        return MenteeProfile.objects.none()
    return MenteeProfile.objects.filter(program__in=coordinated_programs(user).values("pk"))


def managed_mentor_profiles(user):
    """Mentor profiles a coordinator manages (readiness: confirm training,
    background checks): those of the programs they coordinate, not their own."""
    if not _signed_in(user):
        return MentorProfile.objects.none()
    return MentorProfile.objects.filter(program__in=coordinated_programs(user).values("pk"))


def is_current_mentor_of(user, mentee):
    """True when the user is the mentor of an active or paused match with
    ``mentee`` (a MenteeProfile): may suggest goals, answer check-ins, share.
    Never a proposed or former mentor."""
    if not _signed_in(user):
        return False
    return Match.objects.current().filter(mentee=mentee, mentor__user=user).exists()


def may_support_mentee(user, mentee):
    """The mentee's current mentor or a coordinator of the mentee's program:
    who may answer a check-in or share a resource with them."""
    return is_current_mentor_of(user, mentee) or can_manage_program(user, mentee.program_id)


def may_act_in_match(user, match):
    """Either person of the match, or a coordinator of its program: who may
    schedule, record or cancel its meetings (the stage rules are the service's)."""
    return match.side_of(user) is not None or can_manage_program(user, match.program_id)


def may_log_sessions(user, match):
    """The match's mentor or a coordinator of its program: who logs what
    happened in a meeting (never the mentee)."""
    return match.side_of(user) == "mentor" or can_manage_program(user, match.program_id)


def may_take_attendance(user, group):
    """A facilitator of the group session or a coordinator of its program:
    who books people in, takes attendance, moves or cancels it."""
    return attendance_group_sessions(user).filter(pk=group.pk).exists()


def may_create_groups(user, program):
    """Whether the user may create group sessions in ``program`` (see
    ``group_creatable_programs``)."""
    return group_creatable_programs(user).filter(pk=getattr(program, "pk", program)).exists()


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
    """One-on-one sessions: the program's coordinators, the mentee, and the
    mentor of a match that has started (current or closed: the sessions they
    were in; a proposal has none)."""
    if not _signed_in(user):
        return Session.objects.none()
    # Left with its joins on purpose: it is only ever asked for one session by
    # id (the session pages), which PostgreSQL finds by its key before the
    # joins (0.1 ms at 100,000 sessions). Subqueries of match ids
    # (match_ids_of) were measured slower there: 3-20 ms for a coordinator.
    return Session.objects.filter(
        Q(match__mentee__user=user)
        | Q(match__mentor__user=user, match__status__in=Match.STARTED)
        | Q(match__program__in=coordinated_programs(user).values("pk"))
    )


def can_see_private_notes(user, session):
    """A session's private notes: the match's mentor and the program's coordinators, never the mentee."""
    return session.match.mentor.user_id == user.pk or can_manage_program(user, session.match.program)


def movable_sessions(user):
    """Meetings whose time ``user`` may propose to change, or whose proposed
    new time they may answer or withdraw: scheduled one-on-ones of a current
    match where they are the mentor or the mentee. Coordinators see the
    proposals (``visible_sessions``) but the pair decides; a former or a
    proposed mentor has none."""
    if not _signed_in(user):
        return Session.objects.none()
    current = Match.objects.current()
    return Session.objects.filter(status=Session.Status.SCHEDULED).filter(
        Q(match__in=current.filter(mentor__user=user).values("pk"))
        | Q(match__in=current.filter(mentee__user=user).values("pk"))
    )


def can_see_meeting_link(user, session):
    """A one-on-one's online link: the mentor and the mentee while their match
    is current, and the program's coordinators; nobody else (a former mentor
    of a closed match does not keep it)."""
    match = session.match
    if match.is_current and match.side_of(user) is not None:
        return True
    return can_manage_program(user, match.program)


def can_see_group_link(user, group_session):
    """A group date's online link: people with a seat, its facilitators and
    the program's coordinators (the rest of the program sees the date, not
    the link)."""
    if not _signed_in(user):
        return False
    return (
        group_session.registrations.filter(user=user, status=Registration.Status.REGISTERED).exists()
        or group_session.facilitators.filter(pk=user.pk).exists()
        or can_manage_program(user, group_session.program)
    )


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
        Q(pk__in=GroupSession.facilitators.through.objects.filter(user=user).values("groupsession"))
        | Q(program__in=coordinated_programs(user).values("pk"))
    )


def _mentee_rows(model, user, *, mentor_q=None):
    """Rows about a mentee: the mentee, the program's coordinators, and their
    current mentor (an active or paused match; ``mentor_q`` narrows what the
    mentor sees). Never a proposed or former mentor."""
    if not _signed_in(user):
        return model.objects.none()
    mentor = Q(mentee__in=_current_mentee_ids(user))
    if mentor_q is not None:
        mentor &= mentor_q
    return model.objects.filter(
        Q(mentee__user=user) | Q(mentee__program__in=coordinated_programs(user).values("pk")) | mentor
    )


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
    # No join in the outer query: OR-ing a join to the mentee's program read every
    # mentee profile of the site per request (a mentor's home), and a list of a
    # program's mentees hashes all of them (a coordinator's): the program is
    # looked up per alert instead, through the mentee's primary key.
    in_coordinated_program = MenteeProfile.objects.filter(
        pk=OuterRef("mentee"), program__in=coordinated_programs(user).values("pk")
    )
    return SafetyAlert.objects.filter(Q(mentee__in=_current_mentee_ids(user)) | Exists(in_coordinated_program))


def coordinated_alerts(user, programs):
    """The safety alerts of the mentees of those of ``programs`` (programs or
    ids) that the user coordinates: the same rows as
    ``visible_alerts(user).filter(mentee__program__in=programs)`` for
    programs the user coordinates (a coordinator sees every alert of their
    programs), nothing of a program they do not. Without visible_alerts'
    per-alert subqueries (the mentor's current mentees, the program looked up
    again per alert): the coordinator home's alert list, 1.5 ms of planning
    and running them at 100,000 mentees (issue 18)."""
    ids = [getattr(program, "pk", program) for program in programs]
    return SafetyAlert.objects.filter(program__in=coordinated_programs(user).filter(pk__in=ids).values("pk"))


def listed_resources(user):
    """The approved listings the user sees: global ones and their programs'.
    The same rows as ``visible_resources(user).filter(status=APPROVED)`` (the
    directory), without the suggestions' half of that policy: building,
    compiling and planning its subqueries for rows the filter drops was a
    millisecond of every directory search (issue 18)."""
    if not _signed_in(user):
        return Resource.objects.none()
    return Resource.objects.filter(_listed(user))


def _listed(user):
    mine = member_programs(user).values("pk")
    return Q(status=Resource.Status.APPROVED) & (Q(program__isnull=True) | Q(program__in=mine))


def visible_resources(user):
    """Listed resources that are global or belong to one of the user's
    programs; suggestions also to their author and the program's coordinators."""
    if not _signed_in(user):
        return Resource.objects.none()
    listed = _listed(user)
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


def story_programs(user):
    """Programs in which the user may write a story: where they are a mentor or a mentee."""
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(
        Q(pk__in=MentorProfile.objects.filter(user=user).values("program"))
        | Q(pk__in=MenteeProfile.objects.filter(user=user).values("program"))
    )


def visible_stories(user):
    """Stories in any state: the author's own, and those of the programs the user
    coordinates (who edit and publish them). Nobody else, whatever the status:
    the public sees published stories through programs.public, never through this."""
    if not _signed_in(user):
        return Story.objects.none()
    return Story.objects.filter(Q(author=user) | Q(program__in=coordinated_programs(user).values("pk")))


def own_stories(user):
    """The stories the user wrote (consent and withdrawal are the author's alone)."""
    if not _signed_in(user):
        return Story.objects.none()
    return Story.objects.filter(author=user)
# --- messages (conversations app) ---------------------------------------------------------------------
#
# A match's conversation belongs to the pair: the mentor and the mentee of a
# match that has started (active, paused or closed). A proposal has none (the
# pair has not agreed to work together yet); a declined proposal never had
# one. Once the match closes, both keep the conversation read-only: it is
# shared history of the match, like its sessions (see the stages above).
# Coordinators never read a match's conversation: they see a flagged message
# only on its safety alert's page (audited), and may pause the conversation
# (conversation_pause) without reading it.
# A conversation with the program team: the person and the program's
# coordinators. Group announcements: the group's facilitators and the
# program's coordinators (who post), and its registered people (who read).


def visible_conversations(user):
    """Conversations ``user`` may open (read), as a queryset of Conversation."""
    from conversations.models import Conversation
    from sessions.models import Registration

    if not _signed_in(user):
        return Conversation.objects.none()
    # Each side of the pair through its own index: OR-ing joins to both profiles
    # hashed every started match, mentor and mentee of the site (this runs on every
    # page, for the unread-message badge).
    started = Match.objects.started()
    as_mentor = started.filter(mentor__in=MentorProfile.objects.filter(user=user).values("pk")).values("pk")
    as_mentee = started.filter(mentee__in=MenteeProfile.objects.filter(user=user).values("pk")).values("pk")
    return Conversation.objects.filter(
        Q(kind=Conversation.Kind.MATCH, match__in=as_mentor)
        | Q(kind=Conversation.Kind.MATCH, match__in=as_mentee)
        | Q(kind=Conversation.Kind.DIRECT, person=user)
        | Q(kind=Conversation.Kind.DIRECT, program__in=coordinated_programs(user).values("pk"))
        | Q(kind=Conversation.Kind.GROUP, group__in=attendance_group_sessions(user).values("pk"))
        | Q(
            kind=Conversation.Kind.GROUP,
            group__in=Registration.objects.filter(user=user, status=Registration.Status.REGISTERED).values(
                "group_session"
            ),
        )
    )


def conversation_write_refusal(user, conversation):
    """Why ``user`` may not post in ``conversation`` (which they can see), or
    "" when they may: a paused conversation, a match that is no longer current
    (closed: read-only), announcements for someone who only reads them."""
    from conversations.models import Conversation

    if conversation.is_paused:
        return gettext("Messages here are paused by the program team for now.")
    if conversation.kind == Conversation.Kind.MATCH:
        if conversation.match.side_of(user) is None:
            return gettext("Only the mentor and the mentee write here.")
        if not conversation.match.is_current:
            return gettext("This match has ended: its messages are kept read-only.")
    elif (
        conversation.kind == Conversation.Kind.GROUP
        and not attendance_group_sessions(user).filter(pk=conversation.group_id).exists()
    ):
        return gettext("Only the group's facilitators and the program team post announcements.")
    return ""


def conversation_pausable(user, conversation):
    """A coordinator of the conversation's program may pause and resume it."""
    return can_manage_program(user, conversation.program)


def people_with_roles(user):
    """``coordinated_people(user)`` with one flag per role held in the
    user's programs (``as_mentee``, ``as_mentor``, ``as_volunteer``,
    ``as_coordinator``, ``as_applicant``): correlated EXISTS, so a page of
    people is one query whatever its size."""
    mine = coordinated_programs(user).values("pk")
    person = OuterRef("pk")
    return coordinated_people(user).annotate(
        as_mentee=Exists(MenteeProfile.objects.filter(user=person, program__in=mine)),
        as_mentor=Exists(MentorProfile.objects.filter(user=person, program__in=mine)),
        as_volunteer=Exists(VolunteerProfile.objects.filter(user=person, program__in=mine)),
        as_coordinator=Exists(Program.coordinators.through.objects.filter(user=person, program__in=mine)),
        as_applicant=Exists(Application.objects.filter(person=person, program__in=mine)),
    )


def coordinated_stories(user):
    """Stories of the programs the user coordinates, in any state (to edit, ask for consent, publish)."""
    return visible_stories(user).filter(program__in=coordinated_programs(user).values("pk"))
