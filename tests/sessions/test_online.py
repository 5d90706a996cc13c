"""Online meetings (issue 16, part 5): a meeting's place can be a video call
link, https only (javascript:, data:, http: refused with a clear message);
the link is shown to the pair and the program's coordinators only, and in the
pair's calendar feeds; "Join" shows from 10 minutes before the start until
the end (time frozen with time-machine). Groups get the same field and rule."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mentoring.choices import MeetingMode
from mentoring.models import Match
from sessions.calendar import uid_domain
from sessions.forms import MeetingLinkField
from sessions.models import GroupSession, Registration, Session
from sessions.services import calendar_feed_for
from tests.factories import GroupSessionFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
LINK = "https://video.example.org/room/quiet-river-42"


def local_day(days):
    return (timezone.localtime(timezone.now(), NEW_YORK) + timedelta(days=days)).date()


def schedule_data(**extra):
    return {
        "day": local_day(5).isoformat(),
        "time": "18:00",
        "duration_minutes": "60",
        "mode": MeetingMode.VIDEO,
        "location": "",
        "online_url": LINK,
        **extra,
    }


# --- the link is checked -------------------------------------------------------------------------


def test_scheduling_an_online_meeting_keeps_its_https_link(personas, client_for):
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    response = client_for(personas.mentor).post(url, schedule_data())
    assert response.status_code == 302
    assert Session.objects.get().online_url == LINK


def test_a_link_typed_without_https_gets_it(personas, client_for):
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    response = client_for(personas.mentor).post(url, schedule_data(online_url="meet.example.org/abc-defg"))
    assert response.status_code == 302
    assert Session.objects.get().online_url == "https://meet.example.org/abc-defg"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("javascript:alert(document.cookie)", "links starting with “javascript:” cannot be used"),
        ("JavaScript:alert(1)", "links starting with “javascript:” cannot be used"),
        ("data:text/html,<script>alert(1)</script>", "links starting with “data:” cannot be used"),
        ("http://video.example.org/room/1", "links starting with “http:” cannot be used"),
        ("ftp://video.example.org/room/1", "links starting with “ftp:” cannot be used"),
        ("vbscript:msgbox", "links starting with “vbscript:” cannot be used"),
        ("not a link at all", "Enter the whole link of the video call, starting with https://."),
        ("https://", "Enter the whole link of the video call, starting with https://."),
        ("https://" + "a" * 600 + ".example.org", "at most 500 characters"),
    ],
)
def test_other_links_are_refused_beside_the_field_and_the_form_keeps_what_was_typed(
    personas, client_for, typed, message
):
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    response = client_for(personas.mentor).post(url, schedule_data(online_url=typed, location="Room 4"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"online_url"}
    assert message in " ".join(errors["online_url"])
    assert 'id="error_1_id_online_url"' in response.content.decode()
    assert 'value="Room 4"' in response.content.decode()
    assert not Session.objects.exists()


def test_the_field_refuses_a_scheme_hidden_behind_spaces():
    field = MeetingLinkField()
    for typed in ("  javascript:alert(1)", "\tdata:text/html,x"):
        with pytest.raises(Exception, match="cannot be used"):
            field.clean(typed)
    assert field.clean("video.example.org:8443/room") == "https://video.example.org:8443/room"


def test_a_group_refuses_an_http_link_too(personas, client_for):
    start = local_day(4)
    data = {
        "kind": "group",
        "title": "Online evening group",
        "day": start.isoformat(),
        "start": "18:00",
        "end": "19:00",
        "online_link": "http://video.example.org/group",
        "capacity": "10",
    }
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    response = client_for(personas.coordinator).post(url, data)
    assert response.status_code == 200
    assert "links starting with “http:” cannot be used" in " ".join(response.context["form"].errors["online_link"])
    assert not GroupSession.objects.exists()
    assert client_for(personas.coordinator).post(url, {**data, "online_link": LINK}).status_code == 302
    assert GroupSession.objects.get().online_link == LINK


# --- who sees it, and "Join" from 10 minutes before -----------------------------------------------


@pytest.fixture
def online(personas):
    starts_at = datetime.combine(local_day(2), time(18), tzinfo=NEW_YORK)
    return SessionFactory(match=personas.match, starts_at=starts_at, duration_minutes=60, online_url=LINK)


def detail(client, session):
    return client.get(reverse("peer_sessions:session_detail", args=[session.pk])).content.decode()


def join_box(client, session):
    response = client.get(reverse("peer_sessions:session_join", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


JOIN = 'class="btn btn-success btn-lg tap-target w-100 join-button" href="' + LINK + '"'


@pytest.mark.parametrize("who", ["mentor", "mentee", "coordinator"])
def test_join_appears_exactly_ten_minutes_before_the_start_until_the_end(
    personas, client_for, online, who, time_machine
):
    client = client_for(personas.user(who))
    starts_at = online.starts_at
    time_machine.move_to(starts_at - timedelta(minutes=10, seconds=1), tick=False)
    assert JOIN not in detail(client, online)
    assert LINK in detail(client, online)  # the link itself is there for the pair and coordinators
    assert "appears here 10 minutes before the start" in join_box(client, online)
    time_machine.move_to(starts_at - timedelta(minutes=10), tick=False)
    assert JOIN in detail(client, online)
    assert JOIN in join_box(client, online)
    time_machine.move_to(starts_at + timedelta(minutes=59, seconds=59), tick=False)
    assert JOIN in detail(client, online)
    time_machine.move_to(starts_at + timedelta(minutes=60), tick=False)
    assert JOIN not in detail(client, online)
    assert 'hx-trigger="every 30s"' not in join_box(client, online)  # over: no more polling


def test_the_join_box_polls_while_the_meeting_may_still_open(personas, client_for, online):
    html = join_box(client_for(personas.mentee), online)
    assert 'hx-trigger="every 30s"' in html
    assert f'hx-get="{reverse("peer_sessions:session_join", args=[online.pk])}"' in html


def test_a_cancelled_online_meeting_shows_no_join(personas, client_for, online, time_machine):
    Session.objects.filter(pk=online.pk).update(status=Session.Status.CANCELLED)
    time_machine.move_to(online.starts_at, tick=False)
    assert JOIN not in detail(client_for(personas.mentee), online)


def test_a_former_mentor_keeps_the_meeting_but_not_its_link(personas, client_for, time_machine):
    former = personas.former_match
    starts_at = timezone.now() - timedelta(days=40)
    session = SessionFactory(match=former, starts_at=starts_at, online_url=LINK)
    html = detail(client_for(personas.user("former_mentor")), session)
    assert "video.example.org" not in html
    assert "video.example.org" in detail(client_for(personas.coordinator), session)


@pytest.mark.parametrize("who", ["other_coordinator", "other_mentor", "other_mentee", "former_mentor"])
def test_outsiders_get_404_for_the_meeting_and_its_join_box(personas, client_for, online, who):
    client = client_for(personas.user(who))
    assert client.get(reverse("peer_sessions:session_detail", args=[online.pk])).status_code == 404
    assert client.get(reverse("peer_sessions:session_join", args=[online.pk])).status_code == 404


def test_a_group_link_is_for_people_with_a_seat_facilitators_and_coordinators(personas, client_for, time_machine):
    group = GroupSessionFactory(program=personas.program, online_link=LINK, facilitators=[personas.other_mentor])
    RegistrationFactory(group_session=group, user=personas.mentee, status=Registration.Status.REGISTERED)
    RegistrationFactory(group_session=group, user=personas.other_mentee, status=Registration.Status.WAITLISTED)
    url = reverse("peer_sessions:group_detail", args=[group.pk])
    for who, sees in [
        ("mentee", True),
        ("other_mentor", True),
        ("coordinator", True),
        ("mentor", False),
        ("other_mentee", False),
    ]:
        html = client_for(personas.user(who)).get(url).content.decode()
        assert ("video.example.org" in html) is sees, who
    time_machine.move_to(group.starts_at - timedelta(minutes=10), tick=False)
    assert f'href="{LINK}"' in client_for(personas.mentee).get(url).content.decode()
    html = client_for(personas.mentee).get(url).content.decode()
    assert "join-button" in html


# --- calendars ----------------------------------------------------------------------------------------


def events(client, user):
    response = client.get(reverse("peer_sessions:calendar_feed", args=[calendar_feed_for(user).token]))
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_pairs_feeds_carry_the_link_as_url_and_location(personas, client, online):
    for person in (personas.mentor, personas.mentee):
        event = events(client, person)[f"session-{online.pk}@{uid_domain()}"]
        assert str(event["URL"]) == LINK and str(event["LOCATION"]) == LINK
        assert str(event["SUMMARY"]) == "Waypoint meeting"


def test_a_meeting_without_a_link_has_no_url_and_a_closed_match_drops_it(personas, client, online):
    plain = SessionFactory(match=personas.match, starts_at=online.starts_at + timedelta(days=1), location="Cafe")
    feed = events(client, personas.mentee)
    assert "URL" not in feed[f"session-{plain.pk}@{uid_domain()}"]
    assert "LOCATION" not in feed[f"session-{plain.pk}@{uid_domain()}"]
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    for event in events(client, personas.mentor).values():
        assert "video.example.org" not in event.to_ical().decode()


def test_a_group_link_is_in_the_feed_of_people_with_a_seat(personas, client):
    group = GroupSessionFactory(program=personas.program, online_link=LINK)
    RegistrationFactory(group_session=group, user=personas.mentee, status=Registration.Status.REGISTERED)
    event = events(client, personas.mentee)[f"group-{group.pk}@{uid_domain()}"]
    assert str(event["URL"]) == LINK
    assert f"group-{group.pk}@{uid_domain()}" not in events(client, personas.other_mentee)


def test_the_mentees_home_offers_join_for_the_next_meeting_in_its_last_ten_minutes(
    personas, client_for, online, time_machine
):
    client = client_for(personas.mentee)
    time_machine.move_to(online.starts_at - timedelta(minutes=11), tick=False)
    assert "Join the online meeting" not in client.get(reverse("mentoring:home_mentee")).content.decode()
    time_machine.move_to(online.starts_at - timedelta(minutes=10), tick=False)
    html = client.get(reverse("mentoring:home_mentee")).content.decode()
    assert "Join the online meeting" in html and f'href="{LINK}"' in html
