"""Issue 15, "Get help now" reaches a person: one tap on the crisis page, the
check-in's help switch without a mood, one open alert per mentee with every
reason (race-safe), one message per person and channel per alert, the staff's
live banner, the alert page (phone, emergency contact, last check-ins) and
open alerts first on both databases."""

import re
import threading
import traceback
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from goals.models import CheckIn, SafetyAlert
from goals.services import alert_acknowledge, checkin_submit, safety_alert_raise
from mentoring.models import Delivery, Match, ReminderKind
from tests.conftest import build_personas
from tests.factories import CheckInFactory, MatchFactory, MenteeProfileFactory, SafetyAlertFactory, UserFactory

Kind = SafetyAlert.Kind
CRISIS = "mentoring:crisis"


def _rows(alert):
    return Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT, subject=f"alert:{alert.pk}:step:0")


def _told(alert):
    return set(_rows(alert).values_list("recipient_id", flat=True))


def _crisis(client):
    response = client.get(reverse(CRISIS))
    assert response.status_code == 200
    return response.content.decode()


def _tap(client, mentee=None):
    data = {"mentee": mentee.pk} if mentee else {}
    return client.post(reverse("goals:help_now"), data)


# --- one tap to a person ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_mentee_with_an_active_match_taps_once_and_the_mentor_and_team_are_told(personas, client_for):
    client = client_for(personas.mentee)
    body = _crisis(client)
    assert "Let my mentor know now" in body
    assert body.index("Let my mentor know now") < body.index("988 Suicide")  # above the national lines
    assert f'action="{reverse("goals:help_now")}"' in body and "csrfmiddlewaretoken" in body

    response = _tap(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse(CRISIS))
    [alert] = SafetyAlert.objects.all()
    assert (alert.mentee, alert.reasons, alert.source) == (personas.match.mentee, [Kind.HELP_NOW], "tap")
    assert _told(alert) == {personas.mentor.pk, personas.coordinator.pk}

    body = client.get(response["Location"]).content.decode()
    assert "We let Morgan (your mentor) and the program team know at" in body
    assert re.search(r"know at \d{1,2}:\d\d [AP]M\. They will see it in Waypoint and by email\.", body)
    assert "Let my mentor know now" not in body  # told already; no second button


@pytest.mark.django_db
def test_mentee_without_a_match_is_offered_the_program_team(personas, client_for):
    mentee = MenteeProfileFactory(program=personas.program)
    client = client_for(mentee.user)
    body = _crisis(client)
    assert "Let the program team know now" in body and "Let my mentor know now" not in body
    assert "You have no mentor yet" in body

    _tap(client)
    [alert] = SafetyAlert.objects.filter(mentee=mentee)
    assert _told(alert) == {personas.coordinator.pk}
    body = _crisis(client)
    assert "We let the program team know at" in body
    assert "(your mentor)" not in body


@pytest.mark.django_db
def test_a_proposed_match_is_not_a_mentor_yet(personas, client_for):
    personas.propose_match()
    body = _crisis(client_for(personas.mentee))
    assert "Let the program team know now" in body and "Let my mentor know now" not in body


@pytest.mark.django_db
def test_a_paused_match_offers_the_program_team_and_says_what_happened(personas, client_for):
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.PAUSED)
    client = client_for(personas.mentee)
    body = _crisis(client)
    assert "Let the program team know now" in body and "Your match is paused" in body
    _tap(client)
    [alert] = SafetyAlert.objects.all()
    body = _crisis(client)
    # Whatever the recipients' rule, the page says exactly who the outbox wrote to.
    told = _told(alert)
    assert personas.coordinator.pk in told
    if personas.mentor.pk in told:
        assert "We let Morgan (your mentor) and the program team know" in body
    else:
        assert "We let the program team know" in body


@pytest.mark.django_db
def test_anonymous_visitors_see_the_lines_only_in_one_request_without_external_assets(client):
    body = _crisis(client)
    assert "tel:988" in body
    assert "know now" not in body and "help_now" not in body and reverse("goals:help_now") not in body
    assert not re.search(r'(src|href)="(https?:)?//', body)  # nothing from another host


@pytest.mark.django_db
def test_people_who_are_not_mentees_get_no_button_and_cannot_post(personas, client_for):
    for user in (personas.mentor, personas.coordinator):
        client = client_for(user)
        assert "know now" not in _crisis(client)
        assert _tap(client).status_code == 404
    assert not SafetyAlert.objects.exists()


@pytest.mark.django_db
def test_help_now_asks_for_a_post(personas, client_for):
    assert client_for(personas.mentee).get(reverse("goals:help_now")).status_code == 405
    assert not SafetyAlert.objects.exists()


# --- the check-in's "I need help now" -------------------------------------------------------------------


@pytest.mark.django_db
def test_checkin_help_now_works_without_a_mood(personas, client_for):
    client = client_for(personas.mentee)
    response = client.post(reverse("goals:checkin"), {"needs_help": "on"})
    assert response.status_code == 302 and response["Location"].startswith(reverse(CRISIS))
    [alert] = SafetyAlert.objects.all()
    assert alert.reasons == [Kind.HELP_NOW] and alert.source == "checkin"
    assert not CheckIn.objects.exists()  # nothing else was filled in
    assert "Thank you for telling us." in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_checkin_without_mood_or_help_still_asks_for_the_mood(personas, client_for):
    response = client_for(personas.mentee).post(reverse("goals:checkin"), {"reflection": "ok"})
    assert response.status_code == 200
    assert "Choose how you are feeling." in response.content.decode()
    assert not SafetyAlert.objects.exists()


@pytest.mark.django_db
def test_checkin_page_has_the_help_button_above_the_mood(personas, client_for):
    body = client_for(personas.mentee).get(reverse("goals:checkin")).content.decode()
    assert body.index("I need help now") < body.index("How are you feeling?")
    assert f'action="{reverse("goals:help_now")}"' in body


# --- one event, one alert ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_tap_checkin_and_mood_drop_at_once_are_one_alert_and_one_message_per_person_and_channel(personas):
    mentee = personas.match.mentee
    checkin_submit(mentee=mentee, mood=5)
    checkin_submit(mentee=mentee, mood=4)
    alert, created = safety_alert_raise(mentee=mentee, reasons=[Kind.HELP_NOW], source="tap")
    assert created
    rows = set(_rows(alert).values_list("pk", flat=True))
    per_person_channel = list(_rows(alert).values_list("recipient_id", "channel"))
    assert len(per_person_channel) == len(set(per_person_channel))

    _, alerts = checkin_submit(mentee=mentee, mood=3, craving=10, needs_help=True)  # 5, 4, 3: falling

    assert alerts == [alert]
    [only] = SafetyAlert.objects.all()
    assert only.reasons == [Kind.HELP_NOW, Kind.CRAVING, Kind.MOOD_DROP]
    assert set(Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT).values_list("pk", flat=True)) == rows
    assert only.checkin is not None  # the check-in is linked for the alert page


@pytest.mark.django_db
def test_after_acknowledging_a_new_event_is_a_new_alert_and_tells_again(personas):
    mentee = personas.match.mentee
    first, _ = safety_alert_raise(mentee=mentee, reasons=[Kind.HELP_NOW], source="tap")
    alert_acknowledge(alert=first, by=personas.mentor, note="Called.")
    second, created = safety_alert_raise(mentee=mentee, reasons=[Kind.HELP_NOW], source="tap")
    assert created and second.pk != first.pk
    assert _told(second) == {personas.mentor.pk, personas.coordinator.pk}


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_alert(personas):
    from django.db import IntegrityError, transaction

    SafetyAlertFactory(mentee=personas.match.mentee)
    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyAlertFactory(mentee=personas.match.mentee)


RACE_ROUNDS = 5


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, "\n".join(errors)


def test_two_check_ins_at_once_raise_one_mood_drop_alert(transactional_db):
    personas = build_personas()
    mentee = personas.match.mentee
    for _ in range(RACE_ROUNDS):
        SafetyAlert.objects.all().delete()
        CheckIn.objects.all().delete()
        Delivery.objects.all().delete()
        checkin_submit(mentee=mentee, mood=5)
        checkin_submit(mentee=mentee, mood=4)
        CheckIn.objects.update(created_at=timezone.now() - timedelta(minutes=5))

        _together(
            lambda: checkin_submit(mentee=mentee, mood=3),
            lambda: checkin_submit(mentee=mentee, mood=2, needs_help=True),
        )

        [alert] = SafetyAlert.objects.all()
        assert Kind.HELP_NOW in alert.reasons
        pairs = list(_rows(alert).values_list("recipient_id", "channel"))
        assert pairs and len(pairs) == len(set(pairs))
        assert Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT).count() == len(pairs)


def test_two_taps_at_once_raise_one_alert(transactional_db):
    personas = build_personas()
    mentee = personas.match.mentee
    for _ in range(RACE_ROUNDS):
        SafetyAlert.objects.all().delete()
        Delivery.objects.all().delete()
        _together(*[lambda: safety_alert_raise(mentee=mentee, reasons=[Kind.HELP_NOW], source="tap")] * 2)
        assert SafetyAlert.objects.count() == 1
        assert {r for r in Delivery.objects.values_list("subject", flat=True)} == {
            f"alert:{SafetyAlert.objects.get().pk}:step:0"
        }


# --- open first, on both databases -------------------------------------------------------------------


@pytest.mark.django_db
def test_open_alerts_sort_first_even_when_an_acknowledged_one_is_newer(personas, client_for):
    now = timezone.now()
    open_alert = SafetyAlertFactory(mentee=personas.match.mentee, created_at=now - timedelta(days=2))
    done = SafetyAlertFactory(
        mentee=MenteeProfileFactory(program=personas.program, user__full_name="Ada Acked"),
        created_at=now,
        acknowledged_at=now,
        acknowledged_by=personas.coordinator,
        note="Called.",
    )
    assert list(SafetyAlert.objects.open_first()) == [open_alert, done]
    assert list(SafetyAlert.objects.all()) == [open_alert, done]  # the model's default ordering too
    body = client_for(personas.coordinator).get(reverse("goals:alerts")).content.decode()
    assert body.index("Mel Mentee") < body.index("Ada Acked")


# --- the live banner --------------------------------------------------------------------------------


def _live(client):
    response = client.get(reverse("goals:alert_live"))
    assert response.status_code == 200
    return response.content.decode().strip()


@pytest.mark.django_db
def test_live_banner_shows_the_alert_to_the_mentor_and_coordinator_only(personas, client_for):
    alert, _ = safety_alert_raise(mentee=personas.match.mentee, reasons=[Kind.HELP_NOW], source="tap")
    link = reverse("goals:alert_acknowledge", args=[alert.pk])
    for who in ("mentor", "coordinator"):
        body = _live(client_for(personas.user(who)))
        assert link in body and "Mel needs help now" in body, who
    for who in ("other_mentor", "other_coordinator", "mentee", "other_mentee", "former_mentor"):
        assert _live(client_for(personas.user(who))) == "", who
    assert _live(client_for(personas.user("proposed_mentor"))) == ""


@pytest.mark.django_db
def test_live_banner_is_blank_when_nothing_is_open(personas, client_for):
    assert _live(client_for(personas.mentor)) == ""


@pytest.mark.django_db
def test_staff_pages_poll_the_banner_every_10_seconds_and_mentees_do_not(personas, client_for):
    poll = f'hx-get="{reverse("goals:alert_live")}" hx-trigger="load, every 10s"'
    assert poll in client_for(personas.mentor).get(reverse("goals:alerts")).content.decode()
    assert poll in client_for(personas.coordinator).get(reverse("goals:alerts")).content.decode()
    assert poll not in client_for(personas.mentee).get(reverse(CRISIS)).content.decode()
    assert "hx-get" not in client_for(None).get(reverse(CRISIS)).content.decode()


@pytest.mark.django_db
def test_acknowledging_clears_the_banner_for_everyone_and_records_who_when_and_the_note(personas, client_for):
    alert, _ = safety_alert_raise(mentee=personas.match.mentee, reasons=[Kind.HELP_NOW], source="tap")
    client = client_for(personas.mentor)
    response = client.post(reverse("goals:alert_acknowledge", args=[alert.pk]), {"note": "Called her, she is safe."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.note) == (personas.mentor, "Called her, she is safe.")
    assert alert.acknowledged_at is not None
    assert _live(client_for(personas.mentor)) == ""
    assert _live(client_for(personas.coordinator)) == ""
    # A second acknowledgement is refused, not overwritten.
    response = client_for(personas.coordinator).post(
        reverse("goals:alert_acknowledge", args=[alert.pk]), {"note": "Me too"}
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_by == personas.mentor


# --- the alert page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_alert_page_has_phone_links_last_checkins_and_the_emergency_contact_for_coordinators(personas, client_for):
    mentee = personas.match.mentee
    mentee.user.phone = "+15551234567"
    mentee.user.save(update_fields=["phone"])
    mentee.emergency_contact_name = "Riley Sister"
    mentee.emergency_contact_phone = "+15559876543"
    mentee.save(update_fields=["emergency_contact_name", "emergency_contact_phone"])
    CheckInFactory(mentee=mentee, mood=2, reflection="Hard week")
    alert, _ = safety_alert_raise(mentee=mentee, reasons=[Kind.HELP_NOW], source="tap")
    url = reverse("goals:alert_acknowledge", args=[alert.pk])

    coordinator_page = client_for(personas.coordinator).get(url).content.decode()
    mentor_page = client_for(personas.mentor).get(url).content.decode()
    for body in (coordinator_page, mentor_page):
        assert 'href="tel:+15551234567"' in body and 'href="sms:+15551234567"' in body
        assert "Hard week" in body and "Asked for help now" in body
    assert "Riley Sister" in coordinator_page and "tel:+15559876543" in coordinator_page
    assert "Riley Sister" not in mentor_page and "+15559876543" not in mentor_page


@pytest.mark.django_db
def test_alert_page_without_a_phone_says_so(personas, client_for):
    alert, _ = safety_alert_raise(mentee=personas.match.mentee, reasons=[Kind.HELP_NOW], source="tap")
    body = client_for(personas.mentor).get(reverse("goals:alert_acknowledge", args=[alert.pk])).content.decode()
    assert "No phone number given" in body and "tel:" not in body.split("Reach")[1].split("Contact details")[0]


@pytest.mark.django_db
def test_a_second_mentee_in_another_program_is_not_mixed_in(personas):
    other = MatchFactory(program=personas.other_program, mentor__user=UserFactory()).mentee
    safety_alert_raise(mentee=personas.match.mentee, reasons=[Kind.HELP_NOW], source="tap")
    safety_alert_raise(mentee=other, reasons=[Kind.HELP_NOW], source="tap")
    assert SafetyAlert.objects.open().count() == 2
