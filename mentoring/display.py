"""Profiles in plain words for the person pages."""

from .choices import AVAILABILITY_CHOICES, AgeRange, Gender, Language, MeetingMode, Pathway, Topic, labels


def _join(choices, values):
    return ", ".join(labels(choices, values))


def profile_answers(profile, *, show_private):
    """(label, text) pairs for a mentor, mentee or volunteer profile. Private
    answers (time in recovery, exclusions, emergency contact) only when the
    viewer is the person or a coordinator of the program."""
    rows = []
    if hasattr(profile, "experience_areas"):
        rows.append(("Lived experience", ", ".join(a.name for a in profile.experience_areas.all())))
        rows.append(("Pathways", _join(Pathway.choices, profile.pathways)))
    rows += [
        ("Languages", _join(Language.choices, profile.languages)),
        ("Availability", _join(AVAILABILITY_CHOICES, profile.availability)),
    ]
    if hasattr(profile, "meeting_modes"):
        rows += [
            ("Meets by", _join(MeetingMode.choices, profile.meeting_modes)),
            ("Gender", dict(Gender.choices).get(profile.gender, "")),
            ("Age", dict(AgeRange.choices).get(profile.age_range, "")),
            ("Area", " ".join(filter(None, [profile.city, profile.postal_code]))),
            ("Interests", ", ".join(profile.interests)),
            ("Topics", _join(Topic.choices, profile.topics)),
        ]
    if hasattr(profile, "bio"):
        rows += [("About", profile.bio), ("Mentees at once", str(profile.capacity))]
    if hasattr(profile, "skills"):
        rows.append(("Would like to help with", profile.skills))
    if show_private:
        rows += _private_answers(profile)
    return [(label, text) for label, text in rows if text]


def _private_answers(profile):
    rows = []
    if hasattr(profile, "recovery_months") and profile.recovery_months is not None:
        rows.append(("Time in recovery (private)", f"{profile.recovery_months} months"))
    if hasattr(profile, "preferred_mentor_gender"):
        rows.append(("Prefers a mentor who is", dict(Gender.choices).get(profile.preferred_mentor_gender, "")))
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
        rows.append(("Emergency contact (private)", contact))
    if hasattr(profile, "excluded_pathways"):
        rows.append(("Not matched with pathways (private)", _join(Pathway.choices, profile.excluded_pathways)))
        rows.append(("Does not want (private)", profile.exclusion_notes))
    return rows


def mentor_shared_answers(profile):
    """What a mentee reads about a mentor proposed to them, in plain words:
    (label, text) pairs for what the mentor chose to share — their few lines
    about themselves, languages, pathways, lived experience and how they
    meet. Never a private field (time in recovery, exclusions, notes)."""
    rows = [
        ("About", profile.bio),
        ("Languages", _join(Language.choices, profile.languages)),
        ("Pathways", _join(Pathway.choices, profile.pathways)),
        ("Lived experience", ", ".join(a.name for a in profile.experience_areas.all())),
        ("Meets by", _join(MeetingMode.choices, profile.meeting_modes)),
    ]
    return [(label, text) for label, text in rows if text]
