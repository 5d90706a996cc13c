"""Shared personas: two programs, their coordinators, two mentors and two
mentees of program A, each mentor matched with one mentee.

Two more personas stand at other stages of a match with "mentee" (the
permission matrices check them on the rows that name them):
- "proposed_mentor": "mentor" while the match is only a proposal nobody has
  answered yet (asking for this persona moves ``match`` back to proposed: a
  mentee has one open match at a time, so no second mentor can be proposed);
- "former_mentor": an earlier mentor of "mentee" whose match closed before the
  current one began (``former_match``, made on first use; "mentor" stays the
  current mentor, so a rule that mixes up two matches of one mentee shows)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from mentoring.models import Match
from tests.factories import MatchFactory, MenteeProfileFactory, MentorProfileFactory, ProgramFactory, UserFactory


@dataclass
class Personas:
    program: object
    other_program: object
    coordinator: object
    other_coordinator: object
    mentor: object
    other_mentor: object
    mentee: object
    other_mentee: object
    match: object
    other_match: object
    _former_match: object = None

    def user(self, name):
        """The user signed in as persona ``name`` (None: anonymous)."""
        if name == "anonymous":
            return None
        if name == "proposed_mentor":
            self.propose_match()
            return self.mentor
        if name == "former_mentor":
            return self.former_match.mentor.user
        return getattr(self, name)

    def propose_match(self):
        """Move ``match`` back to a proposal that neither side has answered."""
        Match.objects.filter(pk=self.match.pk).update(
            status=Match.Status.PROPOSED,
            started_at=None,
            mentor_response=Match.Response.PENDING,
            mentee_response=Match.Response.PENDING,
        )
        self.match.refresh_from_db()

    @property
    def former_match(self):
        """The mentee's earlier match, with "former_mentor", closed a month ago."""
        if self._former_match is None:
            now = timezone.now()
            self._former_match = MatchFactory(
                program=self.program,
                mentee=self.match.mentee,
                mentor__user=UserFactory(email="former.mentor@test.example", full_name="Frankie Formermentor"),
                status=Match.Status.CLOSED,
                created_at=now - timedelta(days=120),
                started_at=now - timedelta(days=120),
                ended_at=now - timedelta(days=30),
                close_reason=Match.CloseReason.MOVED,
            )
        return self._former_match


PERSONA_NAMES = [
    "anonymous",
    "coordinator",
    "other_coordinator",
    "mentor",
    "other_mentor",
    "mentee",
    "other_mentee",
]
# Checked only on the matrix rows that name them (tests/permissions.py).
MATCH_STAGE_NAMES = ["proposed_mentor", "former_mentor"]


def build_personas():
    coordinator = UserFactory(email="coordinator@test.example", full_name="Casey Coordinator")
    other_coordinator = UserFactory(email="other.coordinator@test.example", full_name="Olive Othercoord")
    program = ProgramFactory(name="Program A", coordinators=[coordinator])
    other_program = ProgramFactory(name="Program B", coordinators=[other_coordinator])
    match = MatchFactory(
        program=program,
        mentor__user=UserFactory(email="mentor@test.example", full_name="Morgan Mentor"),
        mentee__user=UserFactory(email="mentee@test.example", full_name="Mel Mentee"),
    )
    other_match = MatchFactory(
        program=program,
        mentor__user=UserFactory(email="other.mentor@test.example", full_name="Oscar Othermentor"),
        mentee__user=UserFactory(email="other.mentee@test.example", full_name="Opal Othermentee"),
    )
    # Program B has people of its own, so "other coordinator" is a real coordinator.
    MentorProfileFactory(program=other_program)
    MenteeProfileFactory(program=other_program)
    return Personas(
        program=program,
        other_program=other_program,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        mentor=match.mentor.user,
        other_mentor=other_match.mentor.user,
        mentee=match.mentee.user,
        other_mentee=other_match.mentee.user,
        match=match,
        other_match=other_match,
    )


# --- two-factor: force_login gives a session that passed the second step --------------------------

TEST_SESSION_DEVICE = "test: verified session"
_unverified_force_login = Client.force_login


def verified_force_login(client, user, backend=None):
    """Client.force_login, plus what the second step leaves in a session: a
    django-otp device of the user's stored by django_otp.login. The device is
    a static one without codes, named TEST_SESSION_DEVICE, so it never counts as
    "has two-factor" (mentoring.twofactor looks at the TOTP app) and accepts no code.

    Production keeps its rule: nothing outside the tests creates such a device.
    Tests of the second step itself sign in with ``unverified_login``."""
    _unverified_force_login(client, user, backend)
    device, _ = StaticDevice.objects.get_or_create(user=user, name=TEST_SESSION_DEVICE, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True, scope="session")
def _force_login_is_verified():
    """For the whole run (session-scoped fixtures sign people in too)."""
    Client.force_login = verified_force_login
    yield
    Client.force_login = _unverified_force_login


def unverified_login(client, user):
    """Signed in with the password only (the second step not passed yet)."""
    _unverified_force_login(client, user)
    return client


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Each test starts (and ends) in English, the default language: a request
    with Accept-Language "es" leaves Spanish active in the thread afterwards
    (LocaleMiddleware activates and never deactivates), which would otherwise
    leak into the next test's code that runs outside a request."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def personas(db):
    return build_personas()


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as user (None: anonymous)."""

    def signed_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return signed_in
