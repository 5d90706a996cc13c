"""The life of a match in the database: proposing (every hard filter enforced
in the service), answering, pausing, closing, reopening, the closing survey,
the invitation to mentor after graduating, approving a whole pool, and what
`load_pool` reads from the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.matching.loading import load_pair, load_pool
from mentoring.models import Invitation, Match, MatchSurvey
from mentoring.services import (
    graduation_invite,
    match_close,
    match_move,
    match_propose,
    match_reopen,
    match_respond,
    pool_approve,
    survey_submit,
)
from programs.services import agreement_sign, completion_confirm
from tests.factories import (
    BackgroundCheckFactory,
    ExperienceAreaFactory,
    MatchableMenteeFactory,
    MatchableMentorFactory,
    MatchFactory,
    MentorProfileFactory,
    PolicyDocumentFactory,
    ProgramFactory,
    TrainingModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(personas):
    """Program A, where every mentor is ready (no training, no agreement, no
    background check) and the personas pass the default must-criteria."""
    program = personas.program
    program.background_check_required = False
    program.save(update_fields=["background_check_required"])
    for match in (personas.match, personas.other_match):
        match.mentor.languages, match.mentor.recovery_months = ["en"], 24
        match.mentor.save()
        match.mentee.languages = ["en"]
        match.mentee.save()
    return program


def propose(program, by, *, mentor=None, mentee=None):
    return match_propose(
        mentor=mentor or MatchableMentorFactory(program=program),
        mentee=mentee or MatchableMenteeFactory(program=program),
        proposed_by=by,
    )


def refresh(match):
    match.refresh_from_db()
    return match


# --- proposing ------------------------------------------------------------------------


def test_propose_creates_a_proposed_match_with_its_score(program, personas):
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    match = match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    assert (match.status, match.program, match.proposed_by) == (Match.Status.PROPOSED, program, personas.coordinator)
    assert match.started_at is None
    assert (match.mentor_response, match.mentee_response) == (Match.Response.PENDING, Match.Response.PENDING)
    assert 0 < match.score <= 100


def test_propose_refuses_a_mentor_without_a_cleared_background_check(personas):
    program = ProgramFactory(background_check_required=True)
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    with pytest.raises(ValidationError, match="not ready"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    assert not Match.objects.filter(mentee=mentee).exists()
    BackgroundCheckFactory(mentor=mentor)
    assert match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator).pk


def test_propose_refuses_a_mentor_with_an_expired_background_check(personas):
    program = ProgramFactory(background_check_required=True)
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    BackgroundCheckFactory(mentor=mentor, expires_on=timezone.localdate().replace(year=2000))
    with pytest.raises(ValidationError, match="not ready"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)


def test_propose_refuses_a_mentor_with_unconfirmed_required_training(program, personas):
    module = TrainingModuleFactory(program=program)
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    with pytest.raises(ValidationError, match="not ready"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    completion_confirm(mentor=mentor, module=module, confirmed_by=personas.coordinator)
    assert match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator).pk


def test_propose_refuses_a_mentor_who_has_not_signed_the_current_agreement(program, personas):
    document = PolicyDocumentFactory(program=program)
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    with pytest.raises(ValidationError, match="not ready"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    agreement_sign(mentor=mentor, document=document, typed_name=mentor.user.full_name)
    assert match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator).pk


def test_propose_refuses_a_mentor_with_no_capacity_left(program, personas):
    mentor = MatchableMentorFactory(program=program, capacity=1)
    MatchFactory(program=program, mentor=mentor, status=Match.Status.PAUSED)
    mentee = MatchableMenteeFactory(program=program)
    with pytest.raises(ValidationError, match="no capacity left"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    assert not Match.objects.filter(mentee=mentee).exists()


def test_closed_and_declined_matches_do_not_use_a_place(program, personas):
    mentor = MatchableMentorFactory(program=program, capacity=1)
    MatchFactory(program=program, mentor=mentor, status=Match.Status.CLOSED)
    MatchFactory(program=program, mentor=mentor, status=Match.Status.DECLINED)
    assert propose(program, personas.coordinator, mentor=mentor).status == Match.Status.PROPOSED


def test_propose_refuses_a_mentee_who_already_has_an_open_match(program, personas):
    mentee = personas.match.mentee  # active with Morgan Mentor
    with pytest.raises(ValidationError, match="already has an open match"):
        propose(program, personas.coordinator, mentee=mentee)
    waiting = MatchableMenteeFactory(program=program)
    propose(program, personas.coordinator, mentee=waiting)
    with pytest.raises(ValidationError, match="already has an open match"):
        propose(program, personas.coordinator, mentee=waiting)


def test_propose_refuses_people_of_different_programs(program, personas):
    other = ProgramFactory(background_check_required=False)
    with pytest.raises(ValidationError, match="different programs"):
        match_propose(
            mentor=MatchableMentorFactory(program=other),
            mentee=MatchableMenteeFactory(program=program),
            proposed_by=personas.coordinator,
        )


def test_propose_refuses_a_pair_one_of_them_excluded(program, personas):
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    mentee.excluded_people.add(mentor.user)
    with pytest.raises(ValidationError, match="asked not to be matched"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)


def test_a_program_without_acceptance_starts_the_match_at_once(program, personas):
    program.match_requires_acceptance = False
    program.save(update_fields=["match_requires_acceptance"])
    match = propose(program, personas.coordinator)
    assert match.status == Match.Status.ACTIVE
    assert match.started_at is not None


# --- answering a proposal ----------------------------------------------------------------


def test_the_match_starts_when_both_accept(program, personas):
    match = propose(program, personas.coordinator)
    match = match_respond(match=match, user=match.mentor.user, accept=True)
    assert refresh(match).status == Match.Status.PROPOSED
    assert (match.mentor_response, match.mentee_response) == (Match.Response.ACCEPTED, Match.Response.PENDING)
    assert match.started_at is None
    match_respond(match=match, user=match.mentee.user, accept=True)
    match = refresh(match)
    assert match.status == Match.Status.ACTIVE
    assert match.started_at is not None
    assert match.mentee_response == Match.Response.ACCEPTED


def test_the_mentee_may_answer_first(program, personas):
    match = propose(program, personas.coordinator)
    match_respond(match=match, user=match.mentee.user, accept=True)
    assert refresh(match).status == Match.Status.PROPOSED
    match_respond(match=match, user=match.mentor.user, accept=True)
    assert refresh(match).status == Match.Status.ACTIVE


def test_one_decline_ends_the_proposal_and_frees_the_mentee(program, personas):
    match = propose(program, personas.coordinator)
    match_respond(match=match, user=match.mentor.user, accept=True)
    match_respond(match=match, user=match.mentee.user, accept=False)
    match = refresh(match)
    assert match.status == Match.Status.DECLINED
    assert match.mentee_response == Match.Response.DECLINED
    assert match.ended_at is not None and match.started_at is None
    # The mentee is waiting again and can be proposed to someone else.
    assert propose(program, personas.coordinator, mentee=match.mentee).status == Match.Status.PROPOSED


def test_answering_a_declined_or_started_match_is_refused(program, personas):
    declined = propose(program, personas.coordinator)
    match_respond(match=declined, user=declined.mentor.user, accept=False)
    with pytest.raises(ValidationError, match="nothing to answer"):
        match_respond(match=declined, user=declined.mentee.user, accept=True)
    assert refresh(declined).status == Match.Status.DECLINED
    started = propose(program, personas.coordinator)
    match_respond(match=started, user=started.mentor.user, accept=True)
    match_respond(match=started, user=started.mentee.user, accept=True)
    with pytest.raises(ValidationError, match="nothing to answer"):
        match_respond(match=started, user=started.mentee.user, accept=False)
    assert refresh(started).status == Match.Status.ACTIVE


def test_answering_the_same_proposal_twice_is_refused(program, personas):
    match = propose(program, personas.coordinator)
    match_respond(match=match, user=match.mentor.user, accept=True)
    with pytest.raises(ValidationError):
        match_respond(match=match, user=match.mentor.user, accept=False)
    match = refresh(match)
    assert match.status == Match.Status.PROPOSED
    assert match.mentor_response == Match.Response.ACCEPTED


def test_an_outsider_cannot_answer(program, personas):
    match = propose(program, personas.coordinator)
    for outsider in (personas.other_mentee, personas.coordinator):
        with pytest.raises(ValidationError, match="Only the two people"):
            match_respond(match=match, user=outsider, accept=True)
    match = refresh(match)
    assert (match.mentor_response, match.mentee_response) == (Match.Response.PENDING, Match.Response.PENDING)


# --- coordinator moves -------------------------------------------------------------------------


def test_pause_then_resume_keeps_the_start_date(program, personas):
    program.match_requires_acceptance = False
    program.save(update_fields=["match_requires_acceptance"])
    match = propose(program, personas.coordinator)
    match_move(match=match, action="pause")
    assert refresh(match).status == Match.Status.PAUSED
    started = match.started_at
    match_move(match=match, action="resume")
    match = refresh(match)
    assert match.status == Match.Status.ACTIVE
    assert match.started_at == started


def test_moves_from_the_wrong_status_are_refused(program, personas):
    with pytest.raises(ValidationError, match="active match cannot be resumed"):
        match_move(match=personas.match, action="resume")
    proposed = propose(program, personas.coordinator)
    with pytest.raises(ValidationError, match="proposed match cannot be paused"):
        match_move(match=proposed, action="pause")
    assert refresh(proposed).status == Match.Status.PROPOSED


def test_coordinator_can_start_a_proposal_without_the_answers(program, personas):
    match = propose(program, personas.coordinator)
    match_move(match=match, action="activate")
    match = refresh(match)
    assert match.status == Match.Status.ACTIVE and match.started_at is not None


# --- closing and reopening ---------------------------------------------------------------------


def test_close_records_the_reason_note_and_who(program, personas):
    match = match_close(
        match=personas.match, reason=Match.CloseReason.MOVED, note="  Moved to Denver. ", closed_by=personas.coordinator
    )
    match = refresh(match)
    assert match.status == Match.Status.CLOSED
    assert (match.close_reason, match.close_note) == ("moved", "Moved to Denver.")
    assert match.closed_by == personas.coordinator
    assert match.ended_at is not None


def test_a_paused_match_can_be_closed(program, personas):
    match_move(match=personas.match, action="pause")
    match_close(match=personas.match, reason="other", note="", closed_by=personas.coordinator)
    assert refresh(personas.match).status == Match.Status.CLOSED


def test_closing_a_proposed_match_is_refused_with_a_clear_message(program, personas):
    match = propose(program, personas.coordinator)
    with pytest.raises(ValidationError) as error:
        match_close(match=match, reason="other", note="", closed_by=personas.coordinator)
    assert error.value.messages == ["A proposed match cannot be closed."]
    assert refresh(match).status == Match.Status.PROPOSED


def test_reopen_starts_a_closed_match_again(program, personas):
    match = match_close(match=personas.match, reason="moved", note="", closed_by=personas.coordinator)
    match_reopen(match=match)
    match = refresh(match)
    assert match.status == Match.Status.ACTIVE
    assert (match.close_reason, match.ended_at) == ("", None)


def test_reopen_refused_for_a_match_that_is_not_closed(program, personas):
    with pytest.raises(ValidationError, match="Only a closed match"):
        match_reopen(match=personas.match)


def test_a_match_closed_for_conflict_cannot_be_reopened(program, personas):
    match = match_close(match=personas.match, reason="conflict", note="", closed_by=personas.coordinator)
    with pytest.raises(ValidationError, match="conflict"):
        match_reopen(match=match)
    assert refresh(match).status == Match.Status.CLOSED


def test_reopen_refused_when_the_mentee_has_another_open_match(program, personas):
    match = match_close(match=personas.match, reason="moved", note="", closed_by=personas.coordinator)
    propose(program, personas.coordinator, mentee=match.mentee)
    with pytest.raises(ValidationError, match="another open match"):
        match_reopen(match=match)
    assert refresh(match).status == Match.Status.CLOSED


def test_reopen_refused_when_the_mentor_has_filled_up_meanwhile(program, personas):
    mentor = personas.match.mentor
    match = match_close(match=personas.match, reason="moved", note="", closed_by=personas.coordinator)
    mentor.capacity = 1
    mentor.save()
    propose(program, personas.coordinator, mentor=mentor)
    with pytest.raises(ValidationError, match="no capacity left"):
        match_reopen(match=match)


def test_a_pair_closed_for_conflict_is_never_proposed_again(program, personas):
    match = match_close(match=personas.match, reason="conflict", note="", closed_by=personas.coordinator)
    with pytest.raises(ValidationError, match="closed for a conflict"):
        match_propose(mentor=match.mentor, mentee=match.mentee, proposed_by=personas.coordinator)
    # The mentee can still have another mentor, and the mentor another mentee.
    assert propose(program, personas.coordinator, mentee=match.mentee).pk
    assert propose(program, personas.coordinator, mentor=match.mentor).pk


# --- survey and graduation ----------------------------------------------------------------------


def test_survey_opens_only_after_close(program, personas):
    with pytest.raises(ValidationError, match="opens when the match has ended"):
        survey_submit(match=personas.match, user=personas.mentee, rating=5, comment="")
    assert not MatchSurvey.objects.exists()


def test_survey_once_per_side(program, personas):
    match = match_close(match=personas.match, reason="graduated", note="", closed_by=personas.coordinator)
    mentee_survey = survey_submit(match=match, user=personas.mentee, rating=5, comment="  Thank you! ")
    mentor_survey = survey_submit(match=match, user=personas.mentor, rating=4, comment="")
    assert (mentee_survey.side, mentee_survey.respondent) == ("mentee", personas.mentee)
    assert mentee_survey.comment == "Thank you!"
    assert (mentor_survey.side, mentor_survey.rating) == ("mentor", 4)
    with pytest.raises(ValidationError, match="already answered"):
        survey_submit(match=match, user=personas.mentee, rating=1, comment="")
    assert MatchSurvey.objects.get(match=match, side="mentee").rating == 5


def test_an_outsider_cannot_answer_the_survey(program, personas):
    match = match_close(match=personas.match, reason="graduated", note="", closed_by=personas.coordinator)
    with pytest.raises(ValidationError, match="Only the two people"):
        survey_submit(match=match, user=personas.other_mentee, rating=3, comment="")


def test_graduation_invites_the_mentee_to_mentor(program, personas):
    match = match_close(match=personas.match, reason="graduated", note="", closed_by=personas.coordinator)
    invitation, link = graduation_invite(match=match, invited_by=personas.coordinator)
    invitation.refresh_from_db()
    assert (invitation.role, invitation.email, invitation.program) == (
        Invitation.Role.MENTOR,
        personas.mentee.email,
        program,
    )
    assert invitation.full_name == personas.mentee.full_name
    assert invitation.is_usable and link


@pytest.mark.parametrize("reason", ["moved", "disengaged", "conflict"])
def test_graduation_invite_refused_unless_the_mentee_graduated(program, personas, reason):
    match = match_close(match=personas.match, reason=reason, note="", closed_by=personas.coordinator)
    with pytest.raises(ValidationError, match="Only a mentee who graduated"):
        graduation_invite(match=match, invited_by=personas.coordinator)
    assert not Invitation.objects.filter(role=Invitation.Role.MENTOR).exists()


def test_graduation_invite_refused_for_an_active_match(program, personas):
    with pytest.raises(ValidationError, match="Only a mentee who graduated"):
        graduation_invite(match=personas.match, invited_by=personas.coordinator)


def test_graduation_invite_refused_if_already_a_mentor_there(program, personas):
    match = match_close(match=personas.match, reason="graduated", note="", closed_by=personas.coordinator)
    MentorProfileFactory(user=personas.mentee, program=program)
    with pytest.raises(ValidationError, match="already a mentor"):
        graduation_invite(match=match, invited_by=personas.coordinator)
    assert not Invitation.objects.filter(role=Invitation.Role.MENTOR).exists()


# --- whole pool -----------------------------------------------------------------------------------


def test_pool_approve_proposes_valid_pairs_and_reports_a_mentor_who_became_full(program, personas):
    small = MatchableMentorFactory(program=program, capacity=1)
    roomy = MatchableMentorFactory(program=program, capacity=2)
    first, second, third = (MatchableMenteeFactory(program=program) for _ in range(3))
    matches, refused = pool_approve(
        program=program,
        pairs=[(small, first), (small, second), (roomy, third)],
        approved_by=personas.coordinator,
    )
    assert [(m.mentor, m.mentee) for m in matches] == [(small, first), (roomy, third)]
    assert all(m.status == Match.Status.PROPOSED and m.proposed_by == personas.coordinator for m in matches)
    [(pair, message)] = refused
    assert pair == (small, second)
    assert "no capacity left" in message
    assert not Match.objects.filter(mentee=second).exists()


def test_pool_approve_reports_a_mentee_matched_meanwhile(program, personas):
    mentor = MatchableMentorFactory(program=program)
    matches, refused = pool_approve(
        program=program, pairs=[(mentor, personas.match.mentee)], approved_by=personas.coordinator
    )
    assert matches == []
    assert "already has an open match" in refused[0][1]


# --- the database itself -------------------------------------------------------------------------


def test_the_database_allows_only_one_open_match_per_mentee(program, personas):
    mentee = personas.match.mentee
    for status in (Match.Status.PROPOSED, Match.Status.PAUSED, Match.Status.ACTIVE):
        with pytest.raises(IntegrityError), transaction.atomic():
            Match.objects.create(program=program, mentor=personas.other_match.mentor, mentee=mentee, status=status)
    # Ended matches do not count.
    Match.objects.create(program=program, mentor=personas.other_match.mentor, mentee=mentee, status="closed")
    Match.objects.create(program=program, mentor=personas.other_match.mentor, mentee=mentee, status="declined")
    assert Match.objects.filter(mentee=mentee).count() == 3


# --- load_pool ------------------------------------------------------------------------------------------


def test_waiting_mentees_exclude_those_with_an_open_match(program, personas):
    new = MatchableMenteeFactory(program=program)
    proposed = propose(program, personas.coordinator).mentee
    paused = MatchFactory(program=program, status=Match.Status.PAUSED).mentee
    closed = MatchFactory(program=program, status=Match.Status.CLOSED).mentee
    declined = MatchFactory(program=program, status=Match.Status.DECLINED).mentee
    MatchableMenteeFactory(program=personas.other_program)
    _, mentees, _ = load_pool(program)
    assert {p.pk for p in mentees} == {new.pk, closed.pk, declined.pk}
    assert not {personas.match.mentee_id, personas.other_match.mentee_id, proposed.pk, paused.pk} & {
        p.pk for p in mentees
    }


def test_capacity_left_is_capacity_minus_open_matches(program, personas):
    mentor = MatchableMentorFactory(program=program, capacity=4)
    for status in Match.Status.values:  # proposed, active, paused, closed, declined
        MatchFactory(program=program, mentor=mentor, status=status)
    mentors, _, _ = load_pool(program)
    people = {p.pk: p for p in mentors}
    assert people[mentor.pk].capacity_left == 1
    # Morgan Mentor: default capacity 3 with one active match.
    assert people[personas.match.mentor_id].capacity_left == 2


def test_capacity_left_can_go_below_zero_and_still_blocks(program, personas):
    mentor = MatchableMentorFactory(program=program, capacity=2)
    MatchFactory(program=program, mentor=mentor)
    MatchFactory(program=program, mentor=mentor)
    mentor.capacity = 1
    mentor.save()
    person, _, _ = load_pair(mentor, MatchableMenteeFactory(program=program))
    assert person.capacity_left == -1


def test_load_pool_reads_exclusions_areas_and_profile_fields(program, personas):
    alcohol = ExperienceAreaFactory(program=program, name="Alcohol")
    housing = ExperienceAreaFactory(program=program, name="Housing insecurity")
    someone = UserFactory()
    mentor = MatchableMentorFactory(
        program=program,
        pathways=["smart"],
        availability=["mon_evening"],
        interests=["Hiking"],
        topics=["work"],
        gender="woman",
        city="Riverbend",
    )
    mentor.excluded_people.add(someone)
    mentor.experience_areas.add(alcohol, housing)
    mentee = MatchableMenteeFactory(program=program, preferred_mentor_gender="woman", excluded_pathways=["faith"])
    mentee.excluded_people.add(mentor.user)
    mentee.experience_areas.add(alcohol)
    mentors, mentees, ctx = load_pool(program)
    [m] = [p for p in mentors if p.pk == mentor.pk]
    [e] = [p for p in mentees if p.pk == mentee.pk]
    assert m.user_id == mentor.user_id and m.name == mentor.user.full_name
    assert m.excluded_users == {someone.pk}
    assert m.areas == {alcohol.pk, housing.pk}
    assert m.area_names[alcohol.pk] == "Alcohol" and m.area_names[housing.pk] == "Housing insecurity"
    assert (m.pathways, m.availability, m.interests, m.topics) == ({"smart"}, {"mon_evening"}, {"hiking"}, {"work"})
    assert (m.gender, m.city, m.recovery_months, m.ready) == ("woman", "Riverbend", 24, True)
    assert e.excluded_users == {mentor.user_id}
    assert e.areas == {alcohol.pk}
    assert (e.preferred_gender, e.excluded_pathways, e.recovery_months) == ("woman", {"faith"}, None)
    assert ctx.min_recovery_months == program.min_recovery_months


def test_load_pool_reads_readiness_and_conflicts(personas):
    program = personas.program  # background check required, none cleared
    checked = MatchableMentorFactory(program=program)
    BackgroundCheckFactory(mentor=checked)
    match_close(match=personas.match, reason="conflict", note="", closed_by=personas.coordinator)
    mentors, _, ctx = load_pool(program)
    ready = {p.pk: p.ready for p in mentors}
    assert ready == {checked.pk: True, personas.match.mentor_id: False, personas.other_match.mentor_id: False}
    assert ctx.conflict_pairs == {(personas.mentor.pk, personas.mentee.pk)}


def test_load_pool_reads_the_program_weights(program):
    program.matching_weights = {"language": "off", "age": "must"}
    program.save(update_fields=["matching_weights"])
    _, _, ctx = load_pool(program)
    assert (ctx.weights["language"], ctx.weights["age"], ctx.weights["experience"]) == ("off", "must", "high")


def test_load_pool_query_count_does_not_grow_with_people(program, personas):
    def grow(n):
        for _ in range(n):
            mentor = MatchableMentorFactory(program=program)
            mentor.experience_areas.add(ExperienceAreaFactory(program=program))
            mentor.excluded_people.add(UserFactory())
            MatchableMenteeFactory(program=program).excluded_people.add(mentor.user)

    grow(2)
    with CaptureQueriesContext(connection) as small:
        load_pool(program)
    grow(12)
    with CaptureQueriesContext(connection) as large:
        mentors, mentees, _ = load_pool(program)
    assert len(mentors) == 16 and len(mentees) == 14
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_mentee_with_a_closed_and_an_open_match_is_not_waiting(program, personas):
    # A mentee with one closed and one open match is not waiting.
    mentee = MatchableMenteeFactory(program=program)
    MatchFactory(program=program, mentee=mentee, status=Match.Status.CLOSED)
    MatchFactory(program=program, mentee=mentee, status=Match.Status.ACTIVE)
    _, mentees, _ = load_pool(program)
    assert mentee.pk not in {p.pk for p in mentees}


def test_both_people_are_told_of_a_proposal_without_any_details(
    program, personas, django_capture_on_commit_callbacks, mailoutbox
):
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.user.email, mentee.user.email])
    for message in mailoutbox:
        assert message.subject == "You have an update on Waypoint"
        text = message.body.lower()
        assert mentor.user.full_name.lower() not in text and mentee.user.full_name.lower() not in text
        assert "match" not in text and "recovery" not in text
