"""bench_safety with a small N: every help-now alert reaches the mentor and
the on-call person on every channel once, escalates once, stops when
acknowledged, and leaves nothing behind."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from goals.models import SafetyAlert
from mentoring.models import Delivery, Notification
from programs.models import Program


@pytest.mark.django_db(transaction=True)
def test_bench_safety_reports_every_channel_no_duplicates_none_lost():
    out = io.StringIO()
    call_command("bench_safety", "--count", "4", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["alerts"] == 4
    # Each alert: the mentor and the on-call person, in the app, by email and by text.
    assert {c: v["accepted"] for c, v in figures["per_channel"].items()} == {"in_app": 8, "email": 8, "sms": 8}
    for channel in figures["per_channel"].values():
        assert 0 <= channel["median_s"] <= channel["p95_s"] <= channel["max_s"] <= 5
    assert (figures["escalations"], figures["escalations_after_ack"]) == (4, 0)
    assert (figures["duplicates"], figures["lost"]) == (0, 0)
    # It removed its own data.
    assert not Program.objects.filter(slug="bench-safety").exists()
    assert not get_user_model().objects.filter(email__startswith="bench-safety-").exists()
    assert not SafetyAlert.objects.exists() and not Delivery.objects.exists() and not Notification.objects.exists()
