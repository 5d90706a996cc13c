"""Form fields for the answers matching reads, shared by the public
application forms and the profile edit forms so both ask the same way."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import dates
from .choices import AVAILABILITY_CHOICES, AgeRange, Gender, Language, MeetingMode, Pathway, Topic
from .models import MenteeProfile, MentorProfile, VolunteerProfile
from .people_pick import PeoplePickMixin
from .phones import PhoneField


class TagListField(forms.CharField):
    """Comma-separated words in the form, a list of strings in the model."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        tags, seen = [], set()
        for tag in (t.strip() for t in text.split(",")):
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag[:40])
        return tags[:20]


def choice_list(choices, label, help_text=""):
    return forms.MultipleChoiceField(
        choices=choices, required=False, label=label, help_text=help_text, widget=forms.CheckboxSelectMultiple
    )


class MatchingFields(forms.Form):
    """What both mentors and mentees tell us for matching."""

    experience_areas = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Lived experience"),
        help_text=_("Areas you have experience with. Shared only with the program's coordinators and your match."),
        widget=forms.CheckboxSelectMultiple,
    )
    pathways = choice_list(Pathway.choices, _("Recovery pathways"))
    languages = choice_list(Language.choices, _("Languages you are comfortable in"))
    gender = forms.ChoiceField(choices=[("", "—"), *Gender.choices], required=False, label=_("Gender"))
    age_range = forms.ChoiceField(choices=[("", "—"), *AgeRange.choices], required=False, label=_("Age"))
    availability = choice_list(AVAILABILITY_CHOICES, _("When can you usually meet?"))
    meeting_modes = choice_list(MeetingMode.choices, _("How would you like to meet?"))
    city = forms.CharField(max_length=80, required=False, label=_("City"))
    postal_code = forms.CharField(max_length=12, required=False, label=_("ZIP or postal code"))
    interests = TagListField(
        required=False, label=_("Interests"), help_text=_("Separate with commas, e.g. hiking, cooking, music.")
    )
    excluded_pathways = choice_list(Pathway.choices, _("Pathways you would rather not be matched with"))
    exclusion_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Anyone or anything you do not want in a match?"),
        help_text=_("For example someone you know, or a topic you would rather avoid. Only coordinators read this."),
    )

    def set_program(self, program):
        self.fields["experience_areas"].queryset = program.experience_areas.filter(is_active=True)


class MentorFields(MatchingFields):
    recovery_months = forms.IntegerField(
        min_value=0,
        max_value=900,
        required=False,
        label=_("Time in recovery (months)"),
        help_text=_("Optional. Only you and the program's coordinators see this."),
    )
    topics = choice_list(Topic.choices, _("Topics you could help with"))
    capacity = forms.IntegerField(min_value=1, max_value=10, initial=2, label=_("How many mentees at once?"))
    bio = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        label=_("A few lines about you"),
        help_text=_("Your future mentee reads this."),
    )


class MenteeFields(MatchingFields):
    preferred_mentor_gender = forms.ChoiceField(
        choices=[("", _("No preference")), *Gender.choices[:-1]],
        required=False,
        label=_("Would you prefer a mentor of a particular gender?"),
        help_text=_("If you choose one, we only match you with mentors of that gender."),
    )
    topics = choice_list(Topic.choices, _("What would you like help with?"))


class VolunteerFields(forms.Form):
    availability = MatchingFields.base_fields["availability"]
    languages = MatchingFields.base_fields["languages"]
    skills = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        label=_("How would you like to help?"),
        help_text=_("For example setting up rooms, co-facilitating a group, cooking for events."),
    )


MATCHING_FIELD_NAMES = list(MatchingFields.base_fields)


class ExcludedPeopleMixin(PeoplePickMixin):
    """Coordinators can name people of the other side who must never be
    matched with this person. Others do not get the field: the list would
    reveal who takes part in the program. More than SELECT_MAX people on the
    other side: typed names, emails or IDs instead of a select
    (mentoring.people_pick)."""

    def __init__(self, *args, can_exclude_people=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_program(self.instance.program)
        if not can_exclude_people:
            del self.fields["excluded_people"]
            return
        field = self.fields["excluded_people"]
        field.label = _("Never match with")
        field.help_text = _("Coordinators only. For example a family member, a partner or a known conflict.")
        field.widget = forms.SelectMultiple(attrs={"size": 6})
        self.people_pick(
            "excluded_people",
            get_user_model()
            .objects.filter(**{f"{self.other_side}__program": self.instance.program})
            .exclude(pk=self.instance.user_id)
            .order_by("full_name"),
        )


class MentorProfileForm(ExcludedPeopleMixin, MentorFields, forms.ModelForm):
    other_side = "mentee_profiles"

    class Meta:
        model = MentorProfile
        fields = [*MATCHING_FIELD_NAMES, "recovery_months", "topics", "capacity", "bio", "excluded_people"]


class MenteeProfileForm(ExcludedPeopleMixin, MenteeFields, forms.ModelForm):
    other_side = "mentor_profiles"

    class Meta:
        model = MenteeProfile
        fields = [*MATCHING_FIELD_NAMES, "preferred_mentor_gender", "topics", "excluded_people"]


class VolunteerProfileForm(VolunteerFields, forms.ModelForm):
    class Meta:
        model = VolunteerProfile
        fields = ["availability", "languages", "skills"]


class MenteeIntakeForm(forms.ModelForm):
    """Coordinator-side intake details of a mentee."""

    intake_date = dates.DateField(window=dates.NEAR, years=1, required=False, label=_("Intake date"))
    emergency_contact_phone = PhoneField(label=_("Their phone"))

    class Meta:
        model = MenteeProfile
        fields = ["intake_date", "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship"]
        labels = {
            "emergency_contact_name": _("Emergency contact (optional)"),
            "emergency_contact_phone": _("Their phone"),
            "emergency_contact_relationship": _("Relationship to the mentee"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emergency_contact_phone"].region = self.instance.program.phone_region

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("emergency_contact_name") and not cleaned.get("emergency_contact_phone"):
            self.add_error("emergency_contact_phone", gettext("Add a phone number for the emergency contact."))
        return cleaned
