"""Shared personas: two programs, their coordinators, two mentors and two
mentees of program A, each mentor matched with one mentee."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

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

    def user(self, name):
        return None if name == "anonymous" else getattr(self, name)


PERSONA_NAMES = [
    "anonymous",
    "coordinator",
    "other_coordinator",
    "mentor",
    "other_mentor",
    "mentee",
    "other_mentee",
]


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
