"""Hostile checks of the third wave (messages, contact details, stories and the
public page, meetings that move, setup): outsiders get 404, bad input never a 500."""

import re

import pytest
from django.urls import reverse

from conversations.models import Conversation, Message
from conversations.services import conversation_for_match, conversation_for_person, message_send
from mentoring.models import Match
from programs.models import Story
from tests.factories import ProgramFactory

OUTSIDERS = ["other_coordinator", "other_mentor", "other_mentee", "proposed_mentor", "former_mentor"]


def _match_talk(p):
    conversation = conversation_for_match(match=p.match)
    message = message_send(conversation=conversation, sender=p.mentee, body="hello from the mentee")
    return conversation, message


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_url_of_a_pairs_conversation(personas, client_for, who):
    conversation, message = _match_talk(personas)
    Message.objects.filter(pk=message.pk).update(reported_at=message.created_at, reported_by=personas.mentor)
    user = personas.user(who)
    if who == "proposed_mentor":
        # the proposal stage: the conversation of the (now proposed) match is not theirs yet
        pass
    client = client_for(user)
    for url in (
        reverse("conversations:detail", args=[conversation.pk]),
        reverse("conversations:detail", args=[conversation.pk]) + "?before=abc",
    ):
        assert client.get(url).status_code == 404, (who, url)
    for url, data in (
        (reverse("conversations:send", args=[conversation.pk]), {"body": "x"}),
        (reverse("conversations:read", args=[conversation.pk]), {}),
        (reverse("conversations:report", args=[message.pk]), {}),
    ):
        assert client.post(url, data).status_code == 404, (who, url)
    if who != "other_coordinator":
        assert (
            client.post(reverse("conversations:match_pause", args=[personas.match.pk]), {"paused": "1"}).status_code
            == 404
        )
        assert client.get(reverse("conversations:reported_detail", args=[message.pk])).status_code == 404
    else:
        assert (
            client.post(reverse("conversations:match_pause", args=[personas.match.pk]), {"paused": "1"}).status_code
            == 404
        )
        assert client.get(reverse("conversations:reported_detail", args=[message.pk])).status_code == 404
    assert Message.objects.count() == 1
    assert Conversation.objects.get(pk=conversation.pk).paused_at is None
    assert "hello from the mentee" not in client.get(reverse("conversations:list")).content.decode()


def test_another_programs_coordinator_cannot_open_or_start_team_conversations(personas, client_for):
    conversation = conversation_for_person(program=personas.program, person=personas.mentee)
    message_send(conversation=conversation, sender=personas.mentee, body="private to program A")
    client = client_for(personas.other_coordinator)
    assert client.get(reverse("conversations:detail", args=[conversation.pk])).status_code == 404
    start = reverse("conversations:start")
    for data in (
        {"program": personas.program.pk, "person": personas.mentee.pk},
        {"program": personas.other_program.pk, "person": personas.mentee.pk},
        {"match": personas.match.pk},
        {"program": personas.program.pk},
    ):
        assert client.post(start, data).status_code == 404, data
    assert not Conversation.objects.filter(program=personas.other_program).exists()


def test_a_mentor_cannot_start_or_post_into_another_pairs_match(personas, client_for):
    client = client_for(personas.mentor)
    assert client.post(reverse("conversations:start"), {"match": personas.other_match.pk}).status_code == 404
    assert not Conversation.objects.filter(match=personas.other_match).exists()
    theirs = conversation_for_match(match=personas.other_match)
    assert client.post(reverse("conversations:send", args=[theirs.pk]), {"body": "hi"}).status_code == 404
    assert not Message.objects.exists()


def test_posting_into_a_closed_match_or_a_paused_conversation_is_refused(personas, client_for):
    conversation, _ = _match_talk(personas)
    client = client_for(personas.mentor)
    Conversation.objects.filter(pk=conversation.pk).update(paused_at=conversation.created_at)
    response = client.post(reverse("conversations:send", args=[conversation.pk]), {"body": "still here?"})
    assert response.status_code == 200 and "paused" in response.content.decode()
    Conversation.objects.filter(pk=conversation.pk).update(paused_at=None)
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    response = client.post(reverse("conversations:send", args=[conversation.pk]), {"body": "still here?"})
    assert response.status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    ["<script>alert(1)</script>", "x" * 20000, "a\x00b", "\u202eevil \U0001f600 مرحبا", "   ", "\r\n" * 5000],
)
def test_hostile_message_bodies_never_500_and_never_half_saved(personas, client_for, body):
    conversation = conversation_for_match(match=personas.match)
    client = client_for(personas.mentee)
    response = client.post(reverse("conversations:send", args=[conversation.pk]), {"body": body})
    assert response.status_code in (200, 302)
    page = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    saved = list(Message.objects.values_list("body", flat=True))
    assert len(saved) <= 1
    if saved:
        assert len(saved[0]) <= Message.MAX_LENGTH and "\x00" not in saved[0]


def test_a_coordinator_never_reads_a_pairs_message_body_on_lists_admin_or_exports(personas, client_for):
    conversation, message = _match_talk(personas)
    personas.coordinator.is_staff = True
    personas.coordinator.is_superuser = True
    personas.coordinator.save()
    client = client_for(personas.coordinator)
    for url in (
        reverse("conversations:list"),
        reverse("conversations:reported", args=[personas.program.pk]),
        reverse("mentoring:match_detail", args=[personas.match.pk]),
        reverse("admin:conversations_message_change", args=[message.pk]),
        reverse("admin:conversations_message_changelist"),
        reverse("admin:conversations_conversation_change", args=[conversation.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "hello from the mentee" not in response.content.decode(), url
    assert client.get(reverse("conversations:reported_detail", args=[message.pk])).status_code == 404


@pytest.mark.parametrize("before", ["-1", "abc", "99999999999999999999999", "%00", "1e5"])
def test_hostile_paging_of_a_conversation(personas, client_for, before):
    conversation, _ = _match_talk(personas)
    assert (
        client_for(personas.mentor)
        .get(reverse("conversations:detail", args=[conversation.pk]), {"before": before})
        .status_code
        == 200
    )


# --- contact details -----------------------------------------------------------------------------------


def test_a_coordinator_cannot_read_edit_or_find_a_person_only_in_another_program(personas, client_for):
    from tests.factories import MenteeProfileFactory, UserFactory

    stranger = UserFactory(email="zed.stranger@test.example", full_name="Zed Stranger", phone="+12025550143")
    MenteeProfileFactory(user=stranger, program=personas.other_program)
    client = client_for(personas.coordinator)
    assert client.get(reverse("mentoring:person_detail", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("mentoring:contact_edit", args=[stranger.pk])).status_code == 404
    assert (
        client.post(reverse("mentoring:contact_edit", args=[stranger.pk]), {"phone": "2025550100"}).status_code == 404
    )
    assert client.post(reverse("mentoring:texts_stop", args=[stranger.pk])).status_code == 404
    for q in ("Zed", "Stranger", "zed.stranger", "test.example", "0143", "5550143", "+1 202 555 0143", "202-555-0143"):
        page = client.get(reverse("mentoring:people_search"), {"q": q}).content.decode()
        assert reverse("mentoring:person_detail", args=[stranger.pk]) not in page and "zed.stranger@" not in page, q
    stranger.refresh_from_db()
    assert stranger.phone == "+12025550143" and stranger.texts_stopped_at is None


@pytest.mark.parametrize("q", ["\x00", "%", "_", "x" * 5000, "' OR 1=1 --", "+", "(((((", "١٢٣٤٥"])
@pytest.mark.parametrize("page", ["-1", "abc", "999999", ""])
def test_hostile_people_search(personas, client_for, q, page):
    response = client_for(personas.coordinator).get(reverse("mentoring:people_search"), {"q": q, "page": page})
    assert response.status_code == 200


def test_people_search_wildcards_do_not_match_everyone(personas, client_for):
    page = client_for(personas.coordinator).get(reverse("mentoring:people_search"), {"q": "%"}).content.decode()
    assert "Mel Mentee" not in page


@pytest.mark.parametrize(
    "headers,query,data,status",
    [
        ({}, "", {"From": "+12025550143", "Body": "STOP"}, 403),
        ({"HTTP_X_WAYPOINT_SECRET": "wrong"}, "", {"From": "+12025550143", "Body": "STOP"}, 403),
        ({"HTTP_X_WAYPOINT_SECRET": "sêcret"}, "", {"From": "+12025550143", "Body": "STOP"}, 403),
        ({}, "?secret=", {"From": "+12025550143", "Body": "STOP"}, 403),
        ({"HTTP_X_WAYPOINT_SECRET": "s3cret"}, "", {"From": "\x00", "Body": "STOP"}, 200),
        ({"HTTP_X_WAYPOINT_SECRET": "s3cret"}, "", {"From": "+" + "9" * 400, "Body": "STOP"}, 200),
        ({"HTTP_X_WAYPOINT_SECRET": "s3cret"}, "", {"From": "%", "Body": "STOP"}, 200),
        ({"HTTP_X_WAYPOINT_SECRET": "s3cret"}, "", {"From": "", "Body": "STOP"}, 200),
        ({"HTTP_X_WAYPOINT_SECRET": "s3cret"}, "", {"From": "+12025550143", "Body": "S" * 100000}, 200),
        ({"HTTP_X_WAYPOINT_SECRET": "s3cret"}, "", {}, 200),
    ],
)
def test_hostile_inbound_texts(personas, client, settings, headers, query, data, status):
    from tests.factories import UserFactory

    settings.SMS_INBOUND_SECRET = "s3cret"
    person = UserFactory(phone="+12025550143", ok_to_text=True)
    response = client.post(reverse("mentoring:sms_inbound") + query, data, **headers)
    assert response.status_code == status
    person.refresh_from_db()
    if status != 200 or data.get("From") != "+12025550143":
        assert person.texts_stopped_at is None


# --- stories and the public page ---------------------------------------------------------------------


def _story(p, **kw):
    return Story.objects.create(
        program=p.program, author=p.mentee, title="My way", body="It got better.", display_name="Sam", **kw
    )


@pytest.mark.parametrize("who", ["anonymous", "other_coordinator", "mentor", "other_mentor", "other_mentee"])
def test_a_draft_is_the_authors_and_the_coordinators_only(personas, client_for, who):
    story = _story(personas)
    client = client_for(personas.user(who))
    for name in ("story_detail", "story_edit", "story_consent", "story_withdraw", "story_delete"):
        response = client.get(reverse(f"programs:{name}", args=[story.pk]))
        assert response.status_code in (302, 404) and b"It got better" not in response.content, name
    for name in ("story_submit", "story_publish", "story_ask", "story_unpublish"):
        assert client.post(reverse(f"programs:{name}", args=[story.pk])).status_code in (302, 404), name
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


def test_a_coordinator_cannot_publish_without_consent_or_after_an_edit(personas, client_for):
    from programs.stories import story_consent_sign

    story = _story(personas, status=Story.Status.IN_REVIEW)
    client = client_for(personas.coordinator)
    client.post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW
    story_consent_sign(story=story, person=personas.mentee, typed_name="Mel Mentee")
    client.post(
        reverse("programs:story_edit", args=[story.pk]),
        {"title": "My way", "body": "It got better. Also my address is 1 Main St.", "display_name": "Sam"},
    )
    story.refresh_from_db()
    assert "Main St" in story.body  # the edit went through
    client.post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW
    Program = type(personas.program)
    Program.objects.filter(pk=personas.program.pk).update(public_page_enabled=True)
    assert b"Main St" not in client_for(None).get(reverse("programs:public_page", args=[personas.program.slug])).content


def test_the_public_page_of_an_unpublished_program_is_404(personas, client_for):
    story = _story(personas, status=Story.Status.PUBLISHED)
    client = client_for(None)
    assert client.get(reverse("programs:public_page", args=[personas.program.slug])).status_code == 404
    assert client.get(reverse("programs:public_story", args=[personas.program.slug, story.pk])).status_code == 404
    other = ProgramFactory(public_page_enabled=True)
    assert client.get(reverse("programs:public_story", args=[other.slug, story.pk])).status_code == 404


def test_private_groups_and_online_links_stay_off_the_public_page(personas, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import GroupSessionFactory

    type(personas.program).objects.filter(pk=personas.program.pk).update(public_page_enabled=True)
    soon = timezone.now() + timedelta(days=3)
    GroupSessionFactory(
        program=personas.program,
        title="Closed circle",
        is_public=False,
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    GroupSessionFactory(
        program=personas.program,
        title="Open circle",
        is_public=True,
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        online_link="https://meet.example/secret-room",
    )
    page = client_for(None).get(reverse("programs:public_page", args=[personas.program.slug])).content.decode()
    assert "Open circle" in page
    assert "Closed circle" not in page and "secret-room" not in page


def test_outcome_figures_below_the_minimum_group_are_hidden(personas, client_for, settings):
    settings.PUBLIC_OUTCOMES_MIN_GROUP = 5
    type(personas.program).objects.filter(pk=personas.program.pk).update(
        public_page_enabled=True, show_public_outcomes=True
    )
    page = client_for(None).get(reverse("programs:public_page", args=[personas.program.slug])).content.decode()
    assert 'data-testid="outcome-' not in page


@pytest.mark.parametrize("slug", ["nope", "a" * 300, "-", "program-a%00"])
def test_hostile_public_slugs(db, client, slug):
    assert client.get(f"/p/{slug}/").status_code == 404


# --- meetings that move -------------------------------------------------------------------------------


def _meeting(p, hours=72, **kw):
    from datetime import timedelta

    from django.utils import timezone

    from sessions.models import Session

    return Session.objects.create(
        match=p.match, starts_at=timezone.now() + timedelta(hours=hours), scheduled_by=p.mentor, **kw
    )


def _proposal_by_mentor(p, session):
    from datetime import timedelta

    from sessions.models import TimeProposal

    return TimeProposal.objects.create(
        session=session,
        proposed_by=p.mentor,
        starts_at=session.starts_at + timedelta(days=1),
        previous_starts_at=session.starts_at,
    )


@pytest.mark.parametrize("who", ["other_coordinator", "other_mentor", "other_mentee", "former_mentor", "coordinator"])
def test_outsiders_cannot_move_a_meeting_or_answer_its_proposal(personas, client_for, who):
    from sessions.models import TimeProposal

    session = _meeting(personas)
    proposal = _proposal_by_mentor(personas, session)
    before = session.starts_at
    client = client_for(personas.user(who))
    assert client.get(reverse("peer_sessions:session_propose", args=[session.pk])).status_code == 404
    assert (
        client.post(
            reverse("peer_sessions:session_propose", args=[session.pk]), {"day": "2030-01-01", "time": "10:00"}
        ).status_code
        == 404
    )
    for action in ("accept", "decline", "withdraw"):
        response = client.post(reverse("peer_sessions:time_proposal_answer", args=[proposal.pk]), {"action": action})
        assert response.status_code == 404, action
    session.refresh_from_db()
    assert session.starts_at == before
    assert TimeProposal.objects.get(pk=proposal.pk).status == TimeProposal.Status.PENDING


def test_the_proposer_cannot_accept_their_own_proposal(personas, client_for):
    from sessions.models import TimeProposal

    session = _meeting(personas)
    proposal = _proposal_by_mentor(personas, session)
    before = session.starts_at
    client_for(personas.mentor).post(
        reverse("peer_sessions:time_proposal_answer", args=[proposal.pk]), {"action": "accept"}
    )
    session.refresh_from_db()
    assert session.starts_at == before
    assert TimeProposal.objects.get(pk=proposal.pk).status == TimeProposal.Status.PENDING


def test_accepting_after_the_match_closed_changes_nothing(personas, client_for):
    session = _meeting(personas)
    proposal = _proposal_by_mentor(personas, session)
    before = session.starts_at
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    response = client_for(personas.mentee).post(
        reverse("peer_sessions:time_proposal_answer", args=[proposal.pk]), {"action": "accept"}
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.starts_at == before


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://meet.example/x",
        "vbscript:msgbox(1)",
        "java\tscript:alert(1)",
        "//evil.example/x",
        "https://meet.example/x\x00",
        "\x00javascript:alert(1)",
        "ftp://meet.example/x",
    ],
)
def test_meeting_links_other_than_https_are_refused(link):
    from sessions.forms import MeetingLinkField

    field = MeetingLinkField()
    try:
        value = field.clean(link)
    except Exception as error:  # noqa: BLE001
        from django.core.exceptions import ValidationError

        assert isinstance(error, ValidationError)
    else:
        assert value == "" or value.startswith("https://"), value


def test_the_link_is_not_shown_to_outsiders_or_former_mentors(personas, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from sessions.models import Session

    now = timezone.now()
    current = _meeting(personas, hours=0, online_url="https://meet.example/current-room")
    old = Session.objects.create(
        match=personas.former_match,
        starts_at=now - timedelta(minutes=5),
        scheduled_by=personas.former_match.mentor.user,
        online_url="https://meet.example/old-room",
    )
    former = client_for(personas.user("former_mentor"))
    for session in (current, old):
        for name in ("session_join", "session_detail"):
            response = former.get(reverse(f"peer_sessions:{name}", args=[session.pk]))
            assert b"room" not in response.content, (name, session.pk)
    for who in ("other_mentor", "other_mentee", "other_coordinator"):
        client = client_for(personas.user(who))
        for name in ("session_join", "session_detail"):
            response = client.get(reverse(f"peer_sessions:{name}", args=[current.pk]))
            assert response.status_code == 404 and b"room" not in response.content


# --- setup_organisation and the checklist -----------------------------------------------------------


def _setup(**values):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    args = ["--no-input"]
    for key, value in values.items():
        args += [f"--{key.replace('_', '-')}", value]
    out = StringIO()
    try:
        call_command("setup_organisation", *args, stdout=out, stderr=StringIO())
    except (CommandError, SystemExit):
        return False
    return True


GOOD = {
    "program": "Riverside Peer Mentoring",
    "time_zone": "America/Chicago",
    "coordinator_email": "lead@riverside.example",
    "coordinator_name": "Ana Ruiz",
}


@pytest.mark.parametrize(
    "bad",
    [
        {"coordinator_name": "A" * 151},
        {"coordinator_email": "a" * 250 + "@x.example"},
        {"program": "P" * 121},
        {"time_zone": "Mars/Olympus"},
        {"time_zone": "../../etc/passwd"},
        {"coordinator_email": "not an email"},
        {"program": "   "},
    ],
)
def test_setup_organisation_refuses_bad_values_and_writes_nothing(db, bad):
    from django.contrib.auth import get_user_model

    from programs.models import Program

    assert _setup(**{**GOOD, **bad}) is False
    assert not Program.objects.exists()
    assert not get_user_model().objects.exists()


def test_setup_organisation_twice_is_refused(db):
    from programs.models import Program

    assert _setup(**GOOD) is True
    assert _setup(**{**GOOD, "coordinator_email": "LEAD@riverside.example", "program": "other"}) is False
    assert (
        _setup(**{**GOOD, "coordinator_email": "b@riverside.example", "program": "RIVERSIDE peer mentoring"}) is False
    )
    assert Program.objects.count() == 1


def test_the_checklist_dismiss_is_post_only_and_coordinators_only(personas, client_for):
    url = reverse("mentoring:checklist_dismiss")
    assert client_for(personas.coordinator).get(url).status_code == 405
    for who in ("mentor", "mentee"):
        assert client_for(personas.user(who)).post(url).status_code == 404


# --- every GET row of the permission matrix, with hostile query strings --------------------------------

HOSTILE_QUERIES = [
    {"page": "-1"},
    {"page": "abc"},
    {"page": "99999999999999999999999"},
    {"q": "\x00"},
    {"q": "x" * 3000},
    {"before": "-5", "program": "abc", "kind": "\x00", "sort": "'", "status": "x" * 200},
    {"program": "99999999999999999999999", "month": "2026-13", "week": "abc", "from": "0000-00-00", "to": "x"},
]


def _get_rows():
    from tests.test_url_coverage import CONVERSATIONS, GOALS, MENTORING, PROGRAMS, RESOURCES, SESSIONS

    rows = []
    for row in MENTORING + PROGRAMS + SESSIONS + GOALS + RESOURCES + CONVERSATIONS:
        if row.method != "get":
            continue
        ok = [name for name, status in row.expected.items() if status == 200]
        if ok:
            rows.append(pytest.param(row, ok[0], id=f"{row.name}-{ok[0]}"))
    return rows


@pytest.mark.parametrize("row,persona", _get_rows())
def test_hostile_query_strings_never_500(row, persona, personas, client_for):
    from urllib.parse import urlencode

    client = client_for(personas.user(persona))
    base = row.url(personas)
    joiner = "&" if "?" in base else "?"
    for query in HOSTILE_QUERIES:
        url = f"{base}{joiner}{urlencode(query)}"
        response = client.get(url)
        assert response.status_code < 500, url


# --- a mentor and the mentee's contact details ---------------------------------------------------------


@pytest.mark.parametrize("who,sees", [("mentor", True), ("proposed_mentor", False), ("former_mentor", False)])
def test_only_the_current_mentor_sees_the_mentees_number(personas, client_for, who, sees):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=personas.mentee.pk).update(phone="+12025550177")
    user = personas.user(who)
    match = personas.former_match if who == "former_mentor" else personas.match
    client = client_for(user)
    if sees:
        assert client.get(reverse("mentoring:match_detail", args=[match.pk])).status_code == 200
    pages = [
        reverse("mentoring:match_detail", args=[match.pk]),
        reverse("mentoring:person_detail", args=[personas.mentee.pk]),
    ]
    for url in pages:
        response = client.get(url)
        if response.status_code == 404:
            continue
        body = response.content.decode()
        assert ("0177" in body) is sees, (who, url, response.status_code)
        if not sees:
            assert "mentee@test.example" not in body


def test_a_mentee_who_turned_it_off_hides_their_number_from_the_current_mentor(personas, client_for):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=personas.mentee.pk).update(phone="+12025550177", mentor_sees_contact=False)
    client = client_for(personas.mentor)
    for url in (
        reverse("mentoring:match_detail", args=[personas.match.pk]),
        reverse("mentoring:person_detail", args=[personas.mentee.pk]),
    ):
        body = client.get(url).content.decode()
        body = re.sub(r"[A-Za-z0-9]{64}", "", body)  # CSRF tokens: random letters and digits
        assert "0177" not in body and "mentee@test.example" not in body, url


def test_a_consent_page_opened_before_a_coordinators_edit_does_not_consent_to_the_new_text(personas, client_for):
    """The author opens the consent page (version 1); a coordinator then edits
    the story; the author signs the page they read. The consent must not cover
    words they never saw, so the story cannot be published."""
    from programs.models import StoryConsent

    story = _story(personas, status=Story.Status.IN_REVIEW)
    url = reverse("programs:story_consent", args=[story.pk])
    page = client_for(personas.mentee).get(url)
    assert b"It got better." in page.content
    shown_version = page.context["form"]["version"].value() if "version" in page.context["form"].fields else 1
    client_for(personas.coordinator).post(
        reverse("programs:story_edit", args=[story.pk]),
        {"title": "My way", "body": "It got better. My sister Ana helped.", "display_name": "Sam"},
    )
    story.refresh_from_db()
    assert story.version == 2
    response = client_for(personas.mentee).post(
        url, {"typed_name": "Mel Mentee", "agree": "on", "version": shown_version}
    )
    assert response.status_code in (200, 302)
    assert not StoryConsent.objects.filter(story=story, story_version=2).exists()
    client_for(personas.coordinator).post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW
    # Reading the new text and signing it works.
    page = client_for(personas.mentee).get(url)
    assert b"My sister Ana helped." in page.content
    assert b'name="version" value="2"' in page.content
    client_for(personas.mentee).post(
        url, {"typed_name": "Mel Mentee", "agree": "on", "version": page.context["form"]["version"].value()}
    )
    assert StoryConsent.objects.filter(story=story, story_version=2).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"day": "abc", "time": "25:99"},
        {"day": "9999-12-31", "time": "10:00"},
        {"day": "0001-01-01", "time": "10:00"},
        {"day": "2030-01-01", "time": "10:00", "note": "x" * 20000},
        {"day": "2030-01-01", "time": "10:00", "note": "a\x00b"},
        {"day": "\x00", "time": "\x00"},
        {},
    ],
)
def test_hostile_time_proposals_never_500(personas, client_for, data):
    from sessions.models import TimeProposal

    session = _meeting(personas)
    response = client_for(personas.mentee).post(reverse("peer_sessions:session_propose", args=[session.pk]), data)
    assert response.status_code in (200, 302)
    for proposal in TimeProposal.objects.all():
        assert len(proposal.note) <= 200 and "\x00" not in proposal.note


@pytest.mark.parametrize("action", ["", "ACCEPT", "accept\x00", "delete", "x" * 5000])
def test_hostile_answers_to_a_time_proposal(personas, client_for, action):
    from sessions.models import TimeProposal

    session = _meeting(personas)
    proposal = _proposal_by_mentor(personas, session)
    response = client_for(personas.mentee).post(
        reverse("peer_sessions:time_proposal_answer", args=[proposal.pk]), {"action": action}
    )
    assert response.status_code == 302
    assert TimeProposal.objects.get(pk=proposal.pk).status == TimeProposal.Status.PENDING


@pytest.mark.parametrize(
    "data",
    [
        {"phone": "\x00"},
        {"phone": "9" * 5000},
        {"phone": "+1 (202) 555-0143 ext. 9999999999"},
        {"phone": "١٢٣٤٥٦٧٨٩٠"},
        {"phone": "<script>alert(1)</script>"},
        {"preferred_contact": "pigeon"},
    ],
)
def test_hostile_contact_edits_never_500(personas, client_for, data):
    for who in (personas.mentee, personas.coordinator):
        response = client_for(who).post(reverse("mentoring:contact_edit", args=[personas.mentee.pk]), data)
        assert response.status_code in (200, 302)
    personas.mentee.refresh_from_db()
    assert "\x00" not in (personas.mentee.phone or "") and len(personas.mentee.phone or "") <= 20


@pytest.mark.parametrize(
    "data",
    [
        {"title": "T", "body": "x" * 200000, "display_name": "Sam"},
        {"title": "T\x00", "body": "b\x00", "display_name": "Sam\x00"},
        {"title": "<script>alert(1)</script>", "body": "<img src=x onerror=alert(1)>", "display_name": "Sam"},
        {"title": "x" * 500, "body": "b", "display_name": "Sam"},
        {"title": "T", "body": "b", "display_name": "\u202eSam"},
        {},
    ],
)
def test_hostile_story_drafts_never_500(personas, client_for, data):
    client = client_for(personas.mentee)
    response = client.post(reverse("programs:story_new"), data)
    assert response.status_code in (200, 302)
    for story in Story.objects.all():
        assert "\x00" not in story.title + story.body + story.display_name
        page = client.get(reverse("programs:story_detail", args=[story.pk])).content.decode()
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
