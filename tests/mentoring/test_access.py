"""The access policy, one queryset at a time, and what a mentor sees at each
stage of a match (the rule is in mentoring/access.py's docstring)."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from goals.models import Assessment, SafetyAlert
from goals.selectors import default_instrument
from mentoring import access
from mentoring.models import Match
from mentoring.services import match_close
from sessions.models import Session
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MatchFactory,
    MenteeProfileFactory,
    RegistrationFactory,
    SafetyAlertFactory,
    SessionFactory,
    ShareFactory,
)


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


def test_declined_proposals_leave_both_lists(personas):
    declined = MatchFactory(program=personas.program, mentor=personas.match.mentor, status=Match.Status.DECLINED)
    assert declined not in access.visible_matches(personas.mentor)
    assert declined not in access.visible_matches(declined.mentee.user)
    assert declined.mentee not in access.visible_mentee_profiles(personas.mentor)
    assert declined.mentee.user not in access.visible_people(personas.mentor)


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


# --- what a mentor sees at each stage of a match ---------------------------------------------------

VISIBLE = {
    "goal": access.visible_goals,
    "checkin": access.visible_checkins,
    "assessment": access.visible_assessments,
    "share": access.visible_shares,
    "alert": access.visible_alerts,
}


def _record_everything(mentee, *, shared_by):
    """One of each record about a mentee: {name: row}."""
    return {
        "goal": GoalFactory(mentee=mentee, title="Call my sister"),
        "checkin": CheckInFactory(mentee=mentee, mood=2, craving=8, reflection="A hard evening"),
        "assessment": Assessment.objects.create(mentee=mentee, instrument=default_instrument(), score=41),
        "share": ShareFactory(mentee=mentee, shared_by=shared_by, resource__name="Harbor House"),
        # One open alert per mentee at a time (issue 15): a second record set's is acknowledged.
        "alert": SafetyAlertFactory(
            mentee=mentee, acknowledged_at=timezone.now() if SafetyAlert.objects.open().filter(mentee=mentee) else None
        ),
    }


def _seen(user, records):
    return {name for name, row in records.items() if VISIBLE[name](user).filter(pk=row.pk).exists()}


def _mentee_pages(records):
    """The pages of a mentee's records, by name: a mentor outside the match gets 404 on each."""
    mentee = records["goal"].mentee
    return {
        "check-ins": reverse("goals:checkins", args=[mentee.pk]),
        "goals": reverse("goals:mentee_goals", args=[mentee.pk]),
        "goal": reverse("goals:detail", args=[records["goal"].pk]),
        "progress": reverse("goals:progress", args=[mentee.pk]),
        "suggest a goal": reverse("goals:new", args=[mentee.pk]),
        "alert": reverse("goals:alert_acknowledge", args=[records["alert"].pk]),
    }


def _close(personas):
    return match_close(match=personas.match, reason=Match.CloseReason.MOVED, note="", closed_by=personas.coordinator)


def test_match_querysets_name_the_stages_of_a_match(personas):
    program = personas.program
    by_status = {status: MatchFactory(program=program, status=status) for status in Match.Status.values}
    by_status["active"] = personas.match

    def statuses(queryset):
        return {match.status for match in queryset.filter(pk__in=[m.pk for m in by_status.values()])}

    assert statuses(Match.objects.current()) == {"active", "paused"}
    assert statuses(Match.objects.open()) == {"proposed", "active", "paused"}
    assert statuses(Match.objects.started()) == {"active", "paused", "closed"}
    assert statuses(Match.objects.listed()) == {"proposed", "active", "paused", "closed"}
    # Related managers have them too, and the model's own flags agree.
    assert list(personas.match.mentee.matches.current()) == [personas.match]
    assert [m.status for m in by_status.values() if m.is_current] == ["active", "paused"]


def test_a_proposed_mentor_sees_the_proposal_and_what_was_shared_for_matching_only(personas, client_for):
    personas.propose_match()
    mentee = personas.match.mentee
    mentee.interests = ["Gardening"]
    mentee.emergency_contact_name = "Pat Private"
    mentee.save()
    records = _record_everything(mentee, shared_by=personas.coordinator)
    RegistrationFactory(user=personas.mentee, group_session__program=personas.program, attendance="attended")
    mentor = personas.mentor

    assert _seen(mentor, records) == set()
    assert mentee not in access.visible_mentee_profiles(mentor)
    client = client_for(mentor)
    for name, url in _mentee_pages(records).items():
        assert client.get(url).status_code == 404, name
    assert not client.get(reverse("goals:alerts")).context["page"].object_list
    # The proposal, and the person page with the answers given for matching.
    assert client.get(reverse("mentoring:match_detail", args=[personas.match.pk])).status_code == 200
    page = client.get(reverse("mentoring:person_detail", args=[personas.mentee.pk])).content.decode()
    assert "Mel Mentee" in page and "Gardening" in page
    for hidden in ("Pat Private", "Harbor House", "Attendance"):
        assert hidden not in page
    # No sessions before the match starts.
    assert client.get(reverse("peer_sessions:session_new", args=[personas.match.pk])).status_code == 404


def test_a_former_mentor_does_not_see_a_checkin_made_after_the_close(personas, client_for):
    _close(personas)
    checkin = CheckInFactory(mentee=personas.match.mentee, mood=1, craving=9)
    assert checkin not in access.visible_checkins(personas.mentor)
    client = client_for(personas.mentor)
    assert client.get(reverse("goals:checkins", args=[personas.match.mentee.pk])).status_code == 404


def test_a_former_mentor_keeps_the_match_and_its_sessions_and_nothing_the_mentee_recorded(personas, client_for):
    mentor, mentee = personas.mentor, personas.match.mentee
    session = SessionFactory(
        match=personas.match,
        starts_at=timezone.now() - timedelta(days=3),
        status=Session.Status.COMPLETED,
        private_notes="Talked about the move",
    )
    during = _record_everything(mentee, shared_by=mentor)
    assert _seen(mentor, during) == set(VISIBLE)
    _close(personas)
    after = _record_everything(mentee, shared_by=personas.coordinator)

    assert _seen(mentor, during) == _seen(mentor, after) == set()
    assert mentee not in access.visible_mentee_profiles(mentor)
    assert personas.mentee not in access.visible_people(mentor)
    client = client_for(mentor)
    for records in (during, after):
        for name, url in _mentee_pages(records).items():
            assert client.get(url).status_code == 404, name
    assert client.get(reverse("mentoring:person_detail", args=[personas.mentee.pk])).status_code == 404
    # What stays: the match, its sessions with the mentor's own notes, the name on their list.
    assert client.get(reverse("mentoring:match_detail", args=[personas.match.pk])).status_code == 200
    detail = client.get(reverse("peer_sessions:session_detail", args=[session.pk]))
    assert detail.status_code == 200 and "Talked about the move" in detail.content.decode()
    home = client.get(reverse("mentoring:home_mentor")).content.decode()
    assert "Mel Mentee" in home
    for hidden in ("Last check-in", "open safety alert", reverse("goals:checkins", args=[mentee.pk])):
        assert hidden not in home
    assert reverse("mentoring:person_detail", args=[personas.mentee.pk]) not in home


def test_the_former_mentor_sees_nothing_while_the_next_mentor_sees_it_all(personas):
    """Two matches of one mentee: a closed one with an earlier mentor and the current one."""
    former = personas.former_match.mentor.user
    records = _record_everything(personas.match.mentee, shared_by=personas.mentor)
    assert _seen(former, records) == set()
    assert _seen(personas.mentor, records) == set(VISIBLE)
    assert personas.match.mentee not in access.visible_mentee_profiles(former)
    assert personas.mentee not in access.visible_people(former)
    # Each mentor sees the sessions of their own match only.
    earlier = SessionFactory(match=personas.former_match, starts_at=timezone.now() - timedelta(days=60))
    now = SessionFactory(match=personas.match)
    assert set(access.visible_sessions(former)) == {earlier}
    assert set(access.visible_sessions(personas.mentor)) == {now}
    assert set(access.visible_sessions(personas.mentee)) == {earlier, now}


def test_a_current_mentor_sees_everything_as_before(personas, client_for):
    mentee = personas.match.mentee
    records = _record_everything(mentee, shared_by=personas.mentor)
    private = GoalFactory(mentee=mentee, is_private=True)
    RegistrationFactory(user=personas.mentee, group_session__program=personas.program, attendance="attended")
    session = SessionFactory(match=personas.match)
    client = client_for(personas.mentor)
    for status in (Match.Status.ACTIVE, Match.Status.PAUSED):
        Match.objects.filter(pk=personas.match.pk).update(status=status)
        assert _seen(personas.mentor, records) == set(VISIBLE), status
        assert private not in access.visible_goals(personas.mentor)
        assert mentee in access.visible_mentee_profiles(personas.mentor)
        for name, url in _mentee_pages(records).items():
            assert client.get(url).status_code == 200, (status, name)
        page = client.get(reverse("mentoring:person_detail", args=[personas.mentee.pk])).content.decode()
        assert "Harbor House" in page and "Attendance" in page
        assert client.get(reverse("peer_sessions:session_detail", args=[session.pk])).status_code == 200
        home = client.get(reverse("mentoring:home_mentor")).content.decode()
        assert "Last check-in" in home and "open safety alert" in home


def test_reopening_a_closed_match_makes_the_mentor_current_again(personas):
    _close(personas)
    records = _record_everything(personas.match.mentee, shared_by=personas.coordinator)
    assert _seen(personas.mentor, records) == set()
    # As match_reopen leaves it (its hard filters are tested in test_match_lifecycle).
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.ACTIVE, ended_at=None, close_reason="")
    assert _seen(personas.mentor, records) == set(VISIBLE)


def test_a_mentee_keeps_the_closed_match_but_not_the_former_mentors_page(personas):
    former = personas.former_match
    assert former in access.visible_matches(personas.mentee)
    assert former.mentor.user not in access.visible_people(personas.mentee)
    assert personas.mentor in access.visible_people(personas.mentee)


def test_match_rules_are_subqueries_so_rows_are_neither_repeated_nor_made_distinct(personas):
    """Joining through matches or coordinators multiplies rows and needs DISTINCT
    (slow with thousands of people); the policy uses subqueries instead."""
    # The mentor had an earlier match with the same mentee, and coordinates the program too.
    MatchFactory(
        program=personas.program, mentor=personas.match.mentor, mentee=personas.match.mentee, status=Match.Status.CLOSED
    )
    personas.program.coordinators.add(personas.mentor)
    records = _record_everything(personas.match.mentee, shared_by=personas.mentor)
    policies = [
        access.visible_matches,
        access.visible_mentee_profiles,
        access.visible_mentor_profiles,
        access.visible_people,
        access.visible_sessions,
        *VISIBLE.values(),
    ]
    for policy in policies:
        queryset = policy(personas.mentor)
        assert "DISTINCT" not in str(queryset.query), policy.__name__
        rows = list(queryset)
        assert len(rows) == len(set(rows)), policy.__name__
    assert _seen(personas.mentor, records) == set(VISIBLE)


def _outer_from(queryset):
    """The outer query's FROM clause (joins there multiply rows; subqueries do not)."""
    sql = str(queryset.query)
    return sql.split(" WHERE ", 1)[0]


def test_program_and_people_rules_are_subqueries_so_rows_are_not_multiplied(personas):
    """Issue 18: OR-ing left joins through mentors, mentees, facilitators or
    registrations built mentors × mentees rows per program before DISTINCT
    (736 ms for a coordinator's person page at 10,000 mentees). Every rule here
    is a subquery per role: no JOIN in the outer query, no DISTINCT, each row once."""
    from sessions.services import upcoming_for
    from tests.factories import ApplicationFactory, GroupSessionFactory

    mentor = personas.mentor
    # The mentor holds every role at once: coordinator, mentor, mentee, facilitator, registrant, applicant.
    personas.program.coordinators.add(mentor)
    MenteeProfileFactory(user=mentor, program=personas.program)
    ApplicationFactory(program=personas.program, person=mentor)
    group = GroupSessionFactory(program=personas.program, facilitators=[mentor, personas.coordinator])
    RegistrationFactory(group_session=group, user=mentor)
    RegistrationFactory(group_session=group, user=personas.mentee)

    _, groups = upcoming_for(mentor)
    policies = {
        "visible_programs": access.visible_programs(mentor),
        "member_programs": access.member_programs(mentor),
        "coordinated_people": access.coordinated_people(mentor),
        "attendance_group_sessions": access.attendance_group_sessions(mentor),
        "visible_group_sessions": access.visible_group_sessions(mentor),
        "upcoming_for groups": groups,
    }
    for name, queryset in policies.items():
        assert "DISTINCT" not in str(queryset.query), name
        assert "JOIN" not in _outer_from(queryset), name
        rows = list(queryset)
        assert len(rows) == len(set(rows)), name
    assert list(access.visible_programs(mentor)) == [personas.program]
    assert list(groups) == [group]
    assert list(access.attendance_group_sessions(mentor)) == [group]
    people = set(access.coordinated_people(mentor))
    assert {mentor, personas.mentee, personas.coordinator} <= people
    assert personas.other_coordinator not in people
    # Someone who facilitates but does not coordinate takes that group's attendance only.
    facilitator = personas.other_mentor
    group.facilitators.add(facilitator)
    assert list(access.attendance_group_sessions(facilitator)) == [group]
