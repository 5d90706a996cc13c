"""The notification centre, reminder preferences and one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import access
from ..forms import QuietHoursForm, ReminderChannelsForm
from ..models import ChannelPreference, Notification, ReminderKind
from ..notifications.channels import read_unsubscribe_token
from ..notifications.outbox import dead_letters, delivery_mark_handled, delivery_retry
from ..services import channel_preferences_save, email_unsubscribe, notifications_mark_read
from .pages import PAGE_SIZE


@login_required
def notification_list(request):
    rows = Notification.objects.filter(user=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentoring/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one (or, with pk 0, all) as read. htmx swaps the row in place."""
    notifications_mark_read(user=request.user, pk=pk)
    if request.headers.get("HX-Request") and pk:
        notification = get_object_or_404(Notification, user=request.user, pk=pk)
        return render(request, "mentoring/includes/notification.html", {"notification": notification})
    return redirect("mentoring:notifications")


@login_required
def preferences(request):
    """Channels per kind of message (the kinds table, notifications/kinds.py), and quiet hours."""
    stored = {p.kind: p for p in ChannelPreference.objects.filter(user=request.user)}
    data = request.POST if request.method == "POST" else None
    form = QuietHoursForm(data, instance=request.user)
    channels = ReminderChannelsForm(data, user=request.user, stored=stored)
    # Both forms are checked before anything is saved; an error in one keeps
    # what was typed in the other (the page is drawn from the posted data).
    if request.method == "POST" and all([form.is_valid(), channels.is_valid()]):
        form.save()
        channel_preferences_save(
            user=request.user,
            # Texting that is not okay keeps the stored choice (the box is
            # disabled, so not posted).
            channels={
                kind: (email, sms if channels.can_text else _sms(stored, kind))
                for kind, (email, sms) in channels.channels().items()
            },
        )
        messages.success(request, gettext("Your reminder settings are saved."))
        return redirect("mentoring:preferences")
    return render(
        request,
        "mentoring/preferences.html",
        {"rows": channels.rows(), "channels": channels, "form": form, "can_text": channels.can_text},
    )


def _sms(stored, kind):
    pref = stored.get(kind)
    return pref.sms if pref else kind == ReminderKind.SAFETY_ALERT


@csrf_exempt  # mail clients post one-click unsubscribes without a session; the signed token is the key
def unsubscribe(request, token):
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404
    user_id, kind = found
    user = get_object_or_404(get_user_model(), pk=user_id)
    if kind not in ReminderKind.values:
        raise Http404
    if request.method == "POST":
        email_unsubscribe(user=user, kind=kind)
        if "List-Unsubscribe" in request.POST or not request.POST:
            return HttpResponse(gettext("Unsubscribed."), content_type="text/plain")
        return render(request, "mentoring/unsubscribed.html", {"label": ReminderKind(kind).label})
    return render(request, "mentoring/unsubscribe.html", {"label": ReminderKind(kind).label})


# --- undelivered reminders (coordinators) ----------------------------------------------------------


def _dead_letters(user):
    return dead_letters(access.coordinated_programs(user)).select_related("recipient", "program")


@login_required
def undelivered(request):
    """Reminders that gave up, in the programs the user coordinates: what,
    for whom, by which channel, why (the provider's last error), with
    "retry" and "mark handled". Others see an empty list."""
    rows = _dead_letters(request.user).order_by("-due_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentoring/undelivered.html", {"page": page})


@login_required
@require_POST
def undelivered_retry(request, pk):
    delivery = get_object_or_404(_dead_letters(request.user), pk=pk)
    delivery_retry(delivery=delivery)
    messages.success(
        request, gettext("The reminder to %(name)s will be sent again in a minute.") % {"name": delivery.recipient}
    )
    return redirect("mentoring:undelivered")


@login_required
@require_POST
def undelivered_handled(request, pk):
    delivery = get_object_or_404(_dead_letters(request.user), pk=pk)
    delivery_mark_handled(delivery=delivery)
    messages.success(
        request, gettext("The reminder to %(name)s is marked as handled.") % {"name": delivery.recipient}
    )
    return redirect("mentoring:undelivered")
