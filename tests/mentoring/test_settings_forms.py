"""Issue 17.5: settings that cannot contradict themselves, forms that keep
what was typed. Half-filled quiet hours used to make the reminder page throw
away every other change the person made."""

from datetime import time

from django.urls import reverse
from django.utils import timezone

from mentoring.models import ChannelPreference, ReminderKind

PREFERENCES = reverse("mentoring:preferences")


def test_half_filled_quiet_hours_keep_the_other_changes_on_the_page(personas, client_for):
    user = personas.mentee
    # Every email box on but the weekly digest's; quiet hours half-filled.
    data = {f"{kind}-email": "on" for kind in ReminderKind.values if kind != ReminderKind.WEEKLY_DIGEST}
    data["quiet_from"] = "22:00"
    response = client_for(user).post(PREFERENCES, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"quiet_until": ["Give both times, or neither."]}
    rows = {row["kind"]: row for row in response.context["rows"]}
    # Before: the page was drawn from the database, so the digest came back ticked.
    assert rows[ReminderKind.WEEKLY_DIGEST]["email"] is False
    assert rows[ReminderKind.CHECKIN_DUE]["email"] is True
    html = response.content.decode()
    assert 'name="weekly_digest-email" aria-label="Weekly summary by email">' in html
    assert 'value="22:00"' in html
    assert not ChannelPreference.objects.exists()


def test_the_missing_quiet_hour_is_the_one_marked(personas, client_for):
    response = client_for(personas.mentee).post(PREFERENCES, {"quiet_until": "07:00", "safety_alert-email": "on"})
    assert set(response.context["form"].errors) == {"quiet_from"}


def test_quiet_hours_that_start_when_they_end_are_refused(personas, client_for):
    # 22:00 to 22:00 read as "quiet all day": every reminder silently waited forever.
    data = {"quiet_from": "22:00", "quiet_until": "22:00", "safety_alert-email": "on"}
    response = client_for(personas.mentee).post(PREFERENCES, data)
    assert response.status_code == 200
    assert "quiet_until" in response.context["form"].errors
    personas.mentee.refresh_from_db()
    assert personas.mentee.quiet_from is None


def test_safety_alerts_cannot_be_switched_off_and_the_rest_is_kept(personas, client_for):
    data = {"checkin_due-email": "on", "quiet_from": "21:00", "quiet_until": "06:30"}
    response = client_for(personas.mentee).post(PREFERENCES, data)
    assert response.status_code == 200
    errors = response.context["channels"].errors
    assert errors == {"safety_alert-email": ["Safety alerts cannot be switched off: keep email on for them."]}
    html = response.content.decode()
    assert 'id="error_safety_alert_email"' in html and 'value="21:00"' in html and 'value="06:30"' in html
    personas.mentee.refresh_from_db()
    assert personas.mentee.quiet_from is None and not ChannelPreference.objects.exists()
    # With texting okay (and confirmed with YES), a text message is enough.
    user = personas.mentee
    user.ok_to_text, user.phone, user.text_confirmed_at = True, "+1 555 0100", timezone.now()
    user.save()
    response = client_for(user).post(PREFERENCES, {"safety_alert-sms": "on"})
    assert response.status_code == 302
    assert ChannelPreference.objects.get(user=user, kind=ReminderKind.SAFETY_ALERT).sms is True


def test_valid_settings_save_together(personas, client_for):
    data = {"safety_alert-email": "on", "quiet_from": "22:00", "quiet_until": "07:00"}
    assert client_for(personas.mentee).post(PREFERENCES, data).status_code == 302
    personas.mentee.refresh_from_db()
    assert (personas.mentee.quiet_from, personas.mentee.quiet_until) == (time(22, 0), time(7, 0))


# --- other settings forms: combinations that would silently switch something off ----------------


def _program_data(program, **changes):
    data = {
        "name": program.name,
        "description": "",
        "status": program.status,
        "mode": program.mode,
        "start_date": "",
        "end_date": "",
        "time_zone": program.time_zone,
        "checkin_cadence": program.checkin_cadence,
        "inactivity_days": "14",
        "default_mentor_capacity": "3",
        "min_recovery_months": "12",
        "background_check_required": "on",
    }
    return data | changes


def test_program_numbers_that_switch_things_off_are_refused_and_the_rest_is_kept(personas, client_for):
    program = personas.program
    url = reverse("programs:edit", args=[program.pk])
    data = _program_data(program, name="Renamed", inactivity_days="0", default_mentor_capacity="0")
    response = client_for(personas.coordinator).post(url, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"inactivity_days", "default_mentor_capacity"}
    assert 'value="Renamed"' in response.content.decode()
    program.refresh_from_db()
    assert program.inactivity_days == 14 and program.name != "Renamed"


def test_matching_with_every_criterion_off_is_refused(personas, client_for):
    from mentoring.matching.criteria import CRITERION_KEYS

    url = reverse("mentoring:matching_settings", args=[personas.program.pk])
    data = {f"weight_{key}": "off" for key in CRITERION_KEYS} | {"first_contact_days": "7"}
    response = client_for(personas.coordinator).post(url, data)
    assert response.status_code == 200
    assert "Keep at least one criterion on" in response.content.decode()
    personas.program.refresh_from_db()
    assert personas.program.matching_weights == {}
