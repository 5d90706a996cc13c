"""Choosing a person in a form without a <select> of everyone (issue 18).

At 100,000 mentees a "Share with" or "Book in" select listed every person a
coordinator may choose (100,000 options, megabytes of HTML). ``PeoplePickMixin``
keeps the select while the choice is small (at most ``SELECT_MAX`` people) and
otherwise puts a typed field in its place: "<label> (name, email or ID)",
matched with the people search's rule (``people_matching``) inside the SAME
queryset the select offered (the access policy's rows), resolved in the
form's clean. No one matching, or someone outside the queryset typed exactly,
is the same "no match" error (nothing leaks). Several matching: the error sits
next to the typed field and at most ``MATCHES_MAX`` of them come back as radio
buttons (checkboxes for a field of several people) to choose from, the typed
text kept. The page's HTML no longer grows with the program.

Field names: the typed text posts as ``<name>_q``; a choice among the shown
matches posts as ``<name>`` (a person's id, as the select did), so a view
reads ``form.cleaned_data[name]`` either way: a model instance, or a list of
them for a field of several people.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext

from .forms import is_id
from .phones import phone_search_key

SELECT_MAX = 50  # people: up to this many, the <select> stays
MATCHES_MAX = 10  # matches shown to choose from
TYPED_MAX = 200  # characters of the typed field (of one person; TYPED_MAX * MATCHES_MAX for several)
MIN_PHONE_DIGITS = 4


def people_matching(rows, typed, *, region=None, path="", contact=True, ids=False):
    """The people search's rule: ``rows`` whose name, preferred name or email
    contains every word typed, or whose phone is the typed number (read in
    ``region``, compared as E.164) or contains its digits (four or more typed,
    nothing else). ``path`` leads from a row to its user ("" for a User
    queryset, "user__" for a profile's). ``contact=False`` leaves email and
    phone out (for someone who may not see them), a Q counts them only on the
    rows it selects; ``ids=True`` also matches a
    typed number as the user's id. Empty text: ``rows`` unchanged. Not
    ordered, not bounded."""
    typed = " ".join(typed.split())
    if not typed:
        return rows
    where = contact if isinstance(contact, Q) else Q()  # the rows whose contact details count
    words = Q()
    for word in typed.split(" "):
        said = Q(**{f"{path}full_name__icontains": word}) | Q(**{f"{path}preferred_name__icontains": word})
        if contact is not False:
            said |= Q(**{f"{path}email__icontains": word}) & where
        words &= said
    match = words
    if contact is not False:
        number = phone_search_key(typed, region=region)
        if number:
            match |= Q(**{f"{path}phone": number}) & where
        digits = "".join(ch for ch in typed if ch.isdigit())
        if len(digits) >= MIN_PHONE_DIGITS and all(ch.isdigit() or ch in " +-()." for ch in typed):
            match |= Q(**{f"{path}phone__contains": digits}) & where
    if ids and is_id(typed):
        match |= Q(**{f"{path}pk": int(typed)})
    return rows.filter(match)


class PickedPeople(forms.Field):
    """The chosen ids of a field of several people (any number of values)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(v) for v in value] if isinstance(value, list | tuple) else ([str(value)] if value else [])


class PeoplePickMixin:
    """A form mixin: ``self.people_pick(name, queryset, ...)`` in ``__init__``
    keeps field ``name`` (a ModelChoiceField or ModelMultipleChoiceField
    declared on the form) as a select of ``queryset`` when it holds at most
    SELECT_MAX people, else turns it into a typed field (see the module's
    docstring). One bounded query (SELECT_MAX + 1 ids) to tell which.
    ``region``: the region typed phone numbers are read in (or a callable
    giving it, called only when needed); ``contact``: see people_matching."""

    def people_pick(self, name, queryset, *, path="", region=None, contact=True, label_from_instance=str):
        field = self.fields[name]
        field.queryset = queryset
        field.label_from_instance = label_from_instance
        if not hasattr(self, "picks"):
            self.picks = {}
        if len(queryset.values("pk")[: SELECT_MAX + 1]) <= SELECT_MAX:
            return
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        self.picks[name] = {
            "queryset": queryset,
            "path": path,
            "region": region,
            "contact": contact,
            "label": label_from_instance,
            "multiple": multiple,
            "required": field.required,
        }
        hint = gettext("names, emails or IDs, separated by ;") if multiple else gettext("name, email or ID")
        if contact is False:
            hint = gettext("names or IDs, separated by ;") if multiple else gettext("name or ID")
        typed = forms.CharField(
            label=gettext("%(label)s (%(hint)s)") % {"label": field.label, "hint": hint},
            required=False,
            max_length=TYPED_MAX * MATCHES_MAX if multiple else TYPED_MAX,
            help_text=field.help_text,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
        chosen = PickedPeople(required=False) if multiple else forms.CharField(required=False, widget=forms.HiddenInput)
        chosen.label = gettext("Choose who you mean")
        fields = {}
        for key, value in self.fields.items():
            if key == name:
                fields[f"{name}_q"] = typed
                fields[name] = chosen
            else:
                fields[key] = value
        self.fields = fields
        if not self.is_bound and self.initial.get(name):
            self._pick_initial(name, self.initial[name])

    def _pick_initial(self, name, value):
        """Initial people (an instance or id, or a list of them): typed as
        their names (their ids when a name is missing or holds a ";"), shown
        checked. People outside the queryset are left out (as a select would)."""
        pick = self.picks[name]
        values = value if isinstance(value, list | tuple) else [value]
        pks = [pk for pk in (getattr(v, "pk", v) for v in values) if isinstance(pk, int)]
        found = list(
            pick["queryset"].filter(pk__in=pks).select_related(*(["user"] if pick["path"] else []))[:MATCHES_MAX]
        )
        if not found:
            self.initial.pop(name, None)
            return
        users = [_user_of(row, pick["path"]) for row in found]
        self.initial[f"{name}_q"] = "; ".join(
            user.full_name if user.full_name and ";" not in user.full_name else str(user.pk) for user in users
        )
        self.initial[name] = [str(row.pk) for row in found] if pick["multiple"] else str(found[0].pk)
        self._show_matches(name, found)

    def clean(self):
        data = super().clean()
        for name, pick in getattr(self, "picks", {}).items():
            data[name] = self._pick_clean(name, pick, data)
        return data

    def _pick_clean(self, name, pick, data):
        """The person (or list of people) typed and chosen; None or [] with an
        error on ``<name>_q`` when none or several match."""
        typed = data.get(f"{name}_q") or ""
        chosen = data.get(name) or ([] if pick["multiple"] else "")
        chosen = set(chosen) if pick["multiple"] else ({chosen} if chosen else set())
        entries = [" ".join(e.split()) for e in typed.split(";")] if pick["multiple"] else [" ".join(typed.split())]
        entries = [e for e in entries if e]
        if not entries:
            if pick["required"]:
                self.add_error(
                    f"{name}_q",
                    gettext("Type the person's name or ID.")
                    if pick["contact"] is False
                    else gettext("Type the person's name, email or ID."),
                )
            return [] if pick["multiple"] else None
        people, shown, problems, ticked = [], [], [], []
        for entry in entries:
            matches = self._matches(pick, entry)
            rows = list(matches[: MATCHES_MAX + 1])
            # A choice counts when it matches the text (wherever it sorts); ids only, never a 500.
            ids = [int(pk) for pk in chosen if is_id(pk)]
            picked = list(matches.filter(pk__in=ids)[:MATCHES_MAX]) if ids else []
            # Several: the one whose whole name, email or ID is the text typed (wherever it sorts).
            exact = list(matches.filter(_exact_q(pick, entry))[:2]) if len(rows) > 1 and not picked else []
            if picked:
                picked = picked if pick["multiple"] else picked[:1]
                people += picked
                ticked += picked
            elif len(rows) == 1 or len(exact) == 1:
                people.append((exact or rows)[0])
            elif not rows:
                problems.append(gettext("No one you may choose here matches “%(typed)s”.") % {"typed": entry})
            else:
                shown += rows[:MATCHES_MAX]
                more = len(rows) > MATCHES_MAX
                problems.append(
                    (
                        gettext("More than %(count)d people match “%(typed)s”: choose below or type more of the name.")
                        if more
                        else gettext("Several people match “%(typed)s”: choose below or type more of the name.")
                    )
                    % {"typed": entry, "count": MATCHES_MAX}
                )
        for problem in problems:
            self.add_error(f"{name}_q", problem)
        if shown:
            # The matches to choose from, and those already chosen (still ticked).
            self._show_matches(name, list(dict.fromkeys(shown + ticked)))
        unique = list(dict.fromkeys(people))
        return unique if pick["multiple"] else (unique[0] if unique else None)

    def _matches(self, pick, entry):
        region = pick["region"]() if callable(pick["region"]) else pick["region"]
        return people_matching(
            pick["queryset"], entry, region=region, path=pick["path"], contact=pick["contact"], ids=True
        ).order_by(f"{pick['path']}full_name", "pk")

    def _show_matches(self, name, rows):
        """Field ``name`` shown as radio buttons (checkboxes) of ``rows``."""
        pick = self.picks[name]
        choices = [(str(row.pk), _choice_label(row, pick)) for row in rows]
        widget = forms.CheckboxSelectMultiple if pick["multiple"] else forms.RadioSelect
        field = self.fields[name]
        field.widget = widget(choices=choices)
        field.label = gettext("Choose who you mean")


def _user_of(row, path):
    return row.user if path == "user__" else row


def _exact_q(pick, entry):
    """Rows whose user's whole name, email (where contact details count) or id is ``entry``."""
    path, contact = pick["path"], pick["contact"]
    exact = Q(**{f"{path}full_name__iexact": entry})
    if contact is not False:
        exact |= Q(**{f"{path}email__iexact": entry}) & (contact if isinstance(contact, Q) else Q())
    if is_id(entry):
        exact |= Q(**{f"{path}pk": int(entry)})
    return exact


def _choice_label(row, pick):
    user = _user_of(row, pick["path"])
    return gettext("%(person)s (ID %(id)s)") % {"person": pick["label"](row), "id": user.pk}
