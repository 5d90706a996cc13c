"""Matching criteria as pure functions: no database (Django only for the
translation of the sentences and labels, in the reader's language).

A program weighs each criterion must / high / medium / low / off. Each
criterion gives a fit between 0 and 1 for a mentor and a mentee, and a plain
sentence a coordinator reads. The score is the weighted mean of the fits,
0 to 100. "Must" criteria weigh like "high" and also filter: a pair whose
must-criterion fit is 0 is never proposed.

Hard filters are never broken, whatever the weights: the mentor is ready and
has capacity left, neither side's exclusions apply, the two did not have a
match closed for conflict, and the mentee's gender preference (when given)
holds. `pool.py` computes the same numbers for a whole pool at once; tests
hold the two to the same answers.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from ..choices import AVAILABILITY_CHOICES, Gender, Language, MeetingMode, Pathway, Topic, labels


class Weight(StrEnum):
    MUST = "must"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    OFF = "off"


WEIGHT_POINTS = {Weight.MUST: 3, Weight.HIGH: 3, Weight.MEDIUM: 2, Weight.LOW: 1, Weight.OFF: 0}
WEIGHT_LABELS = {
    Weight.MUST: gettext_lazy("Must"),
    Weight.HIGH: gettext_lazy("High"),
    Weight.MEDIUM: gettext_lazy("Medium"),
    Weight.LOW: gettext_lazy("Low"),
    Weight.OFF: gettext_lazy("Off"),
}

AGE_ORDER = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
# How many shared items make a full fit, per criterion with counts.
FULL_AT = {"experience": 2, "availability": 3, "interests": 3, "topics": 2, "waiting": 180}
# Criteria whose weight "Must" never blocks a pair: the gender preference is a
# hard filter of its own, and time waiting is a priority, not a condition.
NEVER_BLOCKS = {"gender", "waiting"}


@dataclass(frozen=True)
class Person:
    """What matching knows of one mentor or mentee (built from a profile)."""

    pk: int
    user_id: int
    name: str = ""
    areas: frozenset = frozenset()
    area_names: dict = field(default_factory=dict, compare=False, hash=False)
    pathways: frozenset = frozenset()
    excluded_pathways: frozenset = frozenset()
    languages: frozenset = frozenset()
    gender: str = ""
    preferred_gender: str = ""  # mentees only
    age_range: str = ""
    availability: frozenset = frozenset()
    modes: frozenset = frozenset()
    city: str = ""
    postal_code: str = ""
    interests: frozenset = frozenset()
    topics: frozenset = frozenset()
    recovery_months: int | None = None  # mentors only
    excluded_users: frozenset = frozenset()
    capacity_left: int = 0  # mentors only
    ready: bool = True  # mentors only
    waiting_days: int = 0  # mentees only: whole days since they joined or their last match ended

    @property
    def postal_prefix(self):
        return self.postal_code.strip()[:3].upper()

    @property
    def city_key(self):
        return self.city.strip().casefold()


@dataclass(frozen=True)
class Context:
    """Program facts the criteria need."""

    weights: dict
    min_recovery_months: int = 0
    conflict_pairs: frozenset = frozenset()  # {(mentor_user_id, mentee_user_id)}


@dataclass
class Reason:
    criterion: str
    label: str
    weight: Weight
    fit: float
    sentence: str

    @property
    def weight_label(self):
        """The weight as the coordinator reads it, in the active language."""
        return WEIGHT_LABELS[self.weight]

    @property
    def points(self):
        return WEIGHT_POINTS[self.weight] * self.fit

    @property
    def max_points(self):
        return WEIGHT_POINTS[self.weight]


@dataclass
class Score:
    total: float
    reasons: list
    blockers: list

    @property
    def eligible(self):
        return not self.blockers


def _share(a, b):
    return len(a & b)


def _names(choices, values):
    return ", ".join(labels(choices, values))


def experience(mentor, mentee, ctx):
    shared = mentor.areas & mentee.areas
    fit = min(len(shared), FULL_AT["experience"]) / FULL_AT["experience"]
    if not shared:
        return 0.0, _("No shared lived-experience area")
    names = ", ".join(sorted(mentee.area_names.get(a, mentor.area_names.get(a, "?")) for a in shared))
    return fit, _("Both have lived experience with %(areas)s") % {"areas": names}


def pathway(mentor, mentee, ctx):
    shared = mentor.pathways & mentee.pathways
    if not shared:
        return 0.0, _("Different recovery pathways")
    named = shared - {Pathway.OTHER}
    if not named:
        return 1.0, _("Both follow a pathway outside the usual list")
    return 1.0, _("Both follow a %(pathway)s pathway") % {"pathway": _names(Pathway.choices, named)}


def language(mentor, mentee, ctx):
    shared = mentor.languages & mentee.languages
    if not shared:
        return 0.0, _("No shared language")
    return 1.0, _("Both speak %(languages)s") % {"languages": _names(Language.choices, shared)}


def gender_preference(mentor, mentee, ctx):
    wanted = mentee.preferred_gender
    if not wanted:
        return 1.0, _("The mentee has no gender preference")
    label = dict(Gender.choices).get(wanted, wanted).lower()
    if mentor.gender == wanted:
        return 1.0, _("Matches the mentee's wish for a mentor who is a %(gender)s") % {"gender": label}
    return 0.0, _("The mentee asked for a mentor who is a %(gender)s") % {"gender": label}


def availability(mentor, mentee, ctx):
    shared = mentor.availability & mentee.availability
    if not shared:
        return 0.0, _("No shared availability")
    fit = min(len(shared), FULL_AT["availability"]) / FULL_AT["availability"]
    sentence = ngettext(
        "%(count)d shared time to meet: %(times)s", "%(count)d shared times to meet: %(times)s", len(shared)
    )
    return fit, sentence % {"count": len(shared), "times": _names(AVAILABILITY_CHOICES, shared)}


MODE_PHRASES = {
    MeetingMode.IN_PERSON: gettext_lazy("in person"),
    MeetingMode.PHONE: gettext_lazy("by phone"),
    MeetingMode.VIDEO: gettext_lazy("by video"),
    MeetingMode.CHAT: gettext_lazy("by chat"),
}


def meeting_mode(mentor, mentee, ctx):
    shared = mentor.modes & mentee.modes
    if not shared:
        return 0.0, _("No way of meeting in common")
    phrases = [str(phrase) for mode, phrase in MODE_PHRASES.items() if mode in shared]
    return 1.0, _("Both can meet %(ways)s") % {"ways": _(" or ").join(phrases)}


def proximity(mentor, mentee, ctx):
    if mentor.city_key and mentor.city_key == mentee.city_key:
        return 1.0, _("Both live in %(city)s") % {"city": mentee.city.strip()}
    if mentor.postal_prefix and mentor.postal_prefix == mentee.postal_prefix:
        return 1.0, _("Same postal area (%(prefix)s…)") % {"prefix": mentee.postal_prefix}
    return 0.0, _("Not near each other, or a location is missing")


def interests(mentor, mentee, ctx):
    shared = mentor.interests & mentee.interests
    if not shared:
        return 0.0, _("No shared interests")
    fit = min(len(shared), FULL_AT["interests"]) / FULL_AT["interests"]
    return fit, _("Shared interests: %(interests)s") % {"interests": ", ".join(sorted(shared))}


def age(mentor, mentee, ctx):
    if mentor.age_range not in AGE_ORDER or mentee.age_range not in AGE_ORDER:
        return 0.0, _("An age range is missing")
    gap = abs(AGE_ORDER.index(mentor.age_range) - AGE_ORDER.index(mentee.age_range))
    if gap == 0:
        return 1.0, _("Same age range")
    if gap == 1:
        return 0.5, _("Close in age")
    return 0.0, _("Different age ranges")


def topics(mentor, mentee, ctx):
    shared = mentor.topics & mentee.topics
    if not shared:
        return 0.0, _("The mentor's topics do not cover what the mentee asked for")
    fit = min(len(shared), FULL_AT["topics"]) / FULL_AT["topics"]
    return fit, _("The mentor can help with %(topics)s") % {"topics": _names(Topic.choices, shared).lower()}


def recovery_time(mentor, mentee, ctx):
    if mentor.recovery_months is not None and mentor.recovery_months >= ctx.min_recovery_months:
        return 1.0, _("Meets the program's minimum time in recovery")
    return 0.0, _("Below the program's minimum time in recovery, or not given")


def waiting_sixths(days):
    """A wait of ``days`` as whole sixths of a full fit (0-6): one sixth per
    FULL_AT["waiting"] / 6 = 30 days. Whole sixths keep every pair's score an
    exact multiple of 1/6, which the whole-pool scoring stores as int16."""
    return min(max(days, 0), FULL_AT["waiting"]) * 6 // FULL_AT["waiting"]


def waiting(mentor, mentee, ctx):
    """Time waiting (the mentee's, same for every mentor): a sixth of a fit
    per 30 days, full at FULL_AT["waiting"] days, so the whole-pool
    assignment prefers people who have waited longest when places are short."""
    days = mentee.waiting_days
    fit = waiting_sixths(days) / 6
    if days <= 0:
        return fit, _("The mentee joined today")
    return fit, ngettext("The mentee has waited %(days)d day", "The mentee has waited %(days)d days", days) % {
        "days": days
    }


# (key, label, function, default weight), in the order a coordinator reads them.
CRITERIA = [
    ("experience", gettext_lazy("Shared lived experience"), experience, Weight.HIGH),
    ("pathway", gettext_lazy("Same recovery pathway"), pathway, Weight.MEDIUM),
    ("language", gettext_lazy("Shared language"), language, Weight.MUST),
    ("gender", gettext_lazy("Mentee's gender preference"), gender_preference, Weight.HIGH),
    ("availability", gettext_lazy("Availability overlap"), availability, Weight.HIGH),
    ("mode", gettext_lazy("Meeting mode"), meeting_mode, Weight.MEDIUM),
    ("proximity", gettext_lazy("Lives nearby"), proximity, Weight.LOW),
    ("interests", gettext_lazy("Shared interests"), interests, Weight.LOW),
    ("age", gettext_lazy("Age range"), age, Weight.LOW),
    ("topics", gettext_lazy("Topics the mentor can help with"), topics, Weight.MEDIUM),
    ("recovery", gettext_lazy("Mentor's time in recovery"), recovery_time, Weight.MUST),
    ("waiting", gettext_lazy("Time the mentee has waited"), waiting, Weight.MEDIUM),
]
CRITERION_KEYS = [key for key, *_ in CRITERIA]
DEFAULT_WEIGHTS = {key: weight for key, _, _, weight in CRITERIA}


def effective_weights(stored):
    """The program's weights, with defaults for anything not set."""
    stored = stored or {}
    return {key: Weight(stored.get(key, default)) for key, default in DEFAULT_WEIGHTS.items()}


def weight_total(weights):
    return sum(WEIGHT_POINTS[w] for w in weights.values())


def hard_blockers(mentor, mentee, ctx):
    """Reasons this pair may never be proposed, whatever the score."""
    blockers = []
    if not mentor.ready:
        blockers.append(_("The mentor is not ready yet"))
    if mentor.capacity_left <= 0:
        blockers.append(_("The mentor has no capacity left"))
    if mentee.user_id in mentor.excluded_users or mentor.user_id in mentee.excluded_users:
        blockers.append(_("One of them asked not to be matched with the other"))
    if mentor.user_id == mentee.user_id:
        blockers.append(_("The same person"))
    if mentee.excluded_pathways & mentor.pathways or mentor.excluded_pathways & mentee.pathways:
        blockers.append(_("A pathway one of them does not want"))
    if (mentor.user_id, mentee.user_id) in ctx.conflict_pairs:
        blockers.append(_("An earlier match between them closed for a conflict"))
    if mentee.preferred_gender and mentor.gender != mentee.preferred_gender:
        blockers.append(_("The mentee's gender preference"))
    return blockers


def must_text(label):
    """The hard-filter text of a "Must" criterion, in the active language."""
    return _("Must: %(criterion)s") % {"criterion": str(label).lower()}


# The hard filters' texts as the pool stores them (English; pool.py), turned
# into the reader's language when shown (mentoring.templatetags.matching_text).
BLOCKER_TEXTS = (
    gettext_noop("The mentor is not ready yet"),
    gettext_noop("The mentor has no capacity left"),
    gettext_noop("One of them asked not to be matched with the other"),
    gettext_noop("The same person"),
    gettext_noop("A pathway one of them does not want"),
    gettext_noop("An earlier match between them closed for a conflict"),
    gettext_noop("The mentee's gender preference"),
)


def score_pair(mentor, mentee, ctx):
    """The score (0–100), one reason per criterion, and the hard blockers."""
    weights = ctx.weights
    total_weight = weight_total(weights)
    reasons, earned = [], 0.0
    blockers = hard_blockers(mentor, mentee, ctx)
    for key, label, criterion, _default in CRITERIA:
        weight = weights[key]
        if weight == Weight.OFF:
            continue
        fit, sentence = criterion(mentor, mentee, ctx)
        reasons.append(Reason(key, label, weight, fit, sentence))
        earned += WEIGHT_POINTS[weight] * fit
        if weight == Weight.MUST and fit == 0 and key not in NEVER_BLOCKS:
            blockers.append(must_text(label))
    total = 100.0 * earned / total_weight if total_weight else 0.0
    return Score(total=round(total, 6), reasons=reasons, blockers=blockers)
