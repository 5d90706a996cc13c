"""The access policy, one queryset at a time."""

from django.contrib.auth.models import AnonymousUser

from mentoring import access
from mentoring.models import Match
from tests.factories import MatchFactory, MenteeProfileFactory


def test_coordinator_sees_everyone_in_own_program_only(personas):
    people = set(access.visible_people(personas.coordinator))
    assert {personas.mentor, personas.other_mentor, personas.mentee, personas.other_mentee} <= people
    assert personas.other_coordinator not in people
    other_program_people = {p.user for p in personas.other_program.mentee_profiles.all()}
    assert not other_program_people & people


def test_other_programs_coordinator_sees_nothing_of_program_a(personas):
    coordinator = personas.other_coordinator
    assert not access.visible_matches(coordinator).filter(program=personas.program).exists()
    assert personas.mentee not in access.visible_people(coordinator)
    assert list(access.coordinated_programs(coordinator)) == [personas.other_program]


def test_mentor_sees_own_mentees_only(personas):
    assert set(access.visible_mentee_profiles(personas.mentor)) == {personas.match.mentee}
    assert personas.other_mentee not in access.visible_people(personas.mentor)
    assert list(access.visible_matches(personas.mentor)) == [personas.match]


def test_mentor_keeps_seeing_past_mentees_but_not_declined_proposals(personas):
    closed = MatchFactory(program=personas.program, mentor=personas.match.mentor, status=Match.Status.CLOSED)
    declined = MatchFactory(program=personas.program, mentor=personas.match.mentor, status=Match.Status.DECLINED)
    visible = set(access.visible_mentee_profiles(personas.mentor))
    assert closed.mentee in visible
    assert declined.mentee not in visible


def test_mentee_sees_self_and_own_mentor(personas):
    assert set(access.visible_people(personas.mentee)) == {personas.mentee, personas.mentor}
    assert set(access.visible_mentee_profiles(personas.mentee)) == {personas.match.mentee}


def test_anonymous_and_inactive_users_see_nothing(personas):
    personas.coordinator.is_active = False
    for user in (AnonymousUser(), personas.coordinator):
        assert not access.visible_people(user).exists()
        assert not access.visible_matches(user).exists()
        assert not access.coordinated_programs(user).exists()
        assert access.roles_of(user) == []


def test_roles_of_a_person_with_several_roles(personas):
    MenteeProfileFactory(user=personas.mentor, program=personas.other_program)
    personas.program.coordinators.add(personas.mentor)
    assert access.roles_of(personas.mentor) == ["coordinator", "mentor", "mentee"]
    assert access.roles_of(personas.mentee) == ["mentee"]


def test_visible_querysets_have_no_duplicates_when_paths_overlap(personas):
    # The coordinator is also the mentor's mentee: two paths to the same rows.
    personas.program.coordinators.add(personas.mentee)
    people = list(access.visible_people(personas.mentee))
    assert len(people) == len(set(people))
    matches = list(access.visible_matches(personas.mentee))
    assert len(matches) == len(set(matches)) == 2
