"""Permission matrix: every URL x every persona.

Each row names a URL and, per persona, the expected status. Signed-in
outsiders get 404 (never a hint that the row exists); anonymous visitors of
private pages are sent to sign in. A final test fails when a URL exists that
no row covers, so every new page must join the matrix."""

import pytest
from django.urls import get_resolver, reverse

from mentoring.services import invitation_create
from tests.conftest import PERSONA_NAMES

LOGIN = "login"
SIGNED_IN = ["coordinator", "other_coordinator", "mentor", "other_mentor", "mentee", "other_mentee"]


def expect(ok=(), redirect=(), anonymous=LOGIN, default=404):
    """Build {persona: expected}: 200 for ok, 302 for redirect, the rest default."""
    table = {name: default for name in SIGNED_IN}
    table.update({name: 200 for name in ok})
    table.update({name: 302 for name in redirect})
    table["anonymous"] = anonymous
    return table


def _pending_invitation(p):
    """(invitation, raw token) of a fresh invitation to program A."""
    invitation, link = invitation_create(
        program=p.program,
        email="new.person@test.example",
        full_name="New Person",
        role="mentee",
        invited_by=p.coordinator,
    )
    return invitation, link.rstrip("/").rsplit("/", 1)[-1]


COORDINATORS = ["coordinator", "other_coordinator"]

# (url name, how to build its args from personas, expected per persona)
MATRIX = [
    ("mentoring:landing", None, expect(redirect=SIGNED_IN, anonymous=200)),
    ("mentoring:crisis", None, expect(ok=SIGNED_IN, anonymous=200)),
    ("mentoring:healthz", None, expect(ok=SIGNED_IN, anonymous=200)),
    ("mentoring:home", None, expect(redirect=SIGNED_IN)),
    ("mentoring:home_coordinator", None, expect(ok=COORDINATORS)),
    ("mentoring:home_mentor", None, expect(ok=["mentor", "other_mentor"])),
    ("mentoring:home_mentee", None, expect(ok=["mentee", "other_mentee"])),
    ("mentoring:person_detail", lambda p: [p.mentee.pk], expect(ok=["coordinator", "mentor", "mentee"])),
    ("mentoring:person_detail", lambda p: [p.mentor.pk], expect(ok=["coordinator", "mentor", "mentee"])),
    ("mentoring:person_detail", lambda p: [p.other_coordinator.pk], expect(ok=["other_coordinator"])),
    ("mentoring:person_detail", lambda p: [999999], expect()),
    ("mentoring:invitation_list", None, expect(ok=COORDINATORS)),
    ("mentoring:invitation_new", None, expect(ok=COORDINATORS)),
    ("mentoring:invitation_revoke", lambda p: [_pending_invitation(p)[0].pk], expect(ok=["coordinator"])),
    ("mentoring:invitation_accept", lambda p: [_pending_invitation(p)[1]], expect(ok=SIGNED_IN, anonymous=200)),
    ("mentoring:invitation_accept", lambda p: ["not-a-real-token"], expect(anonymous=404)),
    ("mentoring:profile", None, expect(ok=SIGNED_IN)),
    ("programs:detail", lambda p: [p.program.pk], expect(ok=["coordinator"])),
    ("programs:detail", lambda p: [p.other_program.pk], expect(ok=["other_coordinator"])),
    ("login", None, expect(redirect=SIGNED_IN, anonymous=200)),
    ("logout", None, expect(default=405, anonymous=405)),
    ("password_change", None, expect(ok=SIGNED_IN)),
    ("password_change_done", None, expect(ok=SIGNED_IN)),
    ("password_reset", None, expect(ok=SIGNED_IN, anonymous=200)),
    ("password_reset_done", None, expect(ok=SIGNED_IN, anonymous=200)),
    ("password_reset_confirm", lambda p: ["MQ", "bad-token"], expect(ok=SIGNED_IN, anonymous=200)),
    ("password_reset_complete", None, expect(ok=SIGNED_IN, anonymous=200)),
]


def _cases():
    for index, (name, _args, table) in enumerate(MATRIX):
        for persona in PERSONA_NAMES:
            yield pytest.param(index, persona, table[persona], id=f"{name}[{index}]-{persona}")


@pytest.mark.parametrize("row, persona, expected", list(_cases()))
def test_permission_matrix(row, persona, expected, personas, client_for):
    name, build_args, _ = MATRIX[row]
    url = reverse(name, args=build_args(personas) if build_args else None)
    response = client_for(personas.user(persona)).get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, f"{persona} on {url}"


def test_matrix_covers_every_url_of_the_apps():
    """A page added without a matrix row fails here."""
    covered = {name for name, _, _ in MATRIX}
    ours = set()
    for namespace in ("mentoring", "programs"):
        resolver = get_resolver().namespace_dict[namespace][1]
        ours |= {f"{namespace}:{key}" for key in resolver.reverse_dict if isinstance(key, str)}
    accounts = {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
    assert ours | accounts <= covered, sorted((ours | accounts) - covered)


def test_logout_by_post_signs_out(personas, client_for):
    client = client_for(personas.mentor)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("mentoring:profile")).status_code == 302
