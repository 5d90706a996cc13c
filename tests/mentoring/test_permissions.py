"""Permission matrix of the mentoring app's URLs and Django's account pages
(machinery and rules in tests/permissions.py)."""

import pytest
from django.urls import reverse

from mentoring.reports import REPORTS
from mentoring.services import invitation_create
from tests.permissions import COORDINATORS, SIGNED_IN, Row, cases, check, expect

ONLY_A = ["coordinator"]
PROGRAM_A = lambda p: [p.program.pk]  # noqa: E731
MATCH = lambda p: [p.match.pk]  # noqa: E731
IN_A = lambda p: {"program": p.program.pk}  # noqa: E731
IN_B = lambda p: {"program": p.other_program.pk}  # noqa: E731


def _unsubscribe_token(p):
    from mentoring.notifications.channels import unsubscribe_token

    return unsubscribe_token(p.mentee.pk, "checkin_due")


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


MATRIX = [
    Row("mentoring:landing", expect(redirect=SIGNED_IN, anonymous=200)),
    Row("mentoring:crisis", expect(ok=SIGNED_IN, anonymous=200)),
    Row("mentoring:healthz", expect(ok=SIGNED_IN, anonymous=200)),
    Row("mentoring:home", expect(redirect=SIGNED_IN)),
    Row("mentoring:home_coordinator", expect(ok=COORDINATORS)),
    # Dashboard, needs attention and reports: a coordinator sees only their programs.
    Row("mentoring:home_coordinator", expect(ok=ONLY_A), query=IN_A),
    Row("mentoring:home_coordinator", expect(ok=["other_coordinator"]), query=IN_B),
    Row("mentoring:attention", expect(ok=COORDINATORS)),
    Row("mentoring:attention", expect(ok=ONLY_A), query=IN_A),
    Row("mentoring:attention", expect(ok=["other_coordinator"]), query=IN_B),
    Row("mentoring:reports", expect(ok=COORDINATORS)),
    *[Row("mentoring:report", expect(ok=COORDINATORS), args=lambda p, slug=slug: [slug]) for slug in REPORTS],
    Row("mentoring:report", expect(ok=ONLY_A), args=lambda p: ["sessions"], query=IN_A),
    Row("mentoring:report", expect(ok=["other_coordinator"]), args=lambda p: ["goals"], query=IN_B),
    Row("mentoring:report", expect(), args=lambda p: ["no-such-report"]),
    Row("mentoring:report_export", expect(ok=COORDINATORS), args=lambda p: ["matches"]),
    Row("mentoring:report_export", expect(ok=ONLY_A), args=lambda p: ["checkins"], query=IN_A),
    Row("mentoring:report_export", expect(ok=["other_coordinator"]), args=lambda p: ["referrals"], query=IN_B),
    Row("mentoring:home_mentor", expect(ok=["mentor", "other_mentor"])),
    Row("mentoring:home_mentee", expect(ok=["mentee", "other_mentee"])),
    Row("mentoring:person_detail", expect(ok=["coordinator", "mentor", "mentee"]), args=lambda p: [p.mentee.pk]),
    Row("mentoring:person_detail", expect(ok=["coordinator", "mentor", "mentee"]), args=lambda p: [p.mentor.pk]),
    Row("mentoring:person_detail", expect(ok=["other_coordinator"]), args=lambda p: [p.other_coordinator.pk]),
    Row("mentoring:person_detail", expect(), args=lambda p: [999999]),
    Row("mentoring:invitation_list", expect(ok=COORDINATORS)),
    Row("mentoring:invitation_new", expect(ok=COORDINATORS)),
    Row("mentoring:invitation_revoke", expect(ok=["coordinator"]), args=lambda p: [_pending_invitation(p)[0].pk]),
    Row("mentoring:invitation_accept", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: [_pending_invitation(p)[1]]),
    Row("mentoring:home_volunteer", expect()),  # no persona volunteers; see test_volunteer_home
    Row("mentoring:profile_edit", expect(ok=["coordinator", "mentor"]), args=lambda p: ["mentor", p.match.mentor.pk]),
    Row("mentoring:profile_edit", expect(ok=["coordinator", "mentee"]), args=lambda p: ["mentee", p.match.mentee.pk]),
    Row("mentoring:profile_edit", expect(), args=lambda p: ["wizard", p.match.mentee.pk]),
    Row("mentoring:invitation_accept", expect(anonymous=404), args=lambda p: ["not-a-real-token"]),
    Row("mentoring:profile", expect(ok=SIGNED_IN)),
    # Matching: the program's coordinators only.
    Row("mentoring:pool", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:pool", expect(ok=["other_coordinator"]), args=lambda p: [p.other_program.pk]),
    Row("mentoring:matching_settings", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:match_list", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:caseload", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:waiting", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:suggestions", expect(ok=ONLY_A), args=lambda p: [p.match.mentee.pk]),
    Row(
        "mentoring:propose",
        expect(redirect=ONLY_A),
        args=lambda p: [p.match.mentee.pk],
        method="post",
        data=lambda p: {"mentor": p.other_match.mentor.pk},
    ),
    # One match: its two people and the program's coordinators.
    Row("mentoring:match_detail", expect(ok=["coordinator", "mentor", "mentee"]), args=MATCH),
    Row("mentoring:match_respond", expect(redirect=["mentor", "mentee"]), args=MATCH, method="post"),
    Row(
        "mentoring:match_move",
        expect(redirect=ONLY_A),
        args=MATCH,
        method="post",
        data=lambda p: {"action": "pause"},
    ),
    Row("mentoring:match_close", expect(ok=ONLY_A), args=MATCH),
    Row("mentoring:match_survey", expect(ok=["mentor", "mentee"]), args=MATCH),
    Row("mentoring:match_graduate", expect(redirect=ONLY_A), args=MATCH, method="post"),
    # Notifications and reminder settings: everyone their own.
    Row("mentoring:notifications", expect(ok=SIGNED_IN)),
    Row("mentoring:notification_read", expect(redirect=SIGNED_IN), args=lambda p: [0], method="post"),
    Row("mentoring:preferences", expect(ok=SIGNED_IN)),
    Row("mentoring:unsubscribe", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: [_unsubscribe_token(p)]),
    Row("mentoring:unsubscribe", expect(anonymous=404), args=lambda p: ["forged-token"]),
    Row("login", expect(redirect=SIGNED_IN, anonymous=200)),
    Row("logout", expect(default=405, anonymous=405)),
    Row("password_change", expect(ok=SIGNED_IN)),
    Row("password_change_done", expect(ok=SIGNED_IN)),
    Row("password_reset", expect(ok=SIGNED_IN, anonymous=200)),
    Row("password_reset_done", expect(ok=SIGNED_IN, anonymous=200)),
    Row("password_reset_confirm", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: ["MQ", "bad-token"]),
    Row("password_reset_complete", expect(ok=SIGNED_IN, anonymous=200)),
]


@pytest.mark.parametrize("row, persona, expected", cases(MATRIX))
def test_permission_matrix(row, persona, expected, personas, client_for):
    check(MATRIX[row], persona, expected, personas, client_for(personas.user(persona)))


def test_logout_by_post_signs_out(personas, client_for):
    client = client_for(personas.mentor)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("mentoring:profile")).status_code == 302


def test_volunteer_home_is_for_volunteers(personas, client_for):
    from mentoring.models import VolunteerProfile

    VolunteerProfile.objects.create(user=personas.other_mentee, program=personas.program)
    assert client_for(personas.other_mentee).get(reverse("mentoring:home_volunteer")).status_code == 200
