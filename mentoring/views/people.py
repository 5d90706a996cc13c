"""People and their contact details: the coordinators' people search, the
contact-details edit (a person's own, or a coordinator's for their
programs' people), "Stop texts", and the provider's inbound texts
(STOP / START / YES)."""

import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from programs.models import Application, Program

from .. import access
from ..audit import audit_read
from ..contact import contact_update, contact_view, sms_inbound_handle, texts_stop
from ..forms import ContactForm, PeopleSearchForm, add_service_error
from ..models import MenteeProfile, MentorProfile, VolunteerProfile
from ..people_pick import people_matching
from ..phones import phone_display, region_of
from .pages import require_role

PAGE_SIZE = 25


@login_required
def people_search(request):
    """``/people/?q=``: coordinators find anyone in their programs (mentees,
    mentors, volunteers, coordinators, applicants with an account) by name,
    email or phone; 25 a page, by name. A list: no read-audit row (as the
    other lists), the person page records the visit."""
    require_role(request, "coordinator")
    form = PeopleSearchForm(request.GET or None)
    typed = form.cleaned_data["q"] if form.is_valid() else ""
    region = region_of(request.user)
    rows = people_matching(access.people_with_roles(request.user), typed, region=region).order_by("full_name", "pk")
    page = Paginator(
        rows.only("pk", "full_name", "preferred_name", "email", "phone", "preferred_contact"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for person in page:
        person.phone_shown = phone_display(person.phone, region=region)
    query = urlencode({"q": typed}) if typed else ""
    return render(request, "mentoring/people_search.html", {"form": form, "page": page, "typed": typed, "query": query})


def shared_program_ids(viewer, person):
    """Ids of the programs ``viewer`` coordinates that ``person`` takes part in or applied to."""
    mine = access.coordinated_programs(viewer)
    return list(
        mine.filter(
            Q(pk__in=MenteeProfile.objects.filter(user=person).values("program"))
            | Q(pk__in=MentorProfile.objects.filter(user=person).values("program"))
            | Q(pk__in=VolunteerProfile.objects.filter(user=person).values("program"))
            | Q(pk__in=Program.coordinators.through.objects.filter(user=person).values("program"))
            | Q(pk__in=Application.objects.filter(person=person).values("program"))
        ).values_list("pk", flat=True)
    )


@login_required
def contact_edit(request, pk):
    """Phone, preferred channel, okay-to-text/call (and, for the person
    themselves, "my mentor may see my contact details"). The person, or a
    coordinator of one of their programs; anyone else 404."""
    person = get_object_or_404(access.contact_editable_people(request.user), pk=pk)
    by_self = person.pk == request.user.pk
    region = region_of(person)
    form = ContactForm(request.POST or None, person=person, by_self=by_self, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            contact_update(person=person, by=request.user, **form.changes())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            waiting = person.ok_to_text and not person.text_confirmed_at and not person.texts_stopped_at
            messages.success(
                request,
                gettext("Contact details saved. A text asks to reply YES; texts start after that.")
                if waiting
                else gettext("Contact details saved."),
            )
            return redirect("mentoring:person_detail", person.pk)
    if not by_self:
        audit_read(request, subject=person, what="profile", program=shared_program_ids(request.user, person))
    return render(
        request,
        "mentoring/contact_edit.html",
        {"form": form, "person": person, "by_self": by_self, "contact": contact_view(person, region=region)},
    )


@login_required
@require_POST
def texts_stop_view(request, pk):
    """ "Stop texts": the person (or a coordinator they asked) stops every text at once."""
    person = get_object_or_404(access.contact_editable_people(request.user), pk=pk)
    texts_stop(person=person)
    messages.success(request, gettext("Text messages are stopped. Nothing more is sent by text."))
    return redirect("mentoring:contact_edit", person.pk)


@csrf_exempt  # posted by the text-message provider, verified by the shared secret
@require_POST
def sms_inbound(request):
    """Replies to texts, posted by the provider (form fields ``From`` and
    ``Body``, as Twilio and most providers send them) with the shared secret
    in the ``X-Waypoint-Secret`` header (or ``?secret=``). 404 while
    SMS_INBOUND_SECRET is empty; 403 for a wrong secret. Answers JSON
    ``{"action": "stop" | "start" | "confirm" | "ignored"}``."""
    secret = settings.SMS_INBOUND_SECRET
    if not secret:
        raise Http404
    given = request.headers.get("X-Waypoint-Secret") or request.GET.get("secret", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden("Wrong secret.")
    action, _ = sms_inbound_handle(from_number=request.POST.get("From", ""), body=request.POST.get("Body", ""))
    return JsonResponse({"action": action})
