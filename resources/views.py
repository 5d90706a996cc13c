"""The directory, sharing and referrals, CSV import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from mentoring import access
from mentoring.audit import audit_read
from mentoring.choices import Language, labels
from mentoring.localized import localized
from mentoring.paging import page_of
from mentoring.params import int_param
from mentoring.phones import region_of
from mentoring.views import PAGE_SIZE

from .forms import ImportForm, ResourceForm, SearchForm, ShareForm
from .models import REVERIFY_AFTER, Resource, Share
from .search import text_search
from .selectors import referral_outcomes
from .services import (
    export_rows,
    import_rows,
    parse_csv,
    resource_approve,
    resource_archive,
    resource_create,
    resource_suggest,
    resource_verify,
    share_create,
    share_followup,
)

# What a row of the directory shows of a listing (resources/directory.html).
# With their Spanish versions (mentoring.localized): left out, each row read them
# one query at a time for a Spanish reader (75 queries for 16 listings).
# The category is shown by its label from the search form's category list (read for the select anyway).
DIRECTORY_ROW = (
    "name",
    "name_es",
    "is_crisis",
    "verified_on",
    "city",
    "program_id",
    "description",
    "description_es",
    "category_id",
)


@login_required
def directory(request):
    form = SearchForm(request.GET or None)
    rows = access.listed_resources(request.user)  # visible_resources' approved listings
    if form.is_valid():
        data = form.cleaned_data
        if data["category"]:
            category = data["category"]
            rows = rows.filter(Q(category=category) | Q(category__parent=category))
        if data["language"]:
            # The JSON text holds each code in quotes on both databases.
            rows = rows.filter(languages__icontains=f'"{data["language"]}"')
        if data["city"]:
            rows = rows.filter(city__iexact=data["city"].strip())
        rows = text_search(rows, data["q"])
    # Only the columns a row shows (issue 18: every column of the listing and its program cost more than the search).
    rows = rows.only(*DIRECTORY_ROW)
    page = page_of(rows, request.GET.get("page"), per_page=PAGE_SIZE)
    # Each row's category as the form's list labels it ("Parent › Name" in the reader's language,
    # Category.__str__): the list the select shows, read once, instead of joining the category and
    # its parent into the search and labelling each row (issue 18 s6b).
    labels = dict(form.category_choices())
    for resource in page.object_list:
        resource.category_label = labels.get(resource.category_id, "")
    query = request.GET.copy()
    query.pop("page", None)
    # The programs the person coordinates (the page links to the first one's
    # import/export) with their suggestions waiting for review, in one query: the
    # suggestions of managed_resources(), counted per program.
    waiting_q = Q(resources__status=Resource.Status.SUGGESTED)
    programs = list(
        access.coordinated_programs(request.user)
        .annotate(waiting=Count("resources", filter=waiting_q))
        .only("pk")
        .order_by("name")  # Meta.ordering is not applied to a grouped query
    )
    return render(
        request,
        "resources/directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "coordinated": programs,
            "waiting": sum(program.waiting for program in programs),
            "stale_before": timezone.localdate() - REVERIFY_AFTER,
        },
    )


def _shareable_mentees(user):
    """Mentees the user may share with: their current mentees, or everyone in
    the programs they coordinate (the mentee profiles they may see, but their own)."""
    return access.visible_mentee_profiles(user).exclude(user=user).select_related("user", "program")


@login_required
def resource_detail(request, pk):
    resource = get_object_or_404(access.visible_resources(request.user).select_related("category__parent"), pk=pk)
    mentees = _shareable_mentees(request.user).filter(Q(program=resource.program_id) if resource.program_id else Q())
    session = _session_context(request)
    form = ShareForm(
        request.POST or None,
        mentees=mentees,
        initial={"mentee": session.match.mentee_id if session else None},
        region=lambda: region_of(request.user),  # read only when a typed number is matched
        # Email and phone match only where the viewer sees them: their programs' mentees as a coordinator.
        contact=Q(pk__in=access.managed_mentee_profiles(request.user).values("pk")),
    )
    if request.method == "POST" and form.is_valid():
        try:
            share = share_create(resource=resource, by=request.user, session=session, **form.share_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Shared with %(person)s.") % {"person": share.mentee.user})
            if session:
                return redirect("peer_sessions:session_detail", session.pk)
            return redirect("resources:detail", resource.pk)
    return render(
        request,
        "resources/resource_detail.html",
        {
            "resource": resource,
            # The languages' names (in the reader's language), not their codes.
            "languages": labels(Language.choices, resource.languages),
            "share_form": form if mentees.exists() and resource.status == Resource.Status.APPROVED else None,
            "session": session,
            "can_manage": access.managed_resources(request.user).filter(pk=resource.pk).exists(),
        },
    )


def _session_context(request):
    """The session a share is made from (?session=pk), if the user may log it."""
    pk = int_param(request.GET.get("session") or request.POST.get("session"))
    if pk is None:
        return None
    session = access.visible_sessions(request.user).select_related("match").filter(pk=pk).first()
    if session is None or not access.can_see_private_notes(request.user, session):
        return None
    return session


def _program_for_new(request, coordinator_only):
    programs = access.coordinated_programs(request.user) if coordinator_only else access.member_programs(request.user)
    wanted = int_param(request.GET.get("program") or request.POST.get("program"))
    program = programs.filter(pk=wanted).first() if wanted else None
    return program or programs.first()


@login_required
def resource_new(request):
    """Coordinators add a listing to their program; mentors suggest one."""
    coordinating = access.coordinated_programs(request.user).exists()
    program = _program_for_new(request, coordinator_only=coordinating)
    if program is None or not (coordinating or "mentor" in access.roles_of(request.user)):
        raise Http404
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if coordinating:
            resource = resource_create(program=program, by=request.user, **form.cleaned_data)
            messages.success(request, gettext("“%(name)s” is listed.") % {"name": localized(resource, "name")})
        else:
            resource = resource_suggest(program=program, by=request.user, **form.cleaned_data)
            messages.success(request, gettext("Thank you. A coordinator will check the listing before it appears."))
        return redirect("resources:detail", resource.pk)
    return render(
        request, "resources/resource_form.html", {"form": form, "program": program, "suggesting": not coordinating}
    )


@login_required
def resource_edit(request, pk):
    resource = get_object_or_404(access.managed_resources(request.user), pk=pk)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("The listing is saved."))
        return redirect("resources:detail", resource.pk)
    return render(
        request, "resources/resource_form.html", {"form": form, "resource": resource, "program": resource.program}
    )


@login_required
@require_POST
def resource_action(request, pk):
    resource = get_object_or_404(access.managed_resources(request.user), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "verify":
            resource_verify(resource=resource, by=request.user)
            messages.success(request, gettext("Marked as verified today."))
        elif action == "approve":
            resource_approve(resource=resource, by=request.user)
            messages.success(request, gettext("The suggestion is approved and listed."))
        elif action == "archive":
            resource_archive(resource=resource)
            messages.success(request, gettext("The listing is archived."))
            return redirect("resources:directory")
        else:
            raise ValidationError(gettext("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("resources:detail", resource.pk)


@login_required
def review(request):
    """Suggestions waiting and listings due for re-verification."""
    managed = access.managed_resources(request.user)
    if not access.coordinated_programs(request.user).exists():
        raise Http404
    stale_before = timezone.localdate() - REVERIFY_AFTER
    return render(
        request,
        "resources/review.html",
        {
            "outcomes": [
                (program, referral_outcomes(program)) for program in access.coordinated_programs(request.user)
            ],
            "suggested": managed.filter(status=Resource.Status.SUGGESTED).select_related("suggested_by")[:100],
            "stale": managed.filter(status=Resource.Status.APPROVED)
            .filter(Q(verified_on__isnull=True) | Q(verified_on__lt=stale_before))
            .order_by("verified_on")[:100],
        },
    )


# --- mentees' resources ----------------------------------------------------------------------------


@login_required
def my_resources(request):
    shares = (
        Share.objects.filter(mentee__user=request.user)
        .select_related("resource__category", "shared_by")
        .order_by("-created_at")
    )
    page = Paginator(shares, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "resources/my_resources.html", {"page": page, "answers": Share.FollowUp.choices})


@login_required
@require_POST
def followup(request, pk):
    share = get_object_or_404(access.visible_shares(request.user), pk=pk)
    try:
        share_followup(share=share, by=request.user, answer=request.POST.get("answer", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Thanks for letting us know."))
    return redirect("resources:mine")


# --- CSV -----------------------------------------------------------------------------------------------------


@login_required
def csv_import(request, pk):
    """Validate every row first; nothing is imported while a row has errors,
    unless the coordinator chooses to import only the valid rows."""
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        valid, errors = parse_csv(form.cleaned_data["content"], program=program)
        import_valid = request.POST.get("import_valid") == "1"
        if valid and (not errors or import_valid):
            result = import_rows(program=program, rows=valid, by=request.user)
            message = result.summary()
            if errors:
                message += " " + ngettext(
                    "%(count)s row with errors was skipped.", "%(count)s rows with errors were skipped.", len(errors)
                ) % {"count": len(errors)}
            messages.success(request, message)
            return redirect("resources:directory")
        report = {"valid": len(valid), "errors": errors, "content": form.cleaned_data["content"]}
    return render(request, "resources/import.html", {"program": program, "form": form, "report": report})


@login_required
def csv_export(request, pk):
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    resources = Resource.objects.filter(Q(program=program) | Q(program__isnull=True), status=Resource.Status.APPROVED)
    audit_read(request, subject=None, what="resource_export", program=program)
    response = StreamingHttpResponse(export_rows(resources.order_by("name")), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resources-{program.slug}.csv"'
    return response
