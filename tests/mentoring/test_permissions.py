"""Permission matrix of the mentoring app's URLs and Django's account pages
(machinery and rules in tests/permissions.py)."""

import pytest
from django.urls import reverse

from mentoring.insights.reports import REPORTS
from mentoring.models import Match
from mentoring.services import invitation_create
from tests.permissions import COORDINATORS, SIGNED_IN, STAGES, Row, cases, check, expect

ONLY_A = ["coordinator"]
PROGRAM_A = lambda p: [p.program.pk]  # noqa: E731
MATCH = lambda p: [p.match.pk]  # noqa: E731
FORMER_MATCH = lambda p: [p.former_match.pk]  # noqa: E731
IN_A = lambda p: {"program": p.program.pk}  # noqa: E731
IN_B = lambda p: {"program": p.other_program.pk}  # noqa: E731
TYPED = lambda p: {"mentor_q": "a"}  # noqa: E731
TYPED_IN_A = lambda p: {**IN_A(p), "mentor_q": "a"}  # noqa: E731


def _unsubscribe_token(p):
    from mentoring.notifications.channels import unsubscribe_token

    return unsubscribe_token(p.mentee.pk, "checkin_due")


def _pending_invitation(p, email="new.person@test.example"):
    """(invitation, raw token) of a fresh invitation to program A."""
    invitation, link = invitation_create(
        program=p.program,
        email=email,
        full_name="New Person",
        role="volunteer",
        invited_by=p.coordinator,
    )
    return invitation, link.rstrip("/").rsplit("/", 1)[-1]


def _dead_letter(p):
    """A dead email reminder to the mentee in program A."""
    from tests.factories import DeliveryFactory

    row = DeliveryFactory(
        recipient=p.mentee, program=p.program, channel="email", status="dead", attempts=5, last_error="550 mailbox"
    )
    return [row.pk]


def _erasable_other_mentee(p):
    """The other mentee, their match closed so that nothing blocks an erasure."""
    Match.objects.filter(pk=p.other_match.pk).update(status=Match.Status.CLOSED)
    return [p.other_mentee.pk]


MATRIX = [
    Row("mentoring:landing", expect(redirect=SIGNED_IN, anonymous=200)),
    Row("mentoring:crisis", expect(ok=SIGNED_IN, anonymous=200)),
    Row("mentoring:accessibility", expect(ok=SIGNED_IN, anonymous=200)),
    Row("mentoring:healthz", expect(ok=SIGNED_IN, anonymous=200)),
    # The language switch on every page: anyone, signed in or not (tests/mentoring/test_languages.py).
    Row(
        "mentoring:language",
        expect(redirect=SIGNED_IN, anonymous=302),
        method="post",
        data=lambda p: {"language": "es", "next": "/crisis/"},
    ),
    Row("mentoring:home", expect(redirect=SIGNED_IN)),
    Row("mentoring:home_coordinator", expect(ok=COORDINATORS)),
    # Hiding the first-steps checklist: coordinators only, their own setting.
    Row("mentoring:checklist_dismiss", expect(redirect=COORDINATORS), method="post"),
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
    Row("mentoring:report_mentors", expect(ok=COORDINATORS), args=lambda p: ["sessions"], query=TYPED),
    Row("mentoring:report_mentors", expect(ok=ONLY_A), args=lambda p: ["skills"], query=TYPED_IN_A),
    Row("mentoring:report_mentors", expect(ok=["other_coordinator"]), args=lambda p: ["goals"], query=IN_B),
    Row("mentoring:report_mentors", expect(), args=lambda p: ["no-such-report"]),
    Row("mentoring:home_mentor", expect(ok=["mentor", "other_mentor", *STAGES])),
    Row("mentoring:home_mentee", expect(ok=["mentee", "other_mentee"])),
    # A mentee's page: a mentor whose match is only proposed sees what the mentee shared for
    # matching (test_access checks what is shown); a former mentor does not open it.
    Row(
        "mentoring:person_detail",
        expect(ok=["coordinator", "mentor", "mentee", "proposed_mentor"]),
        args=lambda p: [p.mentee.pk],
    ),
    Row(
        "mentoring:person_detail",
        expect(ok=["coordinator", "mentor", "mentee", "proposed_mentor"]),  # the proposed mentor's own page
        args=lambda p: [p.mentor.pk],
    ),
    # The former mentor's page: theirs and the coordinator's; the mentee no longer opens it.
    Row(
        "mentoring:person_detail",
        expect(ok=["coordinator", "former_mentor"]),
        args=lambda p: [p.former_match.mentor.user.pk],
    ),
    Row("mentoring:person_detail", expect(ok=["other_coordinator"]), args=lambda p: [p.other_coordinator.pk]),
    Row("mentoring:person_detail", expect(), args=lambda p: [999999]),
    # People search: coordinators, over their own programs (tests/mentoring/test_contact_details.py).
    Row("mentoring:people_search", expect(ok=COORDINATORS)),
    Row("mentoring:people_search", expect(ok=COORDINATORS), query=lambda p: {"q": "Mel"}),
    # Contact details: the person and their programs' coordinators edit them; no mentor
    # (current, proposed or former), no other mentee, no other program's coordinator.
    Row("mentoring:contact_edit", expect(ok=["coordinator", "mentee"], stages=True), args=lambda p: [p.mentee.pk]),
    Row(
        "mentoring:contact_edit",
        expect(ok=["coordinator", "mentor", "proposed_mentor"]),  # the mentor's own
        args=lambda p: [p.mentor.pk],
    ),
    Row("mentoring:contact_edit", expect(ok=["other_coordinator"]), args=lambda p: [p.other_coordinator.pk]),
    Row(
        "mentoring:contact_edit",
        expect(redirect=["coordinator", "mentee"], stages=True),
        args=lambda p: [p.mentee.pk],
        method="post",
        data=lambda p: {"phone": "", "preferred_contact": "email"},
    ),
    Row(
        "mentoring:texts_stop",
        expect(redirect=["coordinator", "mentee"], stages=True),
        args=lambda p: [p.mentee.pk],
        method="post",
    ),
    # The provider's inbound texts: off (404) while SMS_INBOUND_SECRET is empty, for everyone
    # (test_contact_details covers the secret, STOP, START and YES).
    Row("mentoring:sms_inbound", expect(anonymous=404), method="post", data=lambda p: {"From": "+12015550123"}),
    Row("mentoring:invitation_list", expect(ok=COORDINATORS)),
    Row("mentoring:invitation_new", expect(ok=COORDINATORS)),
    Row("mentoring:invitation_revoke", expect(ok=["coordinator"]), args=lambda p: [_pending_invitation(p)[0].pk]),
    Row(
        "mentoring:invitation_resend",
        expect(redirect=["coordinator"]),
        args=lambda p: [_pending_invitation(p)[0].pk],
        method="post",
    ),
    # The link: anonymous visitors see it; a signed-in account it was not sent to is refused.
    Row("mentoring:invitation_accept", expect(default=403, anonymous=200), args=lambda p: [_pending_invitation(p)[1]]),
    Row(
        "mentoring:invitation_accept",
        expect(ok=["mentee"], default=403, anonymous=200),
        args=lambda p: [_pending_invitation(p, email=p.mentee.email)[1]],
    ),
    Row("mentoring:home_volunteer", expect()),  # no persona volunteers; see test_volunteer_home
    Row(
        "mentoring:profile_edit",
        expect(ok=["coordinator", "mentor", "proposed_mentor"]),
        args=lambda p: ["mentor", p.match.mentor.pk],
    ),
    Row(
        "mentoring:profile_edit",
        expect(ok=["coordinator", "mentee"], stages=True),
        args=lambda p: ["mentee", p.match.mentee.pk],
    ),
    Row("mentoring:profile_edit", expect(), args=lambda p: ["wizard", p.match.mentee.pk]),
    Row("mentoring:invitation_accept", expect(anonymous=404), args=lambda p: ["not-a-real-token"]),
    Row("mentoring:profile", expect(ok=SIGNED_IN)),
    # A person's own data: everyone their own; erasure: the person's coordinators only.
    Row("mentoring:my_data", expect(ok=SIGNED_IN)),
    Row("mentoring:my_data", expect(ok=SIGNED_IN), method="post"),
    Row("mentoring:person_erase", expect(ok=ONLY_A), args=lambda p: [p.mentee.pk]),
    Row("mentoring:person_erase", expect(ok=ONLY_A), args=lambda p: [p.mentor.pk]),
    Row("mentoring:person_erase", expect(ok=["other_coordinator"]), args=lambda p: [p.other_coordinator.pk]),
    Row("mentoring:person_erase", expect(), args=lambda p: [999999]),
    # The mentee's match is open: their coordinator is told to close it first (409), nothing changes.
    Row(
        "mentoring:person_erase",
        {**expect(), "coordinator": 409},
        args=lambda p: [p.mentee.pk],
        method="post",
        data=lambda p: {"typed_name": p.mentee.full_name},
    ),
    Row(
        "mentoring:person_erase",
        expect(redirect=ONLY_A),
        args=_erasable_other_mentee,
        method="post",
        data=lambda p: {"typed_name": p.other_mentee.full_name},
    ),
    # Matching: the program's coordinators only.
    Row("mentoring:pool", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:pool", expect(ok=["other_coordinator"]), args=lambda p: [p.other_program.pk]),
    Row("mentoring:pool_solve", expect(redirect=ONLY_A), args=PROGRAM_A, method="post"),
    Row(
        "mentoring:pool_solve",
        expect(redirect=["other_coordinator"]),
        args=lambda p: [p.other_program.pk],
        method="post",
    ),
    Row("mentoring:pool_progress", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("mentoring:pool_progress", expect(ok=["other_coordinator"]), args=lambda p: [p.other_program.pk]),
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
    # A mentee leaves the program / comes back: the program's coordinators only.
    Row("mentoring:mentee_exit", expect(ok=ONLY_A), args=lambda p: [p.match.mentee.pk]),
    Row("mentoring:mentee_reenter", expect(redirect=ONLY_A), args=lambda p: [p.match.mentee.pk], method="post"),
    # One match: its two people and the program's coordinators, from the proposal on;
    # a closed match stays with its two people (the former mentor's history).
    Row("mentoring:match_detail", expect(ok=["coordinator", "mentor", "mentee", "proposed_mentor"]), args=MATCH),
    Row("mentoring:match_detail", expect(ok=["coordinator", "mentee", "former_mentor"]), args=FORMER_MATCH),
    Row(
        "mentoring:match_respond",
        expect(redirect=["mentor", "mentee", "proposed_mentor"]),
        args=MATCH,
        method="post",
    ),
    Row(
        "mentoring:match_move",
        expect(redirect=ONLY_A),
        args=MATCH,
        method="post",
        data=lambda p: {"action": "pause"},
    ),
    Row("mentoring:match_close", expect(ok=ONLY_A), args=MATCH),
    Row("mentoring:match_survey", expect(ok=["mentor", "mentee", "proposed_mentor"]), args=MATCH),
    Row("mentoring:match_survey", expect(ok=["mentee", "former_mentor"]), args=FORMER_MATCH),
    Row("mentoring:match_graduate", expect(redirect=ONLY_A), args=MATCH, method="post"),
    # Notifications and reminder settings: everyone their own.
    Row("mentoring:notifications", expect(ok=SIGNED_IN)),
    Row("mentoring:notification_read", expect(redirect=SIGNED_IN), args=lambda p: [0], method="post"),
    # Undelivered reminders: every coordinator sees their own programs' list; retry/handled only in program A.
    Row("mentoring:undelivered", expect(ok=SIGNED_IN)),
    Row("mentoring:undelivered_retry", expect(redirect=ONLY_A), args=_dead_letter, method="post"),
    Row("mentoring:undelivered_handled", expect(redirect=ONLY_A), args=_dead_letter, method="post"),
    Row("mentoring:preferences", expect(ok=SIGNED_IN)),
    Row("mentoring:unsubscribe", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: [_unsubscribe_token(p)]),
    Row("mentoring:unsubscribe", expect(anonymous=404), args=lambda p: ["forged-token"]),
    # The read audit: coordinators see their programs' trail; everyone sees who viewed their own record.
    Row("mentoring:audit_trail", expect(ok=COORDINATORS)),
    Row("mentoring:audit_trail", expect(ok=ONLY_A), query=IN_A),
    Row("mentoring:audit_trail", expect(ok=["other_coordinator"]), query=IN_B),
    Row("mentoring:audit_trail", expect(ok=COORDINATORS), query=lambda p: {"person": p.mentee.pk}),
    Row("mentoring:who_viewed", expect(ok=SIGNED_IN)),
    # Two-factor sign-in: everyone their own (tests/mentoring/test_twofactor.py covers each step).
    # The personas' sessions passed the second step and they have no app yet: the
    # second step sends them on, there are no codes to show, nothing to regenerate
    # or turn off; set-up may start and its POST starts one.
    Row("mentoring:twofactor", expect(ok=SIGNED_IN)),
    Row("mentoring:twofactor_setup", expect(ok=SIGNED_IN)),
    Row("mentoring:twofactor_setup", expect(redirect=SIGNED_IN), method="post", data=lambda p: {"start": "1"}),
    Row("mentoring:twofactor_verify", expect(redirect=SIGNED_IN)),
    Row("mentoring:twofactor_verify", expect(redirect=SIGNED_IN), method="post", data=lambda p: {"code": "123456"}),
    Row("mentoring:twofactor_backup_codes", expect(redirect=SIGNED_IN)),
    Row("mentoring:twofactor_regenerate", expect(redirect=SIGNED_IN), method="post"),
    Row("mentoring:twofactor_disable", expect(redirect=SIGNED_IN), method="post"),
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
