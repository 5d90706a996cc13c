"""Issue 17.6: dates within reason. One rule (mentoring.dates) for every date
field of every form: a sensible window per kind of date, a clear message next
to the field, never a 500; dates more than a year away show their year."""

import datetime as dt
import inspect

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal
from mentoring import dates
from mentoring.choices import MeetingMode
from mentoring.models import MenteeProfile, MentorProfile
from programs.models import BackgroundCheck
from sessions.models import Session


def _when(day, at="10:00"):
    return {
        "day": day,
        "time": at,
        "duration_minutes": "60",
        "mode": MeetingMode.IN_PERSON,
        "location": "Community room",
    }


def test_scheduling_a_meeting_on_31_12_9999_at_23_30_is_refused_next_to_the_date(personas, client_for):
    # Before: make_aware(9999-12-31 23:30, New York) overflowed → OverflowError, a 500.
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    response = client_for(personas.mentor).post(url, _when("9999-12-31", "23:30"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"day"}
    html = response.content.decode()
    assert 'id="error_1_id_day"' in html and "Choose a date between" in html
    assert 'value="Community room"' in html  # what was typed stays
    assert not Session.objects.exists()


def test_a_meeting_in_1900_is_refused(personas, client_for):
    url = reverse("peer_sessions:session_record", args=[personas.match.pk])
    response = client_for(personas.mentor).post(url, {**_when("1900-03-01"), "outcome": "completed"})
    assert response.status_code == 200
    assert "day" in response.context["form"].errors
    assert not Session.objects.exists()


def _goal(**extra):
    return {"title": "Walk 20 minutes", "category": "health", "cadence": "daily", **extra}


@pytest.mark.parametrize(
    "data, field",
    [
        (_goal(milestone_1="Buy shoes", milestone_1_due="0001-01-01"), "milestone_1_due"),
        (_goal(target_date="9999-12-31"), "target_date"),
    ],
)
def test_goals_in_year_1_or_9999_are_refused(personas, client_for, data, field):
    mentee = MenteeProfile.objects.get(user=personas.mentee, program=personas.program)
    response = client_for(personas.mentee).post(reverse("goals:new", args=[mentee.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Goal.objects.exists()


def test_an_intake_date_in_2099_is_refused(personas, client_for):
    mentee = MenteeProfile.objects.get(user=personas.mentee, program=personas.program)
    url = reverse("programs:mentee_intake", args=[mentee.pk])
    response = client_for(personas.coordinator).post(url, {"intake_date": "2099-01-01"})
    assert response.status_code == 200
    assert "intake_date" in response.context["intake_form"].errors
    mentee.refresh_from_db()
    assert mentee.intake_date is None


def test_a_background_check_dated_in_the_future_is_refused(personas, client_for):
    profile = MentorProfile.objects.get(user=personas.mentor, program=personas.program)
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    url = reverse("programs:background_check", args=[profile.pk])
    response = client_for(personas.coordinator).post(url, {"status": "cleared", "checked_on": tomorrow})
    assert response.status_code == 200
    errors = response.context["check_form"].errors
    assert errors["checked_on"] == ["This date is in the future: choose today or an earlier date."]
    assert not BackgroundCheck.objects.filter(mentor=profile).exists()


def test_the_window_of_each_kind():
    today = dt.date(2026, 6, 15)
    assert dates.window_bounds(dates.PAST, 10, today=today) == (dt.date(2016, 6, 15), today)
    assert dates.window_bounds(dates.FUTURE, 1, today=today) == (today, dt.date(2027, 6, 15))
    assert dates.window_bounds(dates.NEAR, 5, today=dt.date(2028, 2, 29)) == (
        dt.date(2023, 2, 28),
        dt.date(2033, 2, 28),
    )


def test_the_date_input_offers_only_its_window():
    class Form(forms.Form):
        until = dates.DateField(window=dates.FUTURE, years=1)

    earliest, latest = dates.window_bounds(dates.FUTURE, 1)
    html = str(Form()["until"])
    assert 'type="date"' in html
    assert f'min="{earliest.isoformat()}"' in html and f'max="{latest.isoformat()}"' in html


def test_dates_more_than_a_year_away_show_their_year():
    now = timezone.now()
    far, near = now + dt.timedelta(days=400), now + dt.timedelta(days=30)
    template = Template('{{ far|when:"D M j, g:i a" }}|{{ near|when:"D M j, g:i a" }}|{{ day|when }}')
    far_day = timezone.localdate() - dt.timedelta(days=800)
    text = template.render(Context({"far": far, "near": near, "day": far_day}))
    far_text, near_text, day_text = text.split("|")
    assert str(timezone.localtime(far).year) in far_text
    assert str(timezone.localtime(near).year) not in near_text
    assert day_text.endswith(str(far_day.year))


def _project_forms():
    import goals.forms
    import mentoring.forms
    import mentoring.profile_forms
    import programs.forms
    import resources.forms
    import sessions.forms

    for module in (
        goals.forms,
        mentoring.forms,
        mentoring.profile_forms,
        programs.forms,
        resources.forms,
        sessions.forms,
    ):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_date_field_of_every_form_follows_the_one_rule():
    offenders = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _project_forms()
        for name, field in cls.base_fields.items()
        if isinstance(field, (forms.DateField, forms.DateTimeField)) and not isinstance(field, dates.DateField)
    ]
    assert offenders == []
    # Fields added in __init__ (milestones) too: no plain forms.DateField( in the apps' code.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [
        p for app in ("mentoring", "programs", "sessions", "goals", "resources") for p in (root / app).rglob("*.py")
    ]
    plain = [str(p) for p in sources if "forms.DateField(" in p.read_text() or "forms.DateTimeField(" in p.read_text()]
    assert plain == []
