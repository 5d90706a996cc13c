"""Goal pages through the test client: the quick check-in and its crisis
path, safety alerts on the homes, private goals, comments, the progress page,
the goal form, and bounded query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.forms import MOODS
from goals.models import CheckIn, Goal, GoalProgress, SafetyAlert
from goals.selectors import default_instrument
from goals.services import assessment_submit, checkin_comment
from tests.factories import GoalFactory, GoalProgressFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

NEEDS_ATTENTION = "Needs attention now"


def _mentee(personas):
    return personas.match.mentee


def _page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


# --- the quick check-in ---------------------------------------------------------------------------


def test_checkin_page_has_a_slider_per_active_goal_and_the_mood_choices(personas, client_for):
    mentee = _mentee(personas)
    walk = GoalFactory(mentee=mentee, title="Walk daily", progress=35)
    read = GoalFactory(mentee=mentee, title="Read a book")
    dropped = GoalFactory(mentee=mentee, title="Old goal", status=Goal.Status.DROPPED)
    MilestoneFactory(goal=walk, title="Buy good shoes")

    body = _page(client_for(personas.mentee), "goals:checkin")

    # A slider per active goal, starting at the goal's progress.
    for goal, start in ((walk, 35), (read, 0)):
        assert f'<input type="range" name="progress_{goal.pk}" value="{start}"' in body
        assert f"{goal.title}: progress (%)" in body
    assert f'name="progress_{dropped.pk}"' not in body
    assert body.count('type="range"') == 2
    assert "Buy good shoes" in body
    for value, label in MOODS:
        assert f'name="mood" id="id_mood_{value - 1}" value="{value}"><label' in body
        assert f'for="id_mood_{value - 1}">{label}</label>' in body
    assert "I need help now" in body


def test_checkin_without_a_mood_shows_the_error_and_saves_nothing(personas, client_for):
    goal = GoalFactory(mentee=_mentee(personas))
    response = client_for(personas.mentee).post(reverse("goals:checkin"), {f"progress_{goal.pk}": 40})
    assert response.status_code == 200
    assert "Choose how you are feeling." in response.content.decode()
    assert not CheckIn.objects.exists()
    goal.refresh_from_db()
    assert goal.progress == 0


def test_checkin_thanks_the_mentee_and_saves_progress(personas, client_for):
    goal = GoalFactory(mentee=_mentee(personas))
    milestone = MilestoneFactory(goal=goal)
    data = {
        "mood": 4,
        "craving": "",
        "reflection": "Went for a long walk.",
        "wants_to_talk": "on",
        f"progress_{goal.pk}": 40,
        f"milestones_{goal.pk}": [milestone.pk],
    }
    response = client_for(personas.mentee).post(reverse("goals:checkin"), data, follow=True)

    assert response.redirect_chain == [(reverse("mentoring:home_mentee"), 302)]
    body = response.content.decode()
    assert "Thanks for checking in." in body
    assert "Your mentor will see that you&#x27;d like to talk." in body
    [checkin] = CheckIn.objects.all()
    assert (checkin.mood, checkin.craving, checkin.wants_to_talk, checkin.needs_help) == (4, None, True, False)
    assert list(GoalProgress.objects.values_list("goal", "progress")) == [(goal.pk, 40)]
    milestone.refresh_from_db()
    assert milestone.done_at == checkin.created_at
    assert not SafetyAlert.objects.exists()


def _ask_for_help(personas, client_for):
    response = client_for(personas.mentee).post(reverse("goals:checkin"), {"mood": 2, "needs_help": "on"})
    assert response.status_code == 302
    return response


def test_asking_for_help_goes_to_the_crisis_page_which_says_who_can_see_it(personas, client_for):
    response = _ask_for_help(personas, client_for)
    assert response["Location"] == f"/crisis/?from=checkin&mentee={personas.match.mentee.pk}"
    body = client_for(personas.mentee).get(response["Location"]).content.decode()
    # Who was told, from the outbox rows written for the alert (issue 15).
    assert "We let Morgan (your mentor) and the program team know at" in body
    assert 'href="tel:988"' in body
    assert SafetyAlert.objects.get().kind == SafetyAlert.Kind.HELP_NOW


def test_a_strong_craving_also_goes_to_the_crisis_page(personas, client_for):
    response = client_for(personas.mentee).post(reverse("goals:checkin"), {"mood": 3, "craving": 9})
    assert response["Location"] == f"/crisis/?from=checkin&mentee={personas.match.mentee.pk}"
    assert SafetyAlert.objects.get().kind == SafetyAlert.Kind.CRAVING


# --- safety alerts on the homes -------------------------------------------------------------------


@pytest.mark.parametrize("persona, home", [("coordinator", "home_coordinator"), ("mentor", "home_mentor")])
def test_open_alert_is_on_the_home_until_acknowledged_with_a_note(persona, home, personas, client_for):
    _ask_for_help(personas, client_for)
    alert = SafetyAlert.objects.get()
    acknowledge = reverse("goals:alert_acknowledge", args=[alert.pk])
    client = client_for(personas.user(persona))

    body = _page(client, f"mentoring:{home}")
    assert NEEDS_ATTENTION in body
    assert f'href="{acknowledge}">Acknowledge</a>' in body
    assert "Mel Mentee" in body

    # Without a note, nothing changes.
    response = client.post(acknowledge, {"note": "   "})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.is_open
    assert NEEDS_ATTENTION in _page(client, f"mentoring:{home}")

    response = client.post(acknowledge, {"note": "Called Mel; she is with her sister tonight."})
    assert response["Location"] == reverse("goals:alerts")
    alert.refresh_from_db()
    assert (alert.is_open, alert.acknowledged_by) == (False, personas.user(persona))
    body = _page(client, f"mentoring:{home}")
    assert NEEDS_ATTENTION not in body
    assert acknowledge not in body


def test_other_mentor_and_other_coordinator_do_not_see_the_alert(personas, client_for):
    _ask_for_help(personas, client_for)
    assert NEEDS_ATTENTION not in _page(client_for(personas.other_mentor), "mentoring:home_mentor")
    assert NEEDS_ATTENTION not in _page(client_for(personas.other_coordinator), "mentoring:home_coordinator")


def test_the_alert_list_shows_the_alert_to_the_mentor(personas, client_for):
    _ask_for_help(personas, client_for)
    assert "Mel Mentee" in _page(client_for(personas.mentor), "goals:alerts")
    assert "Mel Mentee" not in _page(client_for(personas.other_mentor), "goals:alerts")


# --- private goals --------------------------------------------------------------------------------


def _private_and_shared(personas, client_for):
    mentee = _mentee(personas)
    secret = GoalFactory(mentee=mentee, title="Secret goal", is_private=True)
    shared = GoalFactory(mentee=mentee, title="Shared goal")
    client_for(personas.mentee).post(
        reverse("goals:checkin"), {"mood": 4, f"progress_{secret.pk}": 35, f"progress_{shared.pk}": 60}
    )
    assert GoalProgress.objects.count() == 2
    return mentee


def test_mentor_does_not_see_a_private_goal_nor_its_progress(personas, client_for):
    mentee = _private_and_shared(personas, client_for)
    client = client_for(personas.mentor)
    goals = _page(client, "goals:mentee_goals", mentee.pk)
    assert "Shared goal" in goals and "Secret goal" not in goals
    checkins = _page(client, "goals:checkins", mentee.pk)
    assert "Shared goal: 60%" in checkins
    assert "Secret goal" not in checkins and "35%" not in checkins
    progress = _page(client, "goals:progress", mentee.pk)
    assert "Shared goal" in progress and "Secret goal" not in progress


@pytest.mark.parametrize("persona", ["coordinator", "mentee"])
def test_coordinator_and_mentee_see_the_private_goal(persona, personas, client_for):
    mentee = _private_and_shared(personas, client_for)
    client = client_for(personas.user(persona))
    goals = _page(client, "goals:mentee_goals", mentee.pk)
    assert "Shared goal" in goals and "Secret goal" in goals
    checkins = _page(client, "goals:checkins", mentee.pk)
    assert "Shared goal: 60%" in checkins and "Secret goal: 35%" in checkins


# --- comments -------------------------------------------------------------------------------------


def test_mentee_sees_the_mentors_answer_on_their_check_ins(personas, client_for):
    mentee = _mentee(personas)
    client_for(personas.mentee).post(reverse("goals:checkin"), {"mood": 4, "reflection": "Tough day at work."})
    checkin = CheckIn.objects.get()

    response = client_for(personas.mentor).post(
        reverse("goals:checkin_comment", args=[checkin.pk]), {"body": "Proud of you for showing up."}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("goals:checkins", args=[mentee.pk])
    assert "Your answer is posted" in response.content.decode()

    body = _page(client_for(personas.mentee), "goals:checkins", mentee.pk)
    assert "Tough day at work." in body
    assert "Proud of you for showing up." in body
    assert "Morgan Mentor" in body
    assert f'action="{reverse("goals:checkin_comment", args=[checkin.pk])}"' not in body  # mentees do not answer


def test_an_empty_answer_is_not_posted(personas, client_for):
    checkin = CheckIn.objects.create(mentee=_mentee(personas), mood=3)
    response = client_for(personas.mentor).post(
        reverse("goals:checkin_comment", args=[checkin.pk]), {"body": ""}, follow=True
    )
    assert "Write a few words before sending." in response.content.decode()
    assert not checkin.comments.exists()


# --- the progress page ----------------------------------------------------------------------------


def test_progress_page_draws_the_mood_chart_after_two_check_ins(personas, client_for):
    mentee = _mentee(personas)
    client = client_for(personas.mentee)
    body = _page(client, "goals:progress", mentee.pk)
    assert "<svg" not in body
    assert "The chart appears after two check-ins." in body

    client.post(reverse("goals:checkin"), {"mood": 2, "craving": 3})
    CheckIn.objects.update(created_at=timezone.now() - timedelta(days=2))
    client.post(reverse("goals:checkin"), {"mood": 4, "craving": 1})

    body = _page(client, "goals:progress", mentee.pk)
    assert '<svg viewBox="0 0 640 200" role="img" aria-label="Mood and cravings over the last 90 days"' in body
    assert "<polyline" in body


def test_progress_page_suggests_areas_after_an_assessment(personas, client_for):
    mentee = _mentee(personas)
    client = client_for(personas.mentee)
    assert "Areas that could use attention" not in _page(client, "goals:progress", mentee.pk)

    instrument = default_instrument()
    low = {"housing": 1, "finances": 2}
    data = {f"item_{item.pk}": low.get(item.domain, 5) for item in instrument.items.all()}
    response = client.post(reverse("goals:assessment"), data)
    assert response["Location"] == reverse("goals:progress", args=[mentee.pk])

    body = _page(client, "goals:progress", mentee.pk)
    assert "Areas that could use attention" in body
    assert f'href="{reverse("goals:new", args=[mentee.pk])}?category=housing">Housing</a>' in body
    assert "?category=finances" in body
    # The mentor sees the same areas, without the links to set a goal.
    mentor_body = _page(client_for(personas.mentor), "goals:progress", mentee.pk)
    assert "Areas that could use attention: Housing, Finances" in mentor_body


def test_an_incomplete_assessment_shows_the_error(personas, client_for):
    instrument = default_instrument()
    first = instrument.items.first()
    response = client_for(personas.mentee).post(reverse("goals:assessment"), {f"item_{first.pk}": 3})
    assert response.status_code == 200
    assert "Choose the answer closest to how it is for you." in response.content.decode()
    assert not _mentee(personas).assessments.exists()


# --- the goal form --------------------------------------------------------------------------------


def _goal_data(**extra):
    return {"title": "Walk 20 minutes", "category": "health", "cadence": "daily", **extra}


def test_goal_form_with_two_milestones_creates_them(personas, client_for):
    mentee = _mentee(personas)
    data = _goal_data(milestone_1="Buy shoes", milestone_1_due="2026-12-01", milestone_3="  Walk a week  ")
    response = client_for(personas.mentee).post(reverse("goals:new", args=[mentee.pk]), data)
    goal = Goal.objects.get()
    assert response["Location"] == reverse("goals:detail", args=[goal.pk])
    assert (goal.mentee, goal.status, goal.cadence, goal.category) == (mentee, Goal.Status.ACTIVE, "daily", "health")
    assert [(m.title, str(m.due_date), m.position) for m in goal.milestones.all()] == [
        ("Buy shoes", "2026-12-01", 0),
        ("Walk a week", "None", 1),
    ]


def test_a_milestone_date_without_a_title_is_an_error(personas, client_for):
    mentee = _mentee(personas)
    data = _goal_data(milestone_1="Buy shoes", milestone_2_due="2026-12-01")
    response = client_for(personas.mentee).post(reverse("goals:new", args=[mentee.pk]), data)
    assert response.status_code == 200
    assert "Name the milestone, or clear its date." in response.content.decode()
    assert not Goal.objects.exists()


def test_mentor_suggests_a_goal_through_the_form(personas, client_for):
    mentee = _mentee(personas)
    client = client_for(personas.mentor)
    body = _page(client, "goals:new", mentee.pk)
    assert 'name="is_private"' not in body
    response = client.post(reverse("goals:new", args=[mentee.pk]), _goal_data(is_private="on"), follow=True)
    goal = Goal.objects.get()
    assert (goal.status, goal.is_private, goal.suggested_by) == (Goal.Status.SUGGESTED, False, personas.mentor)
    assert "Your suggestion is waiting for Mel Mentee to accept." in response.content.decode()

    client = client_for(personas.mentee)
    client.post(reverse("goals:action", args=[goal.pk]), {"action": "accept"})
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE


def test_an_invalid_status_move_is_explained(personas, client_for):
    goal = GoalFactory(mentee=_mentee(personas), status=Goal.Status.ACHIEVED)
    response = client_for(personas.mentee).post(
        reverse("goals:action", args=[goal.pk]), {"action": "paused"}, follow=True
    )
    assert "A goal that is achieved cannot become paused." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED


# --- query counts ---------------------------------------------------------------------------------


def _grow(personas, n):
    """n more goals (every third private), each with milestones, a check-in
    reporting on it with a mentor's answer, and a self-assessment."""
    mentee = _mentee(personas)
    instrument = default_instrument()
    for i in range(n):
        goal = GoalFactory(mentee=mentee, is_private=i % 3 == 0, cadence=["daily", "weekly", "twice_weekly"][i % 3])
        MilestoneFactory(goal=goal)
        MilestoneFactory(goal=goal, done_at=timezone.now())
        report = GoalProgressFactory(goal=goal, progress=10 * (i % 10))
        CheckIn.objects.filter(pk=report.checkin_id).update(
            created_at=timezone.now() - timedelta(hours=i + 1), craving=i % 11
        )
        checkin_comment(checkin=report.checkin, author=personas.mentor, body=f"Well done {i}")
        answers = {item.pk: 1 + (i + item.position) % 6 for item in instrument.items.all()}
        assessment_submit(mentee=mentee, instrument=instrument, answers=answers)


@pytest.mark.parametrize("persona", ["mentee", "mentor", "coordinator"])
@pytest.mark.parametrize("url_name", ["goals:mentee_goals", "goals:checkins", "goals:progress"])
def test_query_count_does_not_grow_with_rows(url_name, persona, personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.user(persona))
    url = reverse(url_name, args=[_mentee(personas).pk])
    _grow(personas, 3)
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    _grow(personas, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
