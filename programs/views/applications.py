"""Public application forms and the coordinators' review queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from mentoring import access
from mentoring.audit import audit_read
from mentoring.client_address import client_network
from mentoring.params import int_param
from mentoring.views import PAGE_SIZE

from ..forms import APPLICATION_FORMS, ApplicationFilterForm, DecisionForm, NoteForm, answers_for_display
from ..models import Application, PolicyDocument, Program
from ..public import APPLY_PAGE_STORIES, published_stories
from ..readiness import current_document
from ..selectors import repeats_of, with_repeat_count
from ..services import (
    application_decide,
    application_merge,
    application_note_add,
    application_submit,
    source_fingerprint,
)


def _open_programs():
    return Program.objects.filter(status=Program.Status.ACTIVE)


def apply(request, kind):
    if kind not in APPLICATION_FORMS:
        raise Http404
    programs = _open_programs()
    slug = request.GET.get("program") or request.POST.get("program")
    program = programs.filter(slug=slug).first() if slug else None
    if program is None:
        if len(programs) != 1:
            # No choice to make for the visitor when only one program is open.
            return render(
                request,
                "programs/apply_choose.html",
                {
                    "kind": Application.Kind(kind),
                    "programs": programs,
                    "stories": published_stories().select_related("program")[:APPLY_PAGE_STORIES],
                },
            )
        program = programs[0]
    form = APPLICATION_FORMS[kind](request.POST or None)
    form.set_program(program)
    form.phone_region(program)
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            return redirect("programs:apply_thanks")  # say nothing to the bot, save nothing
        try:
            application_submit(
                program=program,
                kind=kind,
                contact=form.contact(),
                details=form.details(),
                experience_areas=form.experience_areas(),
                source_hash=source_fingerprint(client_network(request)),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("programs:apply_thanks")
    return render(
        request,
        "programs/apply_form.html",
        {
            "kind": Application.Kind(kind),
            "program": program,
            "form": form,
            "privacy_notice": current_document(program, PolicyDocument.Kind.PRIVACY),
            "stories": (
                published_stories(program).select_related("program")[:APPLY_PAGE_STORIES]
                if program.public_page_enabled
                else []
            ),
        },
    )


def apply_thanks(request):
    return render(request, "programs/apply_thanks.html")


@login_required
def application_list(request, pk):
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    filters = ApplicationFilterForm(request.GET or None)
    rows = with_repeat_count(access.visible_applications(request.user).filter(program=program))
    if filters.is_valid():
        data = filters.cleaned_data
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["q"]:
            rows = rows.filter(Q(full_name__icontains=data["q"]) | Q(email__icontains=data["q"]))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/application_list.html",
        {"program": program, "filters": filters, "page": page, "query": query.urlencode()},
    )


@login_required
def application_detail(request, pk):
    application = get_object_or_404(
        access.visible_applications(request.user).select_related("program", "decided_by", "person", "privacy_notice"),
        pk=pk,
    )
    action = request.POST.get("action") if request.method == "POST" else None
    decision_form = DecisionForm(request.POST if action == "decide" else None)
    note_form = NoteForm(request.POST if action == "note" else None)
    if action == "decide" and decision_form.is_valid():
        try:
            decided = application_decide(application=application, decided_by=request.user, **decision_form.cleaned_data)
        except ValidationError as error:
            decision_form.add_error(None, error)
        else:
            messages.success(request, _decision_message(decided))
            return redirect("programs:application_detail", application.pk)
    if action == "merge":
        repeat = repeats_of(application).filter(pk=int_param(request.POST.get("repeat"))).first()
        try:
            if repeat is None:
                raise ValidationError(gettext("Choose one of the repeat applications listed."))
            application_merge(duplicate=repeat, into=application, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, gettext("Application #%(number)s is merged into this one.") % {"number": repeat.pk}
            )
        return redirect("programs:application_detail", application.pk)
    if action == "note" and note_form.is_valid():
        application_note_add(application=application, author=request.user, body=note_form.cleaned_data["body"])
        messages.success(request, gettext("Your note is added."))
        return redirect("programs:application_detail", application.pk)
    audit_read(
        request, subject=application.person_id, what="application", obj=application, program=application.program_id
    )
    return render(
        request,
        "programs/application_detail.html",
        {
            "application": application,
            "notes": application.notes.select_related("author"),
            "areas": application.experience_areas.all(),
            "answers": answers_for_display(application),
            "repeats": repeats_of(application),
            "decision_form": decision_form,
            "note_form": note_form,
        },
    )


def _decision_message(application):
    name = application.full_name
    if application.status != Application.Status.ACCEPTED:
        if application.status == Application.Status.WAITLISTED:
            return gettext("%(name)s is waitlisted.") % {"name": name}
        return gettext("%(name)s is declined.") % {"name": name}
    # The same words whether or not the email already had an account: a
    # coordinator learns nothing about other programs' people.
    return gettext("%(name)s is accepted. An invitation is on its way to their email.") % {"name": name}
