"""Profiles in plain words for the person pages."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import AVAILABILITY_CHOICES, AgeRange, Gender, Language, MeetingMode, Pathway, Topic, labels


def _join(choices, values):
    return ", ".join(labels(choices, values))


def profile_answers(profile, *, show_private):
    """(label, text) pairs for a mentor, mentee or volunteer profile. Private
    answers (time in recovery, exclusions, emergency contact) only when the
    viewer is the person or a coordinator of the program."""
    rows = []
    if hasattr(profile, "experience_areas"):
        rows.append((_("Lived experience"), ", ".join(a.name for a in profile.experience_areas.all())))
        rows.append((_("Pathways"), _join(Pathway.choices, profile.pathways)))
    rows += [
        (_("Languages"), _join(Language.choices, profile.languages)),
        (_("Availability"), _join(AVAILABILITY_CHOICES, profile.availability)),
    ]
    if hasattr(profile, "meeting_modes"):
        rows += [
            (_("Meets by"), _join(MeetingMode.choices, profile.meeting_modes)),
            (_("Gender"), str(dict(Gender.choices).get(profile.gender, ""))),
            (_("Age"), str(dict(AgeRange.choices).get(profile.age_range, ""))),
            (_("Area"), " ".join(filter(None, [profile.city, profile.postal_code]))),
            (_("Interests"), ", ".join(profile.interests)),
            (_("Topics"), _join(Topic.choices, profile.topics)),
        ]
    if hasattr(profile, "bio"):
        rows += [(_("About"), profile.bio), (_("Mentees at once"), str(profile.capacity))]
    if hasattr(profile, "skills"):
        rows.append((_("Would like to help with"), profile.skills))
    if show_private:
        rows += _private_answers(profile)
    return [(label, text) for label, text in rows if text]


def _private_answers(profile):
    rows = []
    if hasattr(profile, "recovery_months") and profile.recovery_months is not None:
        months = ngettext("%(count)d month", "%(count)d months", profile.recovery_months) % {
            "count": profile.recovery_months
        }
        rows.append((_("Time in recovery (private)"), months))
    if hasattr(profile, "preferred_mentor_gender"):
        rows.append((_("Prefers a mentor who is"), str(dict(Gender.choices).get(profile.preferred_mentor_gender, ""))))
        contact = ", ".join(
            filter(
                None,
                [
                    profile.emergency_contact_name,
                    profile.emergency_contact_relationship,
                    profile.emergency_contact_phone,
                ],
            )
        )
        rows.append((_("Emergency contact (private)"), contact))
    if hasattr(profile, "excluded_pathways"):
        rows.append((_("Not matched with pathways (private)"), _join(Pathway.choices, profile.excluded_pathways)))
        rows.append((_("Does not want (private)"), profile.exclusion_notes))
    return rows


def mentor_shared_answers(profile):
    """What a mentee reads about a mentor proposed to them, in plain words:
    (label, text) pairs for what the mentor chose to share — their few lines
    about themselves, languages, pathways, lived experience and how they
    meet. Never a private field (time in recovery, exclusions, notes)."""
    rows = [
        (_("About"), profile.bio),
        (_("Languages"), _join(Language.choices, profile.languages)),
        (_("Pathways"), _join(Pathway.choices, profile.pathways)),
        (_("Lived experience"), ", ".join(a.name for a in profile.experience_areas.all())),
        (_("Meets by"), _join(MeetingMode.choices, profile.meeting_modes)),
    ]
    return [(label, text) for label, text in rows if text]
