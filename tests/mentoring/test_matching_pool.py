"""Whole-pool matching: the vectorised scores equal the pure functions, the
assignment is optimal (checked by brute force on small pools), and no
assignment ever breaks a hard filter or a capacity."""

import itertools
import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching.criteria import CRITERION_KEYS, Context, effective_weights, hard_blockers, score_pair
from mentoring.matching.pool import assign_greedy, assign_whole_pool, score_matrix
from mentoring.matching.synthetic import random_pool

CAPACITY = "The mentor has no capacity left"
OTHER_WEIGHTS = {
    "language": "off",
    "topics": "off",
    "age": "must",
    "availability": "must",
    "proximity": "high",
    "recovery": "low",
    "interests": "medium",
}


def with_weights(ctx, weights):
    return replace(ctx, weights=effective_weights(weights))


def exact_total(score):
    """The score without score_pair's rounding to 6 decimals."""
    total_weight = sum(r.max_points for r in score.reasons)
    return 100.0 * sum(r.points for r in score.reasons) / total_weight if total_weight else 0.0


# --- the vectorised scores equal the pure functions ---------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("weights", [None, OTHER_WEIGHTS, dict.fromkeys(CRITERION_KEYS, "must")])
def test_score_matrix_equals_score_pair_for_every_pair(seed, weights):
    mentors, mentees, ctx = random_pool(40, 15, seed=seed)
    if weights is not None:
        ctx = with_weights(ctx, weights)
    scores, eligible, masks = score_matrix(mentors, mentees, ctx)
    assert scores.shape == eligible.shape == (40, 15)
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            expected = score_pair(mentor, mentee, ctx)
            assert scores[i, j] == pytest.approx(expected.total, abs=1e-6), (i, j)
            assert bool(eligible[i, j]) is expected.eligible, (i, j, expected.blockers)
            failing = {reason for reason, mask in masks.items() if not mask[i, j]}
            assert failing == set(expected.blockers) - {"The same person"}, (i, j)


def test_score_matrix_has_both_eligible_and_blocked_pairs_in_a_random_pool():
    # Guards the test above against comparing pools where everything is blocked.
    mentors, mentees, ctx = random_pool(40, 15, seed=1)
    _, eligible, _ = score_matrix(mentors, mentees, ctx)
    assert 0 < eligible.sum() < eligible.size


def test_score_matrix_with_every_weight_off():
    mentors, mentees, ctx = random_pool(10, 5, seed=7)
    ctx = with_weights(ctx, dict.fromkeys(CRITERION_KEYS, "off"))
    scores, eligible, _ = score_matrix(mentors, mentees, ctx)
    assert (scores == 0).all()
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            assert bool(eligible[i, j]) is score_pair(mentor, mentee, ctx).eligible


def test_score_matrix_counts_the_mentee_excluding_the_mentor_and_the_reverse():
    mentors, mentees, ctx = random_pool(3, 2, seed=5)
    mentors = [replace(mentors[0], excluded_users=frozenset({mentees[1].user_id})), mentors[1]]
    mentees = [replace(mentees[0], excluded_users=frozenset({mentors[1].user_id})), *mentees[1:]]
    _, eligible, masks = score_matrix(mentors, mentees, ctx)
    personal = masks["One of them asked not to be matched with the other"]
    assert not personal[1, 0] and not personal[0, 1]
    assert not eligible[1, 0] and not eligible[0, 1]


# --- optimality, by brute force ---------------------------------------------------------------


def small_pool(seed):
    rng = random.Random(seed)
    mentors, mentees, ctx = random_pool(rng.randint(1, 6), rng.randint(1, 3), seed=seed)
    mentors = [replace(m, capacity_left=rng.randint(1, 2), ready=True) for m in mentors]
    # Keep most pairs eligible so the search has real choices to make.
    ctx = with_weights(ctx, {"language": "high", "recovery": "medium"})
    return mentors, mentees, ctx


def brute_force_best(mentors, mentees, ctx):
    """The highest total over every valid assignment: each mentee to one
    eligible mentor or to nobody, no mentor over capacity."""
    options = []
    for mentee in mentees:
        row = [None]
        for j, mentor in enumerate(mentors):
            score = score_pair(mentor, mentee, ctx)
            if score.eligible:
                row.append((j, exact_total(score)))
        options.append(row)
    best = 0.0
    for choice in itertools.product(*options):
        used = Counter(option[0] for option in choice if option is not None)
        if any(used[j] > mentor.capacity_left for j, mentor in enumerate(mentors)):
            continue
        best = max(best, sum(option[1] for option in choice if option is not None))
    return best


def assert_valid(result, mentors, mentees, ctx):
    """No hard filter broken, no mentor over capacity, no mentee twice."""
    used = Counter(j for _, j, _ in result.pairs)
    assert all(used[j] <= max(mentor.capacity_left, 0) for j, mentor in enumerate(mentors)), used
    assigned = [i for i, _, _ in result.pairs]
    assert len(assigned) == len(set(assigned))
    for i, j, score in result.pairs:
        pair = score_pair(mentors[j], mentees[i], ctx)
        assert [b for b in pair.blockers if b != CAPACITY] == [], (i, j, pair.blockers)
        assert score == pytest.approx(pair.total, abs=1e-6)
    assert result.objective == pytest.approx(sum(score for *_, score in result.pairs))


@pytest.mark.parametrize("seed", range(31))
def test_whole_pool_assignment_is_optimal_and_greedy_never_beats_it(seed):
    mentors, mentees, ctx = small_pool(seed)
    best = brute_force_best(mentors, mentees, ctx)
    optimal = assign_whole_pool(mentors, mentees, ctx)
    greedy = assign_greedy(mentors, mentees, ctx)
    assert optimal.objective == pytest.approx(best, abs=1e-6)
    assert greedy.objective <= optimal.objective + 1e-6
    assert_valid(optimal, mentors, mentees, ctx)
    assert_valid(greedy, mentors, mentees, ctx)


def test_brute_force_instances_are_not_trivial():
    # Some instances must have more mentees than places, or optimality is untested.
    contested = 0
    for seed in range(31):
        mentors, mentees, _ = small_pool(seed)
        contested += len(mentees) > sum(m.capacity_left for m in mentors)
    assert contested >= 5


def test_whole_pool_beats_greedy_where_greedy_takes_the_wrong_place():
    # Mentor 0 has one place. Greedy gives it to mentee 0 (best single score)
    # and leaves mentee 1 with nobody; the optimum sends mentee 0 to mentor 1.
    mentors, mentees, ctx = random_pool(2, 2, seed=3)
    ctx = Context(weights=effective_weights(dict.fromkeys(CRITERION_KEYS, "off") | {"interests": "high"}))
    base = {"ready": True, "excluded_users": frozenset(), "excluded_pathways": frozenset(), "pathways": frozenset()}
    mentors = [
        replace(mentors[0], **base, capacity_left=1, interests=frozenset({"a", "b", "c"})),
        replace(mentors[1], **base, capacity_left=1, interests=frozenset({"a", "b"})),
    ]
    mentees = [
        replace(mentees[0], **base, preferred_gender="", interests=frozenset({"a", "b", "c"})),
        replace(mentees[1], **base, preferred_gender="", interests=frozenset({"a", "c"})),
    ]
    mentees[1] = replace(mentees[1], excluded_users=frozenset({mentors[1].user_id}))
    optimal = assign_whole_pool(mentors, mentees, ctx)
    greedy = assign_greedy(mentors, mentees, ctx)
    assert sorted((i, j) for i, j, _ in optimal.pairs) == [(0, 1), (1, 0)]
    assert len(greedy.pairs) == 1
    assert optimal.objective > greedy.objective


# --- properties, on random pools -----------------------------------------------------------


def assert_complete(result, mentees):
    assigned = {i for i, _, _ in result.pairs}
    unassigned = [i for i, _ in result.unassigned]
    assert len(unassigned) == len(set(unassigned))
    assert assigned.isdisjoint(unassigned)
    assert assigned | set(unassigned) == set(range(len(mentees)))
    for _, reason in result.unassigned:
        assert isinstance(reason, str) and reason.strip()


@settings(max_examples=40, deadline=None)
@given(
    n_mentees=st.integers(min_value=0, max_value=40),
    n_mentors=st.integers(min_value=0, max_value=12),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_random_pools_give_valid_complete_assignments(n_mentees, n_mentors, seed):
    mentors, mentees, ctx = random_pool(n_mentees, n_mentors, seed=seed)
    result = assign_whole_pool(mentors, mentees, ctx)
    assert_valid(result, mentors, mentees, ctx)
    assert_complete(result, mentees)
    assert_valid(assign_greedy(mentors, mentees, ctx), mentors, mentees, ctx)


@st.composite
def shuffled_pools(draw):
    """A random pool, then random capacities (some full or over), ready flags,
    exclusions either way, conflicts and weights."""
    n_mentees = draw(st.integers(min_value=0, max_value=15))
    n_mentors = draw(st.integers(min_value=0, max_value=6))
    mentors, mentees, ctx = random_pool(n_mentees, n_mentors, seed=draw(st.integers(0, 10**6)))
    mentor_ids = [m.user_id for m in mentors]
    mentee_ids = [m.user_id for m in mentees]

    def some(ids, most):
        return frozenset(draw(st.lists(st.sampled_from(ids), max_size=most))) if ids else frozenset()

    mentors = [
        replace(
            mentor,
            capacity_left=draw(st.integers(min_value=-1, max_value=3)),
            ready=draw(st.booleans()),
            excluded_users=some(mentee_ids, 3),
        )
        for mentor in mentors
    ]
    mentees = [replace(mentee, excluded_users=some(mentor_ids, 2)) for mentee in mentees]
    conflicts = set(ctx.conflict_pairs)
    if mentor_ids and mentee_ids:
        pairs = st.tuples(st.sampled_from(mentor_ids), st.sampled_from(mentee_ids))
        conflicts |= set(draw(st.lists(pairs, max_size=5)))
    weights = draw(st.dictionaries(st.sampled_from(CRITERION_KEYS), st.sampled_from(["must", "high", "low", "off"])))
    ctx = replace(ctx, weights=effective_weights(weights), conflict_pairs=frozenset(conflicts))
    return mentors, mentees, ctx


@settings(max_examples=40, deadline=None)
@given(pool=shuffled_pools())
def test_capacities_readiness_and_exclusions_are_never_broken(pool):
    mentors, mentees, ctx = pool
    result = assign_whole_pool(mentors, mentees, ctx)
    assert_valid(result, mentors, mentees, ctx)
    assert_complete(result, mentees)
    for i, j, _ in result.pairs:
        assert hard_blockers(mentors[j], mentees[i], ctx) == []
        assert mentors[j].ready and mentors[j].capacity_left > 0
    assert_valid(assign_greedy(mentors, mentees, ctx), mentors, mentees, ctx)


# --- edge cases ----------------------------------------------------------------------------------


def test_no_mentors_leaves_everyone_unassigned_with_a_reason():
    _, mentees, ctx = random_pool(5, 0, seed=1)
    result = assign_whole_pool([], mentees, ctx)
    assert result.pairs == [] and result.objective == 0
    assert [i for i, _ in result.unassigned] == [0, 1, 2, 3, 4]
    assert {reason for _, reason in result.unassigned} == {"No mentor is available"}


def test_no_mentees_gives_an_empty_result():
    mentors, _, ctx = random_pool(0, 4, seed=1)
    result = assign_whole_pool(mentors, [], ctx)
    assert (result.pairs, result.unassigned, result.objective) == ([], [], 0)
    assert assign_greedy(mentors, [], ctx).pairs == []


def test_all_mentors_unready_leaves_everyone_unassigned_because_of_readiness():
    mentors, mentees, ctx = random_pool(8, 4, seed=2)
    mentors = [replace(m, ready=False) for m in mentors]
    result = assign_whole_pool(mentors, mentees, ctx)
    assert result.pairs == []
    assert len(result.unassigned) == 8
    for _, reason in result.unassigned:
        assert "not ready" in reason.lower(), reason
    assert assign_greedy(mentors, mentees, ctx).pairs == []


def test_all_mentors_full_leaves_everyone_unassigned_because_of_capacity():
    mentors, mentees, ctx = random_pool(6, 3, seed=4)
    mentors = [replace(m, ready=True, capacity_left=0) for m in mentors]
    result = assign_whole_pool(mentors, mentees, ctx)
    assert result.pairs == []
    assert all("capacity" in reason for _, reason in result.unassigned)


def test_mentees_left_over_when_places_run_out_are_told_why():
    mentors, mentees, ctx = random_pool(6, 1, seed=4)
    ctx = with_weights(ctx, dict.fromkeys(CRITERION_KEYS, "low"))
    mentors = [
        replace(mentors[0], ready=True, capacity_left=2, excluded_users=frozenset(), excluded_pathways=frozenset())
    ]
    mentees = [
        replace(m, pathways=frozenset(), preferred_gender="", excluded_users=frozenset(), excluded_pathways=frozenset())
        for m in mentees
    ]
    ctx = replace(ctx, conflict_pairs=frozenset())
    result = assign_whole_pool(mentors, mentees, ctx)
    assert len(result.pairs) == 2
    assert len(result.unassigned) == 4
    # One reason for all four: a mentor fits them, but the places went to others.
    [reason] = {reason for _, reason in result.unassigned}
    assert reason.strip() and not reason.startswith("No mentor")


# --- at scale: integer scores in chunks, the fast solver against the dense one (issue 18) --------


def _with_missing_data(mentees, mentors, rng):
    """Blank ages, cities and postal codes here and there (unknowns must fit nobody)."""

    def blank(person):
        return replace(
            person,
            age_range="" if rng.random() < 0.2 else person.age_range,
            city="" if rng.random() < 0.2 else person.city,
            postal_code="" if rng.random() < 0.2 else person.postal_code,
        )

    return [blank(p) for p in mentees], [blank(p) for p in mentors]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("weights", [None, OTHER_WEIGHTS, dict.fromkeys(CRITERION_KEYS, "must")])
def test_integer_scores_in_chunks_equal_score_pair_for_every_pair(seed, weights, monkeypatch):
    from mentoring.matching import pool

    monkeypatch.setattr(pool, "CHUNK_ROWS", 7)  # several chunks, one of them short
    mentors, mentees, ctx = random_pool(40, 15, seed=seed)
    mentees, mentors = _with_missing_data(mentees, mentors, random.Random(seed))
    if weights is not None:
        ctx = with_weights(ctx, weights)
    sixths, eligible = pool.pool_sixths(mentors, mentees, ctx)
    assert sixths.dtype == np.int16
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            expected = score_pair(mentor, mentee, ctx)
            assert pool._score_of(int(sixths[i, j]), ctx) == pytest.approx(exact_total(expected), abs=1e-9), (i, j)
            assert bool(eligible[i, j]) is expected.eligible, (i, j, expected.blockers)


@pytest.mark.parametrize("seed", range(25))
def test_the_fast_solver_matches_the_dense_solver_on_random_pools(seed):
    """The dense reference: every pair scored as float64, one column per free place,
    scipy's linear_sum_assignment. Same total, same number matched, nothing broken."""
    from mentoring.matching.pool import assign_whole_pool_dense

    rng = random.Random(seed)
    mentors, mentees, ctx = random_pool(rng.randint(5, 120), rng.randint(2, 40), seed=seed)
    if seed % 3 == 1:
        ctx = with_weights(ctx, OTHER_WEIGHTS)
    fast = assign_whole_pool(mentors, mentees, ctx)
    dense = assign_whole_pool_dense(mentors, mentees, ctx)
    # The dense scores carry float32 rounding (~1e-8 a pair); two distinct totals differ by ≥ 0.5.
    assert fast.objective == pytest.approx(dense.objective, abs=1e-4)
    assert len(fast.pairs) == len(dense.pairs)
    assert_valid(fast, mentors, mentees, ctx)
    assert {i for i, _ in fast.unassigned} == set(range(len(mentees))) - {i for i, _, _ in fast.pairs}
    hopeless = {i: reason for i, reason in dense.unassigned if not reason.startswith("The mentors who fit")}
    assert {i: reason for i, reason in fast.unassigned if i in hopeless} == hopeless


def test_mentors_who_are_not_ready_are_left_out_of_the_scored_table(monkeypatch):
    from mentoring.matching import pool

    mentors, mentees, ctx = random_pool(30, 12, seed=9)
    mentors = [replace(m, ready=j % 2 == 0) for j, m in enumerate(mentors)]
    seen = []
    real = pool.pool_sixths
    monkeypatch.setattr(pool, "pool_sixths", lambda ms, es, c: seen.append(len(ms)) or real(ms, es, c))
    result = pool.assign_whole_pool(mentors, mentees, ctx)
    assert seen == [sum(1 for m in mentors if m.ready and m.capacity_left > 0)]
    assert all(mentors[j].ready for _, j, _ in result.pairs)
