"""A seeded, realistic random pool of mentors and mentees, without a
database: for bench_matching and the property tests."""

import random
from dataclasses import replace

from ..choices import AVAILABILITY_CHOICES, Gender, Language, MeetingMode, Pathway, Topic
from .criteria import AGE_ORDER, Context, Person, effective_weights

AREAS = list(range(1, 9))
CITIES = [("Riverbend", "124"), ("Hillcrest", "124"), ("Millbrook", "125"), ("Lakeside", "126"), ("Oakton", "127")]
INTERESTS = ["hiking", "cooking", "music", "fishing", "art", "basketball", "gardening", "reading", "faith", "movies"]
SLOTS = [value for value, _ in AVAILABILITY_CHOICES]
GENDERS = [Gender.WOMAN, Gender.MAN, Gender.NON_BINARY]


def _person(rng, pk, user_id, *, mentor):
    city, prefix = rng.choice(CITIES)
    languages = {Language.ENGLISH} if rng.random() < 0.9 else {Language.SPANISH}
    if rng.random() < 0.2:
        languages.add(Language.SPANISH)
    return Person(
        pk=pk,
        user_id=user_id,
        areas=frozenset(rng.sample(AREAS, rng.randint(1, 2))),
        pathways=frozenset(rng.sample(Pathway.values, rng.randint(1, 2))),
        excluded_pathways=frozenset(rng.sample(Pathway.values, 1)) if rng.random() < 0.05 else frozenset(),
        languages=frozenset(languages),
        gender=rng.choice(GENDERS),
        preferred_gender="" if mentor or rng.random() < 0.8 else rng.choice(GENDERS[:2]),
        age_range=rng.choice(AGE_ORDER),
        availability=frozenset(rng.sample(SLOTS, rng.randint(2, 8))),
        modes=frozenset(rng.sample(MeetingMode.values, rng.randint(1, 3))),
        city=city,
        postal_code=f"{prefix}{rng.randint(10, 99)}",
        interests=frozenset(rng.sample(INTERESTS, rng.randint(0, 3))),
        topics=frozenset(rng.sample(Topic.values, rng.randint(1, 4))),
        recovery_months=rng.randint(3, 200) if mentor else None,
        capacity_left=rng.randint(1, 4) if mentor else 0,
        ready=rng.random() < 0.9 if mentor else True,
    )


def random_pool(mentees, mentors, seed=2026):
    """(mentors, mentees, context) with a few exclusions and past conflicts."""
    rng = random.Random(seed)
    mentor_people = [_person(rng, j, 100_000 + j, mentor=True) for j in range(mentors)]
    mentee_people = [_person(rng, i, 200_000 + i, mentor=False) for i in range(mentees)]
    # Time waiting from a stream of its own, so the rest of the pool stays as it was.
    waits = random.Random(seed + 1)
    mentee_people = [replace(p, waiting_days=waits.randint(0, 400)) for p in mentee_people]
    conflicts = set()
    if mentors and mentees:
        for _ in range(max(1, mentees // 50)):
            conflicts.add((rng.choice(mentor_people).user_id, rng.choice(mentee_people).user_id))
        for index in rng.sample(range(mentees), max(1, mentees // 40)):
            excluded = frozenset({rng.choice(mentor_people).user_id})
            mentee_people[index] = replace(mentee_people[index], excluded_users=excluded)
    ctx = Context(weights=effective_weights({}), min_recovery_months=12, conflict_pairs=frozenset(conflicts))
    return mentor_people, mentee_people, ctx
