"""The read audit's two pages: the coordinators' trail of their programs,
and a person's own "who viewed my information"."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ..audit import label_viewer_roles, trail_for_programs, views_of
from ..forms import AuditFilterForm
from ..models import AccessEvent
from ..params import int_param
from .dashboard import programs_in_view
from .pages import PAGE_SIZE, require_role


def _day_start(day):
    """Midnight at the start of ``day`` in the viewer's zone (the middleware's), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
def trail(request):
    """Who was shown which record of the coordinator's programs, newest first.
    Filters (query string): ?program= (another coordinator's program: 404),
    ?person=<user id>, ?what=<code>, ?start= and ?end= (days, inclusive).
    A fixed number of queries per page whatever the size of the trail."""
    require_role(request, "coordinator")
    programs, chosen = programs_in_view(request)
    form = AuditFilterForm(request.GET)
    rows = trail_for_programs([chosen] if chosen else programs)
    person = int_param(request.GET.get("person"))
    if person is not None:
        rows = rows.filter(subject=person)
    if form.is_valid():
        data = form.cleaned_data
        if data["what"]:
            rows = rows.filter(what=data["what"])
        if data["start"]:
            rows = rows.filter(at__gte=_day_start(data["start"]))
        if data["end"]:
            rows = rows.filter(at__lt=_day_start(data["end"] + timedelta(days=1)))
    else:
        rows = AccessEvent.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentoring/audit_trail.html",
        {
            "programs": programs,
            "chosen": chosen,
            "form": form,
            "person": person,
            "page": page,
            "query": query.urlencode(),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@login_required
def who_viewed(request):
    """Who has been shown the signed-in person's information (any role):
    their name and relation to the person, what and when. Newest first, paged."""
    page = Paginator(views_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = label_viewer_roles(page.object_list, request.user)
    return render(request, "mentoring/who_viewed.html", {"page": page, "rows": rows})
