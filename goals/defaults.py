"""Waypoint's own recovery-capital self-assessment (our wording, not a
published questionnaire): ten statements across life domains, agreement on a
1–6 scale, at intake and every 90 days. Created by a data migration
(goals 0005) and, should it be missing, when a program is created.

Stored in English; the wording is marked for the catalogue (gettext_noop) and
translated where it is shown (goals.forms.AssessmentForm, the progress page),
so a program's own instrument is shown as typed."""

from django.utils.translation import gettext_noop

DEFAULT_INSTRUMENT_NAME = gettext_noop("Waypoint life check")
DEFAULT_SCALE = [
    gettext_noop("Strongly disagree"),
    gettext_noop("Disagree"),
    gettext_noop("Somewhat disagree"),
    gettext_noop("Somewhat agree"),
    gettext_noop("Agree"),
    gettext_noop("Strongly agree"),
]
DEFAULT_ITEMS = [
    ("housing", gettext_noop("I have a safe and steady place to live.")),
    ("health", gettext_noop("I am looking after my physical health.")),
    ("recovery", gettext_noop("I have ways to handle hard moments that work for me.")),
    ("relationships", gettext_noop("There are people in my life who support the way I want to live.")),
    ("family", gettext_noop("Things with my family feel manageable right now.")),
    ("employment", gettext_noop("My days have purpose, through work, study, volunteering or caring for others.")),
    ("finances", gettext_noop("I can cover my basic needs each month.")),
    ("community", gettext_noop("I feel part of a community or group.")),
    ("legal", gettext_noop("Legal matters are not weighing on me, or I know how to deal with them.")),
    ("spirituality", gettext_noop("I feel hopeful about where my life is going.")),
]


def ensure_default_instrument(instrument_model, item_model):
    """Create Waypoint's default instrument (program empty: offered to every
    program) with its items if it is missing; return it. Takes the models so
    the data migration can pass its historical ones. Idempotent."""
    instrument, created = instrument_model.objects.get_or_create(
        name=DEFAULT_INSTRUMENT_NAME,
        program=None,
        defaults={"scale_min": 1, "scale_max": 6, "scale_labels": DEFAULT_SCALE, "threshold": 50},
    )
    if created:
        item_model.objects.bulk_create(
            [item_model(instrument=instrument, domain=d, text=t, position=i) for i, (d, t) in enumerate(DEFAULT_ITEMS)]
        )
    return instrument
