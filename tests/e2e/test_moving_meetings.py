"""Browser journey (issue 16, part 5): on a phone, the mentee proposes a new
time for an online meeting; the mentor, on a phone too, accepts it; the
meeting shows the new time for both, its calendar event keeps its UID with a
higher SEQUENCE, and the buttons are full-size targets."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateformat import format as date_format
from icalendar import Calendar
from playwright.sync_api import expect

from mentoring.choices import MeetingMode
from mentoring.models import Match
from sessions.calendar import build_feed, uid_domain
from sessions.models import Session, TimeProposal
from tests.e2e.helpers import field, flash, local_today

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

LINK = "https://video.example.org/room/riverbend-7"
NOTE = "My shift changed that day."


def min_height(locator):
    return locator.bounding_box()["height"]


def feed_event(user, session):
    events = {str(e["UID"]): e for e in Calendar.from_ical(build_feed(user)).walk("VEVENT")}
    return events[f"session-{session.pk}@{uid_domain()}"]


def test_mentee_proposes_a_new_time_on_a_phone_and_the_mentor_accepts(new_page, live_server, demo_data, log_in):
    match = Match.objects.get(
        mentor__user__email=DEMO_EMAILS["mentor"], mentee__user__email=DEMO_EMAILS["mentee"], status=Match.Status.ACTIVE
    )
    mentee_user = get_user_model().objects.get(email=DEMO_EMAILS["mentee"])
    zone = ZoneInfo(mentee_user.time_zone)
    today = local_today(DEMO_EMAILS["mentee"])
    # An online meeting in ten days at 7:15 am (a time no demo meeting uses).
    meeting = Session.objects.create(
        match=match,
        starts_at=datetime.combine(today + timedelta(days=10), time(7, 15), tzinfo=zone),
        duration_minutes=45,
        mode=MeetingMode.VIDEO,
        online_url=LINK,
        scheduled_by=match.mentor.user,
    )
    before = feed_event(match.mentor.user, meeting)
    new_day = today + timedelta(days=11)
    new_start = datetime.combine(new_day, time(18, 30), tzinfo=zone)
    path = f"/sessions/{meeting.pk}/"

    # --- 1. The mentee, on a phone, opens the meeting and proposes a new time. ---------------
    mentee = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    log_in(mentee, "mentee")
    expect(mentee).to_have_url(re.compile(r"/home/mentee/$"))
    mentee.goto(path)
    expect(mentee.get_by_test_id("session-status")).to_have_text("Scheduled")
    # Online: the link is there; "Join" only from 10 minutes before.
    expect(mentee.get_by_test_id("online-url")).to_have_text(LINK)
    expect(mentee.get_by_role("link", name="Join", exact=True)).to_have_count(0)
    expect(mentee.get_by_test_id("join-later")).to_be_visible()

    propose = mentee.get_by_role("link", name="Propose a new time")
    assert min_height(propose) >= 44
    propose.click()
    expect(mentee.get_by_role("heading", name="Propose a new time", level=1)).to_be_visible()
    # First a time that has passed: the message is beside the field, the note stays.
    field(mentee, "New date").fill(today.isoformat())
    field(mentee, "New start time").fill("00:00")
    field(mentee, "A note for the other person").fill(NOTE)
    mentee.get_by_role("button", name="Propose this time").click()
    expect(mentee.locator("#error_1_id_time")).to_contain_text("Choose a time in the future.")
    expect(field(mentee, "A note for the other person")).to_have_value(NOTE)
    assert not TimeProposal.objects.exists()

    field(mentee, "New date").fill(new_day.isoformat())
    field(mentee, "New start time").fill("18:30")
    submit = mentee.get_by_role("button", name="Propose this time")
    assert min_height(submit) >= 44
    submit.click()
    expect(mentee).to_have_url(re.compile(re.escape(live_server.url + path) + "$"))
    expect(flash(mentee, "The new time is proposed.")).to_be_visible()
    card = mentee.get_by_test_id("time-proposal")
    expect(card).to_contain_text("You proposed")
    expect(card).to_contain_text(date_format(timezone.localtime(new_start, zone), "l, F j, g:i a"))
    expect(card.get_by_role("button", name="Withdraw my proposal")).to_be_visible()
    # Nothing moved yet.
    assert Session.objects.get(pk=meeting.pk).starts_at == meeting.starts_at

    # --- 2. The mentor, on a phone, accepts. ------------------------------------------------------
    mentor = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    log_in(mentor, "mentor")
    expect(mentor).to_have_url(re.compile(r"/home/mentor/$"))
    mentor.goto(path)  # where the "You have an update" notification leads
    card = mentor.get_by_test_id("time-proposal")
    expect(card).to_contain_text(NOTE)
    accept = card.get_by_role("button", name="Accept the new time")
    assert min_height(accept) >= 44
    expect(card.get_by_role("button", name="Decline")).to_be_visible()
    accept.click()
    expect(flash(mentor, "The meeting is moved to the new time")).to_be_visible()
    mentor_zone = ZoneInfo(match.mentor.user.time_zone)
    expect(mentor.get_by_role("heading", level=1)).to_have_text(
        date_format(timezone.localtime(new_start, mentor_zone), "l, F j, g:i a")
    )
    expect(mentor.get_by_test_id("time-proposal")).to_have_count(0)
    expect(mentor.get_by_test_id("moved")).to_be_visible()

    moved = Session.objects.get(pk=meeting.pk)
    assert moved.starts_at == new_start
    assert TimeProposal.objects.get().status == TimeProposal.Status.ACCEPTED
    after = feed_event(match.mentor.user, moved)
    assert after.decoded("DTSTART") == new_start
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["URL"]) == LINK

    # --- 3. The mentee sees the new time. ------------------------------------------------------------
    mentee.reload()
    expect(mentee.get_by_role("heading", level=1)).to_have_text(
        date_format(timezone.localtime(new_start, zone), "l, F j, g:i a")
    )
    expect(mentee.get_by_test_id("time-proposal")).to_have_count(0)
