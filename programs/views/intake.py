"""Mentee intake: intake date, emergency contact and consent records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from mentoring import access
from mentoring.audit import audit_read
from mentoring.profile_forms import MenteeIntakeForm

from ..forms import ConsentForm
from ..services import consent_record, consent_revoke


@login_required
def mentee_intake(request, pk):
    """Coordinators edit intake and record consents; the mentee sees their own
    consents and may withdraw them. Mentors do not see this page."""
    mentee = get_object_or_404(access.editable_mentee_profiles(request.user).select_related("user", "program"), pk=pk)
    is_coordinator = access.can_manage_program(request.user, mentee.program)
    intake_form = MenteeIntakeForm(request.POST or None, instance=mentee) if is_coordinator else None
    if intake_form is not None and request.method == "POST" and intake_form.is_valid():
        intake_form.save()
        messages.success(request, gettext("Intake details are saved."))
        return redirect("programs:mentee_intake", mentee.pk)
    consents = access.visible_consents(request.user).filter(program=mentee.program, person=mentee.user)
    audit_read(request, subject=mentee.user, what="intake", obj=mentee, program=mentee.program)
    return render(
        request,
        "programs/mentee_intake.html",
        {
            "mentee": mentee,
            "is_coordinator": is_coordinator,
            "intake_form": intake_form,
            "consents": consents.select_related("document", "recorded_by", "revoked_by"),
        },
    )


@login_required
def consent_new(request, pk):
    mentee = get_object_or_404(access.managed_mentee_profiles(request.user), pk=pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent_record(program=mentee.program, person=mentee.user, recorded_by=request.user, **form.cleaned_data)
        messages.success(request, gettext("The consent is recorded."))
        return redirect("programs:mentee_intake", mentee.pk)
    return render(request, "programs/consent_form.html", {"mentee": mentee, "form": form})


@login_required
def consent_revoke_view(request, pk):
    consent = get_object_or_404(access.visible_consents(request.user).select_related("program", "person"), pk=pk)
    mentee = consent.person.mentee_profiles.filter(program=consent.program).first()
    back = redirect("programs:mentee_intake", mentee.pk) if mentee else redirect("mentoring:home")
    if request.method == "POST":
        try:
            consent_revoke(consent=consent, revoked_by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, gettext("The consent is withdrawn and the withdrawal is recorded."))
        return back
    return render(request, "programs/consent_confirm_revoke.html", {"consent": consent, "back_url": back.url})
