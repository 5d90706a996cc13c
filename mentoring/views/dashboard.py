"""The coordinator's home (key figures) and the needs-attention list."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from goals.charts import bar_chart

from .. import access
from ..insights import attention, snapshots
from ..insights.checklist import setup_checklist
from ..insights.dashboard import recent_alerts, total
from ..insights.reports import localize_table, sessions_table
from ..params import int_param
from ..services import setup_checklist_dismiss
from .pages import PAGE_SIZE, require_role

ATTENTION_PREVIEW = 5


def programs_in_view(request):
    """(all programs the coordinator runs, the one chosen with ?program= or None).
    A program of someone else is a 404, like any row outside the access policy."""
    programs = access.coordinated_programs(request.user).order_by("name")
    chosen_pk = int_param(request.GET.get("program"))
    chosen = get_object_or_404(programs, pk=chosen_pk) if request.GET.get("program") else None
    return programs, chosen


@login_required
def home_coordinator(request):
    require_role(request, "coordinator")
    programs, chosen = programs_in_view(request)
    if chosen is None and len(programs) == 1:
        chosen = programs[0]  # one program: its own page, with its links
    in_view = [chosen] if chosen else list(programs)
    # Aggregates come from the snapshot (beat, every minute); open alerts are live.
    figures, month_rows, figures_at = snapshots.figures_of(in_view)
    per_program = [(program, figures[program.pk]) for program in in_view]
    overall = total(figures.values())
    # The chart is the sessions report's, over the last six months.
    with translation.override("en"):
        months = sessions_table(month_rows)
    months = localize_table(months)
    chart = bar_chart(_("Meetings held and hours, last six months"), *months.chart_data())
    signals, signals_at, stored_signals = snapshots.attention_preview(in_view, limit=ATTENTION_PREVIEW)
    alerts = list(recent_alerts(access.coordinated_alerts(request.user, in_view), programs=in_view))
    # "Open <program>" under the figures for each program: the sentence translated once and the
    # addresses built here (per program in the template: 1.5 ms of the home with 40 programs).
    open_label = _("Open %(name)s")
    program_links = [
        (reverse("programs:detail", args=[program.pk]), open_label % {"name": program.name})
        for program in (programs if chosen is None else [])
    ]
    pending_invitations = access.visible_invitations(request.user).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )
    return render(
        request,
        "mentoring/home_coordinator.html",
        {
            "programs": programs,
            "chosen": chosen,
            "program_links": program_links,
            "per_program": per_program,
            "overall": overall,
            "figures_age": snapshots.seconds_ago(figures_at),
            "months": months.rows,
            "chart": chart,
            "alerts": alerts,
            "acknowledged_alerts": [alert for alert in alerts if not alert.is_open],
            "attention": attention.load(signals),
            # The live alerts already counted above plus the stored rows as counted when
            # stored (read with the snapshots' times): no union, no query of its own.
            "attention_count": overall.open_alerts + stored_signals,
            "attention_age": snapshots.seconds_ago(signals_at),
            "pending_invitations": pending_invitations.count(),
            "checklist": setup_checklist(request.user),
        },
    )


@login_required
@require_POST
def checklist_dismiss(request):
    """ "Hide this checklist" on the coordinator home (stored per person)."""
    require_role(request, "coordinator")
    setup_checklist_dismiss(user=request.user)
    return redirect("mentoring:home_coordinator")


@login_required
def needs_attention(request):
    require_role(request, "coordinator")
    programs, chosen = programs_in_view(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in attention.KINDS else None
    rows, computed_at = snapshots.attention_of([chosen] if chosen else list(programs), kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentoring/attention.html",
        {
            "programs": programs,
            "chosen": chosen,
            "kind": kind,
            "kinds": attention.KINDS,
            "page": page,
            "items": attention.load(page.object_list),
            "query": query.urlencode(),
            "attention_age": snapshots.seconds_ago(computed_at),
        },
    )
