import functools
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from goals.models import Goal
from goals.selectors import checkin_status, help_now_state, open_alerts
from programs.readiness import readiness_of_user
from resources.models import Resource
from sessions.selectors import attendance_history, meeting_counts, toolkit_of_user, with_contact_figures
from sessions.services import upcoming_for

from .. import access
from ..audit import audit_read
from ..contact import contact_for
from ..display import profile_answers
from ..forms import InvitationForm, ProfileForm, SetPasswordForm
from ..models import Invitation, Match, MenteeProfile, MentorProfile, User, VolunteerProfile
from ..paging import page_of
from ..params import int_param
from ..profile_forms import MenteeProfileForm, MentorProfileForm, VolunteerProfileForm
from ..row_links import link_to
from ..services import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_may_set_password,
    invitation_resend,
    invitation_revoke,
)
from ..session_policy import session_lifetime_apply

PAGE_SIZE = 25
# What a row of the mentor's caseload shows of a match, and of a person their name (User.__str__).
MATCH_ROW = ("status", "mentor_response", "created_at", "first_met_at", "mentee_id")
PERSON_NAME = ("full_name", "email")
# What the mentee home shows of their next meeting (its time, mode, place, and the join button).
NEXT_MEETING = ("starts_at", "duration_minutes", "mode", "location", "online_url", "status")
# The crisis page shows these numbers in its own cards.
NATIONAL_LINES_ON_PAGE = ["988", "1-800-662-4357", "+18006624357", "18006624357"]
ROLE_HOMES = {
    "coordinator": "mentoring:home_coordinator",
    "mentor": "mentoring:home_mentor",
    "mentee": "mentoring:home_mentee",
    "volunteer": "mentoring:home_volunteer",
}


def landing(request):
    if request.user.is_authenticated:
        return redirect("mentoring:home")
    return render(request, "mentoring/landing.html")


def accessibility(request):
    """The accessibility statement (issue 19): what is supported, known limits,
    how to report a barrier. Anyone, signed in or not. The contact is
    ``settings.ACCESSIBILITY_CONTACT_EMAIL`` when set; a signed-in person also
    sees the coordinators of their own programs (names only: they reach them
    through Waypoint's messages or the program's usual contact)."""
    try:
        reviewed = date.fromisoformat(settings.ACCESSIBILITY_REVIEWED)
    except ValueError:
        reviewed = None
    programs = (
        access.member_programs(request.user).prefetch_related("coordinators").order_by("name")
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "mentoring/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL, "reviewed": reviewed, "programs": programs},
    )


def crisis(request):
    """Works without sign-in and stays light: national lines are in the page,
    crisis-flagged listings (global, plus the person's programs) follow."""
    listed = Resource.objects.filter(status=Resource.Status.APPROVED, is_crisis=True)
    local = access.member_programs(request.user).values("pk") if request.user.is_authenticated else []
    resources = (
        listed.filter(Q(program__isnull=True) | Q(program__in=local))
        .exclude(phone__in=NATIONAL_LINES_ON_PAGE)  # already in the cards above the list
        .order_by("name")[:20]
    )
    # A signed-in mentee is offered one tap to a person (goals.views.help_now);
    # an anonymous visitor sees the lines only.
    help_now = help_now_state(request.user, int_param(request.GET.get("mentee")))
    return render(request, "mentoring/crisis.html", {"crisis_resources": resources, "help_now": help_now})


@login_required
def home(request):
    """Send a person to the home of their first role; several roles can be
    switched between in the navigation."""
    roles = access.roles_of(request.user)
    if not roles:
        return render(request, "mentoring/home_no_role.html")
    return redirect(ROLE_HOMES[roles[0]])


def require_role(request, role):
    """404 unless the signed-in person holds ``role`` somewhere."""
    if role not in access.roles_of(request.user):
        raise Http404


@login_required
def home_mentor(request):
    require_role(request, "mentor")
    # The mentor's matches once, as plain values (issue 18): the caseload, the
    # calendar and the alerts are asked of the access policy through them
    # instead of each building and planning its own subqueries.
    own = access.OwnMatches(request.user)
    # The caseload's length is known from the matches read, or comes with the
    # page's rows (no second COUNT query).
    rows = own.caseload(_caseload_rows())
    page = page_of(rows, request.GET.get("page"), per_page=PAGE_SIZE, count=own.caseload_count())
    profiles = readiness_of_user(request.user)
    # A row names the other person of the meeting: the mentee, or, for a mentor
    # who is a mentee too, their own mentor on the meetings of their own match.
    sides = ("mentee", "mentor") if own.is_a_mentee() else ("mentee",)
    sessions, groups = upcoming_for(
        request.user, match_ids=own.ids(), related=tuple(f"match__{side}__user" for side in sides)
    )
    sessions = list(
        sessions.only(
            "starts_at", "match__status", *(f"match__{side}__user__{name}" for side in sides for name in PERSON_NAME)
        )[:5]
    )
    groups = list(groups.only("title", "starts_at")[:5])
    for session in sessions:
        mentee = session.match.mentee.user
        session.other = session.match.mentor.user if mentee.pk == request.user.pk else mentee
    _add_links(page, sessions, groups)
    return render(
        request,
        "mentoring/home_mentor.html",
        {
            "page": page,
            "profiles": profiles,
            "sessions": sessions,
            "groups": groups,
            "open_alerts": _open_alerts(own, page),
        },
    )


def _open_alerts(own, page):
    """The alerts panel's rows (goals.selectors.open_alerts of the person's
    visible alerts). When the whole caseload is on this page and the person
    coordinates nothing, its rows already say whether a current mentee has an
    open alert (``has_open_alert``: the same rule, the alert panel shows
    nothing else): none, and the page does not ask again (issue 18)."""
    if own.caseload_count() is not None and not page.has_other_pages() and not any(m.has_open_alert for m in page):
        return []
    return open_alerts(own.alerts())


def _add_links(page, sessions, groups):
    """The links of the mentor home's rows as attributes (``url``, and a
    caseload row's ``person_url``, ``checkins_url``, ``progress_url``,
    ``session_new_url``), each URL reversed once per request (mentoring.row_links)."""
    match_url, person_url = link_to("mentoring:match_detail"), link_to("mentoring:person_detail")
    checkins_url, progress_url = link_to("goals:checkins"), link_to("goals:progress")
    session_new_url = link_to("peer_sessions:session_new")
    for match in page:
        match.url, match.person_url = match_url(match.pk), person_url(match.mentee.user_id)
        match.checkins_url, match.progress_url = checkins_url(match.mentee_id), progress_url(match.mentee_id)
        match.session_new_url = session_new_url(match.pk)
    session_url, group_url = link_to("peer_sessions:session_detail"), link_to("peer_sessions:group_detail")
    for session in sessions:
        session.url = session_url(session.pk)
    for group in groups:
        group.url = group_url(group.pk)


@functools.lru_cache(maxsize=1)
def _caseload_rows():
    """Every match with what a row of the mentor's caseload shows: only those
    columns (building and compiling the SQL of every column of five joined
    tables was most of this page's cost), the contact figures, the order.
    Built once per process (issue 18: building it took longer than running
    it) and filtered per request by the access policy; never evaluated
    itself."""
    return (
        with_contact_figures(Match.objects.all())
        .select_related("mentee__user")
        .only(*MATCH_ROW, *(f"mentee__user__{name}" for name in PERSON_NAME))
        .order_by("status", "-created_at")
    )


@login_required
def home_mentee(request):
    require_role(request, "mentee")
    user = request.user
    profiles = list(MenteeProfile.objects.filter(user=user).select_related("program").only("program__name"))
    for profile in profiles:
        profile.user = user  # the zone of the check-ins (goals.selectors), without joining the person again
    mentee_ids = [profile.pk for profile in profiles]
    # The person's matches as the mentee, every status, with what a card shows
    # of the mentor: one query (issue 18), from which come the cards (the open
    # ones: visible_matches(user).open() of their own), the calendar's match ids
    # and the toolkit's, instead of the access policy's subqueries built and
    # planned for each.
    mine = list(_mentee_matches().filter(mentee__in=mentee_ids))
    # The calendar holds every match of the person: a mentor who is a mentee
    # too has their mentor side read as well (access.OwnMatches).
    calendar = access.OwnMatches(user).ids() if "mentor" in access.roles_of(user) else [m.pk for m in mine]
    sessions, groups = upcoming_for(user, match_ids=calendar, related=("match__mentor__user",))
    next_session = sessions.only(
        *NEXT_MEETING, "match__status", *(f"match__mentor__user__{name}" for name in (*PERSON_NAME, "time_zone"))
    ).first()
    groups = list(groups.only("title", "starts_at")[:3])
    shown = [Goal.Status.ACTIVE, Goal.Status.SUGGESTED]
    goals = list(Goal.objects.filter(mentee__in=mentee_ids, status__in=shown))
    due, streaks = checkin_status(profiles, goals)
    for goal in goals:
        goal.streak = streaks.get(goal.pk)
    matches = [match for match in mine if match.status in Match.OPEN]
    _add_mentee_links(matches, next_session, goals, groups)
    if next_session is not None:
        _name_the_other_person(next_session, as_mentee={match.pk for match in mine})
    return render(
        request,
        "mentoring/home_mentee.html",
        {
            "matches": matches,
            "profiles": profiles,
            "next_session": next_session,
            "groups": groups,
            "toolkit": toolkit_of_user(user, match_ids=[m.pk for m in mine]),
            "goals": goals,
            "best_streak": max((s for s in streaks.values() if s), default=None, key=lambda s: s.streak),
            "checkin_due": due,
            # No active goal: nothing is due (goals.adherence.checkin_due_now); the page says how to start.
            "has_active_goal": any(goal.status == Goal.Status.ACTIVE for goal in goals),
        },
    )


@functools.lru_cache(maxsize=1)
def _mentee_matches():
    """Every match with what the mentee home shows of it (status, the
    mentee's answer, the mentor's name), newest first (Match's order). Built
    once per process and filtered per request; never evaluated itself."""
    return (
        Match.objects.select_related("mentor__user")
        .only("status", "mentee_response", *(f"mentor__user__{name}" for name in PERSON_NAME))
        .order_by("-created_at")
    )


def _name_the_other_person(session, *, as_mentee):
    """Set ``session.other_person`` (a user) and ``session.other_label`` for
    the next-meeting card: the mentor ("your mentor") when the viewer is the
    match's mentee (``as_mentee``: their match ids as the mentee), else, for
    a mentee who also mentors, that match's mentee ("your mentee"), read with
    one query only then. Before, the card named the viewer's own mentor side
    "your mentor" and showed their own zone's time for it."""
    if session.match_id in as_mentee:
        session.other_person, session.other_label = session.match.mentor.user, gettext("your mentor")
        return
    fields = (*PERSON_NAME, "time_zone")
    mentee = Match.objects.filter(pk=session.match_id).values_list("mentee__user", flat=True)
    session.other_person = User.objects.only(*fields).filter(pk__in=mentee).first()
    session.other_label = gettext("your mentee")


def _add_mentee_links(matches, next_session, goals, groups):
    """The mentee home's row links as ``url`` attributes, each URL reversed
    once per request (mentoring.row_links), not once per row."""
    for rows, name in (
        (matches, "mentoring:match_detail"),
        (goals, "goals:detail"),
        (groups, "peer_sessions:group_detail"),
        ([next_session] if next_session else [], "peer_sessions:session_detail"),
    ):
        if rows:
            link = link_to(name)
            for row in rows:
                row.url = link(row.pk)


@login_required
def home_volunteer(request):
    require_role(request, "volunteer")
    profiles = access.visible_volunteer_profiles(request.user).filter(user=request.user).select_related("program")
    return render(request, "mentoring/home_volunteer.html", {"profiles": profiles})


EDITABLE_PROFILES = {
    "mentor": (access.editable_mentor_profiles, MentorProfileForm),
    "mentee": (access.editable_mentee_profiles, MenteeProfileForm),
    "volunteer": (access.visible_volunteer_profiles, VolunteerProfileForm),
}


@login_required
def profile_edit(request, kind, pk):
    """A person edits their own mentor/mentee/volunteer profile; coordinators
    edit those in their programs."""
    if kind not in EDITABLE_PROFILES:
        raise Http404
    rows, form_class = EDITABLE_PROFILES[kind]
    profile = get_object_or_404(rows(request.user).select_related("user", "program"), pk=pk)
    options = {}
    if kind != "volunteer":
        options["can_exclude_people"] = access.can_manage_program(request.user, profile.program)
    form = form_class(request.POST or None, instance=profile, **options)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("The profile is saved."))
        return redirect("mentoring:person_detail", profile.user_id)
    audit_read(request, subject=profile.user, what="profile", obj=profile, program=profile.program)
    return render(request, "mentoring/profile_edit.html", {"form": form, "profile": profile, "kind": kind})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your profile is saved."))
        return redirect("mentoring:profile")
    return render(request, "mentoring/profile.html", {"form": form})


@login_required
def person_detail(request, pk):
    """A person's profiles, each loaded through the access policy: a mentor
    proposed to a mentee sees the answers shared for matching and nothing
    recorded; attendance, meetings and shares only with the mentee's records."""
    user = request.user
    person = get_object_or_404(access.visible_people(user), pk=pk)
    mentee_profiles = access.visible_mentee_profiles(user).values("pk")
    shown = {
        "mentor": person.mentor_profiles.filter(
            pk__in=access.visible_mentor_profiles(user).values("pk")
        ).prefetch_related("experience_areas"),
        "mentee": person.mentee_profiles.filter(
            Q(pk__in=mentee_profiles) | Q(pk__in=access.proposed_mentee_profiles(user).values("pk"))
        ).prefetch_related("experience_areas"),
        "volunteer": person.volunteer_profiles.filter(pk__in=access.visible_volunteer_profiles(user).values("pk")),
    }
    editable = {
        # Of this person's profiles only (a coordinator's would be every profile of their programs).
        "mentor": set(access.editable_mentor_profiles(user).filter(user=person).values_list("pk", flat=True)),
        "mentee": set(access.editable_mentee_profiles(user).filter(user=person).values_list("pk", flat=True)),
        "volunteer": set(access.visible_volunteer_profiles(user).filter(user=person).values_list("pk", flat=True)),
    }
    sections = []
    for kind, profiles in shown.items():
        for profile in profiles.select_related("program"):
            private = profile.pk in editable[kind]
            sections.append(
                {
                    "kind": kind,
                    "profile": profile,
                    "answers": profile_answers(profile, show_private=private),
                    "can_edit": private,
                }
            )
    # The mentee's records (attendance, meetings, shares): not for a proposal.
    with_records = person.mentee_profiles.filter(pk__in=mentee_profiles).exists()
    can_edit_contact = access.contact_editable_people(user).filter(pk=person.pk).exists()
    audit_read(request, subject=person, what="profile", program=[s["profile"].program_id for s in sections])
    return render(
        request,
        "mentoring/person_detail.html",
        {
            "person": person,
            "sections": sections,
            "attendance": attendance_history(person)[:20] if with_records else None,
            "shares": access.visible_shares(user).filter(mentee__user=person).select_related("resource")[:20]
            if with_records
            else None,
            "meetings": meeting_counts(person) if with_records else None,
            "matches": access.visible_matches(user)
            .filter(pk__in=access.match_ids_of(person))
            .select_related("mentor__user", "mentee__user", "program"),
            "can_erase": person.pk != request.user.pk
            and access.coordinated_people(request.user).filter(pk=person.pk).exists(),
            # Contact details and preferences: access.contact_visible_to (the person, their
            # coordinators, their current mentor if they allow it); roles in the viewer's programs.
            "contact": contact_for(user, person),
            "can_edit_contact": can_edit_contact,
            "roles_held": roles_held(person, viewer=user) if can_edit_contact else None,
        },
    )


def roles_held(person, *, viewer):
    """[(role label, program)] of ``person``: every role for the person
    themselves, only those in the viewer's programs for a coordinator (a
    role elsewhere is not theirs to know). Five small queries."""
    from programs.models import Application, Program

    programs = (Program.objects.all() if viewer.pk == person.pk else access.coordinated_programs(viewer)).values("pk")
    rows = [
        (gettext("Coordinator"), p.name) for p in person.coordinated_programs.filter(pk__in=programs).order_by("name")
    ]
    for label, model in (
        (gettext("Mentor"), MentorProfile),
        (gettext("Mentee"), MenteeProfile),
        (gettext("Volunteer"), VolunteerProfile),
    ):
        rows += [
            (label, name)
            for name in model.objects.filter(user=person, program__in=programs)
            .order_by("program__name")
            .values_list("program__name", flat=True)
        ]
    statuses = dict(Application.Status.choices)
    rows += [
        (gettext("Applicant (%(status)s)") % {"status": str(statuses.get(status, status)).lower()}, name)
        for name, status in Application.objects.filter(person=person, program__in=programs)
        .exclude(status=Application.Status.ACCEPTED)
        .order_by("program__name")
        .values_list("program__name", "status")
    ]
    return rows


@login_required
def invitation_list(request):
    require_role(request, "coordinator")
    invitations = access.visible_invitations(request.user).select_related("program", "invited_by")
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentoring/invitation_list.html", {"page": page})


@login_required
def invitation_new(request):
    """Invite someone by email. The link goes only to their mailbox: this page
    shows a masked address and never the link, whether or not the address
    already has an account (the response is the same either way)."""
    require_role(request, "coordinator")
    programs = access.coordinated_programs(request.user)
    initial = {
        "program": int_param(request.GET.get("program")),
        "role": request.GET.get("role", Invitation.Role.MENTEE),
    }
    form = InvitationForm(request.POST or None, programs=programs, initial=initial)
    if request.method == "POST" and form.is_valid():
        invitation, _ = invitation_create(invited_by=request.user, **form.cleaned_data)
        messages.success(
            request,
            gettext("Invitation sent to %(address)s. The link works once and expires on %(day)s.")
            % {
                "address": invitation.masked_email,
                "day": date_format(localtime(invitation.expires_at), "MONTH_DAY_FORMAT"),
            },
        )
        return render(request, "mentoring/invitation_sent.html", {"invitation": invitation})
    return render(request, "mentoring/invitation_form.html", {"form": form})


@login_required
@require_POST
def invitation_resend_view(request, pk):
    """ "Send again": a fresh link by email, the old one revoked."""
    invitation = get_object_or_404(access.visible_invitations(request.user), pk=pk)
    try:
        fresh = invitation_resend(invitation=invitation, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            gettext("A new link is on its way to %(address)s. The earlier link no longer works.")
            % {"address": fresh.masked_email},
        )
    return redirect("mentoring:invitation_list")


@login_required
def invitation_revoke_view(request, pk):
    invitation = get_object_or_404(access.visible_invitations(request.user), pk=pk)
    if request.method == "POST":
        try:
            invitation_revoke(invitation=invitation)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, gettext("The invitation is revoked; its link no longer works."))
        return redirect("mentoring:invitation_list")
    return render(request, "mentoring/invitation_confirm_revoke.html", {"invitation": invitation})


def invitation_accept_view(request, token):
    """The emailed link. Signed in: only the invited account may accept
    (anyone else is refused with the same page whatever the invited address
    is). Signed out: a password form only where the invitation may set the
    first password (``invitation_may_set_password``), else "sign in as that
    account to accept"."""
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "mentoring/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "mentoring/invitation_wrong_account.html", status=403)
        return _accept_signed_in(request, invitation)
    _speak_the_invitations_language(request, invitation)
    if not invitation_may_set_password(invitation):
        return render(request, "mentoring/invitation_existing.html", {"invitation": invitation})
    form = SetPasswordForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password2"],
                time_zone=form.cleaned_data["time_zone"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            session_lifetime_apply(request=request)
            messages.success(request, gettext("Welcome to Waypoint, %(name)s.") % {"name": user.get_short_name()})
            return redirect("mentoring:home")
    return render(request, "mentoring/invitation_accept.html", {"invitation": invitation, "form": form})


def _speak_the_invitations_language(request, invitation):
    """Signed out, on a browser where nobody chose a language with the switch
    (no language cookie): an invitation written in another language than the
    default (the account's this invitation created, else ``Invitation.language``:
    Spanish) makes the page speak it, whatever the browser says; an English
    invitation leaves the browser's choice (a Spanish browser reads Spanish).
    The switch on the page still changes it."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    account = invitation.new_account
    language = (account.language if account is not None else "") or invitation.language
    if language and language != settings.LANGUAGE_CODE and translation.check_for_language(language):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _accept_signed_in(request, invitation):
    if request.method == "POST":
        try:
            invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                gettext("You joined %(program)s as a %(role)s.")
                % {"program": invitation.program, "role": invitation.get_role_display().lower()},
            )
        return redirect("mentoring:home")
    return render(request, "mentoring/invitation_existing.html", {"invitation": invitation, "signed_in": True})
