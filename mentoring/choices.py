"""Fixed vocabularies shared by applications, profiles and matching.

Lived-experience areas are not here: each program edits its own list
(programs.ExperienceArea)."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Pathway(models.TextChoices):
    TWELVE_STEP = "twelve_step", _("12-step")
    SMART = "smart", _("SMART Recovery")
    MEDICATION = "medication", _("Medication-assisted")
    FAITH = "faith", _("Faith-based")
    HARM_REDUCTION = "harm_reduction", _("Harm reduction")
    SECULAR = "secular", _("Secular")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    FRENCH = "fr", _("French")
    PORTUGUESE = "pt", _("Portuguese")
    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    ARABIC = "ar", _("Arabic")
    TAGALOG = "tl", _("Tagalog")
    ASL = "asl", _("American Sign Language")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class AgeRange(models.TextChoices):
    A18 = "18-24", _("18–24")
    A25 = "25-34", _("25–34")
    A35 = "35-44", _("35–44")
    A45 = "45-54", _("45–54")
    A55 = "55-64", _("55–64")
    A65 = "65+", _("65 or older")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    CHAT = "chat", _("Chat")


class Topic(models.TextChoices):
    EARLY_DAYS = "early_days", _("The first months")
    SETBACKS = "setbacks", _("Getting through setbacks")
    STRESS = "stress", _("Stress and emotions")
    WORK = "work", _("Work and job search")
    HOUSING = "housing", _("Housing")
    FAMILY = "family", _("Family and relationships")
    PARENTING = "parenting", _("Parenting")
    EDUCATION = "education", _("School and training")
    LEGAL = "legal", _("Legal matters")
    HEALTH = "health", _("Physical health")
    SOCIAL = "social", _("Social life and free time")
    MONEY = "money", _("Money")


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")
    PHONE = "phone", _("Phone call")


WEEKDAYS = [
    ("mon", pgettext_lazy("weekday, short", "Mon")),
    ("tue", pgettext_lazy("weekday, short", "Tue")),
    ("wed", pgettext_lazy("weekday, short", "Wed")),
    ("thu", pgettext_lazy("weekday, short", "Thu")),
    ("fri", pgettext_lazy("weekday, short", "Fri")),
    ("sat", pgettext_lazy("weekday, short", "Sat")),
    ("sun", pgettext_lazy("weekday, short", "Sun")),
]
DAYPARTS = [
    ("morning", pgettext_lazy("part of day", "morning")),
    ("afternoon", pgettext_lazy("part of day", "afternoon")),
    ("evening", pgettext_lazy("part of day", "evening")),
]
AVAILABILITY_CHOICES = [
    (f"{day}_{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in WEEKDAYS
    for part, part_label in DAYPARTS
]


def labels(choices, values):
    """Human labels for stored values, in the vocabulary's order."""
    wanted = set(values or ())
    return [str(label) for value, label in choices if value in wanted]


class CheckInCadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    TWICE_WEEKLY = "twice_weekly", _("Twice a week")
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
