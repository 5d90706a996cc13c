"""Issue 16 (contact details) and issue 20 item 4 (people search), through
real requests: phone numbers parsed and stored as E.164 with the program's
region, shown in national format with tel:/sms: links, visible only to the
person, their programs' coordinators and their current mentor (if they
allow it); texts only after a YES, never after STOP; the coordinators'
people search; the mentor's shared profile on a proposal."""

import contextlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring import access
from mentoring.contact import sms_inbound_handle
from mentoring.models import Channel, ChannelPreference, Delivery, Match, ReminderKind
from mentoring.notifications import channels as delivery_channels
from mentoring.notifications.outbox import Due, claim, outbox_rows, send_batch
from mentoring.notifications.sms import LocmemSMSBackend
from mentoring.phones import phone_display, phone_parse
from tests.factories import (
    ApplicationFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    SafetyAlertFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NUMBER = "+12015550123"
SHOWN = "(201) 555-0123"


def _contact_url(person):
    return reverse("mentoring:contact_edit", args=[person.pk])


def _contact_post(**changes):
    data = {"phone": SHOWN, "preferred_contact": "email", "mentor_sees_contact": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _give_number(user, *, ok_to_call=True, ok_to_text=True, allow_mentor=True):
    user.phone, user.ok_to_call, user.ok_to_text, user.mentor_sees_contact = (
        NUMBER,
        ok_to_call,
        ok_to_text,
        allow_mentor,
    )
    user.text_confirmed_at = timezone.now() if ok_to_text else None
    user.save()
    return user


# --- parsing: what people type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "call me after 5pm",
        "0",
        "#@!%^&*()_+=-;:'?/.,",  # 20 characters of garbage
        "07700 900123",  # a UK number typed without +44 in a US program
        "+44 20 7946 095",  # +44 with a digit missing
        "555-0101",  # no area code
        "1" * 41,
    ],
)
def test_bad_phone_numbers_get_a_message_next_to_the_field_and_keep_what_was_typed(personas, client_for, typed):
    client = client_for(personas.mentee)
    response = client.post(_contact_url(personas.mentee), _contact_post(phone=typed))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["phone"], form.errors
    assert form["phone"].value() == typed  # what was typed stays in the field
    personas.mentee.refresh_from_db()
    assert personas.mentee.phone == ""


def test_the_message_says_what_to_type(personas, client_for):
    client = client_for(personas.mentee)
    errors = {
        typed: client.post(_contact_url(personas.mentee), _contact_post(phone=typed)).context["form"].errors["phone"][0]
        for typed in ("call me after 5pm", "0", "07700 900123")
    }
    assert "no words" in errors["call me after 5pm"]
    assert "(201) 555-0123" in errors["0"]
    abroad = errors["07700 900123"]
    assert "not a valid US phone number" in abroad and "+ and the country code" in abroad


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(201) 555-0123", NUMBER),
        ("201.555.0123", NUMBER),
        ("+1 201 555 0123", NUMBER),
        ("+44 20 7946 0958", "+442079460958"),  # a number abroad, with its country code
    ],
)
def test_good_numbers_are_stored_as_e164(personas, client_for, typed, stored):
    response = client_for(personas.mentee).post(_contact_url(personas.mentee), _contact_post(phone=typed))
    assert response.status_code == 302
    personas.mentee.refresh_from_db()
    assert personas.mentee.phone == stored


def test_the_program_region_reads_numbers_without_a_country_code(personas, client_for):
    personas.program.phone_region = "GB"
    personas.program.save(update_fields=["phone_region"])
    response = client_for(personas.mentee).post(_contact_url(personas.mentee), _contact_post(phone="020 7946 0958"))
    assert response.status_code == 302
    personas.mentee.refresh_from_db()
    assert personas.mentee.phone == "+442079460958"
    assert phone_display("+442079460958", region="GB") == "020 7946 0958"
    assert phone_display("+442079460958", region="US") == "+44 20 7946 0958"


def test_parse_never_raises_anything_but_a_validation_error():
    from django.core.exceptions import ValidationError

    for typed in ["", "   ", "+", "++1", "(((", "1-800-FLOWERS", "+999 123", "\x00", "٣٤٥٦٧٨٩٠١٢"]:
        with contextlib.suppress(ValidationError):
            phone_parse(typed, region="US")


def test_the_application_form_refuses_a_bad_phone_next_to_the_field(db, client):
    from mentoring.models import User  # noqa: F401  (the app registry is ready)
    from programs.services import program_create

    creator = UserFactory()
    program = program_create(created_by=creator, name="Harbor Peers", slug="harbor-peers")
    data = {
        "program": program.slug,
        "full_name": "Nia Newcomer",
        "email": "nia@test.example",
        "phone": "call me after 5pm",
        "preferred_contact": "email",
        "capacity": "2",
        "pathways": ["smart"],
        "experience_areas": [program.experience_areas.first().pk],
        "consent_to_contact": "on",
        "agree_privacy": "on",
        "website": "",
    }
    response = client.post(reverse("programs:apply", args=["mentor"]), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["phone"]
    assert "Nia Newcomer" in response.content.decode()
    response = client.post(reverse("programs:apply", args=["mentor"]), data | {"phone": SHOWN})
    assert response.status_code == 302
    assert program.applications.get().phone == NUMBER


def test_the_intake_form_refuses_a_bad_emergency_contact_phone(personas, client_for):
    mentee = personas.match.mentee
    url = reverse("programs:mentee_intake", args=[mentee.pk])
    data = {
        "intake_date": "",
        "emergency_contact_name": "Riley",
        "emergency_contact_phone": "ring my sister",
        "emergency_contact_relationship": "Sister",
    }
    response = client_for(personas.coordinator).post(url, data)
    assert response.status_code == 200
    assert "emergency_contact_phone" in response.context["intake_form"].errors
    client_for(personas.coordinator).post(url, data | {"emergency_contact_phone": SHOWN})
    mentee.refresh_from_db()
    assert mentee.emergency_contact_phone == NUMBER


# --- who sees what ---------------------------------------------------------------------------------


def test_the_coordinator_sees_national_format_with_tel_and_sms_links(personas, client_for):
    _give_number(personas.mentee)
    html = client_for(personas.coordinator).get(reverse("mentoring:person_detail", args=[personas.mentee.pk]))
    html = html.content.decode()
    assert SHOWN in html and f'href="tel:{NUMBER}"' in html and f'href="sms:{NUMBER}"' in html
    assert personas.mentee.email in html
    assert 'data-testid="roles-held"' in html and "Mentee in Program A" in html


def test_no_call_link_when_the_person_said_no_calls(personas, client_for):
    _give_number(personas.mentee, ok_to_call=False, ok_to_text=False)
    html = client_for(personas.coordinator).get(reverse("mentoring:person_detail", args=[personas.mentee.pk]))
    html = html.content.decode()
    assert SHOWN in html and "tel:" not in html and "sms:" not in html and "Prefers not to be called" in html


def _sees_number(client, url):
    return NUMBER in client.get(url).content.decode()


def test_the_current_mentor_sees_the_number_only_if_the_mentee_allows_it(personas, client_for):
    _give_number(personas.mentee)
    pages = [
        reverse("mentoring:person_detail", args=[personas.mentee.pk]),
        reverse("mentoring:match_detail", args=[personas.match.pk]),
    ]
    mentor = client_for(personas.mentor)
    assert all(_sees_number(mentor, url) for url in pages)
    assert access.contact_visible_to(personas.mentor, personas.mentee)
    # Paused is still current.
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.PAUSED)
    assert all(_sees_number(mentor, url) for url in pages)
    # The mentee turns it off in their own settings.
    response = client_for(personas.mentee).post(
        _contact_url(personas.mentee), _contact_post(mentor_sees_contact=None, ok_to_text="on", ok_to_call="on")
    )
    assert response.status_code == 302
    personas.mentee.refresh_from_db()
    assert personas.mentee.mentor_sees_contact is False
    mentor = client_for(personas.mentor)
    assert not any(_sees_number(mentor, url) for url in pages)
    assert personas.mentee.email not in mentor.get(pages[1]).content.decode()
    # Coordinators always do.
    assert _sees_number(client_for(personas.coordinator), pages[0])


def test_a_proposed_a_former_and_another_mentor_never_see_it(personas, client_for):
    _give_number(personas.mentee)
    former = personas.former_match
    assert not _sees_number(client_for(former.mentor.user), reverse("mentoring:match_detail", args=[former.pk]))
    assert not access.contact_visible_to(former.mentor.user, personas.mentee)
    assert not access.contact_visible_to(personas.other_mentor, personas.mentee)
    assert not access.contact_visible_to(personas.other_mentee, personas.mentee)
    assert not access.contact_visible_to(personas.other_coordinator, personas.mentee)
    personas.propose_match()
    proposed = client_for(personas.mentor)
    assert not _sees_number(proposed, reverse("mentoring:person_detail", args=[personas.mentee.pk]))
    assert not _sees_number(proposed, reverse("mentoring:match_detail", args=[personas.match.pk]))
    assert not access.contact_visible_to(personas.mentor, personas.mentee)


def test_a_closed_match_ends_what_the_mentor_saw(personas, client_for):
    _give_number(personas.mentee)
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED, ended_at=timezone.now())
    assert not access.contact_visible_to(personas.mentor, personas.mentee)
    assert not _sees_number(client_for(personas.mentor), reverse("mentoring:match_detail", args=[personas.match.pk]))


def test_the_mentee_does_not_see_the_mentors_number(personas, client_for):
    _give_number(personas.mentor)
    assert not _sees_number(client_for(personas.mentee), reverse("mentoring:match_detail", args=[personas.match.pk]))
    assert not _sees_number(client_for(personas.mentee), reverse("mentoring:person_detail", args=[personas.mentor.pk]))
    assert _sees_number(client_for(personas.coordinator), reverse("mentoring:match_detail", args=[personas.match.pk]))


def test_the_alert_page_follows_the_same_rule(personas, client_for):
    _give_number(personas.mentee, allow_mentor=False)
    alert = SafetyAlertFactory(mentee=personas.match.mentee)
    url = reverse("goals:alert_acknowledge", args=[alert.pk])
    assert f'href="tel:{NUMBER}"' in client_for(personas.coordinator).get(url).content.decode()
    html = client_for(personas.mentor).get(url).content.decode()
    assert NUMBER not in html and "chose not to share" in html


def test_the_person_page_is_audited_and_so_is_a_coordinators_contact_edit(personas, client_for):
    from mentoring.models import AccessEvent

    client_for(personas.coordinator).get(_contact_url(personas.mentee))
    assert AccessEvent.objects.filter(viewer=personas.coordinator, subject=personas.mentee, what="profile").exists()
    AccessEvent.objects.all().delete()
    client_for(personas.mentee).get(_contact_url(personas.mentee))
    assert not AccessEvent.objects.exists()  # one's own page is not a disclosure


# --- edits by coordinators ----------------------------------------------------------------------------


def test_a_coordinator_corrects_a_number_and_okay_to_text(personas, client_for):
    personas.mentee.phone_unparsed = "call me after 5pm"
    personas.mentee.save()
    client = client_for(personas.coordinator)
    page = client.get(_contact_url(personas.mentee)).content.decode()
    assert "call me after 5pm" in page and 'name="mentor_sees_contact"' not in page
    response = client.post(_contact_url(personas.mentee), _contact_post(ok_to_text="on", preferred_contact="text"))
    assert response.status_code == 302
    personas.mentee.refresh_from_db()
    assert (personas.mentee.phone, personas.mentee.ok_to_text, personas.mentee.phone_unparsed) == (NUMBER, True, "")
    assert personas.mentee.text_confirmed_at is None  # waits for the YES
    assert personas.mentee.mentor_sees_contact is True  # the mentee's own choice, untouched


def test_choices_that_cannot_work_are_refused_next_to_the_field(personas, client_for):
    client = client_for(personas.mentee)
    response = client.post(_contact_url(personas.mentee), _contact_post(phone="", preferred_contact="text"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "ok_to_text"}


# --- texts: YES first, STOP always -----------------------------------------------------------------


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "mentoring.notifications.sms.LocmemSMSBackend"
    settings.SMS_INBOUND_SECRET = "s3cret-for-tests"
    LocmemSMSBackend.outbox.clear()
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox.clear()


def _send_everything():
    now = timezone.now() + timedelta(seconds=1)
    batch = claim(now)
    return send_batch(batch, batch.token, now)


def _inbound(client, body, number=NUMBER, secret="s3cret-for-tests"):
    return client.post(
        reverse("mentoring:sms_inbound"), {"From": number, "Body": body}, headers={"X-Waypoint-Secret": secret}
    )


def test_ticking_okay_to_text_sends_one_confirmation_and_nothing_else_until_yes(personas, client_for, texts, client):
    mentee = personas.mentee
    response = client_for(mentee).post(_contact_url(mentee), _contact_post(ok_to_text="on"))
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.ok_to_text and mentee.text_confirmed_at is None
    confirm = Delivery.objects.get(kind=ReminderKind.TEXT_CONSENT_CONFIRM)
    assert (confirm.channel, confirm.recipient) == (Channel.SMS, mentee)
    # A reminder now goes in the app and by email, not by text.
    ChannelPreference.objects.create(user=mentee, kind=ReminderKind.CHECKIN_DUE, sms=True)
    now = timezone.now()
    assert Channel.SMS not in {r.channel for r in outbox_rows([Due("checkin_due", "t:1", mentee, now)], now)}
    # A text row written earlier is refused at send time too.
    early = Delivery.objects.create(
        kind="checkin_due", subject="t:2", recipient=mentee, channel=Channel.SMS, due_at=now, next_attempt_at=now
    )
    statuses = _send_everything()
    assert statuses[confirm.pk] == "sent" and statuses[early.pk] == "skipped"
    assert [(to, text) for to, text, _ in texts] == [
        (NUMBER, "Waypoint: reply YES to get text messages from your program. Reply STOP at any time to stop them.")
    ]
    # YES: texts may go.
    client.logout()
    assert _inbound(client, " yes ").json() == {"action": "confirm"}
    mentee.refresh_from_db()
    assert mentee.text_confirmed_at is not None and mentee.texts_confirmed
    assert Channel.SMS in {r.channel for r in outbox_rows([Due("checkin_due", "t:3", mentee, now)], now)}


def test_stop_stops_every_text_at_once_and_start_brings_them_back(personas, texts, client):
    mentee = _give_number(personas.mentee)
    now = timezone.now()
    row = Delivery.objects.create(
        kind="safety_alert", subject="a:1", recipient=mentee, channel=Channel.SMS, due_at=now, next_attempt_at=now
    )
    assert _inbound(client, "STOP").json() == {"action": "stop"}
    mentee.refresh_from_db()
    assert mentee.texts_stopped_at and not mentee.ok_to_text and not mentee.texts_confirmed
    assert not delivery_channels.reachable(Delivery.objects.select_related("recipient").get(pk=row.pk))
    assert _send_everything()[row.pk] == "skipped" and texts == []
    # Even a coordinator or safety staff with a number is not texted after STOP.
    personas.coordinator.phone = "+12015550199"
    personas.coordinator.texts_stopped_at = now
    personas.coordinator.save()
    from mentoring.notifications.outbox import channels_for

    assert Channel.SMS not in channels_for(personas.coordinator, "safety_alert", {}, staff=True)
    # START: back on, confirmed from their phone.
    assert _inbound(client, "Start").json() == {"action": "start"}
    mentee.refresh_from_db()
    assert mentee.texts_confirmed and mentee.texts_stopped_at is None


def test_the_inbound_endpoint_needs_the_secret(personas, texts, client, settings):
    _give_number(personas.mentee)
    assert _inbound(client, "STOP", secret="wrong").status_code == 403
    assert _inbound(client, "STOP", secret="").status_code == 403
    personas.mentee.refresh_from_db()
    assert personas.mentee.texts_stopped_at is None
    assert _inbound(client, "what is this").json() == {"action": "ignored"}
    assert _inbound(client, "STOP", number="+12015550999").json() == {"action": "stop"}  # unknown number: nothing
    personas.mentee.refresh_from_db()
    assert personas.mentee.texts_stopped_at is None
    settings.SMS_INBOUND_SECRET = ""
    assert _inbound(client, "STOP", secret="").status_code == 404


def test_the_stop_texts_button_and_only_the_person_turns_texts_back_on(personas, client_for, texts):
    mentee = _give_number(personas.mentee)
    page = client_for(mentee).get(_contact_url(mentee)).content.decode()
    assert "Stop texts" in page and "data-confirm=" in page
    response = client_for(mentee).post(reverse("mentoring:texts_stop", args=[mentee.pk]))
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.texts_stopped_at and not mentee.ok_to_text
    # A coordinator cannot tick it back on.
    response = client_for(personas.coordinator).post(_contact_url(mentee), _contact_post(ok_to_text="on"))
    assert response.status_code == 200
    assert "stopped text messages" in response.context["form"].errors["ok_to_text"][0]
    # The person can: the YES is asked again.
    response = client_for(mentee).post(_contact_url(mentee), _contact_post(ok_to_text="on"))
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.texts_stopped_at is None and mentee.text_confirmed_at is None
    assert Delivery.objects.filter(kind=ReminderKind.TEXT_CONSENT_CONFIRM, recipient=mentee).count() == 1


def test_a_new_number_asks_for_the_yes_again(personas, client_for, texts):
    mentee = _give_number(personas.mentee)
    response = client_for(mentee).post(
        _contact_url(mentee), _contact_post(phone="(201) 555-0188", ok_to_text="on", ok_to_call="on")
    )
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.phone == "+12015550188" and mentee.text_confirmed_at is None
    assert sms_inbound_handle(from_number="+12015550188", body="YES") == ("confirm", 1)


# --- people search -----------------------------------------------------------------------------------


def _search(client, q, page=None):
    params = {"q": q} | ({"page": page} if page else {})
    response = client.get(reverse("mentoring:people_search"), params)
    assert response.status_code == 200
    return [person.pk for person in response.context["page"]]


def test_coordinators_find_people_by_name_email_or_phone_in_their_programs_only(personas, client_for):
    _give_number(personas.mentee)
    outsider = MenteeProfileFactory(program=personas.other_program, user__full_name="Mel Elsewhere").user
    client = client_for(personas.coordinator)
    assert _search(client, "mel") == [personas.mentee.pk]
    assert _search(client, "OTHER.mentee@test") == [personas.other_mentee.pk]
    assert _search(client, SHOWN) == [personas.mentee.pk]
    assert _search(client, "201-555-0123") == [personas.mentee.pk]
    assert _search(client, "5550123") == [personas.mentee.pk]
    assert outsider.pk not in _search(client, "")
    assert _search(client, "Elsewhere") == []
    html = client.get(reverse("mentoring:people_search"), {"q": "mel"}).content.decode()
    assert SHOWN in html and "Mentee" in html
    assert _search(client_for(personas.other_coordinator), "Elsewhere") == [outsider.pk]


def test_applicants_with_an_account_are_found_too(personas, client_for):
    person = UserFactory(full_name="Avery Applicant")
    ApplicationFactory(program=personas.program, person=person, full_name="Avery Applicant")
    assert _search(client_for(personas.coordinator), "avery") == [person.pk]


def _people(program, count):
    for _ in range(count):
        MenteeProfileFactory(program=program)
        MentorProfileFactory(program=program)


def test_the_search_runs_the_same_queries_for_ten_times_the_people(personas, client_for):
    client = client_for(personas.coordinator)
    _people(personas.program, 3)
    client.get(reverse("mentoring:people_search"))  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("mentoring:people_search"), {"q": "e"})
    _people(personas.program, 30)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("mentoring:people_search"), {"q": "e"})
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# --- the proposal shows the mentor's shared profile ------------------------------------------------


def test_the_proposal_shows_the_mentee_what_the_mentor_chose_to_share(personas, client_for):
    mentor = personas.match.mentor
    mentor.bio = "I love long walks and bad puns."
    mentor.languages = ["en", "es"]
    mentor.pathways = ["smart", "faith"]
    mentor.recovery_months = 77
    mentor.exclusion_notes = "Not with anyone from my old job"
    mentor.save()
    personas.mentor.phone = NUMBER
    personas.mentor.save()
    personas.propose_match()
    html = client_for(personas.mentee).get(reverse("mentoring:match_detail", args=[personas.match.pk]))
    html = html.content.decode()
    assert "I love long walks and bad puns." in html
    assert "English, Spanish" in html and "SMART Recovery, Faith-based" in html
    html = re.sub(r"[A-Za-z0-9]{64}", "", html)  # CSRF tokens: random letters and digits ("…G772I…")
    assert "77" not in html and "old job" not in html and NUMBER not in html and "555" not in html


# --- the migration ---------------------------------------------------------------------------------


def test_the_migration_stores_e164_and_keeps_what_it_cannot_read_aside(personas, capsys):
    from importlib import import_module

    migration = import_module("mentoring.migrations.0014_contact_details_e164")
    mentee = personas.mentee
    mentee.phone, mentee.ok_to_text, mentee.text_confirmed_at = "(201) 555-0123", True, None
    mentee.save()
    personas.mentor.phone, personas.mentor.ok_to_text = "call me after 5pm", True
    personas.mentor.save()
    profile = personas.match.mentee
    profile.emergency_contact_phone = "0"
    profile.save()
    application = ApplicationFactory(program=personas.program, phone="201 555 0177")
    odd = ApplicationFactory(program=personas.program, phone="evenings only")
    migration.phones_to_e164(apps, None)
    mentee.refresh_from_db()
    personas.mentor.refresh_from_db()
    profile.refresh_from_db()
    application.refresh_from_db()
    odd.refresh_from_db()
    assert (mentee.phone, mentee.phone_unparsed) == (NUMBER, "")
    assert mentee.text_confirmed_at is not None  # said okay before confirmations existed
    assert (personas.mentor.phone, personas.mentor.phone_unparsed, personas.mentor.ok_to_text) == (
        "",
        "call me after 5pm",
        False,
    )
    assert (profile.emergency_contact_phone, profile.emergency_contact_phone_unparsed) == ("", "0")
    assert application.phone == "+12015550177"
    assert (odd.phone, odd.details["phone_as_typed"]) == ("", "evenings only")
    assert "3 stored values were not valid numbers" in capsys.readouterr().out
