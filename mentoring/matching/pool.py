"""Whole-pool matching: every waiting mentee against every mentor at once.

The scores and hard filters of `criteria.py`, computed for all pairs as
numpy matrices (tests hold them equal to the pure functions), then the
assignment that maximises the total score under capacities: each mentor is
expanded into one column per free place and the assignment problem is solved
exactly with scipy's `linear_sum_assignment`. A greedy baseline is kept for
comparison (bench_matching).

The reasons a mentee is left out are stored in English (a solve runs in the
background, for every reader) and shown in the reader's language by
``reason_text``.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from scipy.optimize import linear_sum_assignment

from .criteria import (
    AGE_ORDER,
    BLOCKER_TEXTS,
    CRITERIA,
    CRITERION_KEYS,
    FULL_AT,
    NEVER_BLOCKS,
    WEIGHT_POINTS,
    Weight,
    must_text,
    waiting_sixths,
    weight_total,
)

# Added to every eligible pair so that, between equal totals, the solver
# prefers matching more people. Far below the smallest difference between
# two distinct scores, so it never changes which total is optimal.
TIE_BREAK = 1e-6

ALL_NEEDED = gettext_noop("The mentors who fit are all needed for other mentees in this set")
NONE_AVAILABLE = gettext_noop("No mentor is available")
RULED_OUT = gettext_noop("No mentor fits. Most often ruled out by: %(filter)s")
RULED_OUT_PREFIX = RULED_OUT.split("%")[0]


def _must_key(label):
    """The stored (English) text of a "Must" criterion's filter."""
    with translation.override("en"):
        return must_text(label)


def reason_text(stored):
    """A stored reason (English, as ``assign_whole_pool`` gives it) in the active language."""
    if stored in (ALL_NEEDED, NONE_AVAILABLE):
        return gettext(stored)
    if stored.startswith(RULED_OUT_PREFIX):
        return gettext(RULED_OUT) % {"filter": _filter_text(stored[len(RULED_OUT_PREFIX) :]).lower()}
    return gettext(stored)


def _filter_text(key):
    """A stored filter text (any case) in the active language; unknown texts unchanged."""
    for text in BLOCKER_TEXTS:
        if key.casefold() == text.casefold():
            return gettext(text)
    for _, label, _, _ in CRITERIA:
        if key.casefold() == _must_key(label).casefold():
            return must_text(label)
    return key


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
    waited = np.array([waiting_sixths(p.waiting_days) for p in mentees], dtype=np.float64)
    fits["waiting"] = np.broadcast_to((waited / 6)[:, None], (n, m)).astype(np.float64)
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
            masks[_must_key(label)] = fits[key] > 0
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
        return ALL_NEEDED
    # Name the filter that rules out the most mentors for this mentee.
    blocking = {reason: int((~mask[i]).sum()) for reason, mask in masks.items()}
    worst = max(blocking, key=blocking.get) if blocking else None
    if worst is None or blocking[worst] == 0:
        return NONE_AVAILABLE
    return RULED_OUT % {"filter": worst.lower()}


def assign_whole_pool_dense(mentors, mentees, ctx):
    """The optimal assignment by the dense solver: one column per free place,
    every pair scored as float64. Kept as the reference the tests hold
    ``assign_whole_pool`` to (its memory grows with mentees × places)."""
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


def _score_of(sixths, ctx):
    total = weight_total(ctx.weights)
    return 100.0 * sixths / (6 * total) if total else 0.0


def _reasons(mentors, mentees, ctx, eligible_anywhere, assigned):
    """[(mentee index, reason)] for the mentees left out. Those with no eligible
    mentor are scored again against every mentor (a few rows), to name the filter."""
    hopeless = [i for i in range(len(mentees)) if i not in assigned and not eligible_anywhere[i]]
    named = {}
    if hopeless and mentors:
        subset = [mentees[i] for i in hopeless]
        for start in range(0, len(subset), CHUNK_ROWS // 8):
            part = subset[start : start + CHUNK_ROWS // 8]
            _, eligible, masks = score_matrix(mentors, part, ctx)
            for row, i in enumerate(hopeless[start : start + CHUNK_ROWS // 8]):
                named[i] = _unassigned_reason(row, eligible, masks)
    elif hopeless:
        named = dict.fromkeys(hopeless, NONE_AVAILABLE)
    return [(i, named.get(i, ALL_NEEDED)) for i in range(len(mentees)) if i not in assigned]


def assign_whole_pool(mentors, mentees, ctx, *, progress=None):
    """The optimal assignment of mentees to mentors' free places (exact, as the
    dense solver; see "the whole pool at scale" below). Mentors who are not ready
    or have no room are left out of the problem before anything is scored.

    ``progress``: an optional callable given the share done so far, 0–100
    (after each chunk of scores, before and after the assignment)."""
    report = progress or (lambda percent: None)
    columns = [j for j, mentor in enumerate(mentors) if mentor.ready and mentor.capacity_left > 0]
    open_mentors = [mentors[j] for j in columns]
    chunks = {"progress": lambda share: report(40 * share)} if progress else {}
    sixths, eligible = pool_sixths(open_mentors, mentees, ctx, **chunks)
    capacity = np.array([mentor.capacity_left for mentor in open_mentors], dtype=np.int64)
    report(40)
    chosen = solve_places(sixths, eligible, capacity)
    report(90)
    pairs = [(i, columns[j], float(_score_of(int(sixths[i, j]), ctx))) for i, j in chosen]
    assigned = {i for i, _, _ in pairs}
    eligible_anywhere = eligible.any(axis=1) if open_mentors else np.zeros(len(mentees), dtype=bool)
    unassigned = _reasons(mentors, mentees, ctx, eligible_anywhere, assigned)
    return PoolResult(pairs=pairs, unassigned=unassigned, objective=sum(score for *_, score in pairs))


def assign_greedy(mentors, mentees, ctx):
    """Baseline: best-scoring eligible pair first, until places run out."""
    columns = [j for j, mentor in enumerate(mentors) if mentor.ready and mentor.capacity_left > 0]
    open_mentors = [mentors[j] for j in columns]
    sixths, eligible = pool_sixths(open_mentors, mentees, ctx)
    room = [mentor.capacity_left for mentor in open_mentors]
    taken, pairs = set(), []
    if open_mentors:
        order = np.argsort(-np.where(eligible, sixths.astype(np.int32), -1), axis=None, kind="stable")
        for flat in order:
            i, j = divmod(int(flat), len(open_mentors))
            if not eligible[i, j]:
                break  # the rest are ineligible
            if i in taken or room[j] == 0:
                continue
            taken.add(i)
            room[j] -= 1
            pairs.append((i, columns[j], float(_score_of(int(sixths[i, j]), ctx))))
    return PoolResult(pairs=pairs, unassigned=[], objective=sum(score for *_, score in pairs))


# --- the whole pool at scale ----------------------------------------------------------------------
#
# Every fit is a multiple of 1/6 (halves and thirds), so 6 × points × fit is a
# whole number: scores are computed exactly as "sixths" (int16), a chunk of
# mentees at a time, against the mentors who are ready and have room only.
# What is kept of size mentees × mentors is the int16 sixths and a boolean
# eligibility table (3 bytes a pair, against eleven float64 tables before);
# the assignment is then solved on whole-number costs (``solve_places``).

CHUNK_ROWS = 2048


@dataclass
class _Encoded:
    multi: dict
    gender: np.ndarray
    wanted: np.ndarray
    city: np.ndarray
    post: np.ndarray
    age: np.ndarray


def _encode(people, vocabularies, codes):
    return _Encoded(
        multi={attribute: _multi_hot(people, attribute, vocabulary) for attribute, vocabulary in vocabularies.items()},
        gender=np.array([codes["gender"].get(p.gender or "", 0) for p in people], dtype=np.int16),
        wanted=np.array([codes["gender"].get(p.preferred_gender or "", 0) for p in people], dtype=np.int16),
        city=np.array([codes["city"].get(p.city_key, 0) for p in people], dtype=np.int32),
        post=np.array([codes["post"].get(p.postal_prefix, 0) for p in people], dtype=np.int32),
        age=np.array(
            [AGE_ORDER.index(p.age_range) if p.age_range in AGE_ORDER else -99 for p in people], dtype=np.int16
        ),
    )


SET_ATTRIBUTES = ("areas", "languages", "availability", "modes", "interests", "topics")


def _encode_pool(mentors, mentees):
    everyone = (*mentees, *mentors)
    vocabularies = {}
    for attribute in SET_ATTRIBUTES:
        values = {v for p in everyone for v in getattr(p, attribute)}
        vocabularies[attribute] = {value: index for index, value in enumerate(sorted(values, key=str))}
    # Pathways and excluded pathways share one vocabulary, so they can be crossed.
    values = {v for p in everyone for v in p.pathways | p.excluded_pathways}
    shared = {value: index for index, value in enumerate(sorted(values, key=str))}
    vocabularies["pathways"] = vocabularies["excluded_pathways"] = shared
    codes = {"gender": {}, "city": {}, "post": {}}
    for person in everyone:
        for name, values in (
            ("gender", (person.gender, person.preferred_gender)),
            ("city", (person.city_key,)),
            ("post", (person.postal_prefix,)),
        ):
            for value in values:
                if value:
                    codes[name].setdefault(value, len(codes[name]) + 1)
    return _encode(mentors, vocabularies, codes), _encode(mentees, vocabularies, codes)


def _sixths_chunk(a, b, rows, ctx, recovery_ok, blocked, waited):
    """(sixths int16, eligible bool) for mentees ``rows`` (a slice) × every mentor of ``b``.

    ``blocked``: {mentee index: [mentor indices]} ruled out one by one (exclusions,
    conflicts). Sums are kept in float32, exact for these small whole numbers."""
    points = {key: WEIGHT_POINTS[ctx.weights[key]] for key in CRITERION_KEYS}
    must = {key for key in CRITERION_KEYS if ctx.weights[key] == Weight.MUST and key not in NEVER_BLOCKS}
    size = (rows.stop - rows.start, len(b.gender))
    total = np.zeros(size, dtype=np.float32)
    eligible = np.ones(size, dtype=bool)

    def overlap(attribute, other=None):
        return a.multi[attribute][rows] @ b.multi[other or attribute].T

    def add(key, fit, per_unit):
        """fit: float32 table, ``per_unit`` sixths per unit of fit (it is modified in place)."""
        if key in must:
            np.logical_and(eligible, fit > 0, out=eligible)
        if points[key]:
            np.multiply(fit, np.float32(points[key] * per_unit), out=fit)
            np.add(total, fit, out=total)

    for key, attribute, full in (
        ("experience", "areas", 2),
        ("availability", "availability", 3),
        ("interests", "interests", 3),
        ("topics", "topics", 2),
    ):
        if points[key] or key in must:
            fit = overlap(attribute)
            add(key, np.minimum(fit, np.float32(full), out=fit), 6 // full)
    for key, attribute in (("pathway", "pathways"), ("language", "languages"), ("mode", "modes")):
        if points[key] or key in must:
            add(key, (overlap(attribute) > 0).astype(np.float32), 6)
    wanted = a.wanted[rows][:, None]
    gender_ok = (wanted == 0) | (wanted == b.gender[None, :])
    np.logical_and(eligible, gender_ok, out=eligible)
    if points["gender"]:
        add("gender", gender_ok.astype(np.float32), 6)
    if points["proximity"] or "proximity" in must:
        near = (a.city[rows][:, None] == b.city[None, :]) & (b.city[None, :] > 0)
        near |= (a.post[rows][:, None] == b.post[None, :]) & (b.post[None, :] > 0)
        add("proximity", near.astype(np.float32), 6)
    if points["age"] or "age" in must:
        age_a, age_b = a.age[rows][:, None], b.age[None, :]
        gap = np.abs(age_a - age_b)
        fit = (gap == 0).astype(np.float32)
        fit += np.float32(0.5) * (gap == 1)
        fit[age_a[:, 0] < 0, :] = 0  # an unknown age fits nobody
        fit[:, age_b[0] < 0] = 0
        add("age", fit, 6)
    if points["recovery"] or "recovery" in must:
        add("recovery", np.broadcast_to(recovery_ok[None, :], size).astype(np.float32), 6)
    if points["waiting"]:  # already in sixths (criteria.waiting_sixths); never blocks
        add("waiting", np.broadcast_to(waited[rows][:, None], size).astype(np.float32), 1)
    # Excluded pathways: only the few people who exclude one need crossing.
    excluding = np.flatnonzero(a.multi["excluded_pathways"][rows].any(axis=1))
    if excluding.size:
        clash = a.multi["excluded_pathways"][rows][excluding] @ b.multi["pathways"].T > 0
        eligible[excluding] &= ~clash
    excluded_by = np.flatnonzero(b.multi["excluded_pathways"].any(axis=1))
    if excluded_by.size:
        clash = a.multi["pathways"][rows] @ b.multi["excluded_pathways"][excluded_by].T > 0
        eligible[:, excluded_by] &= ~clash
    for i in range(rows.start, rows.stop):
        for j in blocked.get(i, ()):
            eligible[i - rows.start, j] = False
    return total.astype(np.int16), eligible


def _blocked_pairs(mentors, mentees, ctx):
    """{mentee index: [mentor index]}: one asked not to be matched with the other,
    the same person, or an earlier match closed for a conflict."""
    mentor_index = {p.user_id: j for j, p in enumerate(mentors)}
    mentee_index = {p.user_id: i for i, p in enumerate(mentees)}
    blocked = defaultdict(list)
    for i, mentee in enumerate(mentees):
        for user_id in mentee.excluded_users | {mentee.user_id}:
            if user_id in mentor_index:
                blocked[i].append(mentor_index[user_id])
    for j, mentor in enumerate(mentors):
        for user_id in mentor.excluded_users:
            if user_id in mentee_index:
                blocked[mentee_index[user_id]].append(j)
    for mentor_user, mentee_user in ctx.conflict_pairs:
        if mentor_user in mentor_index and mentee_user in mentee_index:
            blocked[mentee_index[mentee_user]].append(mentor_index[mentor_user])
    return blocked


def pool_sixths(mentors, mentees, ctx, *, progress=None):
    """(sixths int16, eligible bool), mentees × mentors, computed in chunks of
    CHUNK_ROWS mentees; ``progress(share 0–1)`` after each chunk when given."""
    n, m = len(mentees), len(mentors)
    sixths = np.zeros((n, m), dtype=np.int16)
    eligible = np.zeros((n, m), dtype=bool)
    if not n or not m:
        return sixths, eligible
    b, a = _encode_pool(mentors, mentees)
    recovery_ok = np.array(
        [p.recovery_months is not None and p.recovery_months >= ctx.min_recovery_months for p in mentors]
    )
    ready = np.array([p.ready and p.capacity_left > 0 for p in mentors])
    blocked = _blocked_pairs(mentors, mentees, ctx)
    waited = np.array([waiting_sixths(p.waiting_days) for p in mentees], dtype=np.float32)
    for start in range(0, n, CHUNK_ROWS):
        rows = slice(start, min(start + CHUNK_ROWS, n))
        sixths[rows], eligible[rows] = _sixths_chunk(a, b, rows, ctx, recovery_ok, blocked, waited)
        if progress:
            progress(rows.stop / n)
    eligible &= ready[None, :]
    return sixths, eligible


def solve_places(sixths, eligible, capacity, *, mentor_block=256):
    """The optimal assignment of mentees (rows) to mentors (columns, ``capacity``
    places each): maximises Σ sixths, then the number matched. Returns
    [(mentee index, mentor index)].

    One row per free place, one column per mentee who fits somebody, integer
    costs (−(sixths × (n + 1) + 1) for an eligible pair, 0 otherwise: one more
    pair matched never outweighs one sixth), built a block of mentors at a time
    straight into the float64 table scipy's linear_sum_assignment solves (no
    second copy when places ≤ mentees, costs already negated). Memory: places ×
    mentees × 8 bytes."""
    n, m = sixths.shape
    capacity = np.maximum(capacity, 0)
    people = np.flatnonzero(eligible.any(axis=1)) if n and m else np.array([], dtype=np.int64)
    places = int(capacity.sum())
    if not places or not people.size:
        return []
    weight = float(n + 1)
    mentor_of_place = np.repeat(np.arange(m), capacity)
    cost = np.empty((places, people.size), dtype=np.float64)
    row = 0
    for start in range(0, m, mentor_block):
        block = slice(start, min(start + mentor_block, m))
        fits = eligible[people, block].T
        gains = np.where(fits, -(sixths[people, block].T.astype(np.float64) * weight + 1.0), 0.0)
        repeated = np.repeat(gains, capacity[block], axis=0)
        cost[row : row + len(repeated)] = repeated
        row += len(repeated)
    # With more places than mentees scipy solves the transpose (a copy); that
    # pool is small by then (places > mentees).
    rows, columns = linear_sum_assignment(cost)
    del cost
    mentees, mentors = people[columns], mentor_of_place[rows]
    keep = eligible[mentees, mentors]
    return list(zip(mentees[keep].tolist(), mentors[keep].tolist(), strict=True))
