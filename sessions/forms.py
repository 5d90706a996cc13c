import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring import dates
from mentoring.choices import MeetingMode, Topic
from mentoring.people_pick import PeoplePickMixin
from mentoring.profile_forms import choice_list

from .models import GroupSession, Session

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_SERIES_DATES = 52  # a weekly series ends within a year of its first date
DURATIONS = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
]


def series_dates(first_day, until):
    """How many weekly dates from ``first_day`` up to ``until`` (both dates)."""
    return (until - first_day).days // 7 + 1 if until >= first_day else 0


def aware(day, time):
    """A date and a time typed in the user's own zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time), timezone.get_current_timezone())


# "scheme:" at the start of what was typed; "host:443/..." (a port) is not a scheme.
SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*):(?!\d)", re.IGNORECASE)


class MeetingLinkField(forms.URLField):
    """The address of a video call: https only. "zoom.example/j/1" gets
    https:// in front; javascript:, data:, http: and every other scheme are
    refused with a message that says why (the link becomes a button people
    tap, so it must be a secure web address)."""

    default_error_messages = {"invalid": _("Enter the whole link of the video call, starting with https://.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Online meeting link"))
        kwargs.setdefault(
            "help_text", _("For a video call: the https:// link. Only the two of you and the coordinators see it.")
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        typed = SCHEME.match(value or "")
        if typed and typed.group(1).lower() != "https":
            raise ValidationError(
                gettext(
                    "Use a secure link that starts with https:// (links starting with “%(scheme)s:” cannot be used)."
                ),
                code="scheme",
                params={"scheme": typed.group(1).lower()[:20]},
            )
        if not typed and (value or "").strip() and "://" not in value:
            value = f"https://{value.strip()}"  # "host:8443/room" too, which urlsplit reads as a scheme
        value = super().to_python(value)
        if value and urlsplit(value).scheme != "https":
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class WhenFields(forms.Form):
    day = dates.DateField(window=dates.NEAR, years=2, label=_("Date"))
    time = forms.TimeField(label=_("Start time"), widget=TIME)
    duration_minutes = forms.TypedChoiceField(coerce=int, choices=DURATIONS, initial=60, label=_("Length"))
    mode = forms.ChoiceField(choices=MeetingMode.choices, label=_("How"))
    location = forms.CharField(
        max_length=200, required=False, label=_("Where"), help_text=_("A place or a phone number.")
    )
    online_url = MeetingLinkField()

    def starts_at(self):
        return aware(self.cleaned_data["day"], self.cleaned_data["time"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("time"):
            cleaned["starts_at"] = self.starts_at()
        return cleaned


class ScheduleForm(WhenFields):
    double_booking_ok = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_at") and cleaned["starts_at"] <= timezone.now():
            self.add_error(
                "day", gettext("Choose a date and time in the future. To record a past meeting, log it instead.")
            )
        return cleaned


class LogFields(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(Session.Status.COMPLETED, _("We met")), (Session.Status.MISSED, _("The meeting did not happen"))],
        widget=forms.RadioSelect,
        initial=Session.Status.COMPLETED,
        label=_("What happened?"),
    )
    missed_by = forms.ChoiceField(choices=[("", "—")] + Session.MissedBy.choices, required=False, label=_("If missed"))
    topics = choice_list(Topic.choices, _("Topics you talked about"))
    skills = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Skills practised")
    )
    shared_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Summary for the mentee"),
        help_text=_("Your mentee sees this."),
    )
    follow_up = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Next steps"))
    resources_shared = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Resources shared")
    )
    private_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Private notes"),
        help_text=_("Only you and the program's coordinators see these. Never your mentee."),
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = program.skills.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Session.Status.MISSED and not cleaned.get("missed_by"):
            self.add_error("missed_by", gettext("Say who could not come."))
        return cleaned

    def log_data(self):
        keys = ("outcome", "missed_by", "topics", "skills", "shared_summary", "follow_up", "resources_shared")
        return {key: self.cleaned_data[key] for key in (*keys, "private_notes")}


class LogForm(LogFields):
    duration_minutes = forms.TypedChoiceField(coerce=int, choices=DURATIONS, label=_("How long did you meet?"))


class RecordPastForm(WhenFields, LogFields):
    """Log a meeting that was not scheduled in the app."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_at") and cleaned["starts_at"] > timezone.now():
            self.add_error("day", gettext("This is in the future: schedule it instead."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200, label=_("Why is it cancelled?"), help_text=_("The other person sees this.")
    )


class GroupForm(PeoplePickMixin, forms.Form):
    kind = forms.ChoiceField(choices=GroupSession.Kind.choices, label=_("Kind"))
    title = forms.CharField(max_length=120, label=_("Title"))
    skill = forms.ModelChoiceField(queryset=None, required=False, label=_("Skill or topic"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Description"))
    day = dates.DateField(window=dates.NEAR, years=2, label=_("Date"))
    start = forms.TimeField(label=_("Starts"), widget=TIME)
    end = forms.TimeField(label=_("Ends"), widget=TIME)
    location = forms.CharField(max_length=200, required=False, label=_("Place"))
    online_link = MeetingLinkField(
        label=_("Online link"),
        help_text=_("For an online date: the https:// link. People with a seat, facilitators and coordinators see it."),
    )
    capacity = forms.IntegerField(min_value=1, max_value=500, initial=12, label=_("Seats"))
    is_public = forms.BooleanField(
        required=False,
        label=_("Show on the program's public page"),
        help_text=_(
            "Title, kind, date, time and place only (never who comes, who leads it or an online link). "
            "The page shows it while the program's public page is published."
        ),
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label=_("Facilitators"),
        help_text=_("Mentors, volunteers or coordinators who lead it and take attendance."),
    )
    weekly_until = dates.DateField(
        window=dates.FUTURE,
        years=3,  # within a year of the first date: checked in clean()
        required=False,
        label=_("Repeat every week until"),
        help_text=_("Leave empty for a one-off. Each date of a series can be moved or cancelled on its own."),
    )
    weekly_count = forms.IntegerField(
        required=False,
        min_value=2,
        max_value=MAX_SERIES_DATES,
        label=_("Or: how many weekly dates"),
    )

    def __init__(self, *args, program, contact=False, region=None, **kwargs):
        """``contact``: the viewer may see the program's people's email and
        phone (its coordinator), so a typed facilitator matches on them too."""
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = program.skills.filter(is_active=True)
        self.fields["weekly_count"].help_text = gettext("A series ends within a year: at most %(count)d dates.") % {
            "count": MAX_SERIES_DATES
        }
        self.people_pick(
            "facilitators",
            get_user_model().objects.filter(pk__in=_program_people(program)).order_by("full_name"),
            contact=contact,
            region=region,
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("start") and cleaned.get("end"):
            cleaned["starts_at"] = aware(cleaned["day"], cleaned["start"])
            cleaned["ends_at"] = aware(cleaned["day"], cleaned["end"])
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end", gettext("The end must be after the start."))
            elif cleaned["starts_at"] <= timezone.now():
                self.add_error("day", gettext("Choose a date and time in the future."))
        self._clean_series(cleaned)
        return cleaned

    def _clean_series(self, cleaned):
        """A weekly series needs an end: a date or a number of dates, not
        both, at most a year (MAX_SERIES_DATES) from its first date. Sets
        ``weekly_until`` from the count and ``series_dates`` for the message."""
        day, until, count = cleaned.get("day"), cleaned.get("weekly_until"), cleaned.get("weekly_count")
        if until and count:
            self.add_error("weekly_count", gettext("Choose an end date or a number of dates, not both."))
            return
        if not day:
            return
        if count:
            cleaned["weekly_until"] = until = day + timedelta(weeks=count - 1)
        if until:
            dates_in_series = series_dates(day, until)
            if until < day:
                self.add_error("weekly_until", gettext("The series must end on or after its first date."))
            elif dates_in_series > MAX_SERIES_DATES:
                self.add_error(
                    "weekly_until",
                    gettext("A weekly series ends within a year: this would create %(dates)d dates (at most %(max)d).")
                    % {"dates": dates_in_series, "max": MAX_SERIES_DATES},
                )
            cleaned["series_dates"] = dates_in_series

    def group_data(self):
        keys = (
            "kind",
            "title",
            "skill",
            "description",
            "location",
            "online_link",
            "capacity",
            "is_public",
            "starts_at",
            "ends_at",
        )
        data = {key: self.cleaned_data[key] for key in keys}
        data["facilitators"] = list(self.cleaned_data["facilitators"])
        data["weekly_until"] = self.cleaned_data["weekly_until"]
        return data


def _program_people(program):
    """Who may facilitate: the program's coordinators, mentors and volunteers."""
    return (
        get_user_model()
        .objects.filter(
            Q(coordinated_programs=program)
            | Q(mentor_profiles__program=program)
            | Q(volunteer_profiles__program=program)
        )
        .values("pk")
    )


class MoveForm(forms.Form):
    title = forms.CharField(max_length=120, required=False, label=_("Title"))
    capacity = forms.IntegerField(min_value=1, max_value=500, required=False, label=_("Seats"))
    day = dates.DateField(window=dates.NEAR, years=2, label=_("Date"))
    start = forms.TimeField(label=_("Starts"), widget=TIME)
    end = forms.TimeField(label=_("Ends"), widget=TIME)
    location = forms.CharField(max_length=200, required=False, label=_("Place"))
    online_link = MeetingLinkField(
        label=_("Online link"),
        help_text=_("For an online date: the https:// link. People with a seat, facilitators and coordinators see it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("start") and cleaned.get("end"):
            cleaned["starts_at"] = aware(cleaned["day"], cleaned["start"])
            cleaned["ends_at"] = aware(cleaned["day"], cleaned["end"])
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end", gettext("The end must be after the start."))
        return cleaned


class ProposeTimeForm(forms.Form):
    """A new time for a scheduled meeting, typed in the proposer's own zone
    (the time-zone middleware activates ``User.zone``). ``session``: the meeting
    (its current start must differ from the new one)."""

    day = dates.DateField(window=dates.FUTURE, years=1, label=_("New date"))
    time = forms.TimeField(label=_("New start time"), widget=TIME)
    note = forms.CharField(
        max_length=200,
        required=False,
        label=_("A note for the other person"),
        help_text=_("Optional. For example: “Work moved my shift.”"),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("time"):
            cleaned["starts_at"] = starts_at = aware(cleaned["day"], cleaned["time"])
            if starts_at <= timezone.now():
                self.add_error("time", gettext("Choose a time in the future."))
            elif starts_at == self.session.starts_at:
                self.add_error("time", gettext("That is the meeting's time now: choose a different one."))
        return cleaned


class BookForm(PeoplePickMixin, forms.Form):
    """A coordinator or facilitator books a person of the program in (or adds
    a walk-in while attendance is open). More than SELECT_MAX people: a typed
    name or ID (and email or phone for ``contact``, the program's coordinator)
    instead of a select (mentoring.people_pick)."""

    person = forms.ModelChoiceField(queryset=None, label=_("Person"), empty_label=_("Choose a person"))
    walk_in = forms.BooleanField(required=False, label=_("They are here now (walk-in): give a seat and mark attended"))

    def __init__(self, *args, program, contact=False, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people_pick(
            "person",
            get_user_model()
            .objects.filter(Q(pk__in=_program_people(program)) | Q(mentee_profiles__program=program), is_active=True)
            .distinct()
            .order_by("full_name"),
            contact=contact,
            region=region,
        )
