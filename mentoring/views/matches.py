"""Matching pages: suggestions for one mentee, whole-pool matching, caseload,
the waiting list, and the life of a match."""

from dataclasses import replace
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from sessions.models import Session

from .. import access
from ..contact import contact_for
from ..dates import spoken_date
from ..display import mentor_shared_answers
from ..endings import mentee_exit, mentee_reenter
from ..forms import CloseMatchForm, MatchingSettingsForm, MenteeExitForm, SurveyForm
from ..matching.criteria import effective_weights, score_pair
from ..matching.loading import days_waiting, load_pool, mentors_with_room, waiting_mentees, with_waiting_since
from ..matching.solutions import is_stale, pool_fingerprint, pool_solve_current, pool_solve_request
from ..models import Match, MenteeProfile, MentorProfile, PoolSolve
from ..params import int_param
from ..services import (
    graduation_invite,
    match_close,
    match_move,
    match_propose,
    match_reopen,
    match_respond,
    matching_settings_update,
    pool_approve,
    survey_submit,
)
from .pages import PAGE_SIZE

SUGGESTION_COUNT = 20
SESSIONS_SHOWN = 20


def _program(request, pk):
    return get_object_or_404(access.coordinated_programs(request.user), pk=pk)


def _coordinated_mentee(request, pk):
    return get_object_or_404(access.managed_mentee_profiles(request.user).select_related("user", "program"), pk=pk)


def _error(request, error):
    messages.error(request, " ".join(error.messages))


# --- suggestions and whole-pool matching ------------------------------------------------


@login_required
def suggestions(request, pk):
    """Ranked mentors for one mentee, each with the reasons behind the score."""
    mentee = _coordinated_mentee(request, pk)
    if not MenteeProfile.objects.taking_part().filter(pk=mentee.pk).exists():
        # Left the program, withdrew consent or deactivated: nobody is suggested.
        return render(request, "mentoring/suggestions.html", {"mentee": mentee, "not_taking_part": True})
    mentors, [person], ctx = load_pool(mentee.program, mentees=MenteeProfile.objects.filter(pk=mentee.pk))
    scored = [(mentor, score_pair(mentor, person, ctx)) for mentor in mentors]
    eligible = sorted((row for row in scored if row[1].eligible), key=lambda row: -row[1].total)
    blocked = [row for row in scored if not row[1].eligible]
    open_match = mentee.matches.open().select_related("mentor__user").first()
    return render(
        request,
        "mentoring/suggestions.html",
        {
            "mentee": mentee,
            "suggestions": eligible[:SUGGESTION_COUNT],
            "more": max(len(eligible) - SUGGESTION_COUNT, 0),
            "blocked": _blocker_summary(blocked),
            "open_match": open_match,
        },
    )


def _blocker_summary(blocked):
    """[(reason, number of mentors it rules out)], most common first."""
    counts = {}
    for _, score in blocked:
        for reason in score.blockers:
            counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


@login_required
@require_POST
def propose(request, pk):
    mentee = _coordinated_mentee(request, pk)
    mentor = get_object_or_404(
        MentorProfile.objects.filter(program=mentee.program), pk=int_param(request.POST.get("mentor"))
    )
    try:
        match = match_propose(mentor=mentor, mentee=mentee, proposed_by=request.user)
    except ValidationError as error:
        _error(request, error)
        return redirect("mentoring:suggestions", mentee.pk)
    messages.success(
        request,
        gettext("%(mentor)s and %(mentee)s are %(status)s.")
        % {"mentor": mentor.user, "mentee": mentee.user, "status": match.get_status_display().lower()},
    )
    return redirect("mentoring:match_detail", match.pk)


POOL_PAGE_SIZE = 50


@login_required
def pool(request, pk):
    """The best set of matches for all waiting mentees at once. The
    coordinator unticks pairs they disagree with and approves the rest.

    The pool is solved by a background job (``matching.solutions``), never in
    this request: the page shows the kept solution when the pool is unchanged,
    the job's progress while it runs (``pool_progress`` polls it), or a "Work
    out pairs" button (``pool_solve``, a POST). Pairs are shown a page at a
    time (``?page=``; the mentees left out: ``?left_page=``), with the reasons
    of a score worked out for the pairs on the page only."""
    program = _program(request, pk)
    if request.method == "POST":
        return _approve_pool(request, program)
    mentors, mentees, ctx = load_pool(program)
    solve = pool_solve_current(program, pool_fingerprint(mentors, mentees, ctx))
    context = {"program": program, "waiting_count": len(mentees), "solve": solve}
    if solve is None or solve.status != PoolSolve.Status.DONE:
        context["stale"] = solve is not None and is_stale(solve)
        return render(request, "mentoring/pool.html", context)
    mentor_by_pk, mentee_by_pk = {p.pk: p for p in mentors}, {p.pk: p for p in mentees}
    page = Paginator(solve.pairs, POOL_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for mentee_pk, mentor_pk, _ in page.object_list:
        mentor, mentee = mentor_by_pk[mentor_pk], mentee_by_pk[mentee_pk]
        rows.append({"mentor": mentor, "mentee": mentee, "score": score_pair(mentor, mentee, ctx)})
    # Who is left out, longest wait first, with the reason.
    left_out = sorted(solve.unassigned, key=lambda item: -mentee_by_pk[item[0]].waiting_days)
    left_page = Paginator(left_out, POOL_PAGE_SIZE).get_page(request.GET.get("left_page"))
    unassigned = [{"mentee": mentee_by_pk[pk], "reason": reason} for pk, reason in left_page.object_list]
    context.update(
        rows=rows,
        page=page,
        unassigned=unassigned,
        left_page=left_page,
        pair_count=len(solve.pairs),
        objective=solve.objective,
    )
    return render(request, "mentoring/pool.html", context)


@login_required
@require_POST
def pool_solve(request, pk):
    """ "Work out pairs": queue the background solve of the pool as it is now."""
    program = _program(request, pk)
    solve, queued = pool_solve_request(program=program)
    if not queued and solve.status == PoolSolve.Status.DONE:
        messages.info(request, gettext("These pairs are already worked out for the pool as it is now."))
    return redirect("mentoring:pool", program.pk)


@login_required
def pool_progress(request, pk):
    """The progress of the pool's solve, for the page's htmx poll (a read).
    When the solve is done (or the pool changed) the answer asks htmx to
    reload the page (``HX-Refresh``)."""
    program = _program(request, pk)
    solve = PoolSolve.objects.filter(program=program, pk=int_param(request.GET.get("solve"))).first()
    running = solve is not None and solve.status in (PoolSolve.Status.QUEUED, PoolSolve.Status.RUNNING)
    response = render(request, "mentoring/pool_progress.html", {"program": program, "solve": solve})
    if not running:
        response["HX-Refresh"] = "true"
    return response


def _approve_pool(request, program):
    wanted = []
    for value in request.POST.getlist("pair"):
        mentor_pk, _, mentee_pk = (int_param(part) for part in value.partition(":"))
        if mentor_pk is not None and mentee_pk is not None:
            wanted.append((mentor_pk, mentee_pk))
    mentors = MentorProfile.objects.filter(program=program, pk__in=[m for m, _ in wanted]).select_related("user")
    mentees = MenteeProfile.objects.filter(program=program, pk__in=[e for _, e in wanted]).select_related("user")
    mentors, mentees = {m.pk: m for m in mentors}, {e.pk: e for e in mentees}
    pairs = [(mentors[m], mentees[e]) for m, e in wanted if m in mentors and e in mentees]
    if not pairs:
        messages.error(request, gettext("No pairs were ticked, so nothing was proposed."))
        return redirect("mentoring:pool", program.pk)
    created, refused = pool_approve(program=program, pairs=pairs, approved_by=request.user)
    messages.success(
        request,
        ngettext("%(count)d match created.", "%(count)d matches created.", len(created)) % {"count": len(created)},
    )
    for _, message in refused:
        messages.warning(request, message)
    return redirect("mentoring:match_list", program.pk)


@login_required
def matching_settings(request, pk):
    program = _program(request, pk)
    initial = {f"weight_{key}": weight.value for key, weight in effective_weights(program.matching_weights).items()}
    initial.update(
        match_requires_acceptance=program.match_requires_acceptance, first_contact_days=program.first_contact_days
    )
    form = MatchingSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        matching_settings_update(
            program=program,
            weights=form.weights(),
            match_requires_acceptance=form.cleaned_data["match_requires_acceptance"],
            first_contact_days=form.cleaned_data["first_contact_days"],
        )
        messages.success(request, gettext("Matching settings are saved. New suggestions use them."))
        return redirect("mentoring:matching_settings", program.pk)
    return render(request, "mentoring/matching_settings.html", {"program": program, "form": form})


# --- lists ---------------------------------------------------------------------------------------


@login_required
def match_list(request, pk):
    program = _program(request, pk)
    rows = program.matches.select_related("mentor__user", "mentee__user").order_by("-created_at")
    status = request.GET.get("status")
    if status in Match.Status.values:
        rows = rows.filter(status=status)
    no_contact = request.GET.get("no_contact") == "1"
    if no_contact:
        cutoff = timezone.now() - timedelta(days=program.first_contact_days)
        rows = rows.filter(status=Match.Status.ACTIVE, first_met_at__isnull=True, started_at__lte=cutoff)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(
        part for part in (f"status={status}" if status else "", "no_contact=1" if no_contact else "") if part
    )
    return render(
        request,
        "mentoring/match_list.html",
        {
            "program": program,
            "page": page,
            "status": status,
            "no_contact": no_contact,
            "statuses": Match.Status.choices,
            "query": query,
        },
    )


@login_required
def caseload(request, pk):
    program = _program(request, pk)
    rows = (
        mentors_with_room(program)
        .select_related("user")
        .annotate(active=Count("matches", filter=Q(matches__status=Match.Status.ACTIVE), distinct=True))
    )
    page = Paginator(rows.order_by("user__full_name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentoring/caseload.html", {"program": program, "page": page})


@login_required
def waiting(request, pk):
    program = _program(request, pk)
    # Longest wait first (since joining, or since their last match ended).
    rows = with_waiting_since(waiting_mentees(program)).select_related("user").order_by("waiting_since", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for mentee in page:
        mentee.days_waiting = days_waiting(mentee, now)
    return render(request, "mentoring/waiting.html", {"program": program, "page": page, "count": rows.count()})


# --- a mentee leaves the program, or comes back ---------------------------------------------------


@login_required
def mentee_exit_view(request, pk):
    """Record that a mentee left (graduated, moved, withdrew, lost contact):
    releases their match, meetings and seats (mentoring/endings.py)."""
    mentee = _coordinated_mentee(request, pk)
    if mentee.exited_on is not None:
        messages.info(
            request,
            gettext("%(mentee)s already left the program on %(day)s.")
            % {"mentee": mentee.user, "day": spoken_date(mentee.exited_on)},
        )
        return redirect(_roster(mentee))
    form = MenteeExitForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            mentee_exit(mentee=mentee, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                gettext("%(mentee)s has left the program. Their meetings and seats are released.")
                % {"mentee": mentee.user},
            )
            return redirect(_roster(mentee))
    open_match = mentee.matches.open().select_related("mentor__user").first()
    return render(request, "mentoring/mentee_exit.html", {"mentee": mentee, "form": form, "open_match": open_match})


@login_required
@require_POST
def mentee_reenter_view(request, pk):
    mentee = _coordinated_mentee(request, pk)
    try:
        mentee_reenter(mentee=mentee, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request, gettext("%(mentee)s takes part again and is back on the waiting list.") % {"mentee": mentee.user}
        )
    return redirect(_roster(mentee))


def _roster(mentee):
    return f"{reverse('programs:detail', args=[mentee.program_id])}?tab=mentees"


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- one match ---------------------------------------------------------------------------------------


def _visible_match(request, pk):
    return get_object_or_404(
        access.visible_matches(request.user).select_related("mentor__user", "mentee__user", "program", "closed_by"),
        pk=pk,
    )


def _managed_match(request, pk):
    """A match of a program the user coordinates (404 for everyone else)."""
    return get_object_or_404(
        access.managed_matches(request.user).select_related("mentor__user", "mentee__user", "program"), pk=pk
    )


@login_required
def match_detail(request, pk):
    match = _visible_match(request, pk)
    is_coordinator = access.can_manage_program(request.user, match.program)
    side = match.side_of(request.user)
    context = {
        "match": match,
        "is_coordinator": is_coordinator,
        "side": side,
        "my_response": getattr(match, f"{side}_response", None) if side else None,
        "surveys": match.surveys.all() if is_coordinator else match.surveys.filter(side=side),
        "close_form": CloseMatchForm() if is_coordinator else None,
        "sessions": match.sessions.order_by("-starts_at")[:SESSIONS_SHOWN],
        "session_count": match.sessions.filter(status=Session.Status.COMPLETED).count(),
        "can_log": access.may_log_sessions(request.user, match),
        # Phone and email: access.contact_visible_to (coordinators both people, the current
        # mentor the mentee if the mentee allows it); never one's own on this page.
        "contacts": [
            c
            for c in (contact_for(request.user, match.mentee.user), contact_for(request.user, match.mentor.user))
            if c is not None and c.person.pk != request.user.pk
        ],
        # A proposal: what the mentor chose to share, for the mentee deciding.
        "mentor_shared": mentor_shared_answers(match.mentor) if side == "mentee" and match.is_open else None,
    }
    if is_coordinator and match.status != Match.Status.DECLINED:
        mentors, mentees, ctx = load_pool(
            match.program,
            mentors=mentors_with_room(match.program).filter(pk=match.mentor_id),
            mentees=MenteeProfile.objects.filter(pk=match.mentee_id),
        )
        mentor = mentors[0]
        if match.is_open:
            # This match already holds one of the mentor's places.
            mentor = replace(mentor, capacity_left=mentor.capacity_left + 1)
        context["score"] = score_pair(mentor, mentees[0], ctx)
        context["can_invite_to_mentor"] = (
            match.close_reason == Match.CloseReason.GRADUATED
            and not MentorProfile.objects.filter(user=match.mentee.user, program=match.program).exists()
        )
    return render(request, "mentoring/match_detail.html", context)


@login_required
@require_POST
def respond(request, pk):
    match = _visible_match(request, pk)
    if match.side_of(request.user) is None:
        raise Http404
    accept = request.POST.get("answer") == "accept"
    try:
        match = match_respond(match=match, user=request.user, accept=accept)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _answer_message(match, request.user, accept))
    return redirect("mentoring:match_detail", match.pk)


def _answer_message(match, user, accept):
    if not accept:
        return gettext("You declined this match. Your coordinator will be in touch.")
    if match.status == Match.Status.ACTIVE:
        other = match.mentee.user if match.side_of(user) == "mentor" else match.mentor.user
        return gettext("You're matched with %(other)s. Your match has started.") % {"other": other}
    return gettext("Thank you, your answer is saved.")


@login_required
@require_POST
def move(request, pk):
    match = _managed_match(request, pk)
    action = request.POST.get("action")
    try:
        if action == "reopen":
            match_reopen(match=match)
        elif action in ("pause", "resume", "activate"):
            match_move(match=match, action=action)
        else:
            raise ValidationError(gettext("Unknown action."))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, gettext("The match is updated."))
    return redirect("mentoring:match_detail", match.pk)


@login_required
def close(request, pk):
    match = _managed_match(request, pk)
    form = CloseMatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            match_close(match=match, closed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("The match is closed. Both can now answer the short closing survey."))
            return redirect("mentoring:match_detail", match.pk)
    return render(request, "mentoring/match_close.html", {"match": match, "form": form})


@login_required
def survey(request, pk):
    match = _visible_match(request, pk)
    if match.side_of(request.user) is None:
        raise Http404
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_submit(match=match, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Thank you for your answers."))
            return redirect("mentoring:match_detail", match.pk)
    return render(request, "mentoring/match_survey.html", {"match": match, "form": form})


@login_required
@require_POST
def graduate(request, pk):
    match = _managed_match(request, pk)
    try:
        invitation, _ = graduation_invite(match=match, invited_by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            gettext("%(name)s is invited to start the mentor readiness path.") % {"name": invitation.full_name},
        )
    return redirect("mentoring:match_detail", match.pk)
