from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring import dates

from .models import Goal

MILESTONE_ROWS = 4
SWITCH = forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"})


class GoalForm(forms.ModelForm):
    """A goal and up to four milestones (more can be added later)."""

    target_date = dates.DateField(window=dates.FUTURE, years=5, required=False, label=_("By when (optional)"))

    class Meta:
        model = Goal
        fields = ["title", "why", "category", "target", "target_date", "cadence", "is_private"]
        widgets = {"why": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "title": _("Your goal"),
            "category": _("Category"),
            "target_date": _("By when (optional)"),
            "cadence": _("How often to check in"),
        }

    def __init__(self, *args, suggesting=False, **kwargs):
        super().__init__(*args, **kwargs)
        if suggesting:
            del self.fields["is_private"]  # a suggested goal is shared with the mentor who made it
        for i in range(1, MILESTONE_ROWS + 1):
            label = gettext("Milestone %(number)d") if i == 1 else gettext("Milestone %(number)d (optional)")
            self.fields[f"milestone_{i}"] = forms.CharField(max_length=120, required=False, label=label % {"number": i})
            self.fields[f"milestone_{i}_due"] = dates.DateField(
                window=dates.NEAR, required=False, label=gettext("Milestone %(number)d due") % {"number": i}
            )

    def clean(self):
        cleaned = super().clean()
        for i in range(1, MILESTONE_ROWS + 1):
            if cleaned.get(f"milestone_{i}_due") and not cleaned.get(f"milestone_{i}"):
                self.add_error(f"milestone_{i}", gettext("Name the milestone, or clear its date."))
        return cleaned

    def goal_fields(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def milestones(self):
        rows = [(self.cleaned_data[f"milestone_{i}"], self.cleaned_data[f"milestone_{i}_due"]) for i in range(1, 5)]
        return [(title.strip(), due) for title, due in rows if title and title.strip()]


MOODS = [(1, _("Very low")), (2, _("Low")), (3, _("Okay")), (4, _("Good")), (5, _("Great"))]


class CheckInForm(forms.Form):
    """Under 30 seconds on a phone: mood, craving, a slider per goal, done."""

    mood = forms.TypedChoiceField(
        coerce=int,
        choices=MOODS,
        widget=forms.RadioSelect,
        label=_("How are you feeling?"),
        required=False,
        empty_value=None,
    )
    craving = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("Skip"))] + [(n, str(n)) for n in range(11)],
        widget=forms.RadioSelect,
        label=_("Cravings right now (0 = none, 10 = very strong)"),
    )
    reflection = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        required=False,
        max_length=2000,
        label=_("Anything on your mind?"),
    )
    wants_to_talk = forms.BooleanField(required=False, label=_("I'd like to talk to my mentor"), widget=SWITCH)
    # Not "I need help now": that is the button above the form, which sends at once; two
    # controls with one name were indistinguishable to a screen reader (issue 19 review).
    needs_help = forms.BooleanField(
        required=False, label=_("Also ask for help when I send this check-in"), widget=SWITCH
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"progress_{goal.pk}"] = forms.IntegerField(
                min_value=0,
                max_value=100,
                initial=goal.progress,
                label=gettext("%(goal)s: progress (%%)") % {"goal": goal.title},
                widget=forms.NumberInput(attrs={"type": "range", "step": 5, "class": "form-range"}),
            )
            open_milestones = [m for m in goal.milestones.all() if m.done_at is None]
            if open_milestones:
                self.fields[f"milestones_{goal.pk}"] = forms.MultipleChoiceField(
                    choices=[(m.pk, m.title) for m in open_milestones],
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    label=gettext("%(goal)s: milestones reached") % {"goal": goal.title},
                )

    def clean(self):
        cleaned = super().clean()
        # Asking for help needs nothing else; a check-in needs a mood.
        if cleaned.get("mood") is None and not cleaned.get("needs_help") and "mood" not in self.errors:
            self.add_error("mood", gettext("Choose how you are feeling."))
        return cleaned

    def progress(self):
        return {goal.pk: self.cleaned_data.get(f"progress_{goal.pk}") for goal in self.goals}

    def milestones_done(self):
        return [int(pk) for goal in self.goals for pk in self.cleaned_data.get(f"milestones_{goal.pk}", [])]

    def answers(self):
        return {key: self.cleaned_data[key] for key in ("mood", "craving", "reflection", "wants_to_talk", "needs_help")}


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Your answer"))


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("What did you do, or what happens next?")
    )


class AssessmentForm(forms.Form):
    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        labels = instrument.scale_labels or []
        scale = range(instrument.scale_min, instrument.scale_max + 1)
        # The default instrument's wording (goals.defaults) is in the catalogue; a program's own is shown as typed.
        choices = [(v, gettext(labels[i]) if i < len(labels) and labels[i] else str(v)) for i, v in enumerate(scale)]
        for item in instrument.items.all():
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                coerce=int,
                choices=choices,
                widget=forms.RadioSelect,
                label=gettext(item.text) if item.text else item.text,
                error_messages={"required": gettext("Choose the answer closest to how it is for you.")},
            )

    def answers(self):
        return {int(name.split("_")[1]): value for name, value in self.cleaned_data.items()}
