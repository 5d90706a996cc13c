"""Goals, check-ins, safety alerts, recovery capital and the progress page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring import access
from mentoring.audit import audit_read
from mentoring.contact import contact_for
from mentoring.forms import add_service_error
from mentoring.models import MenteeProfile
from mentoring.params import int_param
from mentoring.phones import phone_display
from mentoring.views import PAGE_SIZE
from sessions.selectors import toolkit

from .charts import Series, line_chart
from .forms import AcknowledgeForm, AssessmentForm, CheckInForm, CommentForm, GoalForm
from .models import Category, CheckInComment, Goal, GoalProgress, Milestone, SafetyAlert
from .selectors import (
    adherence_for,
    assessment_due,
    checkin_due,
    in_list_order,
    instrument_for,
    lowest_domains,
    mood_series,
    progress_by_goal,
    progress_series,
    recent_status,
)
from .services import (
    alert_acknowledge,
    assessment_submit,
    checkin_comment,
    checkin_submit,
    goal_answer_suggestion,
    goal_create,
    goal_set_status,
    milestone_set_done,
    safety_alert_raise,
)

GOAL_COLORS = ["#0b5d6b", "#b35c00", "#5c4d7d", "#2d6a2e"]


def _mentee(request, pk):
    return get_object_or_404(access.visible_mentee_profiles(request.user).select_related("user", "program"), pk=pk)


def _own_mentee(request):
    """The signed-in person's mentee profile (?mentee=pk when they have several)."""
    profiles = MenteeProfile.objects.filter(user=request.user).select_related("program", "user")
    wanted = int_param(request.GET.get("mentee") or request.POST.get("mentee"))
    profile = profiles.filter(pk=wanted).first() if wanted is not None else profiles.first()
    if profile is None:
        raise Http404
    return profile


# --- goals -----------------------------------------------------------------------------------------


@login_required
def mentee_goals(request, pk):
    mentee = _mentee(request, pk)
    goals = in_list_order(access.visible_goals(request.user).filter(mentee=mentee).prefetch_related("milestones"))
    rates = adherence_for(goals, mentee)
    for goal in goals:
        goal.adherence = rates[goal.pk]
    is_self = mentee.user_id == request.user.pk
    can_suggest = access.is_current_mentor_of(request.user, mentee)
    audit_read(request, subject=mentee.user, what="goals", obj=mentee, program=mentee.program)
    return render(
        request,
        "goals/mentee_goals.html",
        {"mentee": mentee, "goals": goals, "is_self": is_self, "can_add": is_self or can_suggest},
    )


@login_required
def goal_new(request, pk):
    mentee = _mentee(request, pk)
    suggesting = mentee.user_id != request.user.pk
    initial = {"category": request.GET.get("category")} if request.GET.get("category") in Category.values else {}
    initial["cadence"] = mentee.program.checkin_cadence
    form = GoalForm(request.POST or None, suggesting=suggesting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_create(mentee=mentee, by=request.user, milestones=form.milestones(), **form.goal_fields())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if suggesting:
                text = _("Your suggestion is waiting for %(name)s to accept.") % {"name": mentee.user}
            else:
                text = _("Your goal is set.")
            messages.success(request, text)
            return redirect("goals:detail", goal.pk)
    return render(request, "goals/goal_form.html", {"mentee": mentee, "form": form, "suggesting": suggesting})


def _visible_goal(request, pk):
    return get_object_or_404(access.visible_goals(request.user).select_related("mentee__user", "suggested_by"), pk=pk)


@login_required
def goal_detail(request, pk):
    goal = _visible_goal(request, pk)
    progress = progress_series(goal)
    chart = line_chart(
        _("Progress on %(goal)s") % {"goal": goal.title}, [Series(_("Progress %"), progress, 0, 100, "#0b5d6b")]
    )
    audit_read(request, subject=goal.mentee.user, what="goal", obj=goal, program=goal.mentee.program_id)
    return render(
        request,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "milestones": goal.milestones.all(),
            "adherence": adherence_for([goal], goal.mentee)[goal.pk],
            "is_self": goal.mentee.user_id == request.user.pk,
            "chart": chart,
            "statuses": [s for s in Goal.Status if s != Goal.Status.SUGGESTED and s != goal.status],
        },
    )


@login_required
@require_POST
def goal_action(request, pk):
    goal = _visible_goal(request, pk)
    action = request.POST.get("action")
    try:
        if action in ("accept", "decline"):
            goal_answer_suggestion(goal=goal, by=request.user, accept=action == "accept")
        elif action in Goal.Status.values:
            goal_set_status(goal=goal, by=request.user, status=action)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The goal is updated."))
    return redirect("goals:detail", goal.pk)


@login_required
@require_POST
def milestone_toggle(request, pk):
    milestone = get_object_or_404(
        Milestone.objects.filter(goal__in=access.visible_goals(request.user)).select_related("goal__mentee__user"),
        pk=pk,
    )
    try:
        milestone_set_done(milestone=milestone, by=request.user, done=milestone.done_at is None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.headers.get("HX-Request"):
        return render(request, "goals/includes/milestone.html", {"milestone": milestone, "is_self": True})
    return redirect("goals:detail", milestone.goal_id)


# --- check-ins ------------------------------------------------------------------------------------------


@login_required
def checkin(request):
    """The mentee's quick check-in. A call for help, a strong craving or a
    falling mood goes straight to the crisis page and alerts the team."""
    mentee = _own_mentee(request)
    goals = mentee.goals.filter(status=Goal.Status.ACTIVE).prefetch_related("milestones")
    form = CheckInForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["mood"] is None:
            # "I need help now" on its own: nothing else is asked for.
            safety_alert_raise(mentee=mentee, reasons=[SafetyAlert.Kind.HELP_NOW], source=SafetyAlert.Source.CHECKIN)
            return redirect(reverse("mentoring:crisis") + f"?from=checkin&mentee={mentee.pk}")
        entry, alerts = checkin_submit(
            mentee=mentee, progress=form.progress(), milestones_done=form.milestones_done(), **form.answers()
        )
        if alerts:
            return redirect(reverse("mentoring:crisis") + f"?from=checkin&mentee={mentee.pk}")
        messages.success(request, _thanks(entry, mentee))
        return redirect("mentoring:home_mentee")
    return render(request, "goals/checkin.html", {"mentee": mentee, "form": form})


def _thanks(entry, mentee):
    goals = list(mentee.goals.filter(status=Goal.Status.ACTIVE))
    # Only the recent check-ins: a POST must not slow down as the history grows.
    best = max((streak for streak, _ in recent_status(goals, mentee).values()), default=0)
    parts = [_("Thanks for checking in.")]
    if best > 1:
        parts.append(_("That's %(count)d in a row — keep it going!") % {"count": best})
    if entry.wants_to_talk:
        parts.append(_("Your mentor will see that you'd like to talk."))
    return " ".join(parts)


@login_required
def checkin_list(request, pk):
    mentee = _mentee(request, pk)
    visible = access.visible_goals(request.user).filter(mentee=mentee)
    entries = (
        access.visible_checkins(request.user)
        .filter(mentee=mentee)
        .prefetch_related(
            # Progress on a private goal stays hidden from the mentor here too.
            Prefetch("goal_progress", queryset=GoalProgress.objects.filter(goal__in=visible).select_related("goal")),
            Prefetch("comments", queryset=CheckInComment.objects.select_related("author")),
        )
        .order_by("-created_at")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    can_answer = mentee.user_id != request.user.pk
    audit_read(request, subject=mentee.user, what="checkins", obj=mentee, program=mentee.program)
    return render(
        request,
        "goals/checkin_list.html",
        {"mentee": mentee, "page": page, "can_answer": can_answer, "comment_form": CommentForm()},
    )


@login_required
@require_POST
def checkin_comment_view(request, pk):
    entry = get_object_or_404(access.visible_checkins(request.user), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            checkin_comment(checkin=entry, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your answer is posted; your mentee will see it."))
    else:
        messages.error(request, _("Write a few words before sending."))
    return redirect("goals:checkins", entry.mentee_id)


# --- safety alerts ---------------------------------------------------------------------------------------


@login_required
def alert_list(request):
    alerts = access.visible_alerts(request.user).select_related("mentee__user", "mentee__program", "acknowledged_by")
    page = Paginator(alerts.open_first(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "goals/alert_list.html", {"page": page})


@login_required
def alert_acknowledge_view(request, pk):
    alert = get_object_or_404(
        access.visible_alerts(request.user).select_related("mentee__user", "mentee__program", "checkin"), pk=pk
    )
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_acknowledge(alert=alert, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The alert is acknowledged."))
            return redirect("goals:alerts")
    audit_read(request, subject=alert.mentee.user, what="alert", obj=alert, program=alert.mentee.program_id)
    mentee = alert.mentee
    recent = access.visible_checkins(request.user).filter(mentee=mentee).order_by("-created_at", "-pk")[:5]
    context = {
        "alert": alert,
        "form": form,
        # Phone and email: access.contact_visible_to (coordinators; the current mentor
        # unless the mentee turned that off). A help-now tap asks to be reached:
        # call and text links whatever the okay-to-call/text (those are about the program).
        "contact": contact_for(request.user, mentee.user),
        "emergency_phone": phone_display(mentee.emergency_contact_phone, region=mentee.program.phone_region),
        # The emergency contact is for the program team, not the mentor.
        "show_emergency_contact": access.can_manage_program(request.user, mentee.program_id),
        "recent_checkins": recent,
    }
    return render(request, "goals/alert_acknowledge.html", context)


@login_required
def alert_live(request):
    """The staff banner, polled by htmx every 10 s from every page: the open
    alerts this person may see (their current mentees', their programs'),
    newest first, at most 5. Blank (200, empty body, so htmx clears an old
    banner) when there is none or the person is not a mentor/coordinator.
    Reads only; no audit row (it is polled, and shows only a first name)."""
    roles = access.roles_of(request.user)
    if "mentor" not in roles and "coordinator" not in roles:
        return HttpResponse("")
    alerts = list(
        access.visible_alerts(request.user).open().select_related("mentee__user").order_by("-created_at", "-pk")[:5]
    )
    if not alerts:
        return HttpResponse("")
    return render(request, "goals/includes/alert_live.html", {"live_alerts": alerts})


@login_required
@require_POST
def help_now(request):
    """The one-tap "Let my mentor/the program team know now" on the crisis
    page: raise (or join) the mentee's open help-now alert and show, on the
    crisis page, who was told and how. Not a mentee: 404."""
    mentee = _own_mentee(request)
    safety_alert_raise(mentee=mentee, reasons=[SafetyAlert.Kind.HELP_NOW], source=SafetyAlert.Source.TAP)
    return redirect(reverse("mentoring:crisis") + f"?mentee={mentee.pk}")


@login_required
def assessment(request):
    mentee = _own_mentee(request)
    instrument = instrument_for(mentee.program)
    if instrument is None:  # no default instrument (its data migration was undone): nothing to answer
        messages.info(request, _("There is no life check to answer yet."))
        return redirect("goals:progress", mentee.pk)
    form = AssessmentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_submit(mentee=mentee, instrument=instrument, answers=form.answers())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Thank you. Your answers are saved; see how things change on your progress page.")
            )
            return redirect("goals:progress", mentee.pk)
    return render(request, "goals/assessment.html", {"mentee": mentee, "instrument": instrument, "form": form})


@login_required
def progress(request, pk):
    """The mentee's progress: goals, mood and cravings over time, recovery
    capital, and the skills practised with their mentor."""
    mentee = _mentee(request, pk)
    goals = in_list_order(access.visible_goals(request.user).filter(mentee=mentee).prefetch_related("milestones"))
    rates = adherence_for(goals, mentee)
    for goal in goals:
        goal.adherence = rates[goal.pk]
    series = mood_series(mentee)
    mood_chart = line_chart(
        _("Mood and cravings over the last 90 days"),
        [
            Series(_("Mood (1–5)"), [(t, m) for t, m, _ in series], 1, 5, "#0b5d6b"),
            Series(_("Cravings (0–10)"), [(t, c) for t, _, c in series], 0, 10, "#a4161a"),
        ],
    )
    active = [goal for goal in goals if goal.status == Goal.Status.ACTIVE][: len(GOAL_COLORS)]
    by_goal = progress_by_goal(active)
    goals_chart = line_chart(
        _("Progress on active goals"),
        [
            Series(goal.title[:24], by_goal[goal.pk], 0, 100, color)
            for goal, color in zip(active, GOAL_COLORS, strict=False)
        ],
    )
    assessments = list(access.visible_assessments(request.user).filter(mentee=mentee).order_by("taken_at"))
    capital_chart = line_chart(
        _("Recovery capital score"),
        [Series(_("Score (0–100)"), [(a.taken_at, a.score) for a in assessments], 0, 100, "#5c4d7d")],
    )
    latest = assessments[-1] if assessments else None
    instrument = instrument_for(mentee.program)
    audit_read(request, subject=mentee.user, what="progress", obj=mentee, program=mentee.program)
    return render(
        request,
        "goals/progress.html",
        {
            "mentee": mentee,
            "is_self": mentee.user_id == request.user.pk,
            "goals": goals,
            "mood_chart": mood_chart,
            "goals_chart": goals_chart,
            "recent": series[-10:][::-1],
            "capital_chart": capital_chart,
            "assessments": assessments[::-1],
            "latest": latest,
            "suggested_categories": [Category(d) for d in lowest_domains(latest)] if latest else [],
            "below_threshold": latest is not None and latest.score < latest.instrument.threshold,
            "assessment_due": assessment_due(mentee, instrument),
            "toolkit": toolkit(mentee),
            "checkin_due": checkin_due(mentee) if mentee.user_id == request.user.pk else False,
        },
    )
