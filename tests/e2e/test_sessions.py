"""End-to-end sessions journeys: the mentor schedules a meeting with their
mentee, then logs a past one with skills, a summary and a private note; the
mentee, on a phone, reads the shared summary but never the note. Then a
facilitator takes attendance for a weekly group: one tap per person with htmx,
and the same page as a plain form without JavaScript."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from mentoring.models import Match
from sessions.models import GroupSession, Registration, Session
from tests.e2e.helpers import MENTEE_NAME, MENTOR_NAME, field, flash, local_today, path_is

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

GROUP_TITLE = "Tuesday evening peer group"
SKILLS = ("Stress management", "Mindfulness")
SUMMARY = "We practised box breathing together."
NEXT_STEPS = "Box breathing twice a day, before breakfast and before bed."
PRIVATE_NOTE = "Private: worried about sleep."


def open_match_from_home(page, live_server, mentee_name):
    """From the mentor's home, the mentee's status badge leads to the match."""
    page.goto("/home/mentor/")
    row = page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_role("link", name=mentee_name))
    row.get_by_role("link", name="Active", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/matches/\d+/$"))
    expect(page.get_by_role("heading", name=f"You and {mentee_name}", level=1)).to_be_visible()
    expect(page.get_by_test_id("match-status")).to_have_text("Active")


def test_mentor_schedules_and_logs_and_mentee_sees_only_the_shared_part(new_page, live_server, demo_data, log_in):
    match = Match.objects.get(
        mentor__user__email=DEMO_EMAILS["mentor"], mentee__user__email=DEMO_EMAILS["mentee"], status=Match.Status.ACTIVE
    )
    match_path = reverse("mentoring:match_detail", args=[match.pk])
    stress_before = Session.objects.filter(
        match__mentee__user__email=DEMO_EMAILS["mentee"], status=Session.Status.COMPLETED, skills__name=SKILLS[0]
    ).count()
    today = local_today(DEMO_EMAILS["mentor"])

    # --- 1. The mentor schedules the next meeting from the match page. ----------------------
    mentor = new_page()
    log_in(mentor, "mentor")
    expect(mentor).to_have_url(path_is(live_server, "/home/mentor/"))
    open_match_from_home(mentor, live_server, MENTEE_NAME)
    assert mentor.url == live_server.url + match_path

    mentor.get_by_role("link", name="Schedule a meeting").click()
    expect(mentor.get_by_role("heading", name="Schedule a meeting", level=1)).to_be_visible()
    tomorrow = today + timedelta(days=1)
    field(mentor, "Date").fill(tomorrow.isoformat())
    field(mentor, "Start time").fill("10:00")
    field(mentor, "Length").select_option(label="45 minutes")
    field(mentor, "How").select_option(label="In person")
    field(mentor, "Where").fill("Riverbend Library, room 3")
    schedule = mentor.get_by_role("button", name="Schedule", exact=True)
    schedule.click()

    status = mentor.get_by_test_id("session-status")
    double_booking = mentor.get_by_role("alert").filter(has_text="already has something booked at that time")
    expect(status.or_(double_booking)).to_be_visible()
    if double_booking.is_visible():  # a warning the mentor may override
        schedule.click()

    expect(mentor).to_have_url(re.compile(re.escape(live_server.url) + r"/sessions/\d+/$"))
    expect(flash(mentor, "The session is scheduled.")).to_be_visible()
    expect(status).to_have_text("Scheduled")
    expect(mentor.get_by_role("main")).to_contain_text(f"{MENTOR_NAME} and {MENTEE_NAME} · 45 minutes · In person")
    expect(mentor.get_by_role("main")).to_contain_text("Riverbend Library, room 3")
    # It has not happened yet: it can be cancelled but not logged.
    expect(mentor.get_by_role("link", name="Cancel…")).to_be_visible()
    expect(mentor.get_by_role("link", name="Log this session")).to_have_count(0)
    scheduled_path = mentor.url.removeprefix(live_server.url)

    # --- 2. The mentor logs a past meeting with skills, a summary and a private note. ------
    mentor.get_by_role("link", name="← The match").click()
    expect(mentor).to_have_url(path_is(live_server, match_path))
    mentor.get_by_role("link", name="Log a past meeting").click()
    expect(mentor.get_by_role("heading", name="Log a meeting that already happened", level=1)).to_be_visible()
    field(mentor, "Date").fill((today - timedelta(days=3)).isoformat())
    field(mentor, "Start time").fill("18:30")
    field(mentor, "Length").select_option(label="1 hour")
    field(mentor, "How").select_option(label="Video")
    mentor.get_by_role("radio", name="We met", exact=True).check()
    for skill in SKILLS:
        mentor.get_by_role("checkbox", name=skill, exact=True).check()
    field(mentor, "Summary for the mentee").fill(SUMMARY)
    field(mentor, "Next steps").fill(NEXT_STEPS)
    field(mentor, "Private notes").fill(PRIVATE_NOTE)
    mentor.get_by_role("button", name="Save the log").click()

    expect(mentor).to_have_url(re.compile(re.escape(live_server.url) + r"/sessions/\d+/$"))
    expect(flash(mentor, "The session is logged.")).to_be_visible()
    expect(status).to_have_text("Completed")
    logged_path = mentor.url.removeprefix(live_server.url)
    assert logged_path != scheduled_path
    expect(mentor.get_by_test_id("shared-summary")).to_have_text(SUMMARY)
    skills_line = mentor.get_by_role("main").locator("p", has_text="Skills practised:")
    for skill in SKILLS:
        expect(skills_line).to_contain_text(skill)
    expect(mentor.get_by_role("main")).to_contain_text(f"Next steps: {NEXT_STEPS}")
    expect(mentor.get_by_role("heading", name=re.compile(r"^Private notes"))).to_be_visible()
    expect(mentor.get_by_test_id("private-notes")).to_have_text(PRIVATE_NOTE)
    expect(mentor.get_by_role("link", name="Edit the log")).to_be_visible()

    logged = Session.objects.get(pk=int(re.search(r"/sessions/(\d+)/$", logged_path).group(1)))
    assert logged.match_id == match.pk
    assert logged.status == Session.Status.COMPLETED
    assert sorted(logged.skills.values_list("name", flat=True)) == sorted(SKILLS)
    assert logged.private_notes == PRIVATE_NOTE

    # Both meetings are listed on the match page.
    mentor.get_by_role("link", name="← The match").click()
    meetings = mentor.get_by_role("main").get_by_role("listitem")
    for path, state in ((scheduled_path, "Scheduled"), (logged_path, "Completed")):
        item = meetings.filter(has=mentor.locator(f'a[href="{path}"]'))
        expect(item).to_have_count(1)
        expect(item).to_contain_text(state)

    # --- 3. The mentee, on a phone, reads the summary and never the private note. ---------
    mentee = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    log_in(mentee, "mentee")
    expect(mentee).to_have_url(path_is(live_server, "/home/mentee/"))
    mentee_main = mentee.get_by_role("main")

    # The scheduled meeting is the next one on the mentee's home.
    next_meeting = mentee_main.get_by_role("link").filter(has=mentee.get_by_role("heading", name="Next meeting"))
    expect(next_meeting).to_have_attribute("href", scheduled_path)
    expect(next_meeting).to_contain_text("Riverbend Library, room 3")

    toolkit = mentee_main.locator(".card").filter(has=mentee.get_by_role("heading", name="Your toolkit"))
    expect(toolkit).to_be_visible()
    expect(toolkit.get_by_role("listitem").filter(has_text=SKILLS[0])).to_have_text(
        f"{SKILLS[0]} × {stress_before + 1}"
    )
    expect(toolkit.get_by_role("listitem").filter(has_text=SKILLS[1])).to_be_visible()

    mentee.goto(logged_path)
    expect(mentee.get_by_role("heading", name=re.compile(r"\d:\d\d [ap]\.m\.$"), level=1)).to_be_visible()
    expect(mentee.get_by_test_id("session-status")).to_have_text("Completed")
    expect(mentee.get_by_test_id("shared-summary")).to_have_text(SUMMARY)
    for skill in SKILLS:
        expect(mentee_main.locator("p", has_text="Skills practised:")).to_contain_text(skill)
    expect(mentee_main).to_contain_text(f"Next steps: {NEXT_STEPS}")
    expect(mentee.get_by_test_id("private-notes")).to_have_count(0)
    expect(mentee.get_by_role("heading", name=re.compile(r"^Private notes"))).to_have_count(0)
    expect(mentee.get_by_text(PRIVATE_NOTE)).to_have_count(0)
    assert PRIVATE_NOTE not in mentee.content()
    # The mentee does not log sessions, and the log form (with the note) is not theirs to open.
    expect(mentee.get_by_role("link", name=re.compile(r"Log this session|Edit the log"))).to_have_count(0)
    response = mentee.goto(reverse("peer_sessions:session_log", args=[logged.pk]))
    assert response.status == 404
    assert PRIVATE_NOTE not in mentee.content()


def test_facilitator_takes_attendance_with_and_without_htmx(new_page, live_server, demo_data, log_in):
    # --- 1. From the mentor's home to a date of the weekly group with seats taken. ---------
    page = new_page()
    log_in(page, "mentor")
    expect(page).to_have_url(path_is(live_server, "/home/mentor/"))
    page.get_by_role("main").get_by_role("link", name=re.compile(r"^Groups and events of ")).click()
    expect(page.get_by_role("heading", name="Groups, workshops and events", level=1)).to_be_visible()

    # Attendance opens shortly before the start, so the facilitator works on
    # the latest past date, which the demo leaves unmarked.
    page.get_by_role("link", name="Past weeks").click()
    group = (
        GroupSession.objects.filter(
            title=GROUP_TITLE, facilitators__email=DEMO_EMAILS["mentor"], starts_at__lt=timezone.now()
        )
        .annotate(taken=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)))
        .filter(taken__gte=3)
        .order_by("-starts_at")
        .first()
    )
    assert group is not None, "the demo data should have a past date of the group with seats taken"
    seats = list(group.registrations.filter(status=Registration.Status.REGISTERED).select_related("user"))
    assert not any(r.attendance for r in seats)
    zone = ZoneInfo(get_user_model().objects.get(email=DEMO_EMAILS["mentor"]).time_zone)
    when = date_format(timezone.localtime(group.starts_at, zone), "D M j, g:i a")

    date_row = (
        page.get_by_role("main")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name=GROUP_TITLE, exact=True))
        .filter(has_text=when)
    )
    expect(date_row).to_have_count(1)
    expect(date_row).to_contain_text(f"{len(seats)} of {group.capacity} seats taken")
    date_row.get_by_role("link", name=GROUP_TITLE, exact=True).click()

    expect(page).to_have_url(path_is(live_server, reverse("peer_sessions:group_detail", args=[group.pk])))
    expect(page.get_by_role("heading", name=GROUP_TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"Facilitated by {MENTOR_NAME}")
    expect(page.get_by_test_id("seats")).to_have_text(f"{len(seats)} of {group.capacity} seats taken")

    page.get_by_role("link", name="Take attendance").click()
    attendance_path = reverse("peer_sessions:attendance", args=[group.pk])
    expect(page).to_have_url(path_is(live_server, attendance_path))
    expect(page.get_by_role("heading", name="Attendance", level=1)).to_be_visible()

    rows = page.get_by_test_id("attendance-row")
    expect(rows).to_have_count(len(seats))
    names = [name.strip() for name in rows.locator("legend").all_inner_texts()]
    assert len(names) == len(seats) and all(names)

    def row(name):
        return rows.filter(has=page.locator("legend", has_text=name))

    # --- 2. With htmx, each tap saves its row and says so. ---------------------------------
    for name, choice in ((names[0], "Attended"), (names[1], "No-show")):
        this = row(name)
        expect(this.get_by_test_id("saved")).to_have_count(0)
        this.get_by_text(choice, exact=True).click()
        expect(this.get_by_test_id("saved")).to_have_text("Saved")
        expect(this.get_by_role("radio", name=choice, exact=True)).to_be_checked()
        # One status line for the page tells screen readers what was saved.
        expect(page.get_by_role("status")).to_have_text(f"Saved: {name}, {choice.lower()}.")
    # Only the tapped rows were saved.
    expect(page.get_by_test_id("saved")).to_have_count(2)
    expect(row(names[2]).get_by_role("radio", checked=True)).to_have_count(0)
    expect(page.locator(".messages").get_by_role("alert")).to_have_count(0)  # no page load happened

    page.reload()
    expect(page.get_by_test_id("saved")).to_have_count(0)
    expect(row(names[0]).get_by_role("radio", name="Attended", exact=True)).to_be_checked()
    expect(row(names[1]).get_by_role("radio", name="No-show", exact=True)).to_be_checked()
    expect(row(names[2]).get_by_role("radio", checked=True)).to_have_count(0)

    by_name = {r.user.full_name: r for r in seats}
    attendance = {name: Registration.objects.get(pk=by_name[name].pk).attendance for name in names[:3]}
    assert attendance == {names[0]: "attended", names[1]: "no_show", names[2]: ""}

    # --- 3. Without JavaScript the page is a plain form. -----------------------------------
    plain = new_page(java_script_enabled=False)
    log_in(plain, "mentor")
    expect(plain).to_have_url(path_is(live_server, "/home/mentor/"))
    plain.goto(attendance_path)
    plain_rows = plain.get_by_test_id("attendance-row")
    expect(plain_rows).to_have_count(len(seats))
    third = plain_rows.filter(has=plain.locator("legend", has_text=names[2]))
    third.get_by_text("Excused", exact=True).click()
    expect(third.get_by_role("radio", name="Excused", exact=True)).to_be_checked()
    plain.get_by_role("button", name="Save attendance").click()

    expect(plain).to_have_url(path_is(live_server, attendance_path))
    expect(flash(plain, "Attendance is saved.")).to_be_visible()
    plain.reload()
    for name, choice in ((names[0], "Attended"), (names[1], "No-show"), (names[2], "Excused")):
        this = plain_rows.filter(has=plain.locator("legend", has_text=name))
        expect(this.get_by_role("radio", name=choice, exact=True)).to_be_checked()

    # The htmx page shows the plain form's save after a reload too.
    page.reload()
    expect(row(names[2]).get_by_role("radio", name="Excused", exact=True)).to_be_checked()
    expect(row(names[0]).get_by_role("radio", name="Attended", exact=True)).to_be_checked()
    assert Registration.objects.get(pk=by_name[names[2]].pk).attendance == "excused"
