"""Permission matrix of the programs app (machinery in tests/permissions.py).

Program A is coordinated by "coordinator"; "other_coordinator" runs program B
and must find nothing of A. Mentors see their own readiness only; mentees their
own intake and consents. The match-stage personas: "proposed_mentor" is
"mentor" (their own readiness), "former_mentor" another mentor."""

from datetime import time

import pytest

from programs.models import (
    Application,
    ConsentRecord,
    ExperienceArea,
    OnCallShift,
    PolicyDocument,
    Story,
    TrainingModule,
)
from programs.stories import story_consent_sign, story_publish, story_submit
from tests.permissions import COORDINATORS, SIGNED_IN, Row, cases, check, expect

ONLY_A = ["coordinator"]


def _module(p):
    return TrainingModule.objects.get_or_create(program=p.program, title="Boundaries and self-care")[0]


def _application(p):
    return Application.objects.create(
        program=p.program, kind=Application.Kind.MENTEE, full_name="Ada Applicant", email="ada@test.example"
    )


def _area(p):
    return ExperienceArea.objects.get_or_create(program=p.program, name="Gambling")[0]


def _shift(p):
    return OnCallShift.objects.create(
        program=p.program, person=p.coordinator, weekday=0, starts_at=time(18), ends_at=time(8)
    )


def _consent(p):
    return ConsentRecord.objects.create(
        program=p.program, person=p.mentee, kind=ConsentRecord.Kind.CONTACT, statement="You may contact me."
    )


def _agreement(p):
    return PolicyDocument.objects.create(
        program=p.program, kind=PolicyDocument.Kind.BOUNDARIES, version=1, body="I keep boundaries."
    )


def _story(p, status="in_review"):
    """A story by "mentee" in program A: a draft, with the coordinators, or published (with consent)."""
    story = Story.objects.create(
        program=p.program, author=p.mentee, title="Tuesdays", body="Walking helped.", display_name="Mel"
    )
    if status == "draft":
        return story
    story_submit(story=story)
    if status == "published":
        story_consent_sign(story=story, person=p.mentee, typed_name="Mel Mentee")
        story_publish(story=story, by=p.coordinator)
    return story


def _public_program(p, enabled=True):
    p.program.public_page_enabled = enabled
    p.program.save(update_fields=["public_page_enabled"])
    return p.program


STORY = lambda p: [_story(p).pk]  # noqa: E731
DRAFT = lambda p: [_story(p, "draft").pk]  # noqa: E731
PUBLISHED = lambda p: [_story(p, "published").pk]  # noqa: E731
# Signed-in people who write stories (mentors and mentees); coordinators without a profile do not.
AUTHORS = ["mentor", "other_mentor", "mentee", "other_mentee"]
EVERYONE = [*SIGNED_IN]

MENTOR = lambda p: [p.match.mentor.pk]  # noqa: E731
MENTEE = lambda p: [p.match.mentee.pk]  # noqa: E731

MATRIX = [
    # Public pages.
    Row("programs:apply", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: ["mentor"]),
    Row("programs:apply", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: ["mentee"]),
    Row("programs:apply", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: ["volunteer"]),
    Row("programs:apply", expect(anonymous=404), args=lambda p: ["wizard"]),
    Row("programs:apply_thanks", expect(ok=SIGNED_IN, anonymous=200)),
    # The public program page and its published stories: everyone, only while published.
    Row(
        "programs:public_page",
        expect(ok=EVERYONE, anonymous=200),
        args=lambda p: [_public_program(p).slug],
    ),
    Row("programs:public_page", expect(anonymous=404), args=lambda p: [_public_program(p, False).slug]),
    Row(
        "programs:public_story",
        expect(ok=EVERYONE, anonymous=200),
        args=lambda p: [_public_program(p).slug, _story(p, "published").pk],
    ),
    Row(
        "programs:public_story",
        expect(anonymous=404),
        args=lambda p: [_public_program(p).slug, _story(p).pk],
    ),
    Row(
        "programs:public_story",
        expect(anonymous=404),
        args=lambda p: [_public_program(p, False).slug, _story(p, "published").pk],
    ),
    # Stories: the author ("mentee") and the program's coordinators; nobody else, whatever the status.
    Row("programs:my_stories", expect(ok=AUTHORS)),
    Row("programs:story_new", expect(ok=AUTHORS)),
    Row("programs:story_detail", expect(ok=["coordinator", "mentee"], stages=True), args=DRAFT),
    Row("programs:story_detail", expect(ok=["coordinator", "mentee"], stages=True), args=PUBLISHED),
    Row("programs:story_edit", expect(ok=["coordinator", "mentee"], stages=True), args=STORY),
    Row("programs:story_edit", expect(ok=["mentee"], stages=True), args=DRAFT),
    Row("programs:story_consent", expect(ok=["mentee"], stages=True), args=STORY),
    Row("programs:story_withdraw", expect(ok=["mentee"], stages=True), args=PUBLISHED),
    Row("programs:story_withdraw", expect(redirect=["mentee"], stages=True), args=PUBLISHED, method="post"),
    Row("programs:story_delete", expect(ok=["mentee"], stages=True), args=STORY),
    Row("programs:story_delete", expect(redirect=["mentee"], stages=True), args=STORY, method="post"),
    Row("programs:story_submit", expect(redirect=["mentee"], stages=True), args=DRAFT, method="post"),
    Row("programs:story_ask", expect(redirect=ONLY_A, stages=True), args=STORY, method="post"),
    Row("programs:story_publish", expect(redirect=ONLY_A, stages=True), args=STORY, method="post"),
    Row("programs:story_unpublish", expect(redirect=ONLY_A, stages=True), args=PUBLISHED, method="post"),
    Row("programs:story_list", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("programs:public_page_settings", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row(
        "programs:public_page_settings",
        expect(redirect=ONLY_A),
        args=lambda p: [p.program.pk],
        method="post",
        data=lambda p: {"public_page_enabled": "on", "public_intro": "Welcome."},
    ),
    # Programs and their setup.
    Row("programs:list", expect(ok=COORDINATORS)),
    Row("programs:new", expect(ok=COORDINATORS)),
    Row("programs:detail", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("programs:detail", expect(ok=["other_coordinator"]), args=lambda p: [p.other_program.pk]),
    Row("programs:edit", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("programs:archive", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("programs:areas", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row(
        "programs:area_toggle",
        expect(redirect=ONLY_A),
        args=lambda p: [p.program.pk, _area(p).pk],
        method="post",
    ),
    Row("programs:on_call", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row(
        "programs:on_call",
        expect(ok=ONLY_A),
        args=lambda p: [p.program.pk],
        method="post",
        data=lambda p: {"form": "settings", "on_call_fallback": "", "escalate_after_minutes": "0"},
    ),
    Row("programs:on_call_remove", expect(ok=ONLY_A), args=lambda p: [p.program.pk, _shift(p).pk]),
    Row(
        "programs:on_call_remove",
        expect(redirect=ONLY_A),
        args=lambda p: [p.program.pk, _shift(p).pk],
        method="post",
    ),
    Row("programs:documents", expect(ok=ONLY_A), args=lambda p: [p.program.pk, "boundaries"]),
    Row("programs:documents", expect(ok=ONLY_A), args=lambda p: [p.program.pk, "privacy"]),
    Row("programs:documents", expect(), args=lambda p: [p.program.pk, "contract"]),
    Row("programs:training", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("programs:training_edit", expect(ok=ONLY_A), args=lambda p: [p.program.pk, _module(p).pk]),
    # Applications: coordinators of the program only (internal notes live here).
    Row("programs:applications", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("programs:application_detail", expect(ok=ONLY_A), args=lambda p: [_application(p).pk]),
    # Readiness: the mentor and the program's coordinators; not the mentee.
    Row("programs:mentor_readiness", expect(ok=["coordinator", "mentor", "proposed_mentor"]), args=MENTOR),
    Row(
        "programs:module_done",
        expect(redirect=["mentor", "proposed_mentor"]),
        args=lambda p: [p.match.mentor.pk, _module(p).pk],
        method="post",
    ),
    Row(
        "programs:module_confirm",
        expect(redirect=ONLY_A),
        args=lambda p: [p.match.mentor.pk, _module(p).pk],
        method="post",
    ),
    Row(
        "programs:agreement_sign",
        expect(redirect=["mentor", "proposed_mentor"]),
        args=MENTOR,
        method="post",
        data=lambda p: {"document": _agreement(p).pk, "agree": "on", "typed_name": p.mentor.full_name},
    ),
    Row(
        "programs:background_check",
        expect(redirect=ONLY_A),
        args=MENTOR,
        method="post",
        data=lambda p: {"status": "pending"},
    ),
    # Intake and consent: the mentee and the program's coordinators; not the mentor.
    Row("programs:mentee_intake", expect(ok=["coordinator", "mentee"], stages=True), args=MENTEE),
    Row("programs:consent_new", expect(ok=ONLY_A, stages=True), args=MENTEE),
    Row("programs:consent_revoke", expect(ok=["coordinator", "mentee"], stages=True), args=lambda p: [_consent(p).pk]),
]


@pytest.mark.parametrize("row, persona, expected", cases(MATRIX))
def test_permission_matrix(row, persona, expected, personas, client_for):
    check(MATRIX[row], persona, expected, personas, client_for(personas.user(persona)))
