"""Every URL of our apps and Django's account pages has a row in some app's
permission matrix; a page added without one fails here."""

from django.urls import get_resolver

from tests.conversations.test_permissions import MATRIX as CONVERSATIONS
from tests.goals.test_permissions import MATRIX as GOALS
from tests.mentoring.test_permissions import MATRIX as MENTORING
from tests.programs.test_permissions import MATRIX as PROGRAMS
from tests.resources.test_permissions import MATRIX as RESOURCES
from tests.sessions.test_permissions import MATRIX as SESSIONS

NAMESPACES = ("mentoring", "programs", "peer_sessions", "goals", "resources", "conversations")
ACCOUNT_PAGES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def test_every_url_is_in_a_permission_matrix():
    covered = {row.name for row in MENTORING + PROGRAMS + SESSIONS + GOALS + RESOURCES + CONVERSATIONS}
    ours = set(ACCOUNT_PAGES)
    for namespace in NAMESPACES:
        resolver = get_resolver().namespace_dict[namespace][1]
        ours |= {f"{namespace}:{key}" for key in resolver.reverse_dict if isinstance(key, str)}
    assert ours <= covered, sorted(ours - covered)


def test_every_page_about_a_pair_says_what_a_proposed_and_a_former_mentor_get():
    """A page that "mentor" may open and "other_mentor" may not is about the
    match (or about the mentor): some row of it must have the match-stage
    columns (expect(..., stages=True) in tests/permissions.py)."""
    rows = MENTORING + PROGRAMS + SESSIONS + GOALS + RESOURCES + CONVERSATIONS
    about_the_pair = {
        row.name for row in rows if row.expected["mentor"] in (200, 302) and row.expected["other_mentor"] == 404
    }
    staged = {row.name for row in rows if "former_mentor" in row.expected and "proposed_mentor" in row.expected}
    assert about_the_pair <= staged, sorted(about_the_pair - staged)
