"""The personal ICS feed. Titles never reveal what a meeting is about:
every event is "Waypoint meeting" (in the feed owner's language: feed_language),
with the details behind sign-in."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from .services import upcoming_for

NEUTRAL_TITLE = _("Waypoint meeting")
FEED_HISTORY = timedelta(days=30)


def uid_domain():
    """The site's host (from SITE_URL): event UIDs of two Waypoint sites never collide."""
    return urlsplit(settings.SITE_URL).hostname or "waypoint.invalid"


def _event(uid, starts_at, ends_at, path, row, online_url=""):
    """One VEVENT. ``row`` is the Session or GroupSession: its ``sequence``
    and ``changed_at`` (UTC) become SEQUENCE, LAST-MODIFIED and DTSTAMP, so a
    moved meeting (same UID, higher SEQUENCE) replaces the subscribed
    calendar's copy. ``online_url``: an online meeting's link, as URL and
    LOCATION, so the calendar app offers to join (only passed for the feed's
    owner's own meetings: build_feed)."""
    event = Event()
    event.add("uid", f"{uid}@{uid_domain()}")
    event.add("summary", str(NEUTRAL_TITLE))
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("dtstamp", row.changed_at)
    event.add("last-modified", row.changed_at)
    event.add("sequence", row.sequence)
    event.add("description", gettext("Details after signing in: %(url)s") % {"url": f"{settings.SITE_URL}{path}"})
    if online_url:
        event.add("url", online_url)
        event.add("location", online_url)
    return event


def feed_language(user):
    """The language the user's feed is written in: their own (``User.language``,
    a code from settings.LANGUAGES, when set) or the site's default. A calendar
    app fetches the feed without the person's browser settings, so the request's
    language cannot be used."""
    language = getattr(user, "language", "") or ""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def build_feed(user):
    """The user's scheduled one-on-ones and group sessions as ICS bytes, titles
    and descriptions in the user's language (feed_language). An online meeting
    carries its link: the feed lists only meetings the user takes part in (their
    own matches' meetings while the match is current, groups where they have a
    seat or facilitate)."""
    with translation.override(feed_language(user)):
        return _build_feed(user)


def _build_feed(user):
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Waypoint//Calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Waypoint")
    sessions, groups = upcoming_for(user, since=now - FEED_HISTORY)
    for session in sessions:
        path = reverse("peer_sessions:session_detail", args=[session.pk])
        link = session.online_url if session.match.is_current else ""
        calendar.add_component(_event(f"session-{session.pk}", session.starts_at, session.ends_at, path, session, link))
    for group in groups:
        path = reverse("peer_sessions:group_detail", args=[group.pk])
        calendar.add_component(
            _event(f"group-{group.pk}", group.starts_at, group.ends_at, path, group, group.online_link)
        )
    return calendar.to_ical()
