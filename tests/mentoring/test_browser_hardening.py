"""Browser-side hardening: signed-in pages and personal downloads are never
cached, every page carries a Content-Security-Policy without inline scripts and
a Permissions-Policy, and static files keep their cache lifetime.

Every row of every app's permission matrix also passes through
tests.permissions.assert_browser_hardening (no-store for each signed-in
response, no inline script/handler/style in any HTML page)."""

from django.contrib.staticfiles import finders
from django.urls import reverse

from sessions.models import CalendarFeed


def test_signed_in_page_is_no_store_and_anonymous_public_page_is_not(personas, client_for):
    anonymous = client_for(None)
    landing = anonymous.get(reverse("mentoring:landing"))
    assert landing.status_code == 200
    assert "no-store" not in landing.get("Cache-Control", "")

    mentee = client_for(personas.mentee)
    page = mentee.get(reverse("mentoring:home_mentee"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["Pragma"] == "no-cache"


def test_csv_export_is_no_store(personas, client_for):
    response = client_for(personas.coordinator).get(reverse("mentoring:report_export", args=["matches"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"


def test_token_calendar_feed_is_no_store_without_a_session(personas, client_for):
    feed = CalendarFeed.objects.create(user=personas.mentee)
    response = client_for(None).get(reverse("peer_sessions:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "no-store"


def test_every_response_has_csp_and_permissions_policy(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    features = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in features
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Content-Security-Policy" in missing


def test_static_files_are_not_marked_no_store(personas, client_for):
    # Served by whitenoise before the session is read: cached as usual even
    # for a signed-in browser.
    assert finders.find("js/waypoint.js")
    client = client_for(personas.mentee)
    response = client.get("/static/js/waypoint.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_has_inline_script_handler_or_style():
    from pathlib import Path

    from tests.permissions import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        if template.parts[-2] == "emails":
            continue  # emails are read in mail programs, not under our CSP
        text = template.read_text()
        offenders += [
            f"{template.name}: {p.search(text).group(0)}"
            for p in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE)
            if p.search(text)
        ]
    assert offenders == []
