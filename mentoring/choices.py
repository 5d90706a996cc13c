"""Fixed vocabularies shared by applications, profiles and matching.

Lived-experience areas are not here: each program edits its own list
(programs.ExperienceArea)."""

from django.db import models


class Pathway(models.TextChoices):
    TWELVE_STEP = "twelve_step", "12-step"
    SMART = "smart", "SMART Recovery"
    MEDICATION = "medication", "Medication-assisted"
    FAITH = "faith", "Faith-based"
    HARM_REDUCTION = "harm_reduction", "Harm reduction"
    SECULAR = "secular", "Secular"
    OTHER = "other", "Other"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    FRENCH = "fr", "French"
    PORTUGUESE = "pt", "Portuguese"
    CHINESE = "zh", "Chinese"
    VIETNAMESE = "vi", "Vietnamese"
    ARABIC = "ar", "Arabic"
    TAGALOG = "tl", "Tagalog"
    ASL = "asl", "American Sign Language"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "self_described", "Another gender"
    UNDISCLOSED = "undisclosed", "Prefer not to say"


class AgeRange(models.TextChoices):
    A18 = "18-24", "18–24"
    A25 = "25-34", "25–34"
    A35 = "35-44", "35–44"
    A45 = "45-54", "45–54"
    A55 = "55-64", "55–64"
    A65 = "65+", "65 or older"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    CHAT = "chat", "Chat"


class Topic(models.TextChoices):
    EARLY_DAYS = "early_days", "The first months"
    SETBACKS = "setbacks", "Getting through setbacks"
    STRESS = "stress", "Stress and emotions"
    WORK = "work", "Work and job search"
    HOUSING = "housing", "Housing"
    FAMILY = "family", "Family and relationships"
    PARENTING = "parenting", "Parenting"
    EDUCATION = "education", "School and training"
    LEGAL = "legal", "Legal matters"
    HEALTH = "health", "Physical health"
    SOCIAL = "social", "Social life and free time"
    MONEY = "money", "Money"


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    PHONE = "phone", "Phone call"


WEEKDAYS = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
]
DAYPARTS = [("morning", "morning"), ("afternoon", "afternoon"), ("evening", "evening")]
AVAILABILITY_CHOICES = [
    (f"{day}_{part}", f"{day_label} {part_label}") for day, day_label in WEEKDAYS for part, part_label in DAYPARTS
]


def labels(choices, values):
    """Human labels for stored values, in the vocabulary's order."""
    wanted = set(values or ())
    return [label for value, label in choices if value in wanted]


class CheckInCadence(models.TextChoices):
    DAILY = "daily", "Daily"
    TWICE_WEEKLY = "twice_weekly", "Twice a week"
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
