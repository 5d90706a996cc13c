"""Phone numbers: parsed with Google's libphonenumber (the ``phonenumbers``
package), stored as E.164 (``+12015550123``), shown in national format.

- ``phone_parse(raw, *, region)`` -> E.164 string ("" for empty input), or a
  ValidationError whose message says what to type. ``region`` is an ISO 3166
  two-letter code: the one a number without ``+`` and a country code is read
  in (the person's program's ``phone_region``, else settings.PHONE_DEFAULT_REGION).
- ``phone_display(e164, *, region)`` -> "(201) 555-0123" for a number of that
  region, "+44 20 7946 0958" for one abroad; "" for empty.
- ``PhoneField``: the form field every phone input uses (application, own
  contact details, a coordinator's edit, emergency contact).
- ``region_of(user)``: the region a person's numbers are read in.

Only numbers libphonenumber calls valid are accepted: "call me after 5pm",
"0", "555-0101" (no area code) and a UK number typed without +44 in a US
program are refused with a message next to the field."""

import re

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext

MAX_TYPED = 40  # characters a person may type (spaces, dashes and brackets included)
E164 = re.compile(r"\+[1-9]\d{6,14}")


def default_region():
    return (getattr(settings, "PHONE_DEFAULT_REGION", "") or "US").upper()


def _phone_help_text(region):
    return gettext("With the area code. A number outside the %(region)s: start with + and the country code.") % {
        "region": region
    }


# Lazy: form fields are built at import time, before anyone's language is known.
phone_help_text = lazy(_phone_help_text, str)


def known_region(region):
    """True for a two-letter region libphonenumber has numbers for ("US", "GB")."""
    return region in phonenumbers.SUPPORTED_REGIONS


def region_name(region):
    """'US' -> 'US'; kept short in messages ("not a valid US number")."""
    return region


def phone_parse(raw, *, region=None):
    """E.164 for what a person typed ("" when they typed nothing).

    Raises ValidationError (code "invalid_phone") with a message that says what
    to type instead; never any other exception."""
    region = (region or default_region()).upper()
    text = (raw or "").strip()
    if not text:
        return ""
    if len(text) > MAX_TYPED:
        raise ValidationError(
            gettext("That is too long for a phone number. Type only the number."), code="invalid_phone"
        )
    if any(ch.isalpha() for ch in text):
        raise ValidationError(
            gettext(
                "Type only the phone number, with no words (for example (201) 555-0123). "
                "Add times or notes about calling somewhere else."
            ),
            code="invalid_phone",
        )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            gettext(
                "That does not look like a phone number. Type it as you would dial it, for example (201) 555-0123."
            ),
            code="invalid_phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        if text.startswith("+") or text.startswith("00"):
            message = gettext("That number is not valid for its country code. Check the digits after the +.")
        else:
            message = gettext(
                "That is not a valid %(region)s phone number. Include the area code; "
                "for a number in another country, start with + and the country code."
            ) % {"region": region_name(region)}
        raise ValidationError(message, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value, *, region=None):
    """How a stored number is shown: national format for a number of
    ``region``, international otherwise; an unparseable old value as it is."""
    if not value:
        return ""
    region = (region or default_region()).upper()
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_key(typed, *, region=None):
    """E.164 for a search box's text when it reads as a complete phone number, else None."""
    try:
        return phone_parse(typed, region=region) or None
    except ValidationError:
        return None


def region_of(user):
    """The region a person's numbers are read and shown in: the region of
    their first program (lowest id) in any role, else
    settings.PHONE_DEFAULT_REGION. One query."""
    from django.db.models import Q

    from programs.models import Program

    from .models import MenteeProfile, MentorProfile, VolunteerProfile

    if user is None or not getattr(user, "pk", None):
        return default_region()
    # One subquery per role (no joins through the programs' other members).
    region = (
        Program.objects.filter(
            Q(pk__in=MenteeProfile.objects.filter(user=user).values("program"))
            | Q(pk__in=MentorProfile.objects.filter(user=user).values("program"))
            | Q(pk__in=VolunteerProfile.objects.filter(user=user).values("program"))
            | Q(pk__in=Program.coordinators.through.objects.filter(user=user).values("program"))
        )
        .order_by("pk")
        .values_list("phone_region", flat=True)
        .first()
    )
    return (region or default_region()).upper()


class PhoneInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "tel", "inputmode": "tel", **(attrs or {})})


class PhoneField(forms.CharField):
    """A phone number typed by a person, cleaned to E.164 ("" when empty and
    not required). ``region``: how a number without +country code is read;
    shown in the help text. The initial value (E.164) is shown in national format."""

    widget = PhoneInput

    def __init__(self, *, region=None, **kwargs):
        kwargs.setdefault("max_length", MAX_TYPED)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.region = (region or default_region()).upper()
        if not self.help_text:
            self.help_text = phone_help_text(self.region)

    def prepare_value(self, value):
        # A stored E.164 value is shown as people write it; what someone typed stays as typed.
        if isinstance(value, str) and E164.fullmatch(value):
            return phone_display(value, region=self.region)
        return value

    def to_python(self, value):
        return phone_parse(super().to_python(value), region=self.region)
