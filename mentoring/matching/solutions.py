"""Whole-pool matching solved once per change of the pool, not on every visit.

``pool_solution(program, mentors, mentees, ctx)`` returns the solution of the
pool as loaded; the solve (seconds at thousands of people) runs only when no
solution of an identical pool is kept. A pool is identified by its
fingerprint: a SHA-256 of everything matching reads (every mentor and waiting
mentee as a ``Person``: answers, exclusions, capacity left, readiness; the
program's weights, minimum time in recovery and past conflicts). Any change to
those — a profile edit, a new match, an expired check, new weights — gives a
new fingerprint, so a kept solution is never shown for a pool that changed.

Solutions are kept in Django's cache (the default cache: per process with the
local-memory backend) for ``POOL_SOLUTION_SECONDS``, under the program and the
fingerprint; they hold profile ids, scores and reasons, never names. Nothing
is written to the database: the page stays a plain GET.
"""

import hashlib
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.cache import cache

from .pool import assign_whole_pool

POOL_SOLUTION_SECONDS = getattr(settings, "POOL_SOLUTION_SECONDS", 3600)


@dataclass(frozen=True)
class Solution:
    pairs: tuple  # ((mentee profile id, mentor profile id, score 0–100), ...), best score first
    unassigned: tuple  # ((mentee profile id, reason), ...), in the pool's order
    objective: float
    fingerprint: str


def _canonical(value):
    if isinstance(value, frozenset | set):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return sorted((repr(k), _canonical(v)) for k, v in value.items())
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    return value


def _person_key(person):
    return [(f.name, _canonical(getattr(person, f.name))) for f in fields(person) if f.name != "area_names"]


def pool_fingerprint(mentors, mentees, ctx):
    """A hex SHA-256 of the pool as matching sees it (order-independent)."""
    digest = hashlib.sha256()
    digest.update(repr(_canonical(ctx.weights)).encode())
    digest.update(repr((ctx.min_recovery_months, _canonical(ctx.conflict_pairs))).encode())
    for side in (mentors, mentees):
        digest.update(b"|side|")
        for key in sorted(repr(_person_key(p)) for p in side):
            digest.update(key.encode())
    return digest.hexdigest()


def _cache_key(program_id, fingerprint):
    return f"waypoint:pool-solution:{program_id}:{fingerprint}"


def pool_solution(program, mentors, mentees, ctx):
    """The kept solution of this pool, or a new one (solved now and kept)."""
    fingerprint = pool_fingerprint(mentors, mentees, ctx)
    key = _cache_key(program.pk, fingerprint)
    solution = cache.get(key)
    if solution is None:
        result = assign_whole_pool(mentors, mentees, ctx)
        pairs = sorted(
            ((mentees[i].pk, mentors[j].pk, score) for i, j, score in result.pairs), key=lambda pair: -pair[2]
        )
        solution = Solution(
            pairs=tuple(pairs),
            unassigned=tuple((mentees[i].pk, reason) for i, reason in result.unassigned),
            objective=result.objective,
            fingerprint=fingerprint,
        )
        cache.set(key, solution, POOL_SOLUTION_SECONDS)
    return solution
