"""Mentor readiness: confirmed required training, a valid background check
where the program asks for one, and the current boundaries agreement signed.

The SQL annotation (lists, matching) and the Python checklist (the mentor's
own page) must always give the same answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.models import MentorProfile
from programs.models import BackgroundCheck
from programs.readiness import checklist, readiness_of_user, ready_mentors, with_readiness
from programs.services import agreement_sign, completion_confirm, completion_mark_done
from tests.factories import (
    BackgroundCheckFactory,
    MentorProfileFactory,
    PolicyDocumentFactory,
    ProgramFactory,
    TrainingModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _mentor(program, name="Rowan Ready"):
    return MentorProfileFactory(program=program, user=UserFactory(full_name=name))


def _confirm_all(mentor, coordinator=None):
    for module in mentor.program.training_modules.filter(is_archived=False):
        completion_confirm(mentor=mentor, module=module, confirmed_by=coordinator)


def _clear_check(mentor, **fields):
    return BackgroundCheckFactory(mentor=mentor, **fields)


def _sign_current(mentor):
    document = mentor.program.documents.filter(kind="boundaries").order_by("-version").first()
    return agreement_sign(mentor=mentor, document=document, typed_name=mentor.user.full_name)


def _annotated(mentor):
    return with_readiness(MentorProfile.objects.filter(pk=mentor.pk)).get()


def _assert_ready_is(mentor, expected):
    """Every view of the rule gives the expected answer: the SQL annotation, the
    checklist, and the mentor home's readiness_of_user (is_ready in Python)."""
    row = _annotated(mentor)
    steps = checklist(mentor)
    assert row.is_ready is expected
    assert steps.is_ready is expected
    assert row.check_ok is steps.check_ok
    assert row.agreement_ok is steps.agreement_ok
    assert (row.confirmed_modules >= row.required_modules) is steps.modules_ok
    own = {profile.pk: profile for profile in readiness_of_user(mentor.user)}[mentor.pk]
    assert own.is_ready is expected
    figures = ("required_modules", "confirmed_modules", "check_ok", "agreement_ok")
    assert [getattr(own, name) for name in figures] == [getattr(row, name) for name in figures]
    return row


@pytest.fixture
def program():
    """A program with two required modules, one optional, one archived, and a
    boundaries agreement; a background check is required."""
    program = ProgramFactory(background_check_required=True)
    TrainingModuleFactory(program=program, title="Boundaries basics", position=1)
    TrainingModuleFactory(program=program, title="Crisis response", position=2)
    TrainingModuleFactory(program=program, title="Extra reading", required=False, position=3)
    TrainingModuleFactory(program=program, title="Old module", is_archived=True, position=4)
    PolicyDocumentFactory(program=program, body="Version one of the agreement.")
    return program


@pytest.fixture
def ready_mentor(program):
    mentor = _mentor(program)
    _confirm_all(mentor)
    _clear_check(mentor)
    _sign_current(mentor)
    return mentor


# --- the rule, scenario by scenario -------------------------------------------


def test_a_mentor_with_every_step_done_is_ready(ready_mentor):
    row = _assert_ready_is(ready_mentor, True)
    # Optional and archived modules are not counted as required.
    assert (row.required_modules, row.confirmed_modules) == (2, 2)
    assert row.check_ok and row.agreement_ok


def test_a_brand_new_mentor_is_not_ready(program):
    mentor = _mentor(program)
    row = _assert_ready_is(mentor, False)
    assert (row.required_modules, row.confirmed_modules, row.check_ok, row.agreement_ok) == (2, 0, False, False)


def test_a_required_module_marked_done_but_not_confirmed_does_not_count(program):
    mentor = _mentor(program)
    _clear_check(mentor)
    _sign_current(mentor)
    first, second = program.training_modules.filter(required=True, is_archived=False).order_by("position")
    completion_confirm(mentor=mentor, module=first, confirmed_by=None)
    completion_mark_done(mentor=mentor, module=second)
    row = _assert_ready_is(mentor, False)
    assert (row.required_modules, row.confirmed_modules) == (2, 1)
    states = {step.module.title: step.state for step in checklist(mentor).modules}
    assert states == {
        "Boundaries basics": "confirmed",
        "Crisis response": "waiting",
        "Extra reading": "todo",
    }


def test_optional_and_archived_modules_are_not_needed(program):
    mentor = _mentor(program)
    _clear_check(mentor)
    _sign_current(mentor)
    for module in program.training_modules.filter(required=True, is_archived=False):
        completion_confirm(mentor=mentor, module=module, confirmed_by=None)
    # Neither the optional module nor the archived one is done.
    assert not mentor.completions.filter(module__required=False).exists()
    assert not mentor.completions.filter(module__is_archived=True).exists()
    _assert_ready_is(mentor, True)


def test_a_confirmed_archived_module_does_not_stand_in_for_a_required_one(program):
    mentor = _mentor(program)
    _clear_check(mentor)
    _sign_current(mentor)
    archived = program.training_modules.get(is_archived=True)
    optional = program.training_modules.get(required=False)
    first = program.training_modules.get(title="Boundaries basics")
    for module in (archived, optional, first):
        completion_confirm(mentor=mentor, module=module, confirmed_by=None)
    row = _assert_ready_is(mentor, False)
    assert (row.required_modules, row.confirmed_modules) == (2, 1)


def test_a_new_required_module_makes_a_ready_mentor_not_ready(ready_mentor):
    module = TrainingModuleFactory(program=ready_mentor.program, title="New safety module")
    _assert_ready_is(ready_mentor, False)
    completion_confirm(mentor=ready_mentor, module=module, confirmed_by=None)
    _assert_ready_is(ready_mentor, True)


def test_archiving_an_unfinished_required_module_makes_the_mentor_ready(program):
    mentor = _mentor(program)
    _clear_check(mentor)
    _sign_current(mentor)
    completion_confirm(mentor=mentor, module=program.training_modules.get(title="Boundaries basics"), confirmed_by=None)
    _assert_ready_is(mentor, False)
    program.training_modules.filter(title="Crisis response").update(is_archived=True)
    _assert_ready_is(mentor, True)


@pytest.mark.parametrize(
    "check_fields",
    [
        pytest.param({"expires_on": -1}, id="cleared-but-expired"),
        pytest.param({"status": BackgroundCheck.Status.PENDING, "checked_on": None}, id="pending"),
        pytest.param({"status": BackgroundCheck.Status.NOT_CLEARED}, id="not-cleared"),
        pytest.param({"status": BackgroundCheck.Status.NOT_REQUIRED}, id="marked-not-required"),
    ],
)
def test_a_background_check_that_is_not_valid_blocks(program, check_fields):
    mentor = _mentor(program)
    _confirm_all(mentor)
    _sign_current(mentor)
    if "expires_on" in check_fields:
        check_fields = {"expires_on": TODAY() + timedelta(days=check_fields["expires_on"])}
    _clear_check(mentor, **check_fields)
    row = _assert_ready_is(mentor, False)
    assert row.check_ok is False


def test_no_background_check_at_all_blocks_when_required(program):
    mentor = _mentor(program)
    _confirm_all(mentor)
    _sign_current(mentor)
    row = _assert_ready_is(mentor, False)
    assert row.check_ok is False


@pytest.mark.parametrize(
    "days_left",
    [
        pytest.param(None, id="no-expiry"),
        pytest.param(0, id="expires-today"),
        pytest.param(365, id="expires-next-year"),
    ],
)
def test_a_cleared_check_that_has_not_expired_is_ok(program, days_left):
    mentor = _mentor(program)
    _confirm_all(mentor)
    _sign_current(mentor)
    _clear_check(mentor, expires_on=None if days_left is None else TODAY() + timedelta(days=days_left))
    row = _assert_ready_is(mentor, True)
    assert row.check_ok is True


@pytest.mark.parametrize("status", [None, *BackgroundCheck.Status.values])
def test_no_check_is_needed_when_the_program_does_not_require_one(program, status):
    program.background_check_required = False
    program.save()
    mentor = _mentor(program)
    _confirm_all(mentor)
    _sign_current(mentor)
    if status:
        _clear_check(mentor, status=status, expires_on=TODAY() - timedelta(days=400))
    row = _assert_ready_is(mentor, True)
    assert row.check_ok is True


def test_a_new_agreement_version_must_be_signed_again(ready_mentor):
    _assert_ready_is(ready_mentor, True)
    PolicyDocumentFactory(program=ready_mentor.program, body="Version two of the agreement.")
    row = _assert_ready_is(ready_mentor, False)
    assert row.agreement_ok is False
    assert ready_mentor.signatures.count() == 1  # the v1 signature is kept
    signature = _sign_current(ready_mentor)
    assert signature.document.version == 2
    _assert_ready_is(ready_mentor, True)


def test_signing_an_agreement_of_another_program_does_not_count(program):
    mentor = _mentor(program)
    _confirm_all(mentor)
    _clear_check(mentor)
    other_document = PolicyDocumentFactory(program=ProgramFactory())
    mentor.signatures.create(document=other_document, typed_name=mentor.user.full_name)
    row = _assert_ready_is(mentor, False)
    assert row.agreement_ok is False


def test_no_agreement_published_means_nothing_to_sign(program):
    program.documents.all().delete()
    mentor = _mentor(program)
    _confirm_all(mentor)
    _clear_check(mentor)
    row = _assert_ready_is(mentor, True)
    assert row.agreement_ok is True


def test_a_program_without_training_modules_needs_none(program):
    program.training_modules.all().delete()
    mentor = _mentor(program)
    _clear_check(mentor)
    _sign_current(mentor)
    row = _assert_ready_is(mentor, True)
    assert (row.required_modules, row.confirmed_modules) == (0, 0)


def test_another_mentors_progress_does_not_count_for_this_one(ready_mentor):
    newcomer = _mentor(ready_mentor.program, name="Nico Newcomer")
    row = _assert_ready_is(newcomer, False)
    assert (row.confirmed_modules, row.check_ok, row.agreement_ok) == (0, False, False)


def test_a_mentor_in_another_program_is_judged_by_that_programs_rules(ready_mentor):
    other_program = ProgramFactory(background_check_required=False)
    TrainingModuleFactory(program=other_program)
    # Same person, second program: nothing done there yet.
    elsewhere = MentorProfileFactory(program=other_program, user=ready_mentor.user)
    row = _assert_ready_is(elsewhere, False)
    assert (row.required_modules, row.confirmed_modules, row.check_ok, row.agreement_ok) == (1, 0, True, True)


# --- lists -----------------------------------------------------------------------


def _mixed_roster(program, coordinator=None):
    """Mentors in every state; returns (ready, not_ready)."""
    ready = []
    for name in ("Ada Ready", "Bo Ready"):
        mentor = _mentor(program, name)
        _confirm_all(mentor, coordinator)
        _clear_check(mentor)
        _sign_current(mentor)
        ready.append(mentor)
    untrained = _mentor(program, "Cy Untrained")
    _clear_check(untrained)
    _sign_current(untrained)
    expired = _mentor(program, "Di Expired")
    _confirm_all(expired)
    _clear_check(expired, expires_on=TODAY() - timedelta(days=2))
    _sign_current(expired)
    unsigned = _mentor(program, "Ed Unsigned")
    _confirm_all(unsigned)
    _clear_check(unsigned)
    return ready, [untrained, expired, unsigned]


def test_ready_mentors_returns_exactly_the_ready_ones(program):
    ready, not_ready = _mixed_roster(program)
    MentorProfileFactory()  # someone in another program, not ready there
    in_program = MentorProfile.objects.filter(program=program)
    assert set(ready_mentors(in_program)) == set(ready)
    assert set(with_readiness(in_program).filter(is_ready=False)) == set(not_ready)


def test_annotation_and_checklist_agree_for_every_mentor(program):
    _mixed_roster(program)
    rows = list(with_readiness(MentorProfile.objects.all()))
    assert len(rows) == 5
    for row in rows:
        steps = checklist(row)
        assert (row.is_ready, row.check_ok, row.agreement_ok) == (steps.is_ready, steps.check_ok, steps.agreement_ok)


def _add_mentors(program, n):
    """Mentors in assorted states: every second one misses a module, every
    third a valid check, every fourth the signature."""
    start = MentorProfile.objects.filter(program=program).count()
    for i in range(start, start + n):
        mentor = _mentor(program, f"Mentor {i}")
        modules = program.training_modules.filter(is_archived=False).order_by("position")
        for module in modules if i % 2 == 0 else modules[:1]:
            completion_confirm(mentor=mentor, module=module, confirmed_by=None)
        if i % 3 != 1:
            _clear_check(mentor)
        if i % 4 != 3:
            _sign_current(mentor)


def test_with_readiness_is_one_query_however_many_mentors(program, django_assert_num_queries):
    _add_mentors(program, 3)
    with django_assert_num_queries(1):
        small = list(with_readiness(MentorProfile.objects.filter(program=program)))
    _add_mentors(program, 9)
    with django_assert_num_queries(1):
        large = list(with_readiness(MentorProfile.objects.filter(program=program)))
    assert (len(small), len(large)) == (3, 12)
    expected = {row.pk for row in large if row.is_ready}
    assert expected  # the roster has ready mentors and others
    assert len(expected) < len(large)
    with django_assert_num_queries(1):
        assert {m.pk for m in ready_mentors(MentorProfile.objects.filter(program=program))} == expected
