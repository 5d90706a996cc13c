"""Messages through real requests: sending, unread counts, notifications,
bad input, the page's query count, boundaries (closed, paused, reports),
check-in replies, group announcements and the team conversation."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation, Message
from conversations.services import (
    conversation_for_match,
    conversation_for_person,
    message_send,
)
from goals.models import CheckIn, CheckInComment
from mentoring.models import AccessEvent, Delivery, Match, ReminderKind
from mentoring.notifications.kinds import KINDS
from sessions.models import Registration
from tests.factories import GroupSessionFactory, UserFactory


def _start(client, match):
    response = client.post(reverse("conversations:start"), {"match": match.pk})
    assert response.status_code == 302
    return Conversation.objects.get(match=match)


def _send(client, conversation, body):
    return client.post(reverse("conversations:send", args=[conversation.pk]), {"body": body})


def _new_message_rows(user):
    return Delivery.objects.filter(kind=ReminderKind.MESSAGE_NEW, recipient=user)


def test_mentor_writes_mentee_sees_the_unread_badge_reads_and_replies(personas, client):
    client.force_login(personas.mentor)
    conversation = _start(client, personas.match)
    response = _send(client, conversation, "Hi Mel, how was your week?")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("conversations:detail", args=[conversation.pk]))
    assert Message.objects.filter(conversation=conversation).count() == 1

    client.force_login(personas.mentee)
    home = client.get(reverse("mentoring:home"), follow=True)
    assert b'data-testid="unread-messages">1<' in home.content
    listing = client.get(reverse("conversations:list"))
    assert b'data-testid="conversation-unread">1<' in listing.content
    page = client.get(reverse("conversations:detail", args=[conversation.pk]))
    assert "Hi Mel, how was your week?" in page.content.decode()
    # Reading is a POST (htmx on load, or the button): the GET above wrote nothing.
    assert b'data-testid="unread-messages">1<' in client.get(reverse("conversations:list")).content
    assert client.post(reverse("conversations:read", args=[conversation.pk])).status_code == 302
    assert b'data-testid="unread-messages"' not in client.get(reverse("conversations:list")).content

    assert _send(client, conversation, "Good, thanks!").status_code == 302
    client.force_login(personas.mentor)
    assert b'data-testid="unread-messages">1<' in client.get(reverse("conversations:list")).content


def test_a_new_message_tells_the_other_side_once_until_they_read(personas, client):
    client.force_login(personas.mentor)
    conversation = _start(client, personas.match)
    _send(client, conversation, "One")
    _send(client, conversation, "Two")
    rows = _new_message_rows(personas.mentee)
    assert rows.count() == 2  # one per channel (in the app, email), for the first message only
    assert set(rows.values_list("channel", flat=True)) == {"in_app", "email"}
    assert set(rows.values_list("url", flat=True)) == {reverse("conversations:detail", args=[conversation.pk])}
    assert not _new_message_rows(personas.mentor).exists()

    client.force_login(personas.mentee)
    client.post(reverse("conversations:read", args=[conversation.pk]))
    client.force_login(personas.mentor)
    _send(client, conversation, "Three")
    assert _new_message_rows(personas.mentee).count() == 4


def test_the_new_message_kind_is_neutral_respects_quiet_hours_and_may_be_turned_off(personas, client):
    kind = KINDS[ReminderKind.MESSAGE_NEW]
    assert kind.line == "You have a new message on Waypoint"
    assert kind.quiet_hours and kind.opt_out
    # Quiet hours all day long: the row waits until they end.
    personas.mentee.quiet_from, personas.mentee.quiet_until = time(0, 0), time(23, 59)
    personas.mentee.save()
    client.force_login(personas.mentor)
    conversation = _start(client, personas.match)
    _send(client, conversation, "Late hello")
    row = _new_message_rows(personas.mentee).first()
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=1)


@pytest.mark.parametrize(
    "body, error",
    [
        ("", "Write a message first."),
        ("   \n\t  ", "Write a message first."),
        ("x" * 20_000, "Keep a message under 4,000 characters (this one has 20,000)."),
        ("bad \x00 byte", "Null characters are not allowed."),
    ],
)
def test_bad_messages_are_refused_next_to_the_box_keeping_the_text(personas, client, body, error):
    client.force_login(personas.mentor)
    conversation = _start(client, personas.match)
    response = _send(client, conversation, body)
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'id="body-error"' in html
    if body.strip() and "\x00" not in body:
        assert body in html  # what was typed is kept
    assert not Message.objects.exists()
    assert not Delivery.objects.filter(kind=ReminderKind.MESSAGE_NEW).exists()


def test_html_right_to_left_and_emoji_are_kept_as_plain_text(personas, client):
    client.force_login(personas.mentor)
    conversation = _start(client, personas.match)
    bodies = ['<script>alert("x")</script><b>bold</b>', "مرحبا، كيف حالك؟ שלום", "Proud of you 🎉👏🏽 ❤️"]
    for body in bodies:
        assert _send(client, conversation, body).status_code == 302
    assert list(Message.objects.order_by("pk").values_list("body", flat=True)) == bodies
    client.force_login(personas.mentee)
    html = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "مرحبا، كيف حالك؟ שלום" in html and "Proud of you 🎉👏🏽 ❤️" in html
    assert 'class="message-body" dir="auto"' in html


def _fill(conversation, personas, count):
    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                sender=personas.mentor if n % 2 else personas.mentee,
                body=f"Message number {n}",
                created_at=now - timedelta(minutes=count - n),
            )
            for n in range(count)
        ]
    )


def _queries_for_page(client, conversation):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("conversations:detail", args=[conversation.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_long_conversation_shows_the_latest_50_in_a_fixed_number_of_queries(personas, client):
    conversation = conversation_for_match(match=personas.match)
    client.force_login(personas.mentee)
    _fill(conversation, personas, 100)
    small, html = _queries_for_page(client, conversation)
    assert html.count('data-testid="message"') == 50
    assert "Message number 99" in html and "Message number 50" in html and "Message number 49<" not in html
    _fill(conversation, personas, 900)  # 1,000 messages in all: 10 times more
    large, html = _queries_for_page(client, conversation)
    assert html.count('data-testid="message"') == 50
    assert large == small, (small, large)
    assert small <= 12  # 10 today: session, user, device, conversation, messages, marker, roles, badges
    # Older messages: a page further back.
    older = client.get(
        reverse("conversations:detail", args=[conversation.pk])
        + "?before="
        + str(Message.objects.filter(body="Message number 899").get().pk)
    )
    assert "Message number 898" in older.content.decode()


def test_the_message_list_and_badge_do_not_grow_with_conversations(personas, client):
    client.force_login(personas.coordinator)
    people = [UserFactory() for _ in range(3)]
    for person in people[:1]:
        message_send(
            conversation=conversation_for_person(program=personas.program, person=person),
            sender=personas.coordinator,
            body="Hello",
        )
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("conversations:list")).status_code == 200
    for person in people[1:]:
        message_send(
            conversation=conversation_for_person(program=personas.program, person=person),
            sender=personas.coordinator,
            body="Hello",
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("conversations:list")).status_code == 200
    assert len(more) == len(few)


def test_a_closed_match_keeps_its_messages_read_only(personas, client):
    client.force_login(personas.mentor)
    conversation = _start(client, personas.match)
    _send(client, conversation, "Before the end")
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED, ended_at=timezone.now())
    for user in (personas.mentor, personas.mentee):
        client.force_login(user)
        page = client.get(reverse("conversations:detail", args=[conversation.pk]))
        assert page.status_code == 200
        assert "Before the end" in page.content.decode()
        assert b"kept read-only" in page.content and b'data-testid="message-form"' not in page.content
        response = _send(client, conversation, "After the end")
        assert response.status_code == 200 and b"kept read-only" in response.content
    assert Message.objects.count() == 1


def test_a_coordinator_pauses_and_resumes_a_pairs_messages_without_reading_them(personas, client):
    client.force_login(personas.coordinator)
    match_page = client.get(reverse("mentoring:match_detail", args=[personas.match.pk])).content.decode()
    assert "Pause messages" in match_page and "Open messages" not in match_page
    client.post(reverse("conversations:match_pause", args=[personas.match.pk]), {"paused": "1"})
    conversation = Conversation.objects.get(match=personas.match)
    assert conversation.is_paused
    assert client.get(reverse("conversations:detail", args=[conversation.pk])).status_code == 404
    client.force_login(personas.mentee)
    response = _send(client, conversation, "Hello?")
    assert b"paused by the program team" in response.content
    assert not Message.objects.exists()
    client.force_login(personas.coordinator)
    client.post(reverse("conversations:match_pause", args=[personas.match.pk]), {"paused": "0"})
    client.force_login(personas.mentee)
    assert _send(client, conversation, "Hello?").status_code == 302
    assert Message.objects.count() == 1


def test_coordinators_do_not_see_the_pairs_conversation_in_their_list(personas, client):
    conversation = conversation_for_match(match=personas.match)
    message_send(conversation=conversation, sender=personas.mentor, body="Private words")
    client.force_login(personas.coordinator)
    html = client.get(reverse("conversations:list")).content.decode()
    assert "Private words" not in html and reverse("conversations:detail", args=[conversation.pk]) not in html
    assert b'data-testid="unread-messages"' not in client.get(reverse("conversations:list")).content


def test_reporting_a_message_tells_the_coordinators_who_read_only_that_message_audited(personas, client):
    conversation = conversation_for_match(match=personas.match)
    message_send(conversation=conversation, sender=personas.mentor, body="Everyday chat")
    reported = message_send(conversation=conversation, sender=personas.mentor, body="Something out of line")
    client.force_login(personas.mentee)
    response = client.post(reverse("conversations:report", args=[reported.pk]), follow=True)
    assert b"The program team has been told" in response.content
    reported.refresh_from_db()
    assert reported.reported_by == personas.mentee
    rows = Delivery.objects.filter(kind=ReminderKind.MESSAGE_REPORTED)
    assert set(rows.values_list("recipient", flat=True)) == {personas.coordinator.pk}
    assert "out of line" not in " ".join(rows.values_list("url", flat=True))

    client.force_login(personas.coordinator)
    listing = client.get(reverse("conversations:reported", args=[personas.program.pk])).content.decode()
    assert "Something out of line" not in listing
    detail = client.get(reverse("conversations:reported_detail", args=[reported.pk])).content.decode()
    assert "Something out of line" in detail and "Everyday chat" not in detail
    event = AccessEvent.objects.get(what="message")
    assert (event.viewer, event.subject, event.object_id) == (personas.coordinator, personas.mentor, reported.pk)


def test_a_mentee_replies_to_a_comment_on_their_check_in_in_the_pairs_conversation(personas, client):
    checkin = CheckIn.objects.create(mentee=personas.match.mentee, mood=4)
    CheckInComment.objects.create(checkin=checkin, author=personas.mentor, body="Great week!")
    client.force_login(personas.mentee)
    page = client.get(reverse("goals:checkins", args=[personas.match.mentee.pk])).content.decode()
    assert reverse("conversations:checkin_reply", args=[checkin.pk]) in page
    response = client.post(reverse("conversations:checkin_reply", args=[checkin.pk]), {"body": "Thanks, it was!"})
    conversation = Conversation.objects.get(match=personas.match)
    assert response["Location"].startswith(reverse("conversations:detail", args=[conversation.pk]))
    message = Message.objects.get()
    assert (message.conversation, message.checkin, message.sender) == (conversation, checkin, personas.mentee)
    client.force_login(personas.mentor)
    html = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "Thanks, it was!" in html and "about your check-in of" in html
    assert _new_message_rows(personas.mentor).exists()


def test_group_announcements_facilitators_post_registered_people_read(personas, client):
    group = GroupSessionFactory(program=personas.program)
    group.facilitators.add(personas.mentor)
    Registration.objects.create(group_session=group, user=personas.other_mentee, status=Registration.Status.REGISTERED)
    client.force_login(personas.mentor)
    response = client.post(reverse("conversations:start"), {"group": group.pk})
    conversation = Conversation.objects.get(group=group)
    assert response["Location"] == reverse("conversations:detail", args=[conversation.pk])
    assert _send(client, conversation, "We meet in room 4 today").status_code == 302
    assert _new_message_rows(personas.other_mentee).exists()
    client.force_login(personas.other_mentee)
    page = client.get(reverse("conversations:detail", args=[conversation.pk]))
    assert b"We meet in room 4 today" in page.content and b'data-testid="message-form"' not in page.content
    assert _send(client, conversation, "Me too").status_code == 200
    assert client.post(reverse("conversations:start"), {"group": group.pk}).status_code == 404
    client.force_login(personas.mentee)  # not booked
    assert client.get(reverse("conversations:detail", args=[conversation.pk])).status_code == 404


def test_a_person_writes_to_the_program_team_and_a_coordinator_answers(personas, client):
    client.force_login(personas.mentee)
    client.post(reverse("conversations:start"), {"program": personas.program.pk})
    conversation = Conversation.objects.get(kind=Conversation.Kind.DIRECT, person=personas.mentee)
    _send(client, conversation, "Can I change my meeting day?")
    assert _new_message_rows(personas.coordinator).exists()
    client.force_login(personas.coordinator)
    assert (
        b"Can I change my meeting day?" in client.get(reverse("conversations:detail", args=[conversation.pk])).content
    )
    _send(client, conversation, "Yes, of course.")
    assert _new_message_rows(personas.mentee).exists()
    # Starting again opens the same conversation.
    client.force_login(personas.mentee)
    client.post(reverse("conversations:start"), {"program": personas.program.pk})
    assert Conversation.objects.filter(kind=Conversation.Kind.DIRECT).count() == 1


def test_garbage_in_the_start_form_is_a_404_never_a_500(personas, client):
    client.force_login(personas.coordinator)
    for data in ({}, {"match": "abc"}, {"program": "1e400"}, {"group": "-1"}, {"program": "x", "person": "y"}):
        assert client.post(reverse("conversations:start"), data).status_code == 404
    # A coordinator cannot write to someone outside their program.
    outsider = UserFactory()
    assert (
        client.post(reverse("conversations:start"), {"program": personas.program.pk, "person": outsider.pk}).status_code
        == 404
    )
    # Nor a person ask for a group they do not run.
    group = GroupSessionFactory(program=personas.program)
    client.force_login(personas.mentee)
    assert client.post(reverse("conversations:start"), {"group": group.pk}).status_code == 404
