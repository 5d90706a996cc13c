import re

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from mentoring import dates
from mentoring.choices import ContactChannel
from mentoring.phones import PhoneField, known_region
from mentoring.profile_forms import MenteeFields, MentorFields, VolunteerFields

from .models import (
    Application,
    BackgroundCheck,
    ConsentRecord,
    ExperienceArea,
    OnCallShift,
    Program,
    Story,
    TrainingModule,
    phone_region_default,
)

# Under every "Spanish version (optional)" field (mentoring.localized shows it with fallback).
SPANISH_HELP = _("Shown to people who use Waypoint in Spanish. Empty: they see the English text.")


class ProgramForm(forms.ModelForm):
    start_date = dates.DateField(window=dates.NEAR, required=False, label=_("Start date"))
    end_date = dates.DateField(window=dates.NEAR, required=False, label=_("End date"))
    # Numbers within reason: 0 days of inactivity would flag every match at
    # once, a capacity of 0 silently stops matching.
    inactivity_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        initial=14,
        label=_("Days of inactivity"),
        help_text=_("Days without contact before a match is flagged as quiet."),
    )
    default_mentor_capacity = forms.IntegerField(
        min_value=1, max_value=10, initial=3, label=_("Default number of mentees per mentor")
    )
    min_recovery_months = forms.IntegerField(
        min_value=0, max_value=600, initial=12, label=_("Minimum time in recovery for mentors (months)")
    )
    phone_region = forms.CharField(
        required=False,
        max_length=2,
        label=_("Phone numbers region"),
        help_text=_(
            "Two letters (US, CA, GB…): numbers typed without + and a country code are read as this country's."
        ),
    )
    message_retention_months = forms.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        label=_("Delete messages after (months)"),
        help_text=_("Messages older than this are deleted every night. Leave empty to keep them."),
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "description_es",
            "status",
            "mode",
            "start_date",
            "end_date",
            "time_zone",
            "phone_region",
            "checkin_cadence",
            "inactivity_days",
            "default_mentor_capacity",
            "min_recovery_months",
            "background_check_required",
            "mentors_create_groups",
            "message_retention_months",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "description_es": _("Description: Spanish version (optional)"),
            "status": _("Status"),
            "mode": _("Mode"),
            "time_zone": _("Time zone"),
            "background_check_required": _("Background check required"),
        }
        help_texts = {"description_es": SPANISH_HELP}

    def clean_phone_region(self):
        """Two letters libphonenumber knows; empty keeps the program's (a new one: PHONE_DEFAULT_REGION)."""
        region = (self.cleaned_data.get("phone_region") or "").strip().upper()
        if not region:
            return self.instance.phone_region or phone_region_default()
        if not known_region(region):
            raise forms.ValidationError(_("Type the two-letter country code, for example US, CA or GB."))
        return region

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return cleaned


class ExperienceAreaForm(forms.ModelForm):
    class Meta:
        model = ExperienceArea
        fields = ["name", "name_es"]
        labels = {"name": _("New lived-experience area"), "name_es": _("Name: Spanish version (optional)")}
        help_texts = {"name_es": SPANISH_HELP}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if ExperienceArea.objects.filter(program=self.program, name__iexact=name).exists():
            raise forms.ValidationError(_("This program already has that area."))
        return name


class DocumentForm(forms.Form):
    """A new version of a versioned text; for the boundaries agreement, also
    whether mentors must sign again (now, by a date, or not: minor edit)."""

    RESIGN_CHOICES = [
        ("now", _("Everyone signs again now (mentors are not ready until they sign)")),
        ("grace", _("Everyone signs again by a date (mentors stay ready until then)")),
        ("minor", _("Minor edit: no one signs again")),
    ]

    body = forms.CharField(
        label=_("Text of the new version"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Publishing creates a new version. The text must differ from the current one."),
    )
    body_es = forms.CharField(
        label=_("Text of the new version: Spanish version (optional)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_(
            "Shown to people who use Waypoint in Spanish; empty: they read the English text. "
            "Signatures and consents record which version the person read."
        ),
    )
    resign = forms.ChoiceField(
        label=_("Who signs again?"), choices=RESIGN_CHOICES, widget=forms.RadioSelect, initial="grace", required=False
    )
    grace_until = dates.DateField(
        window=dates.FUTURE,
        years=1,
        label=_("Sign again by"),
        required=False,
        help_text=_("Only for “by a date”: mentors who signed stay ready until the end of this day."),
    )

    def __init__(self, *args, signatures=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not signatures:
            del self.fields["resign"], self.fields["grace_until"]

    def clean(self):
        data = super().clean()
        if "resign" in self.fields:
            data["resign"] = data.get("resign") or "now"
            if data["resign"] == "grace" and not data.get("grace_until"):
                self.add_error("grace_until", _("Give the date by which mentors sign again."))
        return data

    def publish_options(self):
        """Keyword arguments for programs.services.document_publish."""
        resign = self.cleaned_data.get("resign", "now")
        return {
            "minor_edit": resign == "minor",
            "grace_until": self.cleaned_data.get("grace_until") if resign == "grace" else None,
        }


class TrainingModuleForm(forms.ModelForm):
    link = forms.URLField(
        required=False, assume_scheme="https", label=_("Link"), help_text=_("Optional: where the material lives.")
    )

    class Meta:
        model = TrainingModule
        fields = ["title", "title_es", "description", "description_es", "required", "link", "position"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "required": _("Required"),
            "position": _("Order in the list"),
            "title_es": _("Title: Spanish version (optional)"),
            "description_es": _("Description: Spanish version (optional)"),
        }
        help_texts = {"title_es": SPANISH_HELP, "description_es": SPANISH_HELP}


# --- public application forms ---------------------------------------------------


class ContactFields(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Your name"))
    email = forms.EmailField(label=_("Email"))
    phone = PhoneField(label=_("Phone (optional)"))
    preferred_contact = forms.ChoiceField(
        choices=ContactChannel.choices, initial=ContactChannel.EMAIL, label=_("How should we contact you?")
    )
    ok_to_text = forms.BooleanField(required=False, label=_("It's OK to send me text messages"))
    ok_to_call = forms.BooleanField(required=False, label=_("It's OK to call me"))
    consent_to_contact = forms.BooleanField(
        label=_("I agree that the program may contact me about my application."),
        error_messages={"required": _("We need your agreement to contact you about your application.")},
    )
    agree_privacy = forms.BooleanField(
        label=_("I have read the privacy notice above and agree to it."),
        error_messages={"required": _("Please read the privacy notice and tick the box to agree.")},
    )
    # Honeypot: hidden from people by CSS and aria-hidden; bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    CONTACT_KEYS = [
        "full_name",
        "email",
        "phone",
        "preferred_contact",
        "ok_to_text",
        "ok_to_call",
        "consent_to_contact",
    ]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def phone_region(self, program):
        """Read numbers typed without a country code in ``program``'s region."""
        self.fields["phone"].region = program.phone_region

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("preferred_contact")
        if channel in (ContactChannel.TEXT, ContactChannel.PHONE) and not cleaned.get("phone"):
            self.add_error("phone", _("Add a phone number so we can reach you the way you prefer."))
        if channel == ContactChannel.TEXT and not cleaned.get("ok_to_text"):
            self.add_error("ok_to_text", _("You chose text messages: tick this so we may text you."))
        if channel == ContactChannel.PHONE and not cleaned.get("ok_to_call"):
            self.add_error("ok_to_call", _("You chose phone calls: tick this so we may call you."))
        return cleaned

    @property
    def is_spam(self):
        return bool(self.data.get("website"))

    def about_fields(self):
        """Bound fields of the profile part, in declaration order."""
        skip = {*self.CONTACT_KEYS, "agree_privacy", "website"}
        return [self[name] for name in self.fields if name not in skip]

    def contact(self):
        return {key: self.cleaned_data[key] for key in self.CONTACT_KEYS}

    def details(self):
        """The profile answers, JSON-ready (experience areas travel separately)."""
        skip = {*self.CONTACT_KEYS, "agree_privacy", "website", "experience_areas"}
        return {key: value for key, value in self.cleaned_data.items() if key not in skip}

    def experience_areas(self):
        return self.cleaned_data.get("experience_areas") or []


class MentorApplicationForm(ContactFields, MentorFields):
    pass


class MenteeApplicationForm(ContactFields, MenteeFields):
    pass


class VolunteerApplicationForm(ContactFields, VolunteerFields):
    def set_program(self, program):
        """Volunteers are not matched, so there is nothing program-specific to ask."""


APPLICATION_FORMS = {
    Application.Kind.MENTOR: MentorApplicationForm,
    Application.Kind.MENTEE: MenteeApplicationForm,
    Application.Kind.VOLUNTEER: VolunteerApplicationForm,
}


# --- coordinator forms ---------------------------------------------------------------


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any status"))] + Application.Status.choices, required=False, label=_("Status")
    )
    kind = forms.ChoiceField(choices=[("", _("Any kind"))] + Application.Kind.choices, required=False, label=_("Kind"))
    q = forms.CharField(required=False, label=_("Name or email"), max_length=100)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Application.Status.ACCEPTED, pgettext_lazy("application decision", "Accept")),
            (Application.Status.WAITLISTED, pgettext_lazy("application decision", "Waitlist")),
            (Application.Status.DECLINED, pgettext_lazy("application decision", "Decline")),
        ],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason"),
        help_text=_("Kept with the decision. Coordinators only."),
    )


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Add an internal note"), max_length=4000)


class BackgroundCheckForm(forms.ModelForm):
    checked_on = dates.DateField(window=dates.PAST, required=False, label=_("Checked on"))
    expires_on = dates.DateField(window=dates.NEAR, years=10, required=False, label=_("Expires on"))

    class Meta:
        model = BackgroundCheck
        fields = ["status", "checked_on", "expires_on"]
        labels = {"status": _("Status")}


class AgreementSignForm(forms.Form):
    agree = forms.BooleanField(label=_("I have read this agreement and will keep to it."))
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=150)
    # The language version of the agreement on the page the mentor read
    # (mentoring.localized.localized_language); programs.services.agreement_sign
    # records it, or English when the agreement has no version in it.
    language = forms.ChoiceField(choices=settings.LANGUAGES, required=False, widget=forms.HiddenInput)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ["kind", "statement", "language"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "kind": _("Kind"),
            "statement": _("What the person agreed to, in the words they saw"),
            "language": _("Language of these words"),
        }


class PublicPageForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["public_page_enabled", "public_intro", "public_intro_es", "show_public_outcomes"]
        widgets = {
            "public_intro": forms.Textarea(attrs={"rows": 5}),
            "public_intro_es": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"public_intro_es": _("Public page introduction: Spanish version (optional)")}
        help_texts = {"public_intro_es": SPANISH_HELP}


# One word of letters (any script), with an inner hyphen or apostrophe: "Sam", "Mary-Jo", "O'Neil".
SINGLE_NAME = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")


STORY_MAX_CHARS = 10_000


class StoryForm(forms.ModelForm):
    """The author's (or a coordinator's) words: title, story and the one name shown with it."""

    body = forms.CharField(
        label=_("Your story"),
        max_length=STORY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=format_lazy(
            _(
                "Only what you are comfortable with strangers reading. Leave out other people's names, "
                "places that identify you and anything about your health you would rather keep private "
                "(at most {count} characters)."
            ),
            count=lazy(lambda: number_format(STORY_MAX_CHARS, force_grouping=True), str)(),
        ),
    )

    class Meta:
        model = Story
        fields = ["display_name", "title", "body"]
        labels = {"title": _("Title")}

    def __init__(self, *args, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not SINGLE_NAME.match(name):
            raise forms.ValidationError(
                _("Use one name only: a first name or a name you choose, letters only (no surname, no initials).")
            )
        words = (self.author.full_name or "").split()
        if len(words) > 1 and name.casefold() in {word.casefold() for word in words[1:]}:
            raise forms.ValidationError(
                _("That looks like a surname. Use a first name or a name you choose, so nobody can find you by it.")
            )
        return name


class StoryConsentForm(forms.Form):
    agree = forms.BooleanField(label=_("I have read my story as it is above and agree to the statement."))
    # The version the author read on the page (Story.version): a consent signed
    # after someone changed the story is refused (programs.stories.story_consent_sign).
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=150)

    def clean_typed_name(self):
        name = self.cleaned_data["typed_name"].strip()
        if not name:
            raise forms.ValidationError(_("Type your name to sign."))
        return name


def answers_for_display(application):
    """The application's answers as (question, answer) pairs in plain words."""
    form = APPLICATION_FORMS[application.kind]()
    answers = []
    for name, value in application.details.items():
        field = form.fields.get(name)
        if field is None or value in ("", None, []):
            continue
        choices = dict(getattr(field, "choices", []) or [])
        values = value if isinstance(value, list) else [value]
        text = ", ".join(str(choices.get(v, v)) for v in values)
        answers.append((field.label or name.replace("_", " ").capitalize(), text))
    return answers


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OnCallShiftForm(forms.Form):
    """One weekly shift: who, which day, from and to (the program's local
    time; an end before the start runs past midnight into the next day)."""

    person = forms.ModelChoiceField(
        queryset=None,
        label=_("Who is on call"),
        error_messages={"invalid_choice": _("Choose a coordinator or designated staff member of this program.")},
    )
    weekday = forms.TypedChoiceField(label=_("Day"), choices=OnCallShift.Weekday.choices, coerce=int)
    starts_at = forms.TimeField(label=_("From"), widget=TIME, error_messages={"invalid": _("Enter a time like 18:00.")})
    ends_at = forms.TimeField(
        label=_("To"),
        widget=TIME,
        help_text=_("Earlier than “From”: the shift runs past midnight into the next day."),
        error_messages={"invalid": _("Enter a time like 08:00.")},
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        from .oncall import rota_people

        self.fields["person"].queryset = rota_people(program)
        self.fields["person"].label_from_instance = lambda user: (
            user.full_name or gettext("Person #%(number)s") % {"number": user.pk}
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["starts_at"] == data["ends_at"]:
            self.add_error("ends_at", _("The shift must end at another time than it starts."))
        return data


class OnCallSettingsForm(forms.ModelForm):
    """The fallback person and how long an unanswered alert waits before the
    next person on the ladder is told."""

    class Meta:
        model = Program
        fields = ["on_call_fallback", "escalate_after_minutes"]
        error_messages = {
            "on_call_fallback": {
                "invalid_choice": _("Choose a coordinator or designated staff member of this program.")
            },
            "escalate_after_minutes": {"min_value": _("At least 1 minute.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .oncall import rota_people

        field = self.fields["on_call_fallback"]
        field.queryset = rota_people(self.instance)
        field.empty_label = _("Nobody: all coordinators")
        field.label_from_instance = lambda user: user.full_name or gettext("Person #%(number)s") % {"number": user.pk}
        self.fields["escalate_after_minutes"].widget.attrs.update({"min": 1, "max": 240})

    def clean_escalate_after_minutes(self):
        minutes = self.cleaned_data["escalate_after_minutes"]
        if minutes is not None and minutes > 240:
            raise forms.ValidationError(_("At most 240 minutes (4 hours)."))
        return minutes
