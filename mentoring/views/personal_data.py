"""A person's own data: see and download it (/me/data/); erasure by a coordinator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import access
from ..audit import audit_read
from ..forms import ErasureConfirmForm
from ..personal_data import ERASURE_PLAN, erasure_blockers, person_erase, personal_data_counts, personal_data_export


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """GET: what Waypoint holds about the signed-in person, table by table. POST (the
    Download button): the ZIP, never cached."""
    if request.method == "POST":
        archive = personal_data_export(person=request.user)
        # Downloads leave the app: recorded even for one's own data, so that a
        # stolen session downloading everything shows on "Who viewed my information".
        audit_read(request, subject=request.user, what="export")
        response = HttpResponse(archive, content_type="application/zip")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="waypoint-my-data-{stamp}.zip"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "mentoring/my_data.html", {"tables": personal_data_counts(person=request.user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_erase_view(request, pk):
    """Confirm and carry out an erasure: coordinators of the person's programs; 404 for anyone else."""
    person = get_object_or_404(access.coordinated_people(request.user), pk=pk)
    blockers = erasure_blockers(person=person, by=request.user)
    form = ErasureConfirmForm(request.POST or None, person=person)
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            erasure = person_erase(person=person, by=request.user)
        except ValidationError as error:
            blockers = error.messages
        else:
            messages.success(
                request, _("The details of person #%(number)s are erased.") % {"number": erasure.person_id}
            )
            return redirect("mentoring:home_coordinator")
    open_matches = access.visible_matches(request.user).open().filter(pk__in=access.match_ids_of(person))
    return render(
        request,
        "mentoring/person_erase.html",
        {
            "person": person,
            "form": form,
            "blockers": blockers,
            "plan": ERASURE_PLAN,
            "open_matches": open_matches.select_related("mentor__user", "mentee__user", "program"),
        },
        status=409 if request.method == "POST" and blockers else 200,
    )
