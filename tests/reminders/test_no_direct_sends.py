"""Every message goes through notify() and the outbox: no module outside
mentoring/notifications/ sends email or text messages itself."""

import ast
from pathlib import Path

from django.conf import settings

FORBIDDEN = {
    "EmailMessage",
    "EmailMultiAlternatives",
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "send_sms",
    "get_connection",
    "sms_backend",
}
ALLOWED = Path("mentoring") / "notifications"
SKIPPED_FOLDERS = {".venv", "tests", "node_modules", "var", "static", "templates", ".git"}


def direct_sends(source):
    """Names from FORBIDDEN that the source imports, calls or reads (sorted, with line numbers)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            found |= {(alias.name.rsplit(".", 1)[-1], node.lineno) for alias in node.names}
        elif isinstance(node, ast.Name):
            found.add((node.id, node.lineno))
        elif isinstance(node, ast.Attribute):
            found.add((node.attr, node.lineno))
    return sorted((name, line) for name, line in found if name in FORBIDDEN)


def project_modules():
    base = Path(settings.BASE_DIR)
    for path in sorted(base.rglob("*.py")):
        relative = path.relative_to(base)
        if relative.parts[0] in SKIPPED_FOLDERS or "migrations" in relative.parts:
            continue
        yield relative, path


def test_the_scan_finds_direct_sends():
    source = (
        "from django.core.mail import send_mail, EmailMultiAlternatives\n"
        "import django.core.mail\n"
        "django.core.mail.get_connection().send_messages([])\n"
        "message = mail.EmailMessage('a', 'b', to=['c'])\n"
    )
    assert direct_sends(source) == [
        ("EmailMessage", 4),
        ("EmailMultiAlternatives", 1),
        ("get_connection", 3),
        ("send_mail", 1),
    ]
    assert direct_sends("notify(kind='x', recipients=[], subject='s')") == []


def test_no_module_outside_the_notifications_package_sends_email_or_text_messages():
    modules = list(project_modules())
    assert any(relative.parts[:2] == ("mentoring", "services.py") for relative, _ in modules)
    offenders = {
        str(relative): direct_sends(path.read_text(encoding="utf-8"))
        for relative, path in modules
        if ALLOWED not in relative.parents
    }
    assert {name: found for name, found in offenders.items() if found} == {}
