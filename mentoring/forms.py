from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import dates
from .choices import ContactChannel
from .localized import active_language, default_language
from .matching.criteria import CRITERIA, CRITERION_KEYS, WEIGHT_LABELS, Weight
from .models import AccessEvent, Invitation, Match, MenteeProfile, canonical_email, time_zone_choices
from .phones import PhoneField, phone_help_text


def add_service_error(form, error):
    """Show a service's ValidationError next to the field it names (or above
    the form), so the person sees it where they typed and keeps their input."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# "Check-in due by email": the kind's label (lazy) inside a whole sentence.
_by_email = lazy(lambda kind: gettext("%(kind)s by email") % {"kind": kind}, str)
_by_text = lazy(lambda kind: gettext("%(kind)s by text message") % {"kind": kind}, str)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        # No autofocus: focus starts at the top, so "Get help now" is the third Tab stop, not behind the form.
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match. Check both and try again."),
    }
    keep_signed_in = forms.BooleanField(
        label=_("Keep me signed in"),
        required=False,
        help_text=_("For 14 days on this device. Otherwise you are signed out when the browser closes."),
    )
    shared_device = forms.BooleanField(
        label=_("This is a shared device"),
        required=False,
        help_text=_("Signs you out when the browser closes or after a few hours without activity."),
    )

    def clean(self):
        # Refused before the password is checked: not a failed sign-in attempt.
        if self.cleaned_data.get("keep_signed_in") and self.cleaned_data.get("shared_device"):
            self.add_error(
                "shared_device",
                gettext("On a shared device you cannot stay signed in: untick one of the two boxes."),
            )
            return self.cleaned_data
        return super().clean()

    def clean_username(self):
        # One spelling per account: the sign-in throttle counts failures under
        # the same canonical address (mentoring.throttling.sign_in_username).
        return canonical_email(self.cleaned_data["username"])


class FirstPasswordResetForm(PasswordResetForm):
    """Password reset that also reaches an active account which never chose a
    password (an accepted applicant whose first invitation lapsed, or who was
    since invited by another program). Django skips such accounts; here they
    have no other sign-in, and the link goes to the same mailbox an invitation
    would, so it proves the same thing."""

    def get_users(self, email):
        User = get_user_model()
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )

    def save(self, *args, **kwargs):
        """The email in the account's language (``User.language``; addresses
        are unique, so there is one account at most); an account that chose
        none gets the language of the page the request came from."""
        account = next(iter(self.get_users(self.cleaned_data["email"])), None)
        with translation.override((account and account.language) or translation.get_language()):
            return super().save(*args, **kwargs)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["full_name", "preferred_name", "time_zone", "language"]
        labels = {"full_name": _("Full name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank: pages follow the browser (or the language switch), messages go in English.
        self.fields["language"].choices = [("", _("Same as my browser")), *settings.LANGUAGES]


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(choices=Invitation.Role.choices, label=_("Role"))
    program = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Program"))
    language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        label=_("Language of the email"),
        help_text=_(
            "The invitation email is written in it, and a new account starts in it (they can change it later). "
            "Someone who already has an account gets it in the language they chose."
        ),
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the inviting coordinator's own programs can be chosen.
        self.fields["program"].queryset = programs
        # Default: the language the coordinator is using Waypoint in.
        language = active_language()
        self.fields["language"].initial = language if language in dict(settings.LANGUAGES) else default_language()

    def clean_language(self):
        # Left out of the post (an older page, a script): the default shown on the form.
        return self.cleaned_data.get("language") or self.fields["language"].initial


class SetPasswordForm(forms.Form):
    """Choose a first password for a new account (from an invitation)."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),  # no autofocus, as on sign-in
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type it again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    time_zone = forms.ChoiceField(
        required=False,
        label=_("Your time zone"),
        help_text=_(
            "Reminders and meeting times use it. It starts as your program's; change it if you live elsewhere."
        ),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        field = self.fields["time_zone"]
        field.choices = time_zone_choices()
        existing = get_user_model().objects.filter(email__iexact=invitation.email).first()
        field.initial = existing.time_zone if existing else invitation.program.time_zone

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(gettext("The two passwords are not the same."))
        return second

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            probe = get_user_model()(email=self.invitation.email, full_name=self.invitation.full_name)
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password2", error)


class MatchingSettingsForm(forms.Form):
    """A program's matching weights, one choice per criterion."""

    match_requires_acceptance = forms.BooleanField(
        required=False, label=_("Mentor and mentee accept a proposed match before it starts")
    )
    first_contact_days = forms.IntegerField(
        min_value=1, max_value=90, label=_("Days after the start by which the pair should have met")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, *_unused in CRITERIA:
            self.fields[f"weight_{key}"] = forms.ChoiceField(
                label=label, choices=[(w.value, WEIGHT_LABELS[w]) for w in Weight]
            )
        self.fields["weight_gender"].help_text = _("When a mentee states a preference it is always respected.")

    def clean(self):
        cleaned = super().clean()
        # Every criterion off leaves every pair at 0: suggestions and "match
        # everyone waiting" would silently pick at random.
        chosen = [cleaned.get(f"weight_{key}") for key in CRITERION_KEYS]
        if all(chosen) and all(weight == Weight.OFF for weight in chosen):
            self.add_error(
                f"weight_{CRITERION_KEYS[0]}",
                gettext("Keep at least one criterion on, or matches are picked at random."),
            )
        return cleaned

    def weights(self):
        return {key: self.cleaned_data[f"weight_{key}"] for key in CRITERION_KEYS}


class CloseMatchForm(forms.Form):
    reason = forms.ChoiceField(choices=Match.CloseReason.choices, widget=forms.RadioSelect, label=_("Reason"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Note (coordinators only)"), max_length=2000
    )


class MenteeExitForm(forms.Form):
    """Why and when a mentee leaves the program (mentoring.endings.mentee_exit)."""

    reason = forms.ChoiceField(
        choices=MenteeProfile.ExitReason.choices, widget=forms.RadioSelect, label=_("Why is the mentee leaving?")
    )
    on = dates.DateField(
        window=dates.PAST,
        years=2,
        label=_("Left on"),
        help_text=_("The day they left (not later than today)."),
    )


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        label=_("How helpful were your meetings? (1 = not helpful, 5 = very helpful)"),
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label=_("Anything you'd like to add?"),
    )


class QuietHoursForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {"quiet_from": _("Reminders wait until your quiet hours end; safety alerts never wait.")}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_from"), cleaned.get("quiet_until")
        if bool(start) != bool(end):
            missing = "quiet_until" if start else "quiet_from"
            self.add_error(missing, gettext("Give both times, or neither."))
        elif start and start == end:
            # start == end reads as "quiet all day": every reminder would wait forever.
            self.add_error(
                "quiet_until", gettext("The end must differ from the start (clear both for no quiet hours).")
            )
        return cleaned


class ReminderChannelsForm(forms.Form):
    """Email and text message per kind of reminder ("<kind>-email",
    "<kind>-sms" checkboxes; in-app is always on). Refuses the combinations
    that would silently switch something off: safety alerts with no way to
    reach the person outside the app, and text messages for someone who has
    not said texting is okay or has no phone number."""

    def __init__(self, *args, user, stored, **kwargs):
        from .models import Channel, ReminderKind
        from .notifications.kinds import choosable

        super().__init__(*args, **kwargs)
        self.user, self.kinds, self.choosable = user, ReminderKind, choosable()
        self.can_text = user.texts_confirmed
        for kind in self.choosable:
            pref = stored.get(kind.name)
            self.fields[f"{kind.name}-email"] = forms.BooleanField(
                required=False,
                label=_by_email(kind.label),
                initial=pref.email if pref else Channel.EMAIL in kind.channels,
            )
            self.fields[f"{kind.name}-sms"] = forms.BooleanField(
                required=False,
                label=_by_text(kind.label),
                initial=pref.sms if pref else Channel.SMS in kind.channels,
                disabled=not self.can_text,
            )

    def clean(self):
        cleaned = super().clean()
        alert = self.kinds.SAFETY_ALERT
        if not cleaned.get(f"{alert}-email") and not (self.can_text and cleaned.get(f"{alert}-sms")):
            self.add_error(
                f"{alert}-email",
                gettext("Safety alerts cannot be switched off: keep email or text messages on for them.")
                if self.can_text
                else gettext("Safety alerts cannot be switched off: keep email on for them."),
            )
        return cleaned

    def rows(self):
        """One row per kind for the table: label, the two bound fields and
        whether each box is ticked (as posted, or as stored)."""
        rows = []
        for kind in self.choosable:
            email, sms = self[f"{kind.name}-email"], self[f"{kind.name}-sms"]
            rows.append(
                {"kind": kind.name, "label": kind.label, "always": not kind.opt_out}
                | {"email_field": email, "sms_field": sms, "email": bool(email.value()), "sms": bool(sms.value())}
            )
        return rows

    def channels(self):
        """{kind: (email, sms)} as chosen (sms False when texting is not okay)."""
        data = self.cleaned_data
        return {
            kind.name: (data[f"{kind.name}-email"], self.can_text and data[f"{kind.name}-sms"])
            for kind in self.choosable
        }


MAX_REPORT_DAYS = 3 * 366
REPORT_YEARS = (2000, 2100)


def _year_range():
    return {"first": REPORT_YEARS[0], "last": REPORT_YEARS[1]}


class ReportFilterForm(forms.Form):
    """Program, date range and mentor of a report (read from the query string).

    ``mentor`` is a mentor profile's id (the URL keeps the chosen mentor as an
    id). ``mentor_q`` is what the coordinator typed to find one (a name or an
    id): one mentor of their programs matching it becomes the filter; several
    give an error and ``mentor_matches`` (at most MENTOR_MATCHES, by name)
    to choose from; the report page never lists every mentor (25,000 at
    100,000 mentees)."""

    MENTOR_MATCHES = 10

    program = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("All your programs"), label=_("Program")
    )
    start = dates.DateField(window=dates.NEAR, years=25, label=_("From"))
    end = dates.DateField(window=dates.NEAR, years=25, label=_("To"))
    mentor = forms.CharField(required=False, widget=forms.HiddenInput)
    mentor_q = forms.CharField(label=_("Mentor (name or ID)"), required=False, max_length=100)

    def __init__(self, data=None, *, programs, mentors, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["program"].queryset = programs
        self.mentors = mentors
        self.mentor_matches = []

    def clean_mentor_q(self):
        return " ".join(self.cleaned_data.get("mentor_q", "").split())

    def _mentor_chosen(self, chosen, typed):
        """The mentor of the filter: ``chosen`` (an id from the URL) or else the
        one ``typed`` finds; None for every mentor or with an error on mentor_q."""
        if chosen:
            found = self.mentors.filter(pk=int(chosen)) if is_id(chosen) else self.mentors.none()
            mentor = found.select_related("user", "program").first()
            if mentor is None:
                self.add_error("mentor_q", gettext("Choose a mentor of your programs."))
            return mentor
        return self._mentor_typed(typed) if typed else None

    def _mentor_typed(self, typed):
        """The one mentor ``typed`` (a name or an id) finds, or None with an error
        on mentor_q (and mentor_matches set when several match)."""
        found = mentors_matching(self.mentors, typed)
        rows = list(found[: self.MENTOR_MATCHES + 1])
        exact = [row for row in rows if row.user.full_name.casefold() == typed.casefold()]
        if len(rows) == 1 or len(exact) == 1:
            return (exact or rows)[0]
        if not rows:
            self.add_error("mentor_q", gettext("No mentor of your programs matches this name or ID."))
        else:
            self.mentor_matches = rows[: self.MENTOR_MATCHES]
            self.add_error("mentor_q", gettext("Several mentors match: choose one below or type more of the name."))
        return None

    def clean(self):
        data = super().clean()
        start, end, program = (data.get(k) for k in ("start", "end", "program"))
        mentor = data["mentor"] = self._mentor_chosen(data.get("mentor", ""), data.get("mentor_q", ""))
        if self.has_error("mentor_q"):
            return data
        for name, day in (("start", start), ("end", end)):
            if day and not REPORT_YEARS[0] <= day.year <= REPORT_YEARS[1]:
                self.add_error(name, gettext("Choose a date between %(first)s and %(last)s.") % _year_range())
                return data
        if start and end and start > end:
            self.add_error("end", gettext("The end date must be on or after the start date."))
        elif start and end and (end - start).days > MAX_REPORT_DAYS:
            self.add_error("start", gettext("Choose a range of at most three years."))
        if program and mentor and mentor.program_id != program.pk:
            self.add_error("mentor_q", gettext("This mentor is not in the chosen program."))
        return data


def is_id(text):
    """True for digits that fit a database id (at most 18 of them)."""
    return text.isdigit() and len(text) <= 18


def mentors_matching(mentors, typed):
    """``mentors`` (a MentorProfile queryset) whose id is ``typed`` (digits) or
    whose name contains it (case-insensitive), by name then id, with user and
    program selected. Slice it: it is not bounded."""
    typed = typed.strip()
    if is_id(typed):
        found = mentors.filter(pk=int(typed))
    else:
        found = mentors.filter(user__full_name__icontains=typed)
    return found.select_related("user", "program").order_by("user__full_name", "pk")


class AuditFilterForm(forms.Form):
    """What and when on the coordinators' read-audit page (from the query
    string; every field optional). Dates are days in the viewer's zone."""

    what = forms.ChoiceField(label=_("What"), required=False)
    start = dates.DateField(window=dates.PAST, years=25, label=_("From"), required=False)
    end = dates.DateField(window=dates.PAST, years=25, label=_("To"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["what"].choices = [("", gettext("Everything")), *AccessEvent.What.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, day in (("start", start), ("end", end)):
            if day and not REPORT_YEARS[0] <= day.year <= REPORT_YEARS[1]:
                self.add_error(name, gettext("Choose a date between %(first)s and %(last)s.") % _year_range())
                return data
        if start and end and start > end:
            self.add_error("end", gettext("The end date must be on or after the start date."))
        return data


class ErasureConfirmForm(forms.Form):
    """The coordinator types the person's full name to confirm an erasure."""

    typed_name = forms.CharField(
        label=_("Type the person's full name to confirm"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_typed_name(self):
        typed = " ".join(self.cleaned_data["typed_name"].split())
        if typed.casefold() != " ".join(self.person.full_name.split()).casefold():
            raise forms.ValidationError(
                gettext("That is not the person's full name as Waypoint has it. Check the spelling.")
            )
        return typed


class TwoFactorCodeForm(forms.Form):
    """One code: the 6 digits an authenticator app shows, or (when ``allow_backup``)
    an 8-character backup code. Spaces and dashes are ignored."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, allow_backup=True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if allow_backup:
            field.help_text = _("The 6-digit code your authenticator app shows now, or one of your backup codes.")
        else:
            field.label = _("6-digit code from the app")
            field.widget.attrs["inputmode"] = "numeric"
            field.help_text = _("The code changes every 30 seconds; type the one shown now.")


class ContactForm(forms.Form):
    """A person's contact details, edited by themselves or by a coordinator
    of their program (``by_self`` False: "my mentor may see" stays the
    person's own choice and is not offered). The phone is read in ``region``
    (mentoring.phones) and cleaned to E.164; choices that cannot work
    together are refused next to the field by ``mentoring.contact.contact_update``."""

    phone = PhoneField(label=_("Phone number"))
    preferred_contact = forms.ChoiceField(
        choices=ContactChannel.choices, label=_("Preferred way to be contacted"), widget=forms.RadioSelect
    )
    ok_to_text = forms.BooleanField(
        required=False,
        label=_("OK to send text messages"),
        help_text=_("We text once to ask for a YES; texts start after that. Reply STOP at any time to stop them."),
    )
    ok_to_call = forms.BooleanField(required=False, label=_("OK to call"))
    mentor_sees_contact = forms.BooleanField(
        required=False,
        label=_("My mentor may see my phone number and email"),
        help_text=_("Your current mentor sees how you like to be contacted. Program coordinators always can."),
    )

    def __init__(self, *args, person, by_self, region, **kwargs):
        initial = {
            "phone": person.phone,
            "preferred_contact": person.preferred_contact,
            "ok_to_text": person.ok_to_text,
            "ok_to_call": person.ok_to_call,
            "mentor_sees_contact": person.mentor_sees_contact,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.person = person
        self.fields["phone"].region = region
        self.fields["phone"].help_text = phone_help_text(region)
        if not by_self:
            del self.fields["mentor_sees_contact"]
            self.fields["ok_to_text"].label = _("OK to send text messages (as the person told you)")

    def changes(self):
        """Keyword arguments for mentoring.contact.contact_update."""
        data = self.cleaned_data
        return {
            "phone": data["phone"],
            "preferred_contact": data["preferred_contact"],
            "ok_to_text": data["ok_to_text"],
            "ok_to_call": data["ok_to_call"],
            "mentor_sees_contact": data.get("mentor_sees_contact") if "mentor_sees_contact" in self.fields else None,
        }


class PeopleSearchForm(forms.Form):
    """The coordinators' people search (from the query string)."""

    q = forms.CharField(
        label=_("Name, email or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
