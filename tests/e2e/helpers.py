"""Small helpers the browser journeys share."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

PROGRAM_NAME = "Riverbend Peer Mentoring"
MENTOR_NAME = "Marcus Lee"
MENTEE_NAME = "Jordan Rivera"


def path_is(live_server, path):
    return re.compile("^" + re.escape(live_server.url + path) + "$")


def flash(page, text):
    """A Django message shown at the top of the page."""
    return page.locator(".messages").get_by_role("alert").filter(has_text=text)


def field(page, label):
    """A form field by its whole label. Crispy adds an asterisk to required
    ones, and label text is matched with its surrounding whitespace."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def publish_public_page(page, program, introduction):
    """As the program's coordinator: publish its public page with an introduction."""
    page.goto(f"/programs/{program.pk}/")
    page.get_by_role("link", name="Public page", exact=True).click()
    page.get_by_label("Publish the public program page").check()
    page.get_by_role("textbox", name="Public page introduction", exact=True).fill(introduction)
    page.get_by_role("button", name="Save").click()
    expect(flash(page, "The public page is published.")).to_be_visible()


def apply_for_a_mentor(visitor, live_server, *, name, email):
    """As a visitor on a program's public page or story: follow "Find a mentor"
    and send the application (thanks page reached)."""
    visitor.get_by_role("link", name="Find a mentor").click()
    expect(visitor.get_by_role("heading", name="Find a mentor", level=1)).to_be_visible()
    visitor.get_by_label("Your name").fill(name)
    visitor.get_by_label("Email").fill(email)
    visitor.get_by_label("I agree that the program may contact me").check()
    visitor.get_by_label("I have read the privacy notice").check()
    visitor.get_by_role("button", name="Send application").click()
    expect(visitor).to_have_url(path_is(live_server, "/apply/thanks/"))


def local_today(email):
    """Today in the person's own time zone: the forms read dates in it."""
    zone = ZoneInfo(get_user_model().objects.get(email=email).time_zone)
    return timezone.localtime(timezone.now(), zone).date()


def pass_second_step(page, email):
    """After the password: when the person has an authenticator app (the demo
    coordinator does, seed_demo), type the code it shows now on the second step,
    as a person would. The code is for the next time step when the current one
    was already used (django-otp takes each step once)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is None:
        return
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    ahead = max(0, device.last_t + 1 - totp.t())
    totp.time += ahead * device.step
    page.get_by_label("Code").fill(f"{totp.token():0{device.digits}d}")
    page.get_by_role("button", name="Continue").click()


# --- accessibility: axe-core in the page (tests/e2e/vendor/README.md) ------------------------------

AXE_SOURCE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")
_axe_source = None


def _axe_loaded(page):
    """axe-core in the current document. The Content-Security-Policy refuses
    injected <script> elements (no 'unsafe-inline'), so the file's text is
    evaluated through the DevTools protocol, which the CSP does not govern."""
    global _axe_source
    if not page.evaluate("() => typeof window.axe === 'object'"):
        if _axe_source is None:
            _axe_source = AXE_SOURCE_PATH.read_text(encoding="utf-8")
        page.evaluate(_axe_source)


def axe_violations(page):
    """axe.run over the whole document with the WCAG 2.0/2.1/2.2 A and AA rules:
    [{"id", "impact", "help", "targets": [selector, …]}] of the serious and
    critical violations."""
    _axe_loaded(page)
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 8).map(n => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    return [item for item in found if item["impact"] in AXE_FAILING_IMPACTS]


def describe_violations(url, context, violations):
    """Readable lines: one per rule, with its impact and up to eight selectors."""
    lines = [f"{url} ({context}):"]
    for item in violations:
        lines.append(f"  {item['id']} [{item['impact']}] {item['help']}")
        lines.extend(f"      {target}" for target in item["targets"])
    return "\n".join(lines)


def assert_accessible(page, *, context):
    """Fail when axe-core finds a serious or critical WCAG 2.2 A/AA violation on
    the page as it is now; ``context`` (e.g. "mentee, phone, es") goes in the message."""
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, context, violations)


def sideways_overflow(page):
    """How many CSS px the page scrolls sideways (0: none)."""
    return page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


# Visible, enabled controls smaller than ``minimum`` CSS px in either direction. Exempt
# (WCAG 2.5.8): links inside running text (a paragraph or list item with other text),
# and the skip link while hidden off-screen. A checkbox or radio counts with its label
# (a click on either ticks it).
SMALL_TARGETS_JS = (Path(__file__).parent / "small_targets.js").read_text(encoding="utf-8").split("\n", 1)[1]


def small_targets(page, minimum):
    """["tag#id "name" WxH", …] of the controls under ``minimum`` CSS px."""
    return page.evaluate(SMALL_TARGETS_JS, minimum)
