"""Success stories (issue 20, part 5) through real requests: written by a
mentee, edited with a coordinator, published only under the author's consent
to that exact text, unpublished at once when the consent is withdrawn; the
public program page (part 6) with public dates, stories, crisis help and
outcome figures above the minimum group size; the apply pages' stories."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Delivery, Match
from mentoring.personal_data import person_erase, personal_data_tables
from programs.models import Story, StoryConsent
from programs.public import outcome_figures, public_outcomes, year_start
from programs.stories import story_consent_sign, story_create, story_publish, story_submit, story_update
from tests.factories import (
    GoalFactory,
    GroupSessionFactory,
    MatchFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BODY = "A year ago I could not leave the house. Walking with my mentor every Tuesday changed that."


def _story(p, **extra):
    story = story_create(program=p.program, author=p.mentee, title="Tuesdays", body=BODY, display_name="Mel", **extra)
    return story_submit(story=story)


def _public(p):
    p.program.public_page_enabled = True
    p.program.save(update_fields=["public_page_enabled"])
    return reverse("programs:public_page", args=[p.program.slug])


def _published(p):
    story = _story(p)
    story_consent_sign(story=story, person=p.mentee, typed_name="Mel Mentee")
    return story_publish(story=story, by=p.coordinator)


# --- consent and publication ---------------------------------------------------------------------------


def test_a_story_without_the_authors_consent_cannot_be_published(personas, client_for):
    p = personas
    story = _story(p)
    client = client_for(p.coordinator)
    response = client.post(reverse("programs:story_publish", args=[story.pk]), follow=True)
    assert "has not consented to this version" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW and story.published_at is None
    assert "Tuesdays" not in client_for(None).get(_public(p)).content.decode()


def test_the_author_consents_through_the_page_and_the_coordinator_publishes(personas, client_for):
    p = personas
    story = _story(p)
    author = client_for(p.mentee)
    page = author.get(reverse("programs:story_consent", args=[story.pk])).content.decode()
    assert "may publish this version of my story" in page and BODY in page
    # Not ticking the box, or no name: said next to the field, nothing recorded.
    response = author.post(reverse("programs:story_consent", args=[story.pk]), {"typed_name": "Mel Mentee"})
    assert response.status_code == 200 and "agree" in response.context["form"].errors
    assert not StoryConsent.objects.exists()
    # Another name than the author's own (as for the mentor agreement): said next to the name, kept, nothing recorded.
    response = author.post(
        reverse("programs:story_consent", args=[story.pk]),
        {"typed_name": "x", "agree": "on", "version": story.version},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["typed_name"] == [
        "Type your full name exactly as it appears on your account."
    ]
    assert response.context["form"]["typed_name"].value() == "x"
    assert not StoryConsent.objects.exists()
    response = author.post(
        reverse("programs:story_consent", args=[story.pk]),
        {"typed_name": "Mel Mentee", "agree": "on", "version": story.version},
    )
    assert response.status_code == 302
    consent = StoryConsent.objects.get()
    assert (consent.person, consent.story_version, consent.text_hash) == (p.mentee, 1, story.text_hash())
    assert "Program A" in consent.statement and consent.statement_version == 1

    coordinator = client_for(p.coordinator)
    coordinator.post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.published_by == p.coordinator

    visitor = client_for(None)
    html = visitor.get(_public(p)).content.decode()
    assert "Read how others found their way" in html and "Tuesdays" in html
    story_page = visitor.get(reverse("programs:public_story", args=[p.program.slug, story.pk]))
    assert story_page.status_code == 200 and BODY in story_page.content.decode()
    assert "Mel Mentee" not in story_page.content.decode()  # the chosen name only


def test_an_edit_after_consent_needs_a_new_consent_before_publication(personas, client_for):
    p = personas
    story = _story(p)
    story_consent_sign(story=story, person=p.mentee, typed_name="Mel Mentee")
    coordinator = client_for(p.coordinator)
    coordinator.post(
        reverse("programs:story_edit", args=[story.pk]),
        {"display_name": "Mel", "title": "Tuesdays", "body": BODY + " Now I walk on my own."},
    )
    story.refresh_from_db()
    assert story.version == 2 and story.updated_by == p.coordinator
    coordinator.post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW  # the consent was for version 1
    # The coordinator asks; the author reads version 2 and consents; then it can be published.
    coordinator.post(reverse("programs:story_ask", args=[story.pk]))
    delivery = Delivery.objects.get(kind="story_review", recipient=p.mentee, channel="email")
    assert delivery.url == reverse("programs:story_detail", args=[story.pk])
    page = client_for(p.mentee).get(reverse("programs:story_consent", args=[story.pk])).content.decode()
    assert "Now I walk on my own." in page
    client_for(p.mentee).post(
        reverse("programs:story_consent", args=[story.pk]),
        {"typed_name": "Mel Mentee", "agree": "on", "version": story.version},
    )
    client_for(p.coordinator).post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_editing_a_published_story_takes_it_off_the_public_page(personas, client_for):
    p = personas
    story = _published(p)
    url = _public(p)
    assert "Tuesdays" in client_for(None).get(url).content.decode()
    client_for(p.coordinator).post(
        reverse("programs:story_edit", args=[story.pk]),
        {"display_name": "Mel", "title": "Tuesdays, again", "body": BODY},
    )
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW and story.published_at is None
    assert "Tuesdays" not in client_for(None).get(url).content.decode()


def test_withdrawing_consent_unpublishes_at_once(personas, client_for):
    p = personas
    story = _published(p)
    url = _public(p)
    story_url = reverse("programs:public_story", args=[p.program.slug, story.pk])
    assert client_for(None).get(story_url).status_code == 200
    response = client_for(p.mentee).post(reverse("programs:story_withdraw", args=[story.pk]))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN and story.published_at is None
    assert StoryConsent.objects.get().revoked_at is not None
    assert "Tuesdays" not in client_for(None).get(url).content.decode()
    assert client_for(None).get(story_url).status_code == 404
    # A coordinator cannot publish it again without a new consent.
    client_for(p.coordinator).post(reverse("programs:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN


def test_only_the_author_withdraws_and_only_the_authors_consent_counts(personas, client_for):
    p = personas
    story = _published(p)
    assert client_for(p.coordinator).post(reverse("programs:story_withdraw", args=[story.pk])).status_code == 404
    assert client_for(p.mentor).post(reverse("programs:story_consent", args=[story.pk])).status_code == 404
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_a_draft_is_not_on_the_public_page_and_its_public_address_is_404(personas, client_for):
    p = personas
    story = story_create(program=p.program, author=p.mentee, title="Draft words", body=BODY, display_name="Mel")
    _public(p)
    assert client_for(None).get(reverse("programs:public_story", args=[p.program.slug, story.pk])).status_code == 404
    assert "Draft words" not in client_for(None).get(_public(p)).content.decode()


# --- the author's pages --------------------------------------------------------------------------------


def test_a_mentee_writes_a_story_and_a_surname_is_refused_next_to_the_field(personas, client_for):
    p = personas
    client = client_for(p.mentee)
    url = reverse("programs:story_new")
    for name, message in (
        ("Mel Mentee", "Use one name only"),
        ("Mentee", "That looks like a surname"),
        ("M3l", "Use one name only"),
    ):
        response = client.post(url, {"display_name": name, "title": "My year", "body": BODY})
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html and 'id="error_1_id_display_name"' in html
        assert 'value="My year"' in html  # what was typed is kept
    assert not Story.objects.exists()
    response = client.post(url, {"display_name": "Mary-Jo", "title": "My year", "body": BODY})
    story = Story.objects.get()
    assert response.url == reverse("programs:story_detail", args=[story.pk])
    assert (story.author, story.program, story.status) == (p.mentee, p.program, Story.Status.DRAFT)
    client.post(reverse("programs:story_submit", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW
    assert "My year" in client.get(reverse("programs:my_stories")).content.decode()


def test_a_person_in_two_programs_chooses_one_and_garbage_is_explained(personas, client_for):
    p = personas
    from tests.factories import MentorProfileFactory

    MentorProfileFactory(user=p.mentee, program=p.other_program)
    client = client_for(p.mentee)
    data = {"display_name": "Mel", "title": "Two places", "body": BODY}
    response = client.post(reverse("programs:story_new"), {**data, "program": "abc"})
    assert response.status_code == 200 and "Choose the program this story is for." in response.content.decode()
    response = client.post(reverse("programs:story_new"), {**data, "body": "x" * 10_001})
    assert response.status_code == 200 and "body" in response.context["form"].errors
    client.post(reverse("programs:story_new"), {**data, "program": str(p.other_program.pk)})
    assert Story.objects.get().program == p.other_program


def test_the_author_deletes_a_published_story(personas, client_for):
    p = personas
    story = _published(p)
    client_for(p.mentee).post(reverse("programs:story_delete", args=[story.pk]))
    assert not Story.objects.exists() and not StoryConsent.objects.exists()
    assert "Tuesdays" not in client_for(None).get(_public(p)).content.decode()


def test_the_coordinator_reads_a_story_in_the_audit_trail(personas, client_for):
    p = personas
    story = _story(p)
    client_for(p.coordinator).get(reverse("programs:story_detail", args=[story.pk]))
    from mentoring.models import AccessEvent

    event = AccessEvent.objects.get(what="story")
    assert (event.subject, event.viewer) == (p.mentee, p.coordinator)


# --- the public program page ---------------------------------------------------------------------------


def test_the_public_page_is_404_until_a_coordinator_publishes_it(personas, client_for):
    p = personas
    url = reverse("programs:public_page", args=[p.program.slug])
    assert client_for(None).get(url).status_code == 404
    coordinator = client_for(p.coordinator)
    response = coordinator.post(
        reverse("programs:public_page_settings", args=[p.program.pk]),
        {"public_page_enabled": "on", "public_intro": "Peers who have been there, walking with you."},
    )
    assert response.status_code == 302
    response = client_for(None).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Peers who have been there" in html
    assert reverse("mentoring:crisis") in html
    for kind in ("mentee", "mentor", "volunteer"):
        assert f"{reverse('programs:apply', args=[kind])}?program={p.program.slug}" in html


def test_the_public_page_lists_only_upcoming_public_dates_without_people_or_links(personas, client_for):
    p = personas
    now = timezone.now()
    public = GroupSessionFactory(
        program=p.program,
        title="Open workshop on sleep",
        kind="workshop",
        is_public=True,
        location="Library hall",
        online_link="https://meet.example/secret-room",
        facilitators=[p.mentor],
    )
    GroupSessionFactory(program=p.program, title="Members-only circle")
    GroupSessionFactory(program=p.program, title="Cancelled open day", is_public=True, status="cancelled")
    GroupSessionFactory(
        program=p.program,
        title="Past open day",
        is_public=True,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
    )
    html = client_for(None).get(_public(p)).content.decode()
    assert public.title in html and "Library hall" in html and "Workshops" in html
    for hidden in ("Members-only circle", "Cancelled open day", "Past open day", "secret-room", "Morgan Mentor"):
        assert hidden not in html


def test_a_coordinator_marks_a_new_group_public(personas, client_for):
    p = personas
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client_for(p.coordinator).post(
        reverse("peer_sessions:group_new", args=[p.program.pk]),
        {
            "kind": "event",
            "title": "Open evening",
            "day": day,
            "start": "18:00",
            "end": "19:00",
            "capacity": "30",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert "Open evening" in client_for(None).get(_public(p)).content.decode()


def test_a_coordinator_shows_an_existing_date_on_the_public_page_and_hides_it(personas, client_for):
    p = personas
    group = GroupSessionFactory(program=p.program, title="Open day at the centre", facilitators=[p.other_mentor])
    url = _public(p)
    toggle = reverse("peer_sessions:group_public", args=[group.pk])
    # A facilitator runs the date but does not decide what the public sees.
    assert client_for(p.other_mentor).post(toggle, {"is_public": "yes"}).status_code == 404
    assert "Open day at the centre" not in client_for(None).get(url).content.decode()
    coordinator = client_for(p.coordinator)
    page = coordinator.get(reverse("peer_sessions:group_detail", args=[group.pk])).content.decode()
    assert "Show on the public page" in page
    coordinator.post(toggle, {"is_public": "yes"})
    assert "Open day at the centre" in client_for(None).get(url).content.decode()
    client_for(p.coordinator).post(toggle, {"is_public": "no"})
    assert "Open day at the centre" not in client_for(None).get(url).content.decode()


def test_the_apply_pages_show_up_to_three_published_stories(personas, client_for):
    p = personas
    _public(p)
    for n in range(4):
        story = story_create(program=p.program, author=p.mentee, title=f"Story {n}", body=BODY, display_name="Mel")
        story_submit(story=story)
        story_consent_sign(story=story, person=p.mentee, typed_name="Mel Mentee")
        story_publish(story=story, by=p.coordinator)
    html = client_for(None).get(reverse("programs:apply", args=["mentee"]) + f"?program={p.program.slug}").content
    html = html.decode()
    assert "Read how others found their way" in html
    assert sum(f"Story {n}" in html for n in range(4)) == 3
    # A program whose public page is off shows none.
    p.program.public_page_enabled = False
    p.program.save()
    html = client_for(None).get(reverse("programs:apply", args=["mentee"]) + f"?program={p.program.slug}").content
    assert b"Read how others found their way" not in html


# --- outcome figures -----------------------------------------------------------------------------------


def _matched_people(program, n):
    since = year_start(program) + timedelta(hours=1)
    started = min(since, timezone.now() - timedelta(minutes=5))
    for _ in range(n):
        match = MatchFactory(program=program, started_at=started)
        SessionFactory(match=match, status="completed", starts_at=started)
        GoalFactory(mentee=match.mentee, status="achieved", closed_at=started)


@pytest.mark.parametrize("people, shown", [(9, False), (10, True)])
def test_outcome_figures_are_shown_only_about_ten_people_or_more(people, shown, client_for):
    coordinator = UserFactory()
    from tests.factories import ProgramFactory

    program = ProgramFactory(
        coordinators=[coordinator], public_page_enabled=True, show_public_outcomes=True, time_zone="UTC"
    )
    _matched_people(program, people)
    figures = {figure.key: figure for figure in outcome_figures(program)}
    assert (figures["matched"].value, figures["meetings"].value, figures["goals"].value) == (people,) * 3
    html = client_for(None).get(reverse("programs:public_page", args=[program.slug])).content.decode()
    for key in ("matched", "meetings", "goals"):
        assert (f'data-testid="outcome-{key}"' in html) is shown
    assert ("This year so far" in html) is shown


def test_outcome_figures_need_the_programs_choice_and_follow_the_setting(personas):
    p = personas
    _matched_people(p.program, 12)
    Match.objects.filter(pk__in=[p.match.pk, p.other_match.pk]).update(started_at=None)
    assert public_outcomes(p.program) == []  # not chosen
    p.program.show_public_outcomes = True
    assert [figure.key for figure in public_outcomes(p.program)] == ["matched", "meetings", "goals"]
    with override_settings(PUBLIC_OUTCOMES_MIN_GROUP=13):
        assert public_outcomes(p.program) == []


# --- personal data -------------------------------------------------------------------------------------


def test_stories_are_in_the_authors_export_and_erasure_deletes_and_unpublishes_them(personas, client_for):
    p = personas
    story = _published(p)
    tables = personal_data_tables(person=p.mentee)
    assert tables["stories"][0]["text"] == BODY and tables["story_consents"][0]["typed_name"] == "Mel Mentee"
    Match.objects.filter(pk=p.match.pk).update(status=Match.Status.CLOSED, ended_at=timezone.now())
    person_erase(person=p.mentee, by=p.coordinator)
    assert not Story.objects.filter(pk=story.pk).exists() and not StoryConsent.objects.exists()
    assert "Tuesdays" not in client_for(None).get(_public(p)).content.decode()


def test_story_update_without_a_change_keeps_the_version_and_the_consent(personas):
    p = personas
    story = _story(p)
    story_consent_sign(story=story, person=p.mentee, typed_name="Mel Mentee")
    story = story_update(story=story, by=p.coordinator, title=story.title, body=story.body, display_name="Mel")
    assert story.version == 1
    assert story_publish(story=story, by=p.coordinator).status == Story.Status.PUBLISHED
