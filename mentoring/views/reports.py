"""Reports: filters, a chart and a table per report, streamed CSV exports."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from goals.charts import bar_chart

from .. import access
from ..audit import audit_read
from ..csv_stream import csv_chunks
from ..forms import ReportFilterForm, is_id, mentors_matching
from ..insights.reports import REPORTS, Scope, last_months, localize_table
from ..insights.snapshots import report_table_of, seconds_ago
from ..models import MentorProfile
from ..services import report_export_record
from .dashboard import programs_in_view
from .pages import require_role

DEFAULT_MONTHS = 6


def _filters(request):
    """(form, Scope or None): the query string read through the coordinator's programs."""
    programs, _ = programs_in_view(request)  # 404 for a program of someone else
    mentors = MentorProfile.objects.filter(program__in=programs)
    start, end = last_months(DEFAULT_MONTHS)
    data = {"start": start.isoformat(), "end": end.isoformat(), **request.GET.dict()}
    form = ReportFilterForm(data, programs=programs, mentors=mentors)
    if not form.is_valid():
        return form, None
    chosen = form.cleaned_data["program"]
    program_ids = [chosen.pk] if chosen else list(programs.values_list("pk", flat=True))
    scope = Scope(program_ids, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["mentor"])
    return form, scope


def _query(form, request, **changes):
    """The report's query string: the valid filters as the form read them (the
    chosen mentor as an id, never the typed name), else what was sent; with
    ``changes`` applied (an empty value leaves the key out)."""
    if form.is_bound and not form.errors:
        data = form.cleaned_data
        values = {
            "program": data["program"].pk if data["program"] else "",
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "mentor": data["mentor"].pk if data["mentor"] else "",
        }
    else:
        values = request.GET.dict()
    return urlencode({key: value for key, value in {**values, **changes}.items() if value != ""})


def _mentor_choices(request, mentors):
    """[(mentor, query string of the report filtered by them)]: the program and
    dates sent are kept, the typed text is not."""
    keep = {key: request.GET.get(key, "") for key in ("program", "start", "end")}
    keep = {key: value for key, value in keep.items() if value}
    return [(mentor, urlencode({**keep, "mentor": mentor.pk})) for mentor in mentors]


def _chosen_mentor(form):
    """The mentor the filters name (a MentorProfile of the coordinator's programs), or None."""
    mentor = getattr(form, "cleaned_data", {}).get("mentor")
    return mentor if isinstance(mentor, MentorProfile) else None


def _report(slug):
    if slug not in REPORTS:
        raise Http404
    return REPORTS[slug]


@login_required
def report_list(request):
    require_role(request, "coordinator")
    # Exports of one of my programs, and my own "all programs" exports.
    recent = access.visible_report_exports(request.user).select_related("user", "program")[:10]
    for export in recent:
        export.report_title = REPORTS[export.report].title if export.report in REPORTS else export.report
    return render(request, "mentoring/report_list.html", {"reports": REPORTS.values(), "exports": recent})


@login_required
def report(request, slug):
    require_role(request, "coordinator")
    chosen = _report(slug)
    form, scope = _filters(request)
    table = chart = updated_age = None
    if scope is not None:
        stored = report_table_of(slug, scope)  # the default view, stored by beat
        if stored:
            table, updated_at = stored
        else:
            table = chosen.table(scope)
            updated_at = scope.updated[0]  # figures of this month or week read from the rollups
        updated_age = seconds_ago(updated_at)
        table = localize_table(table, labels=chosen.label_column)  # built in English, shown in the reader's
        labels, series = table.chart_data()
        chart = bar_chart(chosen.title, labels, series)
    return render(
        request,
        "mentoring/report.html",
        {
            "report": chosen,
            "reports": REPORTS.values(),
            "form": form,
            "table": table,
            "chart": chart,
            "updated_age": updated_age,
            "query": _query(form, request),
            "all_mentors_query": _query(form, request, mentor=""),
            "chosen_mentor": _chosen_mentor(form),
            "mentor_choices": _mentor_choices(request, form.mentor_matches),
        },
    )


@login_required
def report_mentors(request, slug):
    """``/reports/<slug>/mentors/?mentor_q=…`` (htmx, as the coordinator types in
    the report's mentor field): at most ReportFilterForm.MENTOR_MATCHES mentors
    of their programs (of the chosen program, if one is chosen) whose name
    contains the text or whose id it is, each a link to the report filtered by
    that mentor with the other filters kept. A list of names: no read audit."""
    require_role(request, "coordinator")
    chosen = _report(slug)
    programs, _ = programs_in_view(request)
    program = request.GET.get("program", "")
    if program:
        programs = programs.filter(pk=int(program)) if is_id(program) else programs.none()
    typed = " ".join(request.GET.get("mentor_q", "").split())[:100]
    rows = []
    if typed:
        found = mentors_matching(MentorProfile.objects.filter(program__in=programs), typed)
        rows = list(found[: ReportFilterForm.MENTOR_MATCHES + 1])
    choices = _mentor_choices(request, rows[: ReportFilterForm.MENTOR_MATCHES])
    return render(
        request,
        "mentoring/includes/report_mentor_matches.html",
        {"report": chosen, "choices": choices, "more": len(rows) > ReportFilterForm.MENTOR_MATCHES, "typed": typed},
    )


@login_required
def report_export(request, slug):
    require_role(request, "coordinator")
    chosen = _report(slug)
    form, scope = _filters(request)
    if scope is None:
        return render(
            request,
            "mentoring/report.html",
            {"report": chosen, "reports": REPORTS.values(), "form": form},
            status=400,
        )
    mentor = form.cleaned_data["mentor"]
    export = report_export_record(
        user=request.user,
        report=slug,
        program=form.cleaned_data["program"],
        mentor=mentor,
        start=scope.start,
        end=scope.end,
    )
    # The read audit links to this row (its filters). A mentor filter makes it
    # about that mentor (in their program); otherwise one row per program exported.
    audit_read(
        request,
        subject=mentor.user_id if mentor else None,
        what="report_export",
        obj=export,
        program=mentor.program_id if mentor else scope.programs,
    )
    header, rows = chosen.export(scope)
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    filename = f"waypoint-{slug}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
