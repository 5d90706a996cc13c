"""Hostile checks of the sixth session's changes (issue 18: the last page
ratios): the coordinator home's alert list (SafetyAlert.program,
access.coordinated_alerts, ?program=), needs attention (stored rows, ?kind=),
the directory search (access.listed_resources, the stored search document),
the mentor and mentee homes (access.OwnMatches, page_of(count=)), and the
check-in report's stored weeks due after pause, close and reopen.

Outsiders get 404 or see nothing that is not theirs; bad query strings never
give a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Match
from mentoring.services import match_close, match_move, match_reopen
from mentoring.tasks import refresh_snapshots
from tests.factories import (
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ResourceFactory,
    SafetyAlertFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JUNK_NUMBERS = ["abc", "-1", "0", "1.5", "99999999999999999999999", "\x00", "1\x00", "²", "%", "1;DROP TABLE x"]
SEARCH_JUNK = [
    "a & | ! :* ( '",
    "'",
    "!!",
    "(",
    ":*",
    "a <-> b",
    "a:*B & !",
    "\\",
    "%_%",
    "' OR 1=1 --",
    "x" * 5000,
    "word " * 500,
    "a\x00b",
    "café niño acción",
    "ÁÉÍÓÚ ñ ü",
    '"unclosed',
    "-",
    "or",
]


def outsider_alert(personas, name="Bea Otherprogram"):
    """An open alert of a mentee of the other program (program B), whose name must not show in program A's pages."""
    mentee = MenteeProfileFactory(program=personas.other_program, user__full_name=name)
    return SafetyAlertFactory(mentee=mentee)


# --- coordinator home --------------------------------------------------------------------------------------


def test_another_programs_alert_is_not_on_the_coordinator_home_whatever_the_program_chosen(personas, client_for):
    alert = outsider_alert(personas)
    assert alert.program_id == personas.other_program.pk  # copied from the mentee's program on save
    mine = SafetyAlertFactory(mentee=personas.match.mentee)
    assert mine.program_id == personas.program.pk
    client = client_for(personas.coordinator)
    url = reverse("mentoring:home_coordinator")
    page = client.get(url).content.decode()
    assert "Mel Mentee" in page and "Bea Otherprogram" not in page
    page = client.get(url, {"program": personas.program.pk}).content.decode()
    assert "Mel Mentee" in page and "Bea Otherprogram" not in page
    # The other program chosen by hand: 404, nothing of it shown.
    response = client.get(url, {"program": personas.other_program.pk})
    assert response.status_code == 404
    assert "Bea Otherprogram" not in response.content.decode()


def test_the_other_coordinator_does_not_see_program_as_alerts(personas, client_for):
    SafetyAlertFactory(mentee=personas.match.mentee)
    outsider_alert(personas)
    client = client_for(personas.other_coordinator)
    page = client.get(reverse("mentoring:home_coordinator")).content.decode()
    assert "Bea Otherprogram" in page and "Mel Mentee" not in page
    assert client.get(reverse("mentoring:home_coordinator"), {"program": personas.program.pk}).status_code == 404


@pytest.mark.parametrize("value", JUNK_NUMBERS)
def test_junk_program_numbers_on_the_coordinator_pages_are_404_not_500(personas, client_for, value):
    client = client_for(personas.coordinator)
    for name in ("mentoring:home_coordinator", "mentoring:attention"):
        response = client.get(reverse(name), {"program": value})
        assert response.status_code == 404, (name, value)


@pytest.mark.parametrize(
    "who", ["mentor", "mentee", "other_mentor", "other_mentee", "proposed_mentor", "former_mentor"]
)
def test_people_who_coordinate_nothing_get_404_on_the_coordinator_pages(personas, client_for, who):
    SafetyAlertFactory(mentee=personas.match.mentee)
    client = client_for(personas.user(who))
    for name in ("mentoring:home_coordinator", "mentoring:attention"):
        for query in ({}, {"program": personas.program.pk}, {"kind": "alert"}):
            assert client.get(reverse(name), query).status_code == 404, (who, name, query)


# --- needs attention ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "junk"},
        {"kind": "alert'--"},
        {"kind": "\x00"},
        {"kind": "x" * 5000},
        {"page": "99999999999999999999"},
        {"page": "-3"},
        {"page": "zero"},
        {"page": "\x00"},
        {"kind": "alert", "page": "2"},
        {"kind": "ALERT"},
    ],
)
def test_needs_attention_takes_junk_kinds_and_pages_and_shows_only_its_programs(personas, client_for, query):
    SafetyAlertFactory(mentee=personas.match.mentee)
    outsider_alert(personas)
    refresh_snapshots()
    client = client_for(personas.coordinator)
    response = client.get(reverse("mentoring:attention"), query)
    assert response.status_code == 200, query
    page = response.content.decode()
    assert "Bea Otherprogram" not in page
    response = client.get(reverse("mentoring:attention"), {**query, "program": personas.other_program.pk})
    assert response.status_code == 404
    assert "Bea Otherprogram" not in response.content.decode()


def test_needs_attention_shows_the_own_programs_alert_and_filters_by_kind(personas, client_for):
    SafetyAlertFactory(mentee=personas.match.mentee)
    outsider_alert(personas)
    refresh_snapshots()
    client = client_for(personas.coordinator)
    url = reverse("mentoring:attention")
    assert "Mel Mentee" in client.get(url, {"kind": "alert"}).content.decode()
    assert "Mel Mentee" not in client.get(url, {"kind": "low_rating"}).content.decode()
    other = client_for(personas.other_coordinator).get(url, {"kind": "alert"}).content.decode()
    assert "Bea Otherprogram" in other and "Mel Mentee" not in other


# --- directory search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", SEARCH_JUNK)
@pytest.mark.parametrize("who", ["mentor", "mentee", "other_coordinator", "coordinator"])
def test_directory_search_with_query_syntax_never_500s_nor_shows_another_programs_listing(personas, client_for, who, q):
    ResourceFactory(program=personas.other_program, name="Secret B listing café", description="a & b ! c")
    ResourceFactory(program=personas.program, name="Own A listing café", description="a & b ! c")
    client = client_for(personas.user(who))
    for query in ({"q": q}, {"q": q, "page": "99999999999999999999"}, {"q": q, "page": "-1"}, {"q": q, "city": q}):
        response = client.get(reverse("resources:directory"), query)
        assert response.status_code == 200, (who, query)
        page = response.content.decode()
        if who == "other_coordinator":
            assert "Own A listing" not in page
        else:
            assert "Secret B listing" not in page


def test_directory_search_finds_the_own_listing_by_a_word_and_never_the_others(personas, client_for):
    ResourceFactory(program=personas.other_program, name="Harbor food pantry")
    ResourceFactory(program=personas.program, name="Harbor housing help")
    ResourceFactory(program=personas.program, name="Harbor suggestion", status="suggested")
    client = client_for(personas.mentee)
    page = client.get(reverse("resources:directory"), {"q": "harbor"}).content.decode()
    assert "Harbor housing help" in page
    assert "Harbor food pantry" not in page and "Harbor suggestion" not in page


# --- mentor home -------------------------------------------------------------------------------------------


def big_caseload(personas, size=30):
    """``size`` more active matches of the persona mentor, the oldest first: the
    newest come first on the caseload, so the oldest is on page 2."""
    mentor = personas.match.mentor
    mentor.capacity = size + 5
    mentor.save()
    now = timezone.now()
    matches = []
    for i in range(size):
        match = MatchFactory(
            program=personas.program,
            mentor=mentor,
            mentee__user__full_name=f"Caseload Person{i:02d}",
            started_at=now - timedelta(days=60),
        )
        Match.objects.filter(pk=match.pk).update(created_at=now - timedelta(days=60 - i))
        matches.append(match)
    return matches


def test_a_mentor_sees_an_open_alert_of_a_mentee_on_page_two_of_the_caseload(personas, client_for):
    matches = big_caseload(personas)
    oldest = matches[0]
    SafetyAlertFactory(mentee=oldest.mentee)
    client = client_for(personas.mentor)
    url = reverse("mentoring:home_mentor")
    first = client.get(url).content.decode()
    assert "Caseload Person29" in first  # the newest row, page 1
    # The alert panel lists the alert although its caseload row is on page 2.
    assert "Caseload Person00" in first
    assert first.count("Caseload Person00") == 1  # the alert panel only
    second = client.get(url, {"page": "2"}).content.decode()
    assert "Caseload Person00" in second


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "two", "\x00", "1e3", ""])
def test_mentor_home_pages_out_of_range_or_junk_are_a_page_not_a_500(personas, client_for, value):
    big_caseload(personas)
    client = client_for(personas.mentor)
    response = client.get(reverse("mentoring:home_mentor"), {"page": value})
    assert response.status_code == 200, value
    assert "Opal Othermentee" not in response.content.decode()


def test_a_former_or_proposed_mentor_sees_no_alert_of_that_mentee_on_their_home(personas, client_for):
    alert = SafetyAlertFactory(mentee=personas.match.mentee)
    acknowledge = reverse("goals:alert_acknowledge", args=[alert.pk])
    former = personas.user("former_mentor")
    page = client_for(former).get(reverse("mentoring:home_mentor")).content.decode()
    # The closed match stays on their list (the mentee's name shown there), the alert does not.
    assert 'data-testid="open-alerts"' not in page and acknowledge not in page
    assert (
        'data-testid="open-alerts"'
        in client_for(personas.mentor).get(reverse("mentoring:home_mentor")).content.decode()
    )
    proposed = personas.user("proposed_mentor")
    page = client_for(proposed).get(reverse("mentoring:home_mentor")).content.decode()
    assert 'data-testid="open-alerts"' not in page and acknowledge not in page


def test_another_mentor_sees_nothing_of_a_pair_on_their_home(personas, client_for):
    SafetyAlertFactory(mentee=personas.match.mentee)
    page = client_for(personas.other_mentor).get(reverse("mentoring:home_mentor")).content.decode()
    assert "Mel Mentee" not in page


def test_a_mentee_who_also_mentors_sees_their_own_mentees_alert_not_their_own_on_the_mentor_home(personas, client_for):
    """The persona mentee mentors someone in program A too: their mentor home lists
    their mentee's alert; their own alert (as a mentee) is for their mentor and
    coordinators only; their own mentor's other mentees never show."""
    mentee_user = personas.mentee
    as_mentor = MentorProfileFactory(user=mentee_user, program=personas.program)
    theirs = MatchFactory(program=personas.program, mentor=as_mentor, mentee__user__full_name="Tia Theirmentee")
    SafetyAlertFactory(mentee=theirs.mentee)
    SafetyAlertFactory(mentee=personas.match.mentee)  # their own, as a mentee
    client = client_for(mentee_user)
    page = client.get(reverse("mentoring:home_mentor")).content.decode()
    assert "Tia Theirmentee" in page
    assert page.count("Mel Mentee") <= 1  # the signed-in name in the menu at most, not an alert row
    assert "Opal Othermentee" not in page
    home = client.get(reverse("mentoring:home_mentee"))
    assert home.status_code == 200
    assert "Opal Othermentee" not in home.content.decode()
    # Their own mentor's page shows the alert of their mentee (Mel) — not Tia's.
    mentor_page = client_for(personas.mentor).get(reverse("mentoring:home_mentor")).content.decode()
    assert "Tia Theirmentee" not in mentor_page


@pytest.mark.parametrize("name", ["mentoring:home_mentor", "mentoring:home_mentee", "mentoring:home_coordinator"])
def test_a_person_with_no_profile_at_all_gets_404_on_the_role_homes(db, client_for, name):
    nobody = UserFactory(full_name="Nora Noprofile")
    assert client_for(nobody).get(reverse(name)).status_code == 404
    assert client_for(nobody).get(reverse(name), {"page": "2"}).status_code == 404


def test_a_mentee_only_gets_404_on_the_mentor_home_and_a_mentor_only_on_the_mentee_home(personas, client_for):
    assert client_for(personas.mentee).get(reverse("mentoring:home_mentor")).status_code == 404
    assert client_for(personas.mentor).get(reverse("mentoring:home_mentee")).status_code == 404


def test_mentee_home_shows_only_their_own_open_matches(personas, client_for):
    personas.user("former_mentor")  # a closed match with Frankie
    page = client_for(personas.mentee).get(reverse("mentoring:home_mentee")).content.decode()
    assert "Morgan Mentor" in page
    assert "Oscar Othermentor" not in page


# --- check-in report: stored weeks after pause, close of a paused match, reopen ------------------------------


@pytest.fixture
def scale():
    import io

    from django.core.management import call_command

    from mentoring.management.scale import SLUG_PREFIX
    from programs.models import Program

    call_command("seed_scale", mentees=20, stdout=io.StringIO())
    call_command("rollups_rebuild", stdout=io.StringIO())
    return list(Program.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk").values_list("pk", flat=True))


def _long_running(programs):
    return (
        Match.objects.filter(program__in=programs, status=Match.Status.ACTIVE, started_at__isnull=False)
        .filter(started_at__lt=timezone.now() - timedelta(days=60))
        .order_by("pk")
        .first()
    )


def test_check_in_report_stays_equal_to_live_after_pause_close_while_paused_reopen_pause_resume(scale):
    from tests.mentoring.test_rollups import assert_same_as_live

    match = _long_running(scale)
    match_move(match=match, action="pause")
    assert_same_as_live(scale)
    match_close(match=match, reason=Match.CloseReason.DISENGAGED, note="", closed_by=match.mentor.user)
    assert_same_as_live(scale)
    match_reopen(match=match)
    assert_same_as_live(scale)
    match_move(match=match, action="pause")
    assert_same_as_live(scale)
    match_move(match=match, action="resume")
    assert_same_as_live(scale)


def test_check_in_report_stays_equal_to_live_after_an_active_match_is_closed_and_reopened(scale):
    from tests.mentoring.test_rollups import assert_same_as_live

    match = _long_running(scale)
    match_close(match=match, reason=Match.CloseReason.DISENGAGED, note="", closed_by=match.mentor.user)
    assert_same_as_live(scale)
    match_reopen(match=match)
    assert_same_as_live(scale)


@pytest.mark.parametrize(
    "query",
    [
        {"category": "99999999999999999999999"},
        {"category": "-1"},
        {"category": "abc"},
        {"category": "\x00"},
        {"language": "xx"},
        {"language": "\x00"},
        {"city": "Ciudad de México"},
        {"q": "x" * 201},
        {"page": "1", "q": "café", "category": "9223372036854775807"},
    ],
)
def test_directory_filters_with_junk_are_a_page_not_a_500(personas, client_for, query):
    ResourceFactory(program=personas.other_program, name="Secret B listing")
    for who in ("mentee", "mentor", "coordinator"):
        response = client_for(personas.user(who)).get(reverse("resources:directory"), query)
        assert response.status_code == 200, (who, query)
        assert "Secret B listing" not in response.content.decode()


def test_the_sixth_sessions_pages_in_spanish_show_no_other_programs_person(personas, client_for):
    SafetyAlertFactory(mentee=personas.match.mentee)
    outsider_alert(personas)
    refresh_snapshots()
    client = client_for(personas.coordinator)
    for url, query in (
        (reverse("mentoring:home_coordinator"), {}),
        (reverse("mentoring:home_coordinator"), {"program": personas.program.pk}),
        (reverse("mentoring:attention"), {"kind": "alert"}),
    ):
        response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Mel Mentee" in page and "Bea Otherprogram" not in page
        assert "Safety alert not yet acknowledged" not in page and "Acknowledge<" not in page
    response = client_for(personas.mentor).get(reverse("mentoring:home_mentor"), HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()
    assert "Mel Mentee" in page and "Needs attention now" not in page


def test_a_mentor_who_is_a_mentee_sees_their_own_mentor_named_on_their_own_meetings(personas, client_for):
    """The mentor home's calendar holds every meeting of the person (access.OwnMatches.ids()):
    a meeting of their own match as a mentee was listed "with <their own name>"."""
    me = personas.mentee
    as_mentor = MentorProfileFactory(user=me, program=personas.program)
    theirs = MatchFactory(program=personas.program, mentor=as_mentor, mentee__user__full_name="Tia Theirmentee")
    SessionFactory(match=personas.match, starts_at=timezone.now() + timedelta(days=1))
    SessionFactory(match=theirs, starts_at=timezone.now() + timedelta(days=2))
    page = client_for(me).get(reverse("mentoring:home_mentor")).content.decode()
    assert "with Morgan Mentor" in page and "with Tia Theirmentee" in page
    assert "with Mel Mentee" not in page
    # A mentor only: their mentee named, as before.
    page = client_for(personas.mentor).get(reverse("mentoring:home_mentor")).content.decode()
    assert "with Mel Mentee" in page and "with Morgan Mentor" not in page


def test_check_in_report_stays_equal_to_live_after_a_paused_mentee_exits_the_program(scale):
    from mentoring.endings import mentee_exit
    from mentoring.models import MenteeProfile
    from tests.mentoring.test_rollups import assert_same_as_live

    match = _long_running(scale)
    match_move(match=match, action="pause")
    mentee_exit(mentee=match.mentee, reason=MenteeProfile.ExitReason.MOVED, by=match.mentor.user)
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert_same_as_live(scale)


def test_check_in_report_counts_a_started_proposal_at_once(scale):
    """A proposal started by the coordinator, or accepted by both people, is due a
    check-in from this week on: the stored week is counted again at once, like a
    pause (the report differed from the live count until beat's next pass)."""
    from mentoring.services import match_respond
    from tests.mentoring.test_rollups import assert_same_as_live

    proposal = Match.objects.filter(program__in=scale, status=Match.Status.PROPOSED).order_by("pk").first()
    match_move(match=proposal, action="activate")
    assert_same_as_live(scale)
    # A new proposal for a pair whose match closed (the mentee has no open match), answered by both.
    ended = _long_running(scale)
    match_close(match=ended, reason=Match.CloseReason.MOVED, note="", closed_by=ended.mentor.user)
    answered = Match.objects.create(
        program_id=ended.program_id, mentor=ended.mentor, mentee=ended.mentee, status=Match.Status.PROPOSED
    )
    assert_same_as_live(scale)
    match_respond(match=answered, user=answered.mentor.user, accept=True)
    match_respond(match=answered, user=answered.mentee.user, accept=True)
    answered.refresh_from_db()
    assert answered.status == Match.Status.ACTIVE
    assert_same_as_live(scale)


def test_check_in_report_counts_a_match_that_starts_when_proposed_at_once(scale):
    """A program that skips acceptance starts the match when it is proposed (match_propose)."""
    from mentoring.services import match_propose
    from programs.models import Program
    from tests.mentoring.test_rollups import assert_same_as_live

    ended = _long_running(scale)
    match_close(match=ended, reason=Match.CloseReason.MOVED, note="", closed_by=ended.mentor.user)
    Program.objects.filter(pk=ended.program_id).update(match_requires_acceptance=False)
    ended.mentor.refresh_from_db()
    started = match_propose(mentor=ended.mentor, mentee=ended.mentee, proposed_by=ended.mentor.user)
    assert started.status == Match.Status.ACTIVE
    assert_same_as_live(scale)


def test_check_in_report_stays_equal_to_live_after_a_check_in_while_paused_and_a_resume(scale):
    from goals.services import checkin_submit
    from mentoring.insights import rollups
    from tests.mentoring.test_rollups import assert_same_as_live

    match = _long_running(scale)
    match_move(match=match, action="pause")
    checkin_submit(mentee=match.mentee, mood=3)
    rollups.rollups_refresh()  # a check-in is counted by beat's next pass (tests/mentoring/test_rollups.py)
    assert_same_as_live(scale)
    match_move(match=match, action="resume")
    assert_same_as_live(scale)


def test_the_mentor_homes_alert_panel_on_a_one_page_caseload(personas, client_for):
    """The panel is skipped when no row of a one-page caseload has an open alert:
    a paused match's mentee still shows theirs, a closed match's mentee does not."""
    panel = 'data-testid="open-alerts"'
    url = reverse("mentoring:home_mentor")
    SafetyAlertFactory(mentee=personas.match.mentee)
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.PAUSED)
    assert panel in client_for(personas.mentor).get(url).content.decode()
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED, ended_at=timezone.now())
    page = client_for(personas.mentor).get(url).content.decode()
    assert panel not in page
    assert "Mel Mentee" in page  # the closed match stays on the list
