"""Matching criteria as pure functions: what each criterion says about a pair,
how the weights make a score, and the hard filters no score can override."""

from dataclasses import replace

import pytest

from mentoring.choices import Gender, Language, MeetingMode, Pathway, Topic
from mentoring.matching.criteria import (
    CRITERION_KEYS,
    DEFAULT_WEIGHTS,
    Context,
    Person,
    Weight,
    effective_weights,
    hard_blockers,
    score_pair,
)

AREA_NAMES = {1: "Alcohol", 2: "Opioids", 3: "Gambling"}


def mentor_person(**changes):
    person = Person(
        pk=1,
        user_id=10,
        name="Morgan Mentor",
        areas=frozenset({1, 2}),
        area_names=AREA_NAMES,
        pathways=frozenset({Pathway.TWELVE_STEP}),
        languages=frozenset({Language.ENGLISH}),
        gender=Gender.WOMAN,
        age_range="35-44",
        availability=frozenset({"mon_evening", "wed_evening", "sat_morning"}),
        modes=frozenset({MeetingMode.IN_PERSON, MeetingMode.VIDEO}),
        city="Riverbend",
        postal_code="12401",
        interests=frozenset({"hiking", "cooking", "music"}),
        topics=frozenset({Topic.WORK, Topic.HOUSING}),
        recovery_months=36,
        capacity_left=2,
        ready=True,
    )
    return replace(person, **changes)


def mentee_person(**changes):
    person = Person(
        pk=2,
        user_id=20,
        name="Mel Mentee",
        areas=frozenset({1, 2}),
        area_names=AREA_NAMES,
        pathways=frozenset({Pathway.TWELVE_STEP}),
        languages=frozenset({Language.ENGLISH}),
        gender=Gender.MAN,
        age_range="35-44",
        availability=frozenset({"mon_evening", "wed_evening", "sat_morning"}),
        modes=frozenset({MeetingMode.IN_PERSON, MeetingMode.VIDEO}),
        city="Riverbend",
        postal_code="12405",
        interests=frozenset({"hiking", "cooking", "music"}),
        topics=frozenset({Topic.WORK, Topic.HOUSING}),
        waiting_days=200,  # past a full fit for time waiting
    )
    return replace(person, **changes)


def context(weights=None, **changes):
    return Context(weights=effective_weights(weights), min_recovery_months=12, **changes)


def reason(score, criterion):
    [found] = [r for r in score.reasons if r.criterion == criterion]
    return found


def fit_and_sentence(criterion, mentor=None, mentee=None, ctx=None):
    score = score_pair(mentor or mentor_person(), mentee or mentee_person(), ctx or context())
    found = reason(score, criterion)
    return found.fit, found.sentence


# --- each criterion: fit and sentence ---------------------------------------------------


def test_experience_full_fit_at_two_shared_areas_and_names_them():
    assert fit_and_sentence("experience") == (1.0, "Both have lived experience with Alcohol, Opioids")


def test_experience_half_fit_for_one_shared_area():
    fit, sentence = fit_and_sentence("experience", mentee=mentee_person(areas=frozenset({2, 3})))
    assert (fit, sentence) == (0.5, "Both have lived experience with Opioids")


def test_experience_no_shared_area():
    fit, sentence = fit_and_sentence("experience", mentee=mentee_person(areas=frozenset({3})))
    assert (fit, sentence) == (0.0, "No shared lived-experience area")


def test_both_twelve_step_share_a_pathway():
    assert fit_and_sentence("pathway") == (1.0, "Both follow a 12-step pathway")


def test_different_pathways():
    mentee = mentee_person(pathways=frozenset({Pathway.SMART}))
    assert fit_and_sentence("pathway", mentee=mentee) == (0.0, "Different recovery pathways")


def test_shared_language_is_named():
    assert fit_and_sentence("language") == (1.0, "Both speak English")


def test_no_shared_language():
    mentee = mentee_person(languages=frozenset({Language.SPANISH}))
    assert fit_and_sentence("language", mentee=mentee) == (0.0, "No shared language")


def test_gender_without_a_preference_fits():
    assert fit_and_sentence("gender") == (1.0, "The mentee has no gender preference")


def test_gender_preference_met():
    mentee = mentee_person(preferred_gender=Gender.WOMAN)
    fit, sentence = fit_and_sentence("gender", mentee=mentee)
    assert (fit, sentence) == (1.0, "Matches the mentee's wish for a mentor who is a woman")


def test_gender_preference_not_met():
    mentee = mentee_person(preferred_gender=Gender.MAN)
    fit, sentence = fit_and_sentence("gender", mentee=mentee)
    assert (fit, sentence) == (0.0, "The mentee asked for a mentor who is a man")


def test_availability_full_fit_at_three_shared_windows():
    fit, sentence = fit_and_sentence("availability")
    assert fit == 1.0
    assert sentence == "3 shared times to meet: Mon evening, Wed evening, Sat morning"


def test_two_shared_windows_fit_two_thirds():
    mentee = mentee_person(availability=frozenset({"mon_evening", "wed_evening", "sun_afternoon"}))
    fit, sentence = fit_and_sentence("availability", mentee=mentee)
    assert fit == pytest.approx(2 / 3)
    assert sentence == "2 shared times to meet: Mon evening, Wed evening"


def test_one_shared_window_is_singular():
    mentee = mentee_person(availability=frozenset({"sat_morning"}))
    fit, sentence = fit_and_sentence("availability", mentee=mentee)
    assert fit == pytest.approx(1 / 3)
    assert sentence == "1 shared time to meet: Sat morning"


def test_no_shared_availability():
    mentee = mentee_person(availability=frozenset({"tue_morning"}))
    assert fit_and_sentence("availability", mentee=mentee) == (0.0, "No shared availability")


def test_meeting_mode_names_the_shared_ways():
    assert fit_and_sentence("mode") == (1.0, "Both can meet in person or by video")
    phone = mentee_person(modes=frozenset({MeetingMode.PHONE, MeetingMode.VIDEO}))
    assert fit_and_sentence("mode", mentee=phone) == (1.0, "Both can meet by video")


def test_no_meeting_mode_in_common():
    mentee = mentee_person(modes=frozenset({MeetingMode.PHONE}))
    assert fit_and_sentence("mode", mentee=mentee) == (0.0, "No way of meeting in common")


def test_same_city_ignores_case_and_spaces():
    mentee = mentee_person(city="  riverbend ", postal_code="")
    fit, sentence = fit_and_sentence("proximity", mentee=mentee)
    assert (fit, sentence) == (1.0, "Both live in riverbend")


def test_same_postal_area_when_cities_differ():
    mentee = mentee_person(city="Hillcrest", postal_code="12499")
    assert fit_and_sentence("proximity", mentee=mentee) == (1.0, "Same postal area (124…)")


def test_not_nearby_or_location_missing():
    far = mentee_person(city="Lakeside", postal_code="12601")
    assert fit_and_sentence("proximity", mentee=far) == (0.0, "Not near each other, or a location is missing")
    unknown = mentor_person(city="", postal_code="")
    assert fit_and_sentence("proximity", mentor=unknown, mentee=mentee_person(city="", postal_code=""))[0] == 0.0


def test_interests_capped_at_three():
    fit, sentence = fit_and_sentence("interests")
    assert (fit, sentence) == (1.0, "Shared interests: cooking, hiking, music")
    one = mentee_person(interests=frozenset({"music", "art"}))
    assert fit_and_sentence("interests", mentee=one) == (pytest.approx(1 / 3), "Shared interests: music")
    none = mentee_person(interests=frozenset())
    assert fit_and_sentence("interests", mentee=none) == (0.0, "No shared interests")


@pytest.mark.parametrize(
    "mentee_age, fit, sentence",
    [
        ("35-44", 1.0, "Same age range"),
        ("45-54", 0.5, "Close in age"),
        ("25-34", 0.5, "Close in age"),
        ("65+", 0.0, "Different age ranges"),
        ("", 0.0, "An age range is missing"),
    ],
)
def test_age_range(mentee_age, fit, sentence):
    assert fit_and_sentence("age", mentee=mentee_person(age_range=mentee_age)) == (fit, sentence)


def test_topics_full_fit_at_two_and_named_in_vocabulary_order():
    fit, sentence = fit_and_sentence("topics")
    assert (fit, sentence) == (1.0, "The mentor can help with work and job search, housing")
    one = mentee_person(topics=frozenset({Topic.HOUSING, Topic.LEGAL}))
    assert fit_and_sentence("topics", mentee=one) == (0.5, "The mentor can help with housing")


def test_topics_not_covered():
    mentee = mentee_person(topics=frozenset({Topic.PARENTING}))
    fit, sentence = fit_and_sentence("topics", mentee=mentee)
    assert (fit, sentence) == (0.0, "The mentor's topics do not cover what the mentee asked for")


def test_recovery_time_against_the_program_minimum():
    assert fit_and_sentence("recovery") == (1.0, "Meets the program's minimum time in recovery")
    exactly = mentor_person(recovery_months=12)
    assert fit_and_sentence("recovery", mentor=exactly)[0] == 1.0
    short = mentor_person(recovery_months=6)
    below = (0.0, "Below the program's minimum time in recovery, or not given")
    assert fit_and_sentence("recovery", mentor=short) == below
    assert fit_and_sentence("recovery", mentor=mentor_person(recovery_months=None)) == below


# --- weights and the score -------------------------------------------------------------


def test_effective_weights_fill_in_defaults():
    assert effective_weights(None) == DEFAULT_WEIGHTS
    weights = effective_weights({"language": "off", "age": "must"})
    assert weights["language"] is Weight.OFF
    assert weights["age"] is Weight.MUST
    assert weights["experience"] is DEFAULT_WEIGHTS["experience"]
    assert list(weights) == CRITERION_KEYS


def test_everything_shared_scores_100_with_default_weights():
    score = score_pair(mentor_person(), mentee_person(), context())
    assert score.total == 100.0
    assert score.eligible
    assert [r.criterion for r in score.reasons] == CRITERION_KEYS


@pytest.mark.parametrize("weight", ["must", "high", "medium", "low"])
def test_everything_shared_scores_100_whatever_the_weights(weight):
    score = score_pair(mentor_person(), mentee_person(), context(dict.fromkeys(CRITERION_KEYS, weight)))
    assert score.total == 100.0
    assert score.blockers == []


def test_score_is_the_weighted_mean_of_the_fits():
    weights = dict.fromkeys(CRITERION_KEYS, "off") | {"pathway": "high", "availability": "low"}
    mentee = mentee_person(availability=frozenset({"mon_evening", "wed_evening"}))
    score = score_pair(mentor_person(), mentee, context(weights))
    # (3 × 1 + 1 × 2/3) / (3 + 1)
    assert score.total == pytest.approx(100 * (3 + 2 / 3) / 4, abs=1e-6)
    assert [r.criterion for r in score.reasons] == ["pathway", "availability"]


def test_an_off_criterion_is_dropped_from_reasons_and_score():
    mentee = mentee_person(pathways=frozenset({Pathway.SMART}))
    with_pathway = score_pair(mentor_person(), mentee, context())
    without = score_pair(mentor_person(), mentee, context({"pathway": "off"}))
    assert with_pathway.total < 100
    assert "pathway" not in [r.criterion for r in without.reasons]
    assert without.total == 100.0


def test_an_off_must_criterion_no_longer_blocks():
    mentee = mentee_person(languages=frozenset({Language.SPANISH}))
    assert score_pair(mentor_person(), mentee, context({"language": "off"})).blockers == []


def test_all_weights_off_scores_zero_without_failing():
    score = score_pair(mentor_person(), mentee_person(), context(dict.fromkeys(CRITERION_KEYS, "off")))
    assert (score.total, score.reasons, score.blockers) == (0.0, [], [])


def test_a_must_criterion_with_no_fit_blocks_the_pair():
    mentee = mentee_person(languages=frozenset({Language.SPANISH}))
    score = score_pair(mentor_person(), mentee, context())
    assert score.blockers == ["Must: shared language"]
    assert not score.eligible


def test_a_must_criterion_with_partial_fit_does_not_block():
    mentee = mentee_person(availability=frozenset({"sat_morning"}))
    score = score_pair(mentor_person(), mentee, context({"availability": "must"}))
    assert score.blockers == []


def test_a_high_criterion_with_no_fit_lowers_the_score_but_does_not_block():
    mentee = mentee_person(availability=frozenset({"tue_morning"}))
    score = score_pair(mentor_person(), mentee, context({"availability": "high"}))
    assert score.eligible
    assert score.total < 100


def test_must_weighs_like_high():
    mentee = mentee_person(availability=frozenset({"sat_morning", "mon_evening"}))
    must = score_pair(mentor_person(), mentee, context({"availability": "must"}))
    high = score_pair(mentor_person(), mentee, context({"availability": "high"}))
    assert must.total == high.total < 100


def test_a_gender_must_blocks_once_as_a_hard_filter():
    mentee = mentee_person(preferred_gender=Gender.MAN)
    score = score_pair(mentor_person(), mentee, context({"gender": "must"}))
    assert score.blockers == ["The mentee's gender preference"]


# --- hard filters ---------------------------------------------------------------------------


def test_an_eligible_pair_has_no_blockers():
    assert hard_blockers(mentor_person(), mentee_person(), context()) == []
    assert score_pair(mentor_person(), mentee_person(), context()).eligible


@pytest.mark.parametrize(
    "mentor_changes, mentee_changes, ctx_changes, blocker",
    [
        ({"ready": False}, {}, {}, "The mentor is not ready yet"),
        ({"capacity_left": 0}, {}, {}, "The mentor has no capacity left"),
        ({"capacity_left": -1}, {}, {}, "The mentor has no capacity left"),
        ({"excluded_users": frozenset({20})}, {}, {}, "One of them asked not to be matched with the other"),
        ({}, {"excluded_users": frozenset({10})}, {}, "One of them asked not to be matched with the other"),
        ({}, {"excluded_pathways": frozenset({Pathway.TWELVE_STEP})}, {}, "A pathway one of them does not want"),
        (
            {"excluded_pathways": frozenset({Pathway.FAITH})},
            {"pathways": frozenset({Pathway.TWELVE_STEP, Pathway.FAITH})},
            {},
            "A pathway one of them does not want",
        ),
        ({}, {}, {"conflict_pairs": frozenset({(10, 20)})}, "An earlier match between them closed for a conflict"),
        ({}, {"preferred_gender": Gender.MAN}, {}, "The mentee's gender preference"),
        ({}, {"user_id": 10}, {}, "The same person"),
    ],
    ids=[
        "not-ready",
        "no-capacity",
        "over-capacity",
        "mentor-excludes-mentee",
        "mentee-excludes-mentor",
        "mentee-excludes-pathway",
        "mentor-excludes-pathway",
        "conflict",
        "gender-preference",
        "same-person",
    ],
)
def test_every_hard_filter_blocks(mentor_changes, mentee_changes, ctx_changes, blocker):
    mentor, mentee = mentor_person(**mentor_changes), mentee_person(**mentee_changes)
    ctx = context(**ctx_changes)
    assert hard_blockers(mentor, mentee, ctx) == [blocker]
    score = score_pair(mentor, mentee, ctx)
    assert blocker in score.blockers
    assert not score.eligible


def test_hard_filters_hold_even_with_every_weight_off():
    ctx = context(dict.fromkeys(CRITERION_KEYS, "off"))
    assert score_pair(mentor_person(ready=False), mentee_person(), ctx).blockers == ["The mentor is not ready yet"]


def test_a_conflict_counts_only_in_its_own_direction():
    # A conflict is stored as (mentor user, mentee user).
    ctx = context(conflict_pairs=frozenset({(20, 10)}))
    assert hard_blockers(mentor_person(), mentee_person(), ctx) == []


def test_several_blockers_are_all_listed():
    mentor = mentor_person(ready=False, capacity_left=0)
    mentee = mentee_person(preferred_gender=Gender.MAN, languages=frozenset({Language.SPANISH}))
    score = score_pair(mentor, mentee, context())
    assert score.blockers == [
        "The mentor is not ready yet",
        "The mentor has no capacity left",
        "The mentee's gender preference",
        "Must: shared language",
    ]
