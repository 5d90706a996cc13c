from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring import dates
from mentoring.choices import Language
from mentoring.localized import active_language
from mentoring.people_pick import PeoplePickMixin
from mentoring.profile_forms import TagListField, choice_list
from mentoring.widgets import QuickSelect

from .models import Category, Resource, Share


class ResourceForm(forms.ModelForm):
    languages = choice_list(Language.choices, _("Languages"))
    tags = TagListField(required=False, label=_("Tags"), help_text=_("Separate with commas."))
    website = forms.URLField(required=False, assume_scheme="https", label=_("Website"))

    class Meta:
        model = Resource
        fields = [
            "name",
            "name_es",
            "category",
            "description",
            "description_es",
            "phone",
            "text_number",
            "website",
            "address",
            "city",
            "hours",
            "hours_es",
            "cost",
            "cost_es",
            "languages",
            "eligibility",
            "eligibility_es",
            "tags",
            "is_crisis",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "name": _("Name"),
            "category": _("Category"),
            "description": _("Description"),
            "phone": _("Phone"),
            "address": _("Address"),
            "city": _("City"),
            "hours": _("Hours"),
            "cost": _("Cost"),
            "eligibility": _("Who can use it"),
            "name_es": _("Name: Spanish version (optional)"),
            "description_es": _("Description: Spanish version (optional)"),
            "hours_es": _("Hours: Spanish version (optional)"),
            "cost_es": _("Cost: Spanish version (optional)"),
            "eligibility_es": _("Eligibility: Spanish version (optional)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=False).select_related("parent")


class ResourceRowForm(forms.Form):
    """One CSV row. Lists are separated by semicolons; is_crisis is yes/no."""

    name = forms.CharField(max_length=160)
    category = forms.CharField()
    description = forms.CharField(required=False)
    phone = forms.CharField(max_length=32, required=False)
    text_number = forms.CharField(max_length=32, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    address = forms.CharField(max_length=200, required=False)
    city = forms.CharField(max_length=80, required=False)
    hours = forms.CharField(max_length=200, required=False)
    cost = forms.CharField(max_length=120, required=False)
    languages = forms.CharField(required=False)
    eligibility = forms.CharField(max_length=240, required=False)
    tags = forms.CharField(required=False)
    is_crisis = forms.CharField(required=False)
    verified_on = dates.DateField(window=dates.NEAR, years=25, required=False, input_formats=["%Y-%m-%d"])
    name_es = forms.CharField(max_length=160, required=False)
    description_es = forms.CharField(required=False)
    hours_es = forms.CharField(max_length=200, required=False)
    cost_es = forms.CharField(max_length=120, required=False)
    eligibility_es = forms.CharField(max_length=240, required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories

    def clean_category(self):
        category = self.categories.get(self.cleaned_data["category"].casefold())
        if category is None:
            raise forms.ValidationError(_("Unknown category (use “Top › Sub” or a subcategory name)."))
        return category

    def clean_languages(self):
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in Language.values]
        if unknown:
            raise forms.ValidationError(_("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)})
        return codes

    def clean_tags(self):
        return [t.strip()[:40] for t in self.cleaned_data["tags"].split(";") if t.strip()][:20]

    def clean_is_crisis(self):
        value = self.cleaned_data["is_crisis"].strip().lower()
        if value not in ("", "yes", "no", "true", "false", "1", "0"):
            raise forms.ValidationError(_("Use yes or no."))
        return value in ("yes", "true", "1")


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label=_("Any category"), label=_("Category")
    )
    language = forms.ChoiceField(
        choices=[("", _("Any language"))] + Language.choices, required=False, label=_("Language")
    )
    city = forms.CharField(required=False, max_length=80, label=_("City"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("parent").order_by(
            "parent__position", "parent__name", "position"
        )
        # The directory's two lists, rendered in Python (mentoring.widgets: issue 18).
        for name in ("category", "language"):
            field = self.fields[name]
            field.widget = QuickSelect(choices=field.choices)
            field.widget.is_required = field.required
        # The categories read as a plain list when the list is drawn: a model
        # field's choices read them through QuerySet.iterator(), which on
        # PostgreSQL declares, fetches from and closes a server-side cursor
        # (three round trips for 46 rows, issue 18). Same labels (Category.__str__).
        self._categories = None
        self.fields["category"].widget.choices = self._category_choices

    def category_choices(self):
        """[(category id, label)] as the select lists them (the first: "", "Any category")."""
        return self._category_choices()

    def _category_choices(self):
        # Asked twice per page (the widget's "required" check reads the first
        # choice, then the list is drawn): built once, the language looked up once.
        if self._categories is None:
            field, language = self.fields["category"], active_language()
            self._categories = [("", field.empty_label)]
            self._categories += [(category.pk, category.label(language)) for category in field.queryset]
        return self._categories


class ShareForm(PeoplePickMixin, forms.Form):
    """Share a resource with a mentee of ``mentees`` (the access policy's
    queryset). More than SELECT_MAX of them: a typed name, email or ID instead
    of a select (mentoring.people_pick); ``contact``: the viewer may see the
    mentees' email and phone (a coordinator), so they match too."""

    mentee = forms.ModelChoiceField(queryset=None, label=_("Share with"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("A note (optional)"))
    is_referral = forms.BooleanField(required=False, label=_("This is a referral: ask later whether they connected"))

    def __init__(self, *args, mentees, region=None, contact=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.people_pick(
            "mentee",
            mentees,
            path="user__",
            region=region,
            contact=contact,
            label_from_instance=lambda mentee: (
                gettext("%(person)s in %(program)s")
                % {
                    "person": mentee.user,
                    "program": mentee.program,
                }
            ),
        )

    def share_data(self):
        """The keyword arguments of share_create."""
        return {key: self.cleaned_data[key] for key in ("mentee", "note", "is_referral")}


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label=_("CSV file"), help_text=_("UTF-8, first row the column names."))
    content = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > 5 * 1024 * 1024:
                self.add_error("file", _("The file is larger than 5 MB."))
                return cleaned
            try:
                cleaned["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
        elif not cleaned.get("content"):
            self.add_error("file", _("Choose a CSV file."))
        return cleaned


FOLLOWUP_CHOICES = Share.FollowUp.choices
