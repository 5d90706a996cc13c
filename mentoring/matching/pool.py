"""Whole-pool matching: every waiting mentee against every mentor at once.

The scores and hard filters of `criteria.py`, computed for all pairs as
numpy matrices (tests hold them equal to the pure functions), then the
assignment that maximises the total score under capacities: each mentor is
expanded into one column per free place and the assignment problem is solved
exactly with scipy's `linear_sum_assignment`. A greedy baseline is kept for
comparison (bench_matching).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from .criteria import AGE_ORDER, CRITERIA, FULL_AT, NEVER_BLOCKS, WEIGHT_POINTS, Weight, weight_total

# Added to every eligible pair so that, between equal totals, the solver
# prefers matching more people. Far below the smallest difference between
# two distinct scores, so it never changes which total is optimal.
TIE_BREAK = 1e-6


@dataclass
class PoolResult:
    pairs: list  # [(mentee_index, mentor_index, score)]
    unassigned: list  # [(mentee_index, reason)]
    objective: float


def _multi_hot(people, attribute, vocabulary):
    matrix = np.zeros((len(people), max(len(vocabulary), 1)), dtype=np.float32)
    for row, person in enumerate(people):
        for value in getattr(person, attribute):
            matrix[row, vocabulary[value]] = 1.0
    return matrix


def _overlap(mentees, mentors, attribute, other_attribute=None):
    """|mentee.attribute ∩ mentor.other_attribute| for every pair."""
    other_attribute = other_attribute or attribute
    values = {v for p in mentees for v in getattr(p, attribute)} | {
        v for p in mentors for v in getattr(p, other_attribute)
    }
    vocabulary = {value: index for index, value in enumerate(sorted(values, key=str))}
    return _multi_hot(mentees, attribute, vocabulary) @ _multi_hot(mentors, other_attribute, vocabulary).T


def _codes(mentees, mentors, key):
    """Integer codes of a text attribute; 0 means empty."""
    vocabulary = {}
    for person in (*mentees, *mentors):
        value = key(person)
        if value:
            vocabulary.setdefault(value, len(vocabulary) + 1)
    encode = lambda people: np.array([vocabulary.get(key(p), 0) for p in people])  # noqa: E731
    return encode(mentees), encode(mentors)


def _capped(overlap, full_at):
    return np.minimum(overlap, full_at) / full_at


def _any(overlap):
    return (overlap > 0).astype(np.float64)


def fit_matrices(mentors, mentees, ctx):
    """{criterion: (n_mentees, n_mentors) fit matrix}, as criteria.py defines them."""
    n, m = len(mentees), len(mentors)
    fits = {
        "experience": _capped(_overlap(mentees, mentors, "areas"), FULL_AT["experience"]),
        "pathway": _any(_overlap(mentees, mentors, "pathways")),
        "language": _any(_overlap(mentees, mentors, "languages")),
        "availability": _capped(_overlap(mentees, mentors, "availability"), FULL_AT["availability"]),
        "mode": _any(_overlap(mentees, mentors, "modes")),
        "interests": _capped(_overlap(mentees, mentors, "interests"), FULL_AT["interests"]),
        "topics": _capped(_overlap(mentees, mentors, "topics"), FULL_AT["topics"]),
    }
    wanted = np.array([p.preferred_gender or "" for p in mentees], dtype=object)[:, None]
    genders = np.array([p.gender or "" for p in mentors], dtype=object)[None, :]
    fits["gender"] = ((wanted == "") | (wanted == genders)).astype(np.float64)
    city_a, city_b = _codes(mentees, mentors, lambda p: p.city_key)
    post_a, post_b = _codes(mentees, mentors, lambda p: p.postal_prefix)
    same_city = (city_a[:, None] == city_b[None, :]) & (city_b[None, :] > 0)
    same_post = (post_a[:, None] == post_b[None, :]) & (post_b[None, :] > 0)
    fits["proximity"] = (same_city | same_post).astype(np.float64)
    age_a = np.array([AGE_ORDER.index(p.age_range) if p.age_range in AGE_ORDER else -9 for p in mentees])
    age_b = np.array([AGE_ORDER.index(p.age_range) if p.age_range in AGE_ORDER else -99 for p in mentors])
    gap = np.abs(age_a[:, None] - age_b[None, :])
    known = (age_a[:, None] >= 0) & (age_b[None, :] >= 0)
    fits["age"] = np.where(known & (gap == 0), 1.0, np.where(known & (gap == 1), 0.5, 0.0))
    meets = np.array([p.recovery_months is not None and p.recovery_months >= ctx.min_recovery_months for p in mentors])
    fits["recovery"] = np.broadcast_to(meets[None, :], (n, m)).astype(np.float64)
    waited = np.array([min(max(p.waiting_days, 0), FULL_AT["waiting"]) for p in mentees], dtype=np.float64)
    fits["waiting"] = np.broadcast_to((waited / FULL_AT["waiting"])[:, None], (n, m)).astype(np.float64)
    return fits


def filter_masks(mentors, mentees, ctx, fits):
    """{hard filter: (n_mentees, n_mentors) True where the pair passes}."""
    n, m = len(mentees), len(mentors)
    mentor_index = {p.user_id: j for j, p in enumerate(mentors)}
    mentee_index = {p.user_id: i for i, p in enumerate(mentees)}
    ready = np.array([p.ready for p in mentors])
    has_room = np.array([p.capacity_left > 0 for p in mentors])
    masks = {
        "The mentor is not ready yet": np.broadcast_to(ready[None, :], (n, m)),
        "The mentor has no capacity left": np.broadcast_to(has_room[None, :], (n, m)),
        "A pathway one of them does not want": (_overlap(mentees, mentors, "excluded_pathways", "pathways") == 0)
        & (_overlap(mentees, mentors, "pathways", "excluded_pathways") == 0),
        "The mentee's gender preference": fits["gender"] > 0,
    }
    personal = np.ones((n, m), dtype=bool)
    for i, mentee in enumerate(mentees):
        for user_id in mentee.excluded_users | {mentee.user_id}:
            if user_id in mentor_index:
                personal[i, mentor_index[user_id]] = False
    for j, mentor in enumerate(mentors):
        for user_id in mentor.excluded_users:
            if user_id in mentee_index:
                personal[mentee_index[user_id], j] = False
    masks["One of them asked not to be matched with the other"] = personal
    conflicts = np.ones((n, m), dtype=bool)
    for mentor_user, mentee_user in ctx.conflict_pairs:
        if mentor_user in mentor_index and mentee_user in mentee_index:
            conflicts[mentee_index[mentee_user], mentor_index[mentor_user]] = False
    masks["An earlier match between them closed for a conflict"] = conflicts
    for key, label, _, _ in CRITERIA:
        if ctx.weights[key] == Weight.MUST and key not in NEVER_BLOCKS:
            masks[f"Must: {label.lower()}"] = fits[key] > 0
    return masks


def score_matrix(mentors, mentees, ctx):
    """(scores 0–100, eligible, masks) for every mentee × mentor pair."""
    n, m = len(mentees), len(mentors)
    if not n or not m:
        return np.zeros((n, m)), np.zeros((n, m), dtype=bool), {}
    fits = fit_matrices(mentors, mentees, ctx)
    earned = np.zeros((n, m))
    for key, *_ in CRITERIA:
        points = WEIGHT_POINTS[ctx.weights[key]]
        if points:
            earned += points * fits[key]
    total = weight_total(ctx.weights)
    scores = 100.0 * earned / total if total else earned
    masks = filter_masks(mentors, mentees, ctx, fits)
    eligible = np.ones((n, m), dtype=bool)
    for mask in masks.values():
        eligible &= mask
    return scores, eligible, masks


def _unassigned_reason(i, eligible, masks):
    if eligible[i].any():
        return "The mentors who fit are all needed for other mentees in this set"
    # Name the filter that rules out the most mentors for this mentee.
    blocking = {reason: int((~mask[i]).sum()) for reason, mask in masks.items()}
    worst = max(blocking, key=blocking.get) if blocking else None
    if worst is None or blocking[worst] == 0:
        return "No mentor is available"
    return f"No mentor fits. Most often ruled out by: {worst.lower()}"


def assign_whole_pool(mentors, mentees, ctx):
    """The optimal assignment of mentees to mentors' free places."""
    scores, eligible, masks = score_matrix(mentors, mentees, ctx)
    slots = [j for j, mentor in enumerate(mentors) for _ in range(max(mentor.capacity_left, 0))]
    pairs = []
    if slots and mentees:
        columns = np.array(slots)
        gain = np.where(eligible[:, columns], scores[:, columns] + TIE_BREAK, 0.0)
        rows, cols = linear_sum_assignment(gain, maximize=True)
        pairs = [
            (int(i), int(columns[c]), float(scores[i, columns[c]]))
            for i, c in zip(rows, cols, strict=True)
            if eligible[i, columns[c]]
        ]
    assigned = {i for i, _, _ in pairs}
    unassigned = [(i, _unassigned_reason(i, eligible, masks)) for i in range(len(mentees)) if i not in assigned]
    return PoolResult(pairs=pairs, unassigned=unassigned, objective=sum(score for *_, score in pairs))


def assign_greedy(mentors, mentees, ctx):
    """Baseline: best-scoring eligible pair first, until places run out."""
    scores, eligible, _ = score_matrix(mentors, mentees, ctx)
    room = [max(mentor.capacity_left, 0) for mentor in mentors]
    order = np.argsort(-np.where(eligible, scores, -1.0), axis=None, kind="stable")
    taken, pairs = set(), []
    for flat in order:
        i, j = divmod(int(flat), len(mentors))
        if not eligible[i, j]:
            break  # the rest are ineligible
        if i in taken or room[j] == 0:
            continue
        taken.add(i)
        room[j] -= 1
        pairs.append((i, j, float(scores[i, j])))
    return PoolResult(pairs=pairs, unassigned=[], objective=sum(score for *_, score in pairs))
