"""Sessions pages: my calendar, one-on-one sessions, groups and attendance,
the ICS feed, skills and figures."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mentoring import access
from mentoring.audit import audit_read
from mentoring.forms import add_service_error
from mentoring.params import int_param
from mentoring.phones import region_of
from mentoring.views import PAGE_SIZE

from .calendar import build_feed
from .forms import (
    MAX_SERIES_DATES,
    BookForm,
    CancelForm,
    GroupForm,
    LogForm,
    MoveForm,
    ProposeTimeForm,
    RecordPastForm,
    ScheduleForm,
)
from .models import CalendarFeed, GroupSession, Registration, Session, TimeProposal
from .selectors import hours_per_mentor_per_month
from .services import (
    DoubleBooking,
    attendance_mark,
    attendance_open,
    calendar_feed_for,
    calendar_feed_reset,
    group_book,
    group_cancel,
    group_create,
    group_move,
    group_public_set,
    register,
    series_cancel,
    session_cancel,
    session_log,
    session_record_past,
    session_schedule,
    session_time_accept,
    session_time_decline,
    session_time_propose,
    session_time_withdraw,
    skill_add,
    skill_toggle,
    unregister,
    upcoming_for,
)

FIGURES_DAYS = 183
PAST_WEEKS = 8


# --- my calendar ----------------------------------------------------------------------------


@login_required
def my_sessions(request):
    sessions, groups = upcoming_for(request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(
        request,
        "sessions/my_sessions.html",
        {"sessions": sessions[:50], "groups": groups[:50], "feed": feed},
    )


@login_required
def calendar_settings(request):
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            calendar_feed_reset(user=request.user)
            messages.success(request, _("Your calendar has a new address. The old one no longer works."))
        else:
            calendar_feed_for(request.user)
        return redirect("peer_sessions:calendar_settings")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(f"/calendar/{feed.token}.ics") if feed else None
    return render(request, "sessions/calendar_settings.html", {"feed": feed, "feed_url": feed_url})


def calendar_feed(request, token):
    """The secret ICS address; no sign-in (calendar apps cannot), so the
    token is the key and the titles say nothing."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404
    # In the feed owner's language (User.language), not the calendar app's Accept-Language.
    with translation.override(feed.user.language or settings.LANGUAGE_CODE):
        body = build_feed(feed.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="waypoint.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- one-on-one sessions -----------------------------------------------------------------------


def _match_for_sessions(request, pk):
    """A visible match that has started: a proposal has no meetings yet."""
    return get_object_or_404(
        access.visible_matches(request.user).started().select_related("mentor__user", "mentee__user", "program"),
        pk=pk,
    )


@login_required
def session_new(request, pk):
    match = _match_for_sessions(request, pk)
    form = ScheduleForm(request.POST or None)
    warning = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_schedule(
                match=match,
                by=request.user,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                location=data["location"],
                online_url=data["online_url"],
                allow_double_booking=data["double_booking_ok"],
            )
        except DoubleBooking as error:
            warning = error.messages[0]
            form = ScheduleForm(request.POST.copy())
            form.data["double_booking_ok"] = "True"
            form.is_valid()
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect("peer_sessions:session_detail", session.pk)
    return render(request, "sessions/session_form.html", {"match": match, "form": form, "warning": warning})


@login_required
def session_record(request, pk):
    """Log a meeting that already happened."""
    match = _match_for_sessions(request, pk)
    form = RecordPastForm(request.POST or None, program=match.program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_record_past(
                match=match,
                by=request.user,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                location=data["location"],
                online_url=data["online_url"],
                **form.log_data(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session is logged."))
            return redirect("peer_sessions:session_detail", session.pk)
    return render(request, "sessions/session_record.html", {"match": match, "form": form})


def _visible_session(request, pk):
    return get_object_or_404(
        access.visible_sessions(request.user).select_related(
            "match__mentor__user", "match__mentee__user", "match__program", "cancelled_by"
        ),
        pk=pk,
    )


def _other_person(match, user):
    """(user, "your mentor"/"your mentee") of the other side, for times shown
    in both zones; (None, "") for a coordinator."""
    side = match.side_of(user)
    if side == "mentor":
        return match.mentee.user, "your mentee"
    if side == "mentee":
        return match.mentor.user, "your mentor"
    return None, ""


def _join_context(request, session, now):
    """What the "Join" box needs: the link only for those who may see it
    (access.can_see_meeting_link); ``join_open`` from 10 minutes before the
    start until the end (server time, UTC; the page shows times in the
    viewer's zone); ``polling`` while the box may still change."""
    link_visible = bool(session.online_url) and access.can_see_meeting_link(request.user, session)
    return {
        "session": session,
        "link_visible": link_visible,
        "join_open": link_visible and session.join_open(now),
        "polling": link_visible and session.status == Session.Status.SCHEDULED and now < session.ends_at,
    }


@login_required
def session_detail(request, pk):
    session = _visible_session(request, pk)
    match = session.match
    now = timezone.now()
    can_log = access.may_log_sessions(request.user, match)
    show_private = access.can_see_private_notes(request.user, session)
    if show_private:  # everyone else who sees this page is the mentee themselves
        audit_read(request, subject=match.mentee.user, what="session_notes", obj=session, program=match.program)
    movable = session.starts_at > now and access.movable_sessions(request.user).filter(pk=session.pk).exists()
    proposal = (
        TimeProposal.objects.open(now).filter(session=session).select_related("proposed_by").first()
        if session.status == Session.Status.SCHEDULED
        else None
    )
    return render(
        request,
        "sessions/session_detail.html",
        {
            **_join_context(request, session, now),
            "skills": session.skills.all(),
            "shares": session.shares.select_related("resource"),
            "show_private": show_private,
            "can_log": can_log and session.status != Session.Status.CANCELLED and session.starts_at <= now,
            "can_cancel": session.status == Session.Status.SCHEDULED,
            "can_move": movable,
            "proposal": proposal,
            # The pair decides: the proposer may withdraw, the other one accepts or declines.
            "proposal_mine": bool(proposal and movable and proposal.proposed_by_id == request.user.pk),
            "proposal_to_answer": bool(proposal and movable and proposal.proposed_by_id != request.user.pk),
            "other_person": _other_person(match, request.user),
        },
    )


@login_required
def session_join(request, pk):
    """The "Join" box alone (htmx polls it every 30 s while the meeting may
    still open; a plain reload of the meeting page shows the same)."""
    session = _visible_session(request, pk)
    return render(request, "sessions/includes/join.html", _join_context(request, session, timezone.now()))


def _movable_session(request, pk):
    return get_object_or_404(
        access.movable_sessions(request.user).select_related("match__mentor__user", "match__mentee__user"), pk=pk
    )


@login_required
def session_propose(request, pk):
    """The mentor or the mentee proposes a new time; the other one answers on the meeting page."""
    session = _movable_session(request, pk)
    form = ProposeTimeForm(request.POST or None, session=session)
    warning = None
    if request.method == "POST" and form.is_valid():
        try:
            session_time_propose(
                session=session,
                by=request.user,
                starts_at=form.cleaned_data["starts_at"],
                note=form.cleaned_data["note"],
                allow_double_booking=request.POST.get("double_booking_ok") == "1",
            )
        except DoubleBooking as error:
            warning = error.messages[0]
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The new time is proposed. The meeting stays as it is until it is accepted."))
            return redirect("peer_sessions:session_detail", session.pk)
    return render(
        request,
        "sessions/session_propose.html",
        {
            "session": session,
            "form": form,
            "warning": warning,
            "other_person": _other_person(session.match, request.user),
        },
    )


ANSWERS = {
    "accept": (session_time_accept, gettext_lazy("The meeting is moved to the new time and the other person is told.")),
    "decline": (session_time_decline, gettext_lazy("You declined the new time; the meeting stays as it was.")),
    "withdraw": (session_time_withdraw, gettext_lazy("Your proposal is withdrawn; the meeting stays as it was.")),
}


@login_required
@require_POST
def time_proposal_answer(request, pk):
    """Accept or decline a proposed time (the other one of the pair), or
    withdraw it (the proposer). A clash with the mentor's other bookings asks
    once more; anything no longer possible is said at the top of the meeting page."""
    proposal = get_object_or_404(
        TimeProposal.objects.filter(session__in=access.movable_sessions(request.user)).select_related("session"),
        pk=pk,
    )
    action = request.POST.get("action", "")
    if action not in ANSWERS:
        messages.error(request, _("Choose accept, decline or withdraw."))
        return redirect("peer_sessions:session_detail", proposal.session_id)
    service, done = ANSWERS[action]
    extra = {"allow_double_booking": request.POST.get("double_booking_ok") == "1"} if action == "accept" else {}
    try:
        service(proposal=proposal, by=request.user, **extra)
    except DoubleBooking as error:
        return render(
            request, "sessions/time_proposal_clash.html", {"proposal": proposal, "warning": error.messages[0]}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("peer_sessions:session_detail", proposal.session_id)


@login_required
def session_log_view(request, pk):
    session = _visible_session(request, pk)
    if not access.can_see_private_notes(request.user, session):
        raise Http404  # the mentee does not log sessions
    initial = {"duration_minutes": session.duration_minutes, "topics": session.topics}
    form = LogForm(request.POST or None, program=session.match.program, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session_log(
                session=session,
                by=request.user,
                duration_minutes=form.cleaned_data["duration_minutes"],
                **form.log_data(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session is logged."))
            return redirect("peer_sessions:session_detail", session.pk)
    return render(request, "sessions/session_log.html", {"session": session, "form": form})


@login_required
def session_cancel_view(request, pk):
    session = _visible_session(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session_cancel(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session is cancelled and the other person is told."))
            return redirect("peer_sessions:session_detail", session.pk)
    return render(request, "sessions/session_cancel.html", {"session": session, "form": form})


# --- groups, workshops and events ----------------------------------------------------------------


@login_required
def group_list(request, pk):
    """Coming dates first; the "past" tab has the last weeks, for attendance."""
    program = get_object_or_404(access.member_programs(request.user), pk=pk)
    past = request.GET.get("when") == "past"
    now = timezone.now()
    rows = access.visible_group_sessions(request.user).filter(program=program)
    if past:
        rows = rows.filter(starts_at__lt=now, starts_at__gte=now - timedelta(weeks=PAST_WEEKS)).order_by("-starts_at")
    else:
        rows = rows.filter(starts_at__gte=now - timedelta(hours=3)).order_by("starts_at")
    rows = rows.select_related("skill").annotate(
        taken=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)),
        mine=Count(
            "registrations",
            filter=Q(registrations__user=request.user) & ~Q(registrations__status=Registration.Status.CANCELLED),
        ),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions/group_list.html",
        {
            "program": program,
            "page": page,
            "past": past,
            "query": "when=past" if past else "",
            "can_manage": access.can_manage_program(request.user, program),
            "can_create": access.may_create_groups(request.user, program),
        },
    )


@login_required
def group_new(request, pk):
    program = get_object_or_404(access.group_creatable_programs(request.user), pk=pk)
    form = GroupForm(
        request.POST or None,
        program=program,
        contact=access.can_manage_program(request.user, program),
        region=lambda: region_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.group_data()
        if not access.can_manage_program(request.user, program) and request.user not in data["facilitators"]:
            data["facilitators"].append(request.user)  # a mentor who creates a group runs it
        try:
            created = group_create(program=program, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            count = len(created)
            messages.success(
                request, ngettext("%(count)d date created.", "%(count)d dates created.", count) % {"count": count}
            )
            return redirect("peer_sessions:group_list", program.pk)
    series = form.cleaned_data.get("series_dates") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(
        request,
        "sessions/group_form.html",
        {"program": program, "form": form, "series_dates": series, "max_series_dates": MAX_SERIES_DATES},
    )


def _visible_group(request, pk):
    return get_object_or_404(access.visible_group_sessions(request.user).select_related("program", "skill"), pk=pk)


def _group_join_context(request, group):
    """The group's online link for people with a seat, facilitators and coordinators;
    "Join" from 10 minutes before the start until the end."""
    link_visible = bool(group.online_link) and access.can_see_group_link(request.user, group)
    return {"link_visible": link_visible, "join_open": link_visible and group.join_open()}


@login_required
def group_detail(request, pk):
    return _group_detail_page(request, _visible_group(request, pk))


def _book_form(request, group, data=None):
    """The booking form of ``group`` (contact details match for its program's coordinators)."""
    return BookForm(
        data,
        program=group.program,
        contact=access.can_manage_program(request.user, group.program),
        region=lambda: region_of(request.user),
    )


def _group_detail_page(request, group, book_form=None):
    """The group's page; ``book_form``: a booking form sent back with its errors."""
    registrations = group.registrations.exclude(status=Registration.Status.CANCELLED).select_related("user")
    mine = next((r for r in registrations if r.user_id == request.user.pk), None)
    can_take_attendance = access.may_take_attendance(request.user, group)
    return render(
        request,
        "sessions/group_detail.html",
        {
            "group": group,
            "facilitators": group.facilitators.all(),
            "seats_taken": sum(r.status == Registration.Status.REGISTERED for r in registrations),
            "waiting": sum(r.status == Registration.Status.WAITLISTED for r in registrations),
            "mine": mine,
            "can_take_attendance": can_take_attendance,
            # Who is booked and waiting: for those who run it (coordinators, facilitators) only.
            "booked": [r for r in registrations if r.status == Registration.Status.REGISTERED]
            if can_take_attendance
            else [],
            "waitlist": [r for r in registrations if r.status == Registration.Status.WAITLISTED]
            if can_take_attendance
            else [],
            "book_form": (book_form or _book_form(request, group)) if can_take_attendance else None,
            "can_manage": access.can_manage_program(request.user, group.program),
            "is_open": group.status == GroupSession.Status.SCHEDULED and group.starts_at > timezone.now(),
            **_group_join_context(request, group),
        },
    )


@login_required
@require_POST
def group_register(request, pk):
    group = _visible_group(request, pk)
    try:
        if request.POST.get("action") == "leave":
            unregister(group_session=group, user=request.user)
            messages.success(request, _("You are no longer registered."))
        else:
            registration = register(group_session=group, user=request.user)
            if registration.status == Registration.Status.REGISTERED:
                messages.success(request, _("You have a seat. See you there!"))
            else:
                messages.info(request, _("It is full: you are on the waiting list and will be told if a seat frees."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("peer_sessions:group_detail", group.pk)


def _managed_group(request, pk):
    """A date the user runs: coordinators of its program and its facilitators."""
    return get_object_or_404(access.attendance_group_sessions(request.user), pk=pk)


@login_required
@require_POST
def group_public(request, pk):
    """Coordinators show a date on the program's public page or hide it."""
    group = get_object_or_404(access.attendance_group_sessions(request.user).select_related("program"), pk=pk)
    if not access.can_manage_program(request.user, group.program):
        raise Http404  # facilitators run the date; the public page is the program's
    group_public_set(group_session=group, is_public=request.POST.get("is_public") == "yes")
    messages.success(
        request,
        _("This date is on the program's public page.")
        if group.is_public
        else _("This date is no longer on the public page."),
    )
    return redirect("peer_sessions:group_detail", group.pk)


@login_required
def group_edit(request, pk):
    """Move, relocate or cancel one date (the rest of a series stays)."""
    group = _managed_group(request, pk)
    local_start, local_end = timezone.localtime(group.starts_at), timezone.localtime(group.ends_at)
    initial = {
        "day": local_start.date(),
        "start": local_start.time(),
        "end": local_end.time(),
        "location": group.location,
        "online_link": group.online_link,
        "title": group.title,
        "capacity": group.capacity,
    }
    move_form = MoveForm(request.POST if request.POST.get("action") == "move" else None, initial=initial)
    cancel_form = CancelForm(request.POST if request.POST.get("action") in ("cancel", "cancel_series") else None)
    try:
        if cancel_form.is_bound and request.POST.get("action") == "cancel_series" and group.series_id:
            if cancel_form.is_valid():
                count = series_cancel(series=group.series, reason=cancel_form.cleaned_data["reason"])
                messages.success(
                    request,
                    ngettext(
                        "%(count)d date of the series cancelled.", "%(count)d dates of the series cancelled.", count
                    )
                    % {"count": count},
                )
                return redirect("peer_sessions:group_detail", group.pk)
            return render(
                request,
                "sessions/group_edit.html",
                {"group": group, "move_form": move_form, "cancel_form": cancel_form},
            )
        if move_form.is_bound and move_form.is_valid():
            data = move_form.cleaned_data
            group_move(
                group_session=group,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                title=data["title"],
                capacity=data["capacity"],
                online_link=data["online_link"],
            )
            messages.success(request, _("This date is moved; registrants are told."))
            return redirect("peer_sessions:group_detail", group.pk)
        if cancel_form.is_bound and cancel_form.is_valid():
            group_cancel(group_session=group, reason=cancel_form.cleaned_data["reason"])
            messages.success(request, _("This date is cancelled; registrants are told."))
            return redirect("peer_sessions:group_detail", group.pk)
    except ValidationError as error:
        add_service_error(move_form if move_form.is_bound else cancel_form, error)
    return render(
        request, "sessions/group_edit.html", {"group": group, "move_form": move_form, "cancel_form": cancel_form}
    )


@login_required
@require_POST
def group_book_view(request, pk):
    """Coordinators and facilitators book a person in, or add a walk-in."""
    group = get_object_or_404(access.attendance_group_sessions(request.user).select_related("program"), pk=pk)
    form = _book_form(request, group, request.POST)
    if not form.is_valid():
        # Sent back with the error next to the field, what was typed and the few people it matches.
        return _group_detail_page(request, _visible_group(request, pk), book_form=form)
    person, walk_in = form.cleaned_data["person"], form.cleaned_data["walk_in"]
    try:
        registration = group_book(group_session=group, user=person, walk_in=walk_in)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("peer_sessions:group_detail", group.pk)
    if walk_in:
        messages.success(request, _("%(person)s is added as a walk-in and marked attended.") % {"person": person})
        return redirect("peer_sessions:attendance", group.pk)
    if registration.status == Registration.Status.REGISTERED:
        messages.success(request, _("%(person)s has a seat.") % {"person": person})
    else:
        messages.success(request, _("%(person)s is on the waiting list.") % {"person": person})
    return redirect("peer_sessions:group_detail", group.pk)


@login_required
def attendance(request, pk):
    """One fast page for the facilitator: everyone with a seat, one tap each.
    Works as a plain form; with htmx each tap saves on its own."""
    group = get_object_or_404(access.attendance_group_sessions(request.user).select_related("program"), pk=pk)
    seats = group.registrations.filter(status=Registration.Status.REGISTERED).select_related("user")
    is_open = attendance_open(group)
    if request.method == "POST" and is_open:
        for registration in seats:
            value = request.POST.get(f"attendance-{registration.pk}")
            if value in Registration.Attendance.values:
                attendance_mark(registration=registration, attendance=value)
        messages.success(request, _("Attendance is saved."))
        return redirect("peer_sessions:attendance", group.pk)
    return render(
        request,
        "sessions/attendance.html",
        {"group": group, "seats": seats, "choices": Registration.Attendance.choices, "is_open": is_open},
    )


@login_required
@require_POST
def attendance_row(request, pk, registration_pk):
    """Save one person's mark (htmx); the row comes back with what was saved
    or why not, and a page-level status line tells screen readers."""
    group = get_object_or_404(access.attendance_group_sessions(request.user), pk=pk)
    registration = get_object_or_404(
        group.registrations.filter(status=Registration.Status.REGISTERED).select_related("user", "group_session"),
        pk=registration_pk,
    )
    error = None
    try:
        attendance_mark(registration=registration, attendance=request.POST.get(f"attendance-{registration.pk}", ""))
    except ValidationError as problem:
        error = " ".join(problem.messages)
        registration.refresh_from_db()
    return render(
        request,
        "sessions/includes/attendance_row.html",
        {
            "group": group,
            "registration": registration,
            "choices": Registration.Attendance.choices,
            "saved": error is None,
            "error": error,
            "announce": True,
        },
    )


# --- skills and figures ----------------------------------------------------------------------------


@login_required
def skills(request, pk):
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    if request.method == "POST":
        if request.POST.get("toggle"):
            skill = get_object_or_404(program.skills, pk=int_param(request.POST["toggle"]))
            skill_toggle(skill=skill)
        else:
            try:
                skill = skill_add(
                    program=program, name=request.POST.get("name", ""), name_es=request.POST.get("name_es", "")
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("“%(skill)s” is added.") % {"skill": skill.name})
        return redirect("peer_sessions:skills", program.pk)
    rows = program.skills.annotate(
        practised=Count("sessions", filter=Q(sessions__status=Session.Status.COMPLETED))
    ).order_by("name")
    return render(request, "sessions/skills.html", {"program": program, "skills": rows})


@login_required
def figures(request, pk):
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    rows = hours_per_mentor_per_month(program, since=timezone.now() - timedelta(days=FIGURES_DAYS))
    months = sorted({row["month"] for row in rows})
    table = {}
    for row in rows:
        table.setdefault((row["mentor"], row["mentor_id"]), {})[row["month"]] = row
    matches = (
        program.matches.started()
        .select_related("mentor__user", "mentee__user")
        .annotate(completed=Count("sessions", filter=Q(sessions__status=Session.Status.COMPLETED)))
        .order_by("-completed")
    )
    return render(
        request,
        "sessions/figures.html",
        {
            "program": program,
            "months": months,
            "table": [(name, [cells.get(month) for month in months]) for (name, _pk), cells in sorted(table.items())],
            "matches": Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )
