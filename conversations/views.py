"""Message pages. Every row comes through the access policy
(``access.visible_conversations`` and friends): an outsider gets 404. GET
pages only read; marking a conversation read is a POST (sent by htmx when the
page loads, or by the "Mark as read" button without JavaScript). The send form
works as a plain POST → redirect; with htmx the same response is swapped in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from goals.models import CheckIn
from mentoring import access
from mentoring.audit import audit_read
from mentoring.forms import add_service_error
from mentoring.models import Match, MenteeProfile, MentorProfile, VolunteerProfile
from mentoring.params import int_param
from mentoring.views import PAGE_SIZE

from .forms import MessageForm, RiskPhraseForm
from .models import Message, RiskPhrase
from .selectors import conversation_list as list_conversations
from .selectors import latest_messages, read_until, title_of
from .services import (
    conversation_for_group,
    conversation_for_match,
    conversation_for_person,
    conversation_pause,
    conversation_read,
    message_report,
    message_send,
    reported_messages,
    risk_phrase_add,
    risk_phrase_remove,
)


def _conversation(request, pk):
    return get_object_or_404(
        access.visible_conversations(request.user).select_related(
            "program", "match__mentor__user", "match__mentee__user", "person", "group"
        ),
        pk=pk,
    )


def _member_programs(user):
    """Programs where the user is a mentor, mentee or volunteer (may write to the team)."""
    from programs.models import Program

    return Program.objects.filter(
        pk__in=[
            *MentorProfile.objects.filter(user=user).values_list("program", flat=True),
            *MenteeProfile.objects.filter(user=user).values_list("program", flat=True),
            *VolunteerProfile.objects.filter(user=user).values_list("program", flat=True),
        ]
    ).exclude(status="archived")


@login_required
def conversation_list(request):
    """The person's conversations with unread counts, and whom they can start writing to."""
    user = request.user
    conversations = list(list_conversations(user))
    for conversation in conversations:
        conversation.title = title_of(conversation, user)
    pairs = (
        Match.objects.current()
        .filter(pk__in=access.match_ids_of(user), conversation__isnull=True)
        .select_related("mentor__user", "mentee__user")
    )
    # Programs whose team the person has not written to yet (only a team conversation has a person).
    teams = _member_programs(user).exclude(conversations__person=user)
    return render(
        request,
        "conversations/conversation_list.html",
        {
            "conversations": conversations,
            "new_pairs": [(m, m.mentee.user if m.mentor.user_id == user.pk else m.mentor.user) for m in pairs],
            "new_teams": teams,
        },
    )


@login_required
@require_POST
def conversation_start(request):
    """Open (making it on first use) the conversation named by the POST:
    ``match`` (a current match of the user), ``program`` (the user writes to
    its team) with ``person`` (a coordinator writes to someone in the
    program), or ``group`` (its facilitators and coordinators). Anything else: 404."""
    user = request.user
    if match_pk := int_param(request.POST.get("match")):
        match = get_object_or_404(Match.objects.current().filter(pk__in=access.match_ids_of(user)), pk=match_pk)
        conversation = conversation_for_match(match=match)
    elif group_pk := int_param(request.POST.get("group")):
        group = get_object_or_404(access.attendance_group_sessions(user), pk=group_pk)
        conversation = conversation_for_group(group=group)
    elif program_pk := int_param(request.POST.get("program")):
        if person_pk := int_param(request.POST.get("person")):
            program = get_object_or_404(access.coordinated_programs(user), pk=program_pk)
            person = get_object_or_404(access.coordinated_people(user).exclude(pk=user.pk), pk=person_pk)
            if program not in _member_programs(person) and not program.applications.filter(person=person).exists():
                raise Http404
        else:
            program = get_object_or_404(_member_programs(user), pk=program_pk)
            person = user
        conversation = conversation_for_person(program=program, person=person)
    else:
        raise Http404
    return redirect("conversations:detail", conversation.pk)


def _page(request, conversation, form=None, crisis=False, status=200):
    user = request.user
    messages_, more = latest_messages(conversation, before=int_param(request.GET.get("before")))
    last_read = read_until(conversation, user)
    refusal = access.conversation_write_refusal(user, conversation)
    context = {
        "conversation": conversation,
        "title": title_of(conversation, user),
        "thread": messages_,
        "more": more,
        "older": messages_[0].pk if messages_ and more else None,
        "last_read": last_read,
        "unread_here": any(
            m.sender_id != user.pk and (last_read is None or m.created_at > last_read) for m in messages_
        ),
        "form": form or MessageForm(),
        "refusal": refusal,
        "crisis": crisis,
        "can_pause": access.conversation_pausable(user, conversation),
        "latest": messages_[-1].pk if messages_ else 0,
    }
    return render(request, "conversations/conversation_detail.html", context, status=status)


@login_required
def conversation_detail(request, pk):
    """The latest 50 messages (``?before=<id>`` for older ones), the message
    box, and the crisis options right after a flagged message was sent
    (``?crisis=1``). Reads only."""
    conversation = _conversation(request, pk)
    return _page(request, conversation, crisis=request.GET.get("crisis") == "1")


@login_required
@require_POST
def message_send_view(request, pk):
    """Send one message: a redirect to the conversation (with the crisis
    options when it was flagged), or the page again with the reason next to
    the box and the text kept."""
    conversation = _conversation(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = message_send(conversation=conversation, sender=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            url = reverse("conversations:detail", args=[conversation.pk])
            return redirect(f"{url}?crisis=1#crisis" if message.flagged else f"{url}#latest")
    return _page(request, conversation, form=form)


@login_required
@require_POST
def conversation_read_view(request, pk):
    """Mark the conversation read (up to now). htmx: 204; otherwise back to it."""
    conversation = _conversation(request, pk)
    conversation_read(conversation=conversation, user=request.user)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    return redirect("conversations:detail", conversation.pk)


@login_required
@require_POST
def message_report_view(request, pk):
    """Report a message someone else wrote in a conversation the user can open."""
    message = get_object_or_404(
        # Someone else's message (one's own has no Report button: 404 like any other).
        Message.objects.filter(conversation__in=access.visible_conversations(request.user).values("pk"))
        .exclude(sender=request.user)
        .select_related("conversation__program"),
        pk=pk,
    )
    try:
        message_report(message=message, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you. The program team has been told and will look into it."))
    return redirect("conversations:detail", message.conversation_id)


@login_required
@require_POST
def checkin_reply(request, pk):
    """A mentee answers their mentor's comment on one of their check-ins: the
    reply goes into the match's conversation, linked to the check-in."""
    checkin = get_object_or_404(CheckIn.objects.filter(mentee__user=request.user).select_related("mentee"), pk=pk)
    form = MessageForm(request.POST)
    match = Match.objects.current().filter(mentee=checkin.mentee).first()
    if match is None:
        messages.error(request, _("You have no mentor to write to right now."))
        return redirect("goals:checkins", checkin.mentee_id)
    conversation = conversation_for_match(match=match)
    if form.is_valid():
        try:
            message = message_send(
                conversation=conversation, sender=request.user, body=form.cleaned_data["body"], checkin=checkin
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("goals:checkins", checkin.mentee_id)
        url = reverse("conversations:detail", args=[conversation.pk])
        return redirect(f"{url}?crisis=1#crisis" if message.flagged else f"{url}#latest")
    return redirect("goals:checkins", checkin.mentee_id)


@login_required
@require_POST
def match_pause(request, pk):
    """A coordinator pauses (``paused=1``) or resumes (``paused=0``) a match's
    messages, without reading them."""
    match = get_object_or_404(
        Match.objects.started().filter(program__in=access.coordinated_programs(request.user).values("pk")), pk=pk
    )
    conversation = conversation_for_match(match=match)
    paused = request.POST.get("paused") == "1"
    conversation_pause(conversation=conversation, by=request.user, paused=paused)
    messages.success(request, _("Messages are paused.") if paused else _("Messages are on again."))
    return redirect("mentoring:match_detail", match.pk)


@login_required
def risk_phrases(request, pk):
    """A coordinator's list of the program's risk phrases: add one, remove one."""
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    form = RiskPhraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            risk_phrase_add(program=program, phrase=form.cleaned_data["phrase"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The phrase is added."))
            return redirect("conversations:risk_phrases", program.pk)
    return render(
        request,
        "conversations/risk_phrases.html",
        {"program": program, "form": form, "phrases": program.risk_phrases.all()},
    )


@login_required
@require_POST
def risk_phrase_remove_view(request, pk, phrase_pk):
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    phrase = get_object_or_404(RiskPhrase, program=program, pk=phrase_pk)
    risk_phrase_remove(phrase=phrase)
    messages.success(request, _("The phrase is removed."))
    return redirect("conversations:risk_phrases", program.pk)


@login_required
def reported_list(request, pk):
    """Messages people reported in the program (when, by whom, from whom; the text on each one's page)."""
    from django.core.paginator import Paginator

    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    page = Paginator(reported_messages(program), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "conversations/reported_list.html", {"program": program, "page": page})


@login_required
def reported_detail(request, pk):
    """One reported message, for the program's coordinators: the only message
    of a match conversation a coordinator reads besides a flagged one on its
    alert. Audited (what="message", the sender's record)."""
    message = get_object_or_404(
        Message.objects.filter(
            reported_at__isnull=False,
            conversation__program__in=access.coordinated_programs(request.user).values("pk"),
        ).select_related("sender", "reported_by", "conversation__program"),
        pk=pk,
    )
    audit_read(request, subject=message.sender, what="message", obj=message, program=message.conversation.program_id)
    return render(request, "conversations/reported_detail.html", {"message": message})
