"""Mentor readiness: the mentor's checklist and the coordinator's confirmations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentoring import access
from mentoring.forms import add_service_error
from mentoring.localized import active_language, localized
from mentoring.models import MentorProfile
from mentoring.params import int_param

from ..forms import AgreementSignForm, BackgroundCheckForm
from ..models import BackgroundCheck, PolicyDocument
from ..readiness import checklist
from ..services import agreement_sign, background_check_update, completion_confirm, completion_mark_done


def _mentor_for_coordinator(request, pk):
    return get_object_or_404(access.managed_mentor_profiles(request.user), pk=pk)


def _own_mentor_profile(request, pk):
    return get_object_or_404(MentorProfile.objects.filter(user=request.user), pk=pk)


@login_required
def mentor_readiness(request, pk):
    """The same checklist for the mentor (who acts on it) and the program's
    coordinators (who confirm it); nobody else finds it."""
    mentor = get_object_or_404(access.editable_mentor_profiles(request.user).select_related("user", "program"), pk=pk)
    return _render_checklist(request, mentor)


@login_required
@require_POST
def module_mark_done(request, pk, module_pk):
    mentor = _own_mentor_profile(request, pk)
    module = get_object_or_404(mentor.program.training_modules.filter(is_archived=False), pk=module_pk)
    completion_mark_done(mentor=mentor, module=module)
    messages.success(
        request,
        gettext("“%(title)s” is marked as done. A coordinator will confirm it.")
        % {"title": localized(module, "title")},
    )
    return redirect("programs:mentor_readiness", mentor.pk)


@login_required
@require_POST
def module_confirm(request, pk, module_pk):
    mentor = _mentor_for_coordinator(request, pk)
    module = get_object_or_404(mentor.program.training_modules, pk=module_pk)
    completion_confirm(mentor=mentor, module=module, confirmed_by=request.user)
    messages.success(
        request,
        gettext("“%(title)s” is confirmed for %(mentor)s.")
        % {"title": localized(module, "title"), "mentor": mentor.user},
    )
    return redirect("programs:mentor_readiness", mentor.pk)


@login_required
@require_POST
def agreement_sign_view(request, pk):
    mentor = _own_mentor_profile(request, pk)
    document = get_object_or_404(
        PolicyDocument.objects.filter(program=mentor.program, kind=PolicyDocument.Kind.BOUNDARIES),
        pk=int_param(request.POST.get("document")),
    )
    form = AgreementSignForm(request.POST)
    if form.is_valid():
        try:
            agreement_sign(
                mentor=mentor,
                document=document,
                typed_name=form.cleaned_data["typed_name"],
                language=form.cleaned_data["language"] or None,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                gettext("Thank you. You signed version %(version)s of the agreement.") % {"version": document.version},
            )
            return redirect("programs:mentor_readiness", mentor.pk)
    return _render_checklist(request, mentor, sign_form=form)


@login_required
@require_POST
def background_check_view(request, pk):
    mentor = _mentor_for_coordinator(request, pk)
    check = BackgroundCheck.objects.filter(mentor=mentor).first() or BackgroundCheck(mentor=mentor)
    form = BackgroundCheckForm(request.POST, instance=check)
    if form.is_valid():
        try:
            background_check_update(mentor=mentor, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The background check is updated."))
            return redirect("programs:mentor_readiness", mentor.pk)
    return _render_checklist(request, mentor, check_form=form)


def _render_checklist(request, mentor, **submitted_forms):
    """The checklist page; a form that failed validation replaces the blank one."""
    is_coordinator = access.can_manage_program(request.user, mentor.program)
    is_self = mentor.user_id == request.user.pk
    context = {
        "mentor": mentor,
        "steps": checklist(mentor),
        "is_coordinator": is_coordinator,
        "is_self": is_self,
        "sign_form": AgreementSignForm(initial={"language": active_language()}) if is_self else None,
        "check_form": None,
    }
    if is_coordinator:
        check = BackgroundCheck.objects.filter(mentor=mentor).first() or BackgroundCheck(mentor=mentor)
        context["check_form"] = BackgroundCheckForm(instance=check)
    context.update(submitted_forms)
    return render(request, "programs/mentor_readiness.html", context)
