"""Message buttons for other apps' pages (the match page, a person's page, a
group's page), so that those views need not know about messages."""

from django import template
from django.utils.translation import gettext

from mentoring import access

from ..models import Conversation

register = template.Library()


@register.inclusion_tag("conversations/includes/match_messages.html", takes_context=True)
def match_messages(context, match):
    """The pair: a link to their conversation (read-only once closed). A
    coordinator: pause or resume the messages, never a link to read them."""
    user = context["request"].user
    conversation = Conversation.objects.filter(match=match).only("pk", "paused_at").first()
    return {
        "match": match,
        "conversation": conversation,
        "side": match.side_of(user),
        "is_coordinator": access.can_manage_program(user, match.program),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("conversations/includes/start_form.html", takes_context=True)
def message_person(context, person, program):
    """A coordinator's "Send a message" to ``person`` in ``program``."""
    return {
        "fields": {"program": program.pk, "person": person.pk},
        "label": gettext("Send %(name)s a message") % {"name": person.get_short_name()},
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("conversations/includes/start_form.html", takes_context=True)
def group_announcements(context, group):
    """The group's announcements: facilitators and coordinators post there."""
    return {
        "fields": {"group": group.pk},
        "label": gettext("Announcements to the people booked"),
        "csrf_token": context.get("csrf_token"),
    }
