"""Matching pages: suggestions, whole-pool matching, answering a proposal, the
match page, the closing survey, lists and their query counts, settings, and
the benchmark command."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mentoring.matching.criteria import CRITERION_KEYS, DEFAULT_WEIGHTS
from mentoring.models import Match, MatchSurvey
from mentoring.services import match_close, match_propose
from tests.factories import (
    MatchableMenteeFactory,
    MatchableMentorFactory,
    MatchFactory,
    ProgramFactory,
    UserFactory,
)


@pytest.fixture
def program(personas):
    """A program of Casey Coordinator's where every mentor is ready and no one
    is there yet (the personas' program A is left alone)."""
    return ProgramFactory(name="Harbor Peers", coordinators=[personas.coordinator], background_check_required=False)


def mentor(program, name, **fields):
    return MatchableMentorFactory(program=program, user=UserFactory(full_name=name), **fields)


def mentee(program, name, **fields):
    return MatchableMenteeFactory(program=program, user=UserFactory(full_name=name), **fields)


def page(client, url_name, *args, **query):
    response = client.get(reverse(url_name, args=args), query)
    assert response.status_code == 200
    return response, response.content.decode()


# --- suggestions ------------------------------------------------------------------------


def test_suggestions_rank_eligible_mentors_by_score_with_sentences(program, personas, client_for):
    wanted = mentee(program, "Wren Waiting", pathways=["twelve_step"], availability=["mon_evening", "tue_evening"])
    best = mentor(program, "Bea Best", pathways=["twelve_step"], availability=["mon_evening", "tue_evening"])
    middle = mentor(program, "Mia Middle", pathways=["twelve_step"])
    last = mentor(program, "Lou Last")
    full = mentor(program, "Finn Full", capacity=1)
    MatchFactory(program=program, mentor=full)
    mentor(program, "Sol Spanish", languages=["es"])
    response, body = page(client_for(personas.coordinator), "mentoring:suggestions", wanted.pk)
    ranked = [(person.pk, score.total) for person, score in response.context["suggestions"]]
    assert [pk for pk, _ in ranked] == [best.pk, middle.pk, last.pk]
    assert ranked[0][1] > ranked[1][1] > ranked[2][1]
    assert body.index("Bea Best") < body.index("Mia Middle") < body.index("Lou Last")
    assert "Both follow a 12-step pathway" in body
    assert "2 shared times to meet: Mon evening, Tue evening" in body
    assert "Both speak English" in body
    # The hard-filter summary names what rules the others out.
    assert "Ruled out by hard filters" in body
    assert "The mentor has no capacity left: 1 mentor" in body
    assert "Must: shared language: 1 mentor" in body
    assert "Finn Full" not in body and "Sol Spanish" not in body


def test_suggestions_of_another_programs_mentee_are_not_found(program, personas, client_for):
    stranger = mentee(ProgramFactory(), "Sam Stranger")
    response = client_for(personas.coordinator).get(reverse("mentoring:suggestions", args=[stranger.pk]))
    assert response.status_code == 404


def test_propose_creates_a_proposed_match_and_opens_it(program, personas, client_for):
    wanted, chosen = mentee(program, "Wren Waiting"), mentor(program, "Bea Best")
    response = client_for(personas.coordinator).post(
        reverse("mentoring:propose", args=[wanted.pk]), {"mentor": chosen.pk}
    )
    match = Match.objects.get(mentee=wanted)
    assert response.status_code == 302
    assert response.url == reverse("mentoring:match_detail", args=[match.pk])
    assert (match.mentor, match.status, match.proposed_by) == (chosen, Match.Status.PROPOSED, personas.coordinator)


def test_propose_of_a_blocked_pair_shows_why_and_saves_nothing(program, personas, client_for):
    wanted, unready = mentee(program, "Wren Waiting"), mentor(program, "Una Unready")
    program.background_check_required = True
    program.save(update_fields=["background_check_required"])
    client = client_for(personas.coordinator)
    response = client.post(reverse("mentoring:propose", args=[wanted.pk]), {"mentor": unready.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentoring:suggestions", args=[wanted.pk])
    assert "The mentor is not ready yet" in response.content.decode()
    assert not Match.objects.filter(mentee=wanted).exists()


# --- whole pool ---------------------------------------------------------------------------------


def build_pool(program):
    mentors = [mentor(program, "Ada Alpha", capacity=1), mentor(program, "Ben Beta", capacity=1)]
    mentees = [mentee(program, "Cal Gamma"), mentee(program, "Dee Delta")]
    lonely = mentee(program, "Eli Espanol", languages=["es"])
    return mentors, mentees, lonely


def work_out(client, program, capture):
    """Press "Work out pairs": the background solve runs when the request
    commits (eager Celery in tests)."""
    with capture(execute=True):
        assert client.post(reverse("mentoring:pool_solve", args=[program.pk])).status_code == 302


@pytest.fixture
def solved(django_capture_on_commit_callbacks):
    """client -> the program's pool worked out, as the coordinator would."""
    return lambda client, program: work_out(client, program, django_capture_on_commit_callbacks)


def test_pool_page_shows_proposed_pairs_and_unassigned_mentees_with_reasons(program, personas, client_for, solved):
    mentors, mentees, lonely = build_pool(program)
    client = client_for(personas.coordinator)
    solved(client, program)
    response, body = page(client, "mentoring:pool", program.pk)
    rows = response.context["rows"]
    pairs = {(row["mentor"].pk, row["mentee"].pk) for row in rows}
    assert len(rows) == 2
    assert {m for m, _ in pairs} == {m.pk for m in mentors}
    assert {e for _, e in pairs} == {e.pk for e in mentees}
    for mentor_pk, mentee_pk in pairs:
        assert f'name="pair" value="{mentor_pk}:{mentee_pk}"' in body
    assert body.count('type="checkbox" name="pair"') == 2
    [unassigned] = response.context["unassigned"]
    assert unassigned["mentee"].pk == lonely.pk
    assert "Eli Espanol" in body
    assert unassigned["reason"] in body
    assert "shared language" in unassigned["reason"]


def test_approving_only_some_ticked_pairs_creates_exactly_those(program, personas, client_for, solved):
    build_pool(program)
    client = client_for(personas.coordinator)
    solved(client, program)
    rows = client.get(reverse("mentoring:pool", args=[program.pk])).context["rows"]
    kept = rows[0]
    response = client.post(
        reverse("mentoring:pool", args=[program.pk]), {"pair": [f"{kept['mentor'].pk}:{kept['mentee'].pk}"]}
    )
    assert response.status_code == 302
    assert response.url == reverse("mentoring:match_list", args=[program.pk])
    [match] = Match.objects.filter(program=program)
    assert (match.mentor_id, match.mentee_id, match.status) == (
        kept["mentor"].pk,
        kept["mentee"].pk,
        Match.Status.PROPOSED,
    )


def test_approving_with_nothing_ticked_creates_nothing(program, personas, client_for):
    build_pool(program)
    response = client_for(personas.coordinator).post(reverse("mentoring:pool", args=[program.pk]), {}, follow=True)
    assert "No pairs were ticked" in response.content.decode()
    assert not Match.objects.filter(program=program).exists()


def test_approving_a_pair_whose_mentor_filled_up_meanwhile_warns(program, personas, client_for):
    mentors, mentees, _ = build_pool(program)
    client = client_for(personas.coordinator)
    match_propose(mentor=mentors[0], mentee=mentees[0], proposed_by=personas.coordinator)
    response = client.post(
        reverse("mentoring:pool", args=[program.pk]), {"pair": [f"{mentors[0].pk}:{mentees[1].pk}"]}, follow=True
    )
    assert "no capacity left" in response.content.decode()
    assert not Match.objects.filter(mentee=mentees[1]).exists()


# --- answering and the match page -------------------------------------------------------------------


@pytest.fixture
def proposal(personas):
    """Mel Mentee's match closed, then a proposal with Oscar Othermentor."""
    program = personas.program
    program.background_check_required = False
    program.save(update_fields=["background_check_required"])
    for profile in (personas.other_match.mentor, personas.match.mentee):
        profile.languages = ["en"]
        profile.save()
    personas.other_match.mentor.recovery_months = 30
    personas.other_match.mentor.save()
    match_close(match=personas.match, reason="moved", note="", closed_by=personas.coordinator)
    return match_propose(
        mentor=personas.other_match.mentor, mentee=personas.match.mentee, proposed_by=personas.coordinator
    )


def test_the_mentee_sees_the_proposal_at_home_and_accepts_it(proposal, personas, client_for):
    client = client_for(personas.mentee)
    _, body = page(client, "mentoring:home_mentee")
    assert "See the proposal and answer" in body
    assert reverse("mentoring:match_detail", args=[proposal.pk]) in body
    response = client.post(reverse("mentoring:match_respond", args=[proposal.pk]), {"answer": "accept"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.mentee_response, proposal.status) == (Match.Response.ACCEPTED, Match.Status.PROPOSED)
    _, body = page(client, "mentoring:home_mentee")
    assert "See the proposal and answer" not in body


def test_a_person_outside_the_match_cannot_answer_it(proposal, personas, client_for):
    response = client_for(personas.other_mentee).post(
        reverse("mentoring:match_respond", args=[proposal.pk]), {"answer": "accept"}
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.mentee_response == Match.Response.PENDING


def test_why_they_fit_is_shown_to_the_coordinator_only(proposal, personas, client_for):
    _, coordinator_view = page(client_for(personas.coordinator), "mentoring:match_detail", proposal.pk)
    assert "Why they fit" in coordinator_view
    assert "Both speak English" in coordinator_view
    for person in (personas.mentee, personas.other_mentor):
        _, body = page(client_for(person), "mentoring:match_detail", proposal.pk)
        assert "Why they fit" not in body
        assert "Both speak English" not in body
        assert "Yes, let" in body  # they see the proposal itself


def test_the_coordinator_sees_the_score_of_an_open_match_without_a_capacity_blocker(proposal, personas, client_for):
    mentor = personas.other_match.mentor
    mentor.capacity = 2  # both places now taken, one of them by this match
    mentor.save()
    response, body = page(client_for(personas.coordinator), "mentoring:match_detail", proposal.pk)
    assert response.context["score"].blockers == []
    assert "no capacity left" not in body


def test_survey_without_a_rating_shows_the_error(proposal, personas, client_for):
    match = personas.match  # closed by the fixture
    response = client_for(personas.mentee).post(
        reverse("mentoring:match_survey", args=[match.pk]), {"comment": "It helped."}
    )
    assert response.status_code == 200
    assert "rating" in response.context["form"].errors
    assert "This field is required." in response.content.decode()
    assert not MatchSurvey.objects.exists()


def test_survey_with_a_rating_is_saved(proposal, personas, client_for):
    match = personas.match
    response = client_for(personas.mentee).post(
        reverse("mentoring:match_survey", args=[match.pk]), {"rating": "4", "comment": "It helped."}
    )
    assert response.status_code == 302
    survey = MatchSurvey.objects.get(match=match)
    assert (survey.side, survey.rating, survey.comment) == ("mentee", 4, "It helped.")


# --- lists ---------------------------------------------------------------------------------------------


def test_no_contact_filter_lists_only_active_matches_not_met_in_time(program, personas, client_for):
    now = timezone.now()
    program.first_contact_days = 7
    program.save(update_fields=["first_contact_days"])
    quiet = MatchFactory(program=program, started_at=now - timedelta(days=10))
    MatchFactory(program=program, started_at=now - timedelta(days=2))  # too new
    MatchFactory(program=program, started_at=now - timedelta(days=10), first_met_at=now - timedelta(days=8))
    MatchFactory(program=program, status=Match.Status.PAUSED, started_at=now - timedelta(days=10))
    client = client_for(personas.coordinator)
    response, body = page(client, "mentoring:match_list", program.pk, no_contact="1")
    assert [m.pk for m in response.context["page"].object_list] == [quiet.pk]
    everything, _ = page(client, "mentoring:match_list", program.pk)
    assert len(everything.context["page"].object_list) == 4


def grow(program, n):
    for _ in range(n):
        full = MatchableMentorFactory(program=program)
        MatchFactory(program=program, mentor=full)
        MatchFactory(program=program, mentor=full, status=Match.Status.CLOSED)
        MatchableMenteeFactory(program=program)


@pytest.mark.parametrize("url_name", ["mentoring:match_list", "mentoring:caseload", "mentoring:waiting"])
def test_list_query_counts_do_not_grow_with_rows(
    url_name, program, personas, client_for, django_assert_max_num_queries
):
    client = client_for(personas.coordinator)
    url = reverse(url_name, args=[program.pk])
    grow(program, 3)
    with django_assert_max_num_queries(15) as small:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) >= 3
    grow(program, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) >= 15


# --- settings --------------------------------------------------------------------------------------


def settings_form(**weights):
    data = {f"weight_{key}": weights.get(key, DEFAULT_WEIGHTS[key].value) for key in CRITERION_KEYS}
    return data | {"match_requires_acceptance": "on", "first_contact_days": "10"}


def test_matching_settings_save_weights_and_change_suggestions(program, personas, client_for):
    spanish = mentee(program, "Eli Espanol", languages=["es"])
    mentor(program, "Ada Alpha")
    client = client_for(personas.coordinator)
    before, _ = page(client, "mentoring:suggestions", spanish.pk)
    assert before.context["suggestions"] == []
    assert before.context["blocked"] == [("Must: shared language", 1)]
    response = client.post(reverse("mentoring:matching_settings", args=[program.pk]), settings_form(language="off"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.matching_weights["language"] == "off"
    assert program.matching_weights["experience"] == "high"
    assert (program.match_requires_acceptance, program.first_contact_days) == (True, 10)
    after, body = page(client, "mentoring:suggestions", spanish.pk)
    assert [person.name for person, _ in after.context["suggestions"]] == ["Ada Alpha"]
    assert "Both speak" not in body and "No shared language" not in body


def test_matching_settings_form_shows_the_stored_weights(program, personas, client_for):
    program.matching_weights = {"age": "must"}
    program.save(update_fields=["matching_weights"])
    response, _ = page(client_for(personas.coordinator), "mentoring:matching_settings", program.pk)
    initial = response.context["form"].initial
    assert initial["weight_age"] == "must"
    assert initial["weight_language"] == DEFAULT_WEIGHTS["language"].value


def test_matching_settings_refuse_an_unknown_weight(program, personas, client_for):
    response = client_for(personas.coordinator).post(
        reverse("mentoring:matching_settings", args=[program.pk]), settings_form(language="sometimes")
    )
    assert response.status_code == 200
    assert "weight_language" in response.context["form"].errors
    program.refresh_from_db()
    assert program.matching_weights == {}


# --- benchmark -------------------------------------------------------------------------------------------


def test_bench_matching_prints_json_figures():
    out = StringIO()
    call_command("bench_matching", "--mentees", "60", "--mentors", "20", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert {"mentees", "mentors", "seconds", "objective", "greedy_objective", "hard_filter_violations"} <= set(figures)
    assert (figures["mentees"], figures["mentors"]) == (60, 20)
    assert figures["hard_filter_violations"] == 0
    assert figures["objective"] >= figures["greedy_objective"] > 0
    assert figures["seconds"] >= 0


# --- the whole pool solved once per change, a page at a time (issue 18) ------------------------


@pytest.fixture
def solves(monkeypatch):
    """Counts the whole-pool solves behind the pool page."""
    from mentoring.matching import solutions

    calls = []
    real = solutions.assign_whole_pool

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(solutions, "assign_whole_pool", counted)
    return calls


def test_the_pool_is_solved_once_and_again_only_when_it_changes(program, personas, client_for, solves, solved):
    """The pool page solved the whole pool on every GET (2.5 s at 2,500 × 625).
    Now a solution is kept for as long as the pool is the same."""
    mentors, mentees, lonely = build_pool(program)
    client = client_for(personas.coordinator)
    solved(client, program)
    first, _ = page(client, "mentoring:pool", program.pk)
    second, _ = page(client, "mentoring:pool", program.pk)
    assert len(solves) == 1
    assert [(r["mentor"].pk, r["mentee"].pk) for r in first.context["rows"]] == [
        (r["mentor"].pk, r["mentee"].pk) for r in second.context["rows"]
    ]
    # A mentee edits an answer matching reads: a new pool, solved again.
    lonely.languages = ["en", "es"]
    lonely.save(update_fields=["languages"])
    solved(client, program)
    page(client, "mentoring:pool", program.pk)
    assert len(solves) == 2
    # A mentor gets one more free place: solved again; then nothing changes.
    mentors[0].capacity = 2
    mentors[0].save(update_fields=["capacity"])
    solved(client, program)
    third, _ = page(client, "mentoring:pool", program.pk)
    solved(client, program)
    page(client, "mentoring:pool", program.pk)
    assert len(solves) == 3
    assert len(third.context["rows"]) == 3


def test_the_pool_page_shows_a_page_of_pairs_and_scores_only_those(
    program, personas, client_for, solves, solved, monkeypatch
):
    from mentoring.views import matches

    monkeypatch.setattr(matches, "POOL_PAGE_SIZE", 2)
    for index in range(5):
        mentor(program, f"Mentor {index}", capacity=1)
        mentee(program, f"Mentee {index}")
    scored = []
    real = matches.score_pair
    monkeypatch.setattr(matches, "score_pair", lambda *a: scored.append(1) or real(*a))
    client = client_for(personas.coordinator)
    solved(client, program)
    seen = []
    for number in (1, 2, 3):
        response, body = page(client, "mentoring:pool", program.pk, page=number)
        assert response.context["pair_count"] == 5
        seen += [(r["mentor"].pk, r["mentee"].pk) for r in response.context["rows"]]
        assert body.count('type="checkbox" name="pair"') == len(response.context["rows"])
    assert len(seen) == len(set(seen)) == 5
    assert len(scored) == 5  # the reasons of the shown pairs only
    assert len(solves) == 1
    scores = [
        r["score"].total
        for n in (1, 2, 3)
        for r in page(client, "mentoring:pool", program.pk, page=n)[0].context["rows"]
    ]
    assert scores == sorted(scores, reverse=True)


def test_a_pool_fingerprint_ignores_order_and_sees_every_answer():
    from dataclasses import replace

    from mentoring.matching.solutions import pool_fingerprint
    from mentoring.matching.synthetic import random_pool

    mentors, mentees, ctx = random_pool(30, 10, seed=4)
    base = pool_fingerprint(mentors, mentees, ctx)
    assert pool_fingerprint(list(reversed(mentors)), list(reversed(mentees)), ctx) == base
    changed = [
        ([replace(mentors[0], ready=not mentors[0].ready), *mentors[1:]], mentees, ctx),
        ([replace(mentors[0], capacity_left=mentors[0].capacity_left + 1), *mentors[1:]], mentees, ctx),
        ([*mentors[1:]], mentees, ctx),
        (mentors, [replace(mentees[0], topics=mentees[0].topics ^ {"housing"}), *mentees[1:]], ctx),
        (mentors, mentees, replace(ctx, min_recovery_months=ctx.min_recovery_months + 1)),
        (mentors, mentees, replace(ctx, conflict_pairs=frozenset())),
    ]
    for pool in changed:
        assert pool_fingerprint(*pool) != base
