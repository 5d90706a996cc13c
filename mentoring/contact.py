"""Contact details: who may see them, editing them, and consent to texts.

- ``contact_for(viewer, person)``: what a page shows of a person's contact
  details to ``viewer`` (None when the access policy says nothing:
  ``access.contact_visible_to``).
- ``contact_update(*, person, by, **fields)``: the one write of a person's
  phone, preferred channel, okay-to-text/call and "my mentor may see my
  contact details"; asks for a YES by text when texting becomes okay.
- Text-message consent, as SMS practice requires (CTIA; US carriers):
  ticking okay-to-text sends one confirmation text (kind
  ``text_consent_confirm``) asking for YES; other texts go only once the
  person answered YES (``User.text_confirmed_at``). STOP (a reply, or the
  "Stop texts" button) stops every text (``User.texts_stopped_at``) until
  the person replies START or ticks okay-to-text again themselves.
  ``sms_inbound_handle`` reads the provider's inbound messages
  (``/sms/inbound/``); ``texts_stop`` is the button.

Numbers are E.164 throughout (mentoring.phones); nothing here logs a number."""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import access
from .choices import ContactChannel
from .phones import phone_display, phone_search_key, region_of

logger = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP", "UNSTART"}
YES_WORDS = {"YES", "Y", "OK", "OKAY", "SI", "SÍ"}  # SÍ: the Spanish confirmation text asks for YES (sí)


@dataclass(frozen=True)
class ContactView:
    """What a page shows: ``phone`` E.164 ("" when none), ``phone_display``
    national (or international for a number abroad), ``email``, the
    preferred channel's label, okay-to-call/text and the texting state
    ("confirmed", "waiting" for the YES, "stopped", "off")."""

    person: object
    phone: str
    phone_display: str
    email: str
    preferred: str
    preferred_label: str
    ok_to_call: bool
    ok_to_text: bool
    texts: str
    phone_unparsed: str


def texts_state(person):
    if person.texts_stopped_at:
        return "stopped"
    if not (person.ok_to_text and person.phone):
        return "off"
    return "confirmed" if person.text_confirmed_at else "waiting"


def contact_view(person, *, region=None):
    """The ContactView of ``person`` (no access check: see contact_for)."""
    region = region or region_of(person)
    return ContactView(
        person=person,
        phone=person.phone,
        phone_display=phone_display(person.phone, region=region),
        email=person.email,
        preferred=person.preferred_contact,
        preferred_label=str(ContactChannel(person.preferred_contact).label)
        if person.preferred_contact in ContactChannel.values
        else "",
        ok_to_call=person.ok_to_call,
        ok_to_text=person.ok_to_text,
        texts=texts_state(person),
        phone_unparsed=person.phone_unparsed,
    )


def contact_for(viewer, person):
    """``person``'s contact details as ``viewer`` may see them, or None
    (access.contact_visible_to: themselves, their programs' coordinators, their
    current mentor if they allow it; nobody else)."""
    if person is None or not access.contact_visible_to(viewer, person):
        return None
    return contact_view(person)


def _changed_number_or_consent(person, phone, ok_to_text):
    return ok_to_text and (not person.ok_to_text or phone != person.phone)


@transaction.atomic
def contact_update(
    *, person, by, phone, preferred_contact, ok_to_text, ok_to_call, mentor_sees_contact=None, phone_unparsed=None
):
    """Save a person's contact details (``phone`` already E.164 or "").

    - ``by``: who edits (the person, or a coordinator of one of their programs:
      the caller checked ``access.contact_editable_people``).
    - ``mentor_sees_contact``: None leaves it (only the person changes it).
    - Texting made okay, or the number changed while it is okay: the YES is
      asked again (one ``text_consent_confirm`` text); texts wait for it.
    - Someone who stopped texts: only they may turn texting back on (here, by
      ticking it themselves, or by replying START); a coordinator's tick is
      refused.
    - Texting no longer okay, or no number: the confirmation is forgotten.

    Raises ValidationError({field: message}) for an inconsistent choice
    (texts or calls chosen without a number, or without saying okay).
    Returns the person (saved)."""
    errors = {}
    if preferred_contact in (ContactChannel.TEXT, ContactChannel.PHONE) and not phone:
        errors["phone"] = gettext("Add a phone number to be reached by text or phone.")
    if ok_to_text and not phone:
        errors.setdefault("phone", gettext("Add a phone number to get text messages."))
    if preferred_contact == ContactChannel.TEXT and not ok_to_text:
        errors["ok_to_text"] = gettext("Text messages are the preferred channel: tick okay to text.")
    if preferred_contact == ContactChannel.PHONE and not ok_to_call:
        errors["ok_to_call"] = gettext("Phone calls are the preferred channel: tick okay to call.")
    by_self = by is not None and by.pk == person.pk
    if ok_to_text and person.texts_stopped_at and not by_self:
        errors["ok_to_text"] = gettext(
            "This person stopped text messages. Only they can turn them back on "
            "(by replying START, or in their own settings)."
        )
    if errors:
        raise ValidationError(errors)
    ask = _changed_number_or_consent(person, phone, ok_to_text) or (ok_to_text and person.texts_stopped_at)
    person.phone = phone
    person.preferred_contact = preferred_contact
    person.ok_to_call = ok_to_call
    person.ok_to_text = ok_to_text
    if phone_unparsed is not None:
        person.phone_unparsed = phone_unparsed
    elif phone:
        person.phone_unparsed = ""  # a valid number replaces the old value kept aside
    if mentor_sees_contact is not None:
        person.mentor_sees_contact = mentor_sees_contact
    if not ok_to_text or not phone:
        person.text_confirmed_at = None
    fields = [
        "phone",
        "preferred_contact",
        "ok_to_call",
        "ok_to_text",
        "phone_unparsed",
        "mentor_sees_contact",
        "text_confirmed_at",
        "texts_stopped_at",
    ]
    if ask:
        person.text_confirmed_at = None
        person.texts_stopped_at = None  # the person ticked it again themselves (checked above)
    person.save(update_fields=fields)
    if ask:
        text_consent_request(person=person)
    return person


def text_consent_request(*, person, now=None):
    """Send the one text that asks ``person`` to reply YES (through the outbox).
    Returns the outbox row ids."""
    from .notifications.notify import notify

    return notify(
        kind="text_consent_confirm",
        recipients=[person],
        subject=f"user:{person.pk}",
        due_at=now or timezone.now(),
    )


def texts_stop(*, person, now=None):
    """Stop every text to ``person`` (a STOP reply or the "Stop texts"
    button): okay-to-text off, the confirmation forgotten. Idempotent."""
    now = now or timezone.now()
    get_user_model().objects.filter(pk=person.pk).update(texts_stopped_at=now, ok_to_text=False, text_confirmed_at=None)
    person.texts_stopped_at, person.ok_to_text, person.text_confirmed_at = now, False, None
    return person


def texts_start(*, person, now=None):
    """A START reply: texting is okay and confirmed again (the person opted in
    from their phone)."""
    now = now or timezone.now()
    get_user_model().objects.filter(pk=person.pk).update(texts_stopped_at=None, ok_to_text=True, text_confirmed_at=now)
    person.texts_stopped_at, person.ok_to_text, person.text_confirmed_at = None, True, now
    return person


def texts_confirm(*, person, now=None):
    """A YES reply to the confirmation text: texts may go. Only for someone
    who said okay-to-text and did not stop texts since; returns True when
    something changed."""
    now = now or timezone.now()
    changed = (
        get_user_model()
        .objects.filter(pk=person.pk, ok_to_text=True, texts_stopped_at__isnull=True, text_confirmed_at__isnull=True)
        .exclude(phone="")
        .update(text_confirmed_at=now)
    )
    if changed:
        person.text_confirmed_at = now
    return bool(changed)


def sms_inbound_handle(*, from_number, body, now=None):
    """One inbound text from the provider: STOP words stop texts to every
    account with that number, START words start them again, YES confirms a
    waiting okay-to-text. Anything else changes nothing.

    ``from_number``: as the provider sends it (E.164 usually); ``body``: the
    text. Returns (action, accounts changed): action is "stop", "start",
    "confirm" or "ignored"."""
    number = phone_search_key(from_number or "")
    word = "".join(ch for ch in (body or "").strip().upper() if ch.isalnum() or ch == " ").split()
    word = word[0] if word else ""
    if not number:
        return "ignored", 0
    people = list(get_user_model().objects.filter(phone=number))
    if word in STOP_WORDS:
        for person in people:
            texts_stop(person=person, now=now)
        action = "stop"
    elif word in START_WORDS:
        for person in people:
            texts_start(person=person, now=now)
        action = "start"
    elif word in YES_WORDS:
        people = [person for person in people if texts_confirm(person=person, now=now)]
        action = "confirm"
    else:
        return "ignored", 0
    logger.info("Inbound text: %s for %s account(s)", action, len(people))
    return action, len(people)
