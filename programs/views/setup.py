"""Coordinator pages for programs: the program itself, its experience areas,
its versioned texts and its training modules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from mentoring import access
from mentoring.localized import localized
from mentoring.views import PAGE_SIZE, require_role

from ..forms import (
    DocumentForm,
    ExperienceAreaForm,
    OnCallSettingsForm,
    OnCallShiftForm,
    ProgramForm,
    TrainingModuleForm,
)
from ..models import Application, PolicyDocument, Program
from ..oncall import who_is_on_call
from ..readiness import with_readiness
from ..services import (
    document_publish,
    experience_area_toggle,
    mentors_to_resign,
    on_call_settings_update,
    on_call_shift_add,
    on_call_shift_remove,
    program_archive,
    program_create,
    program_unique_slug,
    training_module_archive_toggle,
)


def _coordinated_program(request, pk):
    return get_object_or_404(access.coordinated_programs(request.user), pk=pk)


@login_required
def program_list(request):
    require_role(request, "coordinator")
    programs = access.coordinated_programs(request.user).annotate(
        new_applications=Count("applications", filter=Q(applications__status=Application.Status.NEW), distinct=True),
    )
    return render(request, "programs/program_list.html", {"programs": programs})


@login_required
def program_new(request):
    # Any coordinator may start another program; they coordinate it at once.
    require_role(request, "coordinator")
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        slug = program_unique_slug(form.cleaned_data["name"])
        program = program_create(
            created_by=request.user, slug=slug, settings_saved_at=timezone.now(), **form.cleaned_data
        )
        messages.success(
            request,
            gettext("%(program)s is created with a starter privacy notice and boundaries agreement.")
            % {"program": program},
        )
        return redirect("programs:detail", program.pk)
    return render(request, "programs/program_form.html", {"form": form})


@login_required
def program_edit(request, pk):
    program = _coordinated_program(request, pk)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        form.instance.settings_saved_at = timezone.now()  # ticks "Review the program settings" (first steps)
        form.save()
        messages.success(request, gettext("The program is saved."))
        return redirect("programs:detail", program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@login_required
def program_archive_view(request, pk):
    program = _coordinated_program(request, pk)
    if request.method == "POST":
        try:
            program_archive(program=program, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request, gettext("%(program)s is archived. It no longer takes applications.") % {"program": program}
            )
        return redirect("programs:detail", program.pk)
    return render(request, "programs/program_confirm_archive.html", {"program": program})


ROSTERS = {
    "mentees": lambda program: program.mentee_profiles.select_related("user").order_by("user__full_name"),
    "mentors": lambda program: with_readiness(program.mentor_profiles.select_related("user")).order_by(
        "user__full_name"
    ),
    "volunteers": lambda program: program.volunteer_profiles.select_related("user").order_by("user__full_name"),
}


@login_required
def program_detail(request, pk):
    """A coordinator's view of one program's people; mentors with readiness."""
    program = _coordinated_program(request, pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in ROSTERS else "mentees"
    rows = ROSTERS[tab](program)
    readiness = request.GET.get("ready")
    if tab == "mentors" and readiness in ("yes", "no"):
        rows = rows.filter(is_ready=readiness == "yes")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = Program.objects.filter(pk=program.pk).aggregate(
        mentees=Count("mentee_profiles", distinct=True),
        mentors=Count("mentor_profiles", distinct=True),
        volunteers=Count("volunteer_profiles", distinct=True),
        new_applications=Count("applications", filter=Q(applications__status=Application.Status.NEW), distinct=True),
    )
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "tab": tab,
            "ready": readiness,
            "page": page,
            "query": urlencode({k: v for k, v in (("tab", tab), ("ready", readiness)) if v}),
            "coordinators": program.coordinators.order_by("full_name"),
            "counts": counts,
        },
    )


@login_required
def area_list(request, pk):
    program = _coordinated_program(request, pk)
    form = ExperienceAreaForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        form.save()
        messages.success(request, gettext("“%(name)s” is added.") % {"name": localized(form.instance, "name")})
        return redirect("programs:areas", program.pk)
    areas = program.experience_areas.annotate(
        people=Count("mentorprofiles", distinct=True) + Count("menteeprofiles", distinct=True)
    )
    return render(request, "programs/area_list.html", {"program": program, "areas": areas, "form": form})


@login_required
@require_POST
def area_toggle(request, pk, area_pk):
    program = _coordinated_program(request, pk)
    area = get_object_or_404(program.experience_areas, pk=area_pk)
    area = experience_area_toggle(area=area)
    if area.is_active:
        message = gettext("“%(name)s” is offered again.")
    else:
        message = gettext("“%(name)s” is hidden from forms (people who chose it keep it).")
    messages.success(request, message % {"name": area.name})
    return redirect("programs:areas", program.pk)


@login_required
def document_versions(request, pk, kind):
    program = _coordinated_program(request, pk)
    if kind not in PolicyDocument.Kind.values:
        raise Http404
    # A grouped query ignores Meta.ordering: order explicitly, newest first.
    versions = program.documents.filter(kind=kind).annotate(signature_count=Count("signatures")).order_by("-version")
    current = versions.first()
    signed = kind == PolicyDocument.Kind.BOUNDARIES and current is not None
    initial = {"body": current.body, "body_es": current.body_es} if current else {}
    form = DocumentForm(request.POST or None, initial=initial, signatures=signed)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_publish(
                program=program,
                kind=kind,
                body=form.cleaned_data["body"],
                body_es=form.cleaned_data["body_es"],
                by=request.user,
                **form.publish_options(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            message = gettext("Version %(version)s is published.") % {"version": document.version}
            count = document.resign_count
            if count and document.grace_until:
                message += " " + ngettext(
                    "%(count)s mentor must sign again by %(date)s and was told.",
                    "%(count)s mentors must sign again by %(date)s and were told.",
                    count,
                ) % {"count": count, "date": date_format(document.grace_until, "M j, Y")}
            elif count:
                message += " " + ngettext(
                    "%(count)s mentor must sign again and was told.",
                    "%(count)s mentors must sign again and were told.",
                    count,
                ) % {"count": count}
            messages.success(request, message)
            return redirect("programs:documents", program.pk, kind)
    return render(
        request,
        "programs/document_versions.html",
        {
            "program": program,
            "kind": PolicyDocument.Kind(kind),
            "versions": versions,
            "form": form,
            "resign_count": mentors_to_resign(program).count() if signed else 0,
        },
    )


@login_required
def training_list(request, pk):
    program = _coordinated_program(request, pk)
    form = TrainingModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        form.save()
        messages.success(
            request, gettext("“%(title)s” is added to the training.") % {"title": localized(form.instance, "title")}
        )
        return redirect("programs:training", program.pk)
    modules = program.training_modules.annotate(
        confirmed=Count("completions", filter=Q(completions__confirmed_at__isnull=False))
    )
    return render(request, "programs/training_list.html", {"program": program, "modules": modules, "form": form})


@login_required
def training_edit(request, pk, module_pk):
    program = _coordinated_program(request, pk)
    module = get_object_or_404(program.training_modules, pk=module_pk)
    if request.method == "POST" and request.POST.get("action") == "archive":
        module = training_module_archive_toggle(module=module)
        archived = gettext("“%(title)s” is archived.") if module.is_archived else gettext("“%(title)s” is back in use.")
        messages.success(request, archived % {"title": localized(module, "title")})
        return redirect("programs:training", program.pk)
    form = TrainingModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("The module is saved."))
        return redirect("programs:training", program.pk)
    return render(request, "programs/training_form.html", {"program": program, "module": module, "form": form})


@login_required
def on_call(request, pk):
    """The program's on-call rota (weekly shifts in its time zone), its
    fallback person and the escalation delay. Two forms on one page: a POST
    carries ``form=shift`` (add a shift) or ``form=settings``."""
    program = _coordinated_program(request, pk)
    which = request.POST.get("form") if request.method == "POST" else None
    shift_form = OnCallShiftForm(request.POST if which == "shift" else None, program=program, prefix="shift")
    settings_form = OnCallSettingsForm(request.POST if which == "settings" else None, instance=program)
    if which == "shift" and shift_form.is_valid():
        try:
            shift = on_call_shift_add(program=program, **shift_form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(shift_form, error)
        else:
            messages.success(request, gettext("The shift %(shift)s is added.") % {"shift": shift})
            return redirect("programs:on_call", program.pk)
    if which == "settings" and settings_form.is_valid():
        data = settings_form.cleaned_data
        try:
            on_call_settings_update(
                program=Program.objects.get(pk=program.pk),
                fallback=data["on_call_fallback"],
                escalate_after_minutes=data["escalate_after_minutes"],
            )
        except ValidationError as error:
            _errors_to_form(settings_form, error)
        else:
            messages.success(request, gettext("On-call settings are saved."))
            return redirect("programs:on_call", program.pk)
    shifts = program.on_call_shifts.select_related("person")
    return render(
        request,
        "programs/on_call.html",
        {
            "program": program,
            "shifts": shifts,
            "shift_form": shift_form,
            "settings_form": settings_form,
            "on_call_now": who_is_on_call(program),
            "fallback": Program.objects.filter(pk=program.pk).values_list("on_call_fallback__full_name", flat=True)[0],
        },
    )


def _errors_to_form(form, error):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def on_call_shift_remove_view(request, pk, shift_pk):
    """GET: asks first; POST: removes the shift."""
    program = _coordinated_program(request, pk)
    shift = get_object_or_404(program.on_call_shifts.select_related("person"), pk=shift_pk)
    if request.method == "POST":
        on_call_shift_remove(shift=shift)
        messages.success(request, gettext("The shift %(shift)s is removed.") % {"shift": shift})
        return redirect("programs:on_call", program.pk)
    return render(request, "programs/on_call_confirm_remove.html", {"program": program, "shift": shift})
