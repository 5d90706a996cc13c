"""The notification centre, reminder preferences and one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..forms import QuietHoursForm
from ..models import Channel, ChannelPreference, Notification, ReminderKind
from ..notifications.channels import read_unsubscribe_token
from ..notifications.kinds import choosable
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
    rows = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if pk:
        rows = rows.filter(pk=pk)
    rows.update(read_at=timezone.now())
    if request.headers.get("HX-Request") and pk:
        notification = get_object_or_404(Notification, user=request.user, pk=pk)
        return render(request, "mentoring/includes/notification.html", {"notification": notification})
    return redirect("mentoring:notifications")


@login_required
def preferences(request):
    """Channels per kind of message (the kinds table, notifications/kinds.py), and quiet hours."""
    stored = {p.kind: p for p in ChannelPreference.objects.filter(user=request.user)}
    form = QuietHoursForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        for kind in (k.name for k in choosable()):
            ChannelPreference.objects.update_or_create(
                user=request.user,
                kind=kind,
                defaults={
                    "in_app": True,  # the notification centre always keeps a copy
                    "email": f"{kind}-email" in request.POST,
                    "sms": f"{kind}-sms" in request.POST,
                },
            )
        messages.success(request, "Your reminder settings are saved.")
        return redirect("mentoring:preferences")
    rows = [
        {
            "kind": kind.name,
            "label": kind.label,
            "always": not kind.opt_out,
            "email": stored[kind.name].email if kind.name in stored else Channel.EMAIL in kind.channels,
            "sms": stored[kind.name].sms if kind.name in stored else Channel.SMS in kind.channels,
        }
        for kind in choosable()
    ]
    return render(
        request, "mentoring/preferences.html", {"rows": rows, "form": form, "can_text": request.user.ok_to_text}
    )


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
        ChannelPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": False})
        if "List-Unsubscribe" in request.POST or not request.POST:
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, "mentoring/unsubscribed.html", {"label": ReminderKind(kind).label})
    return render(request, "mentoring/unsubscribe.html", {"label": ReminderKind(kind).label})
