"""Issue 18, "Other slow paths": access queries that OR'ed joins to both
profile tables (``Q(mentor__user=u) | Q(mentee__user=u)``) are now subqueries
of ids (``access.match_ids_of``). Each rewritten query is checked against its
old definition (kept here, verbatim) on people who hold several roles at once
— a coordinator who is also a mentor, a mentee in two programs, a mentor who
is also a mentee — with proposed, current, closed and declined matches; each
still runs as one query; and the pages that used them no longer send the OR.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.models import Conversation
from mentoring import access
from mentoring.audit import label_viewer_roles
from mentoring.models import AccessEvent, Match
from mentoring.personal_data import TABLES, _conversations_of, erasure_blockers
from programs.models import Program
from sessions.models import Session, TimeProposal
from tests.factories import (
    GroupSessionFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgramFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

# The OR this issue removes, as it appears in SQL: a person's id compared
# with the user of both profile tables joined into the outer query, OR-ed.
# In a subquery the tables have aliases (U2."user_id" = 3 OR U4."user_id" = 3).
OR_ACROSS_PROFILES = re.compile(
    r'(?:"mentoring_ment(?:or|ee)profile"|U\d+)\."user_id" = \S+?\)*\s+OR\s+\(*'
    r'(?:"mentoring_ment(?:ee|or)profile"|U\d+)\."user_id" ='
)


# --- the old definitions, verbatim -----------------------------------------------------------------


def old_visible_matches(user):
    if not access._signed_in(user):
        return Match.objects.none()
    theirs = (Q(mentor__user=user) | Q(mentee__user=user)) & Q(status__in=Match.LISTED)
    return Match.objects.filter(Q(program__in=access.coordinated_programs(user).values("pk")) | theirs)


def old_group_creatable_programs(user):
    if not access._signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(
        Q(coordinators=user) | Q(mentors_create_groups=True, mentor_profiles__user=user)
    ).distinct()


def old_conversations_of(person):
    pair = Q(match__mentor__user=person) | Q(match__mentee__user=person)
    groups = Q(group__registrations__user=person) | Q(group__facilitators=person)
    return Conversation.objects.filter(
        pk__in=Conversation.objects.filter(pair | Q(person=person) | groups).values("pk")
    )


def old_contact_editable_people(user):
    return get_user_model().objects.filter(Q(pk=user.pk) | Q(pk__in=access.coordinated_people(user).values("pk")))


def old_person_matches(person):
    return Match.objects.filter(Q(mentor__user=person) | Q(mentee__user=person))


# --- people in several roles ---------------------------------------------------------------------


@pytest.fixture
def world(db):
    """Two programs. ``coordinator`` coordinates the first and mentors in
    both; ``mentee`` is a mentee in both; ``mentor`` mentors in both and is a
    mentee in the second. Matches at every stage, sessions on them, group
    bookings, a facilitator, conversations of each kind."""
    coordinator, other_coordinator = UserFactory(), UserFactory()
    mentor, mentee, outsider = UserFactory(), UserFactory(), UserFactory()
    one = ProgramFactory(coordinators=[coordinator], mentors_create_groups=True)
    two = ProgramFactory(coordinators=[other_coordinator], mentors_create_groups=False)
    coord_mentor_one = MentorProfileFactory(user=coordinator, program=one)
    coord_mentor_two = MentorProfileFactory(user=coordinator, program=two)
    mentor_one = MentorProfileFactory(user=mentor, program=one)
    mentor_two = MentorProfileFactory(user=mentor, program=two)
    mentee_one = MenteeProfileFactory(user=mentee, program=one)
    mentee_two = MenteeProfileFactory(user=mentee, program=two)
    mentor_as_mentee = MenteeProfileFactory(user=mentor, program=two)
    S = Match.Status
    matches = [
        MatchFactory(program=one, mentor=mentor_one, mentee=mentee_one, status=S.ACTIVE),
        MatchFactory(program=one, mentor=coord_mentor_one, status=S.CLOSED),
        MatchFactory(program=one, mentor=mentor_one, status=S.PROPOSED),
        MatchFactory(program=one, mentor=mentor_one, status=S.DECLINED),
        MatchFactory(program=one, mentor=coord_mentor_one, mentee=mentee_one, status=S.CLOSED),
        MatchFactory(program=two, mentor=coord_mentor_two, mentee=mentee_two, status=S.PAUSED),
        MatchFactory(program=two, mentor=coord_mentor_two, status=S.DECLINED),
        MatchFactory(program=two, mentor=mentor_two, status=S.CLOSED),
        MatchFactory(program=two, mentor=coord_mentor_two, mentee=mentor_as_mentee, status=S.PROPOSED),
        MatchFactory(program=two, mentor=mentor_two, mentee=mentee_two, status=S.DECLINED),
    ]
    for match in matches:
        session = SessionFactory(match=match)
        TimeProposal.objects.create(
            session=session,
            proposed_by=match.mentee.user,
            previous_starts_at=session.starts_at,
            starts_at=session.starts_at,
        )
        Conversation.objects.create(kind=Conversation.Kind.MATCH, match=match, program=match.program)
    group_one = GroupSessionFactory(program=one, facilitators=[mentor])
    group_two = GroupSessionFactory(program=two)
    RegistrationFactory(group_session=group_two, user=mentee)
    RegistrationFactory(group_session=group_two, user=coordinator)
    for group in (group_one, group_two):
        Conversation.objects.create(kind=Conversation.Kind.GROUP, group=group, program=group.program)
    Conversation.objects.create(kind=Conversation.Kind.DIRECT, program=one, person=mentee)
    partners = [m.mentee.user for m in matches] + [m.mentor.user for m in matches]
    people = [coordinator, other_coordinator, mentor, mentee, outsider, *partners]
    return {"people": list(dict.fromkeys(people)), "coordinator": coordinator, "mentor": mentor, "mentee": mentee}


def pks(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def one_query(django_assert_num_queries, queryset):
    with django_assert_num_queries(1):
        return sorted(row.pk for row in queryset)


def no_or_across_profiles(queryset):
    assert not OR_ACROSS_PROFILES.search(str(queryset.query)), str(queryset.query)


# --- each rewritten query: the same rows as before, in one query, without the OR -------------------


def test_the_detector_catches_the_old_shape(world):
    """The SQL check below would have failed on the old code."""
    assert OR_ACROSS_PROFILES.search(str(old_visible_matches(world["mentor"]).query))
    assert OR_ACROSS_PROFILES.search(str(old_person_matches(world["mentor"]).query))
    assert OR_ACROSS_PROFILES.search(str(old_conversations_of(world["mentor"]).query))


def test_visible_matches_same_rows_one_query_no_or(world, django_assert_num_queries):
    for user in world["people"] + [AnonymousUser()]:
        new = one_query(django_assert_num_queries, access.visible_matches(user)) if user.is_authenticated else []
        assert new == pks(old_visible_matches(user)), user
        # Narrowed the way the pages narrow it (a person page, a match page).
        for person in world["people"]:
            assert pks(access.visible_matches(user).filter(pk__in=access.match_ids_of(person))) == pks(
                old_visible_matches(user).filter(Q(mentor__user=person) | Q(mentee__user=person))
            )
    assert pks(access.visible_matches(world["coordinator"]))  # not vacuous
    no_or_across_profiles(access.visible_matches(world["mentor"]))


def test_match_ids_of_same_rows_at_every_stage(world, django_assert_num_queries):
    for person in world["people"]:
        for matches in (Match.objects.all(), Match.objects.open(), Match.objects.current(), Match.objects.listed()):
            new = one_query(django_assert_num_queries, matches.filter(pk__in=access.match_ids_of(person)))
            assert new == pks(matches.filter(Q(mentor__user=person) | Q(mentee__user=person)))
        # The user's id works as well as the user.
        assert pks(Match.objects.filter(pk__in=access.match_ids_of(person.pk))) == pks(old_person_matches(person))
    assert len(pks(Match.objects.filter(pk__in=access.match_ids_of(world["mentor"])))) == 6
    no_or_across_profiles(Match.objects.filter(pk__in=access.match_ids_of(world["mentor"])))


def test_group_creatable_programs_same_rows_without_distinct(world, django_assert_num_queries):
    for user in world["people"]:
        new = one_query(django_assert_num_queries, access.group_creatable_programs(user))
        assert new == pks(old_group_creatable_programs(user))
    assert not access.group_creatable_programs(world["mentor"]).query.distinct
    assert [p.pk for p in access.group_creatable_programs(world["mentor"])] == [
        p.pk for p in access.coordinated_programs(world["coordinator"])
    ]


def test_contact_editable_people_same_people_and_no_or_around_the_subquery(world, django_assert_num_queries):
    for user in world["people"]:
        new = one_query(django_assert_num_queries, access.contact_editable_people(user))
        assert new == pks(old_contact_editable_people(user))
        for person in world["people"]:  # as the person page and the contact form ask: one person
            assert (
                access.contact_editable_people(user).filter(pk=person.pk).exists()
                == old_contact_editable_people(user).filter(pk=person.pk).exists()
            )
    assert len(pks(access.contact_editable_people(world["coordinator"]))) > 5
    # Behind "id = me OR id IN (...)" PostgreSQL computed the whole subquery to answer for one person.
    sql = str(access.contact_editable_people(world["coordinator"]).query)
    assert not re.search(r'"mentoring_user"\."id" = \S+ OR', sql), sql
    assert re.search(r'"mentoring_user"\."id" = \S+ OR', str(old_contact_editable_people(world["coordinator"]).query))


def test_personal_data_rows_same_as_before(world, django_assert_num_queries):
    tables = {table.name: table for table in TABLES}
    for person in world["people"]:
        assert one_query(django_assert_num_queries, _conversations_of(person)) == pks(old_conversations_of(person))
        assert pks(tables["matches"].query(person)) == pks(old_person_matches(person))
        assert pks(tables["sessions"].query(person)) == pks(
            Session.objects.filter(Q(match__mentor__user=person) | Q(match__mentee__user=person))
        )
        assert pks(tables["meeting_time_proposals"].query(person)) == pks(
            TimeProposal.objects.filter(
                Q(proposed_by=person) | Q(session__match__mentor__user=person) | Q(session__match__mentee__user=person)
            )
        )
    assert len(pks(_conversations_of(world["mentor"]))) == 6 + 1  # five matches as mentor, one as mentee; a group
    for name in ("matches", "sessions", "meeting_time_proposals"):
        no_or_across_profiles(tables[name].query(world["mentor"]))
    no_or_across_profiles(_conversations_of(world["mentor"]))


def test_erasure_blocked_by_an_open_match_on_either_side(world):
    coordinator = world["coordinator"]
    # The mentor's only open match in program one is as a mentor, in program two as a mentee.
    blockers = erasure_blockers(person=world["mentor"], by=coordinator)
    assert blockers and "program you do not coordinate" in blockers[0]
    only_one = UserFactory()
    proposal = MatchFactory(program=Program.objects.get(coordinators=coordinator), mentee__user=only_one)
    proposal.status = Match.Status.PROPOSED
    proposal.save()
    assert any("proposed, active or paused" in b for b in erasure_blockers(person=only_one, by=coordinator))
    proposal.status = Match.Status.CLOSED
    proposal.save()
    assert not any("proposed, active or paused" in b for b in erasure_blockers(person=only_one, by=coordinator))


def test_viewer_roles_from_current_matches_on_either_side(world):
    mentee, mentor, coordinator = world["mentee"], world["mentor"], world["coordinator"]
    one = Program.objects.get(coordinators=coordinator)
    rows = [
        AccessEvent.objects.create(viewer=mentor, subject=mentee, what="profile", program=one),
        AccessEvent.objects.create(viewer=coordinator, subject=mentee, what="profile", program=one),
        AccessEvent.objects.create(viewer=world["people"][-1], subject=mentee, what="profile", program=one),
    ]
    roles = [row.viewer_role for row in label_viewer_roles(rows, mentee)]
    # The mentor's match with this mentee is active; the coordinator's with them is paused (their
    # mentor in program two) and they coordinate program one.
    assert roles[0] == "Your mentor"
    assert roles[1].startswith("Coordinator of")
    # Seen from the mentor's side: the mentee of their active match.
    back = AccessEvent.objects.create(viewer=mentee, subject=mentor, what="profile", program=one)
    assert label_viewer_roles([back], mentor)[0].viewer_role == "Your mentee"


# --- the pages that repeated the OR ---------------------------------------------------------------


def sql_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    return response, [q["sql"] for q in queries.captured_queries]


def test_pages_send_no_or_across_both_profiles(world, client):
    coordinator, mentor, mentee = world["coordinator"], world["mentor"], world["mentee"]
    active = Match.objects.get(mentor__user=mentor, mentee__user=mentee, status=Match.Status.ACTIVE)
    pages = [
        (coordinator, reverse("mentoring:person_detail", args=[mentor.pk])),
        (coordinator, reverse("mentoring:person_detail", args=[mentee.pk])),
        (coordinator, reverse("mentoring:person_erase", args=[mentee.pk])),
        (coordinator, reverse("mentoring:match_detail", args=[active.pk])),
        (mentor, reverse("mentoring:match_detail", args=[active.pk])),
        (mentor, reverse("conversations:list")),
        (mentee, reverse("conversations:list")),
        (mentee, reverse("mentoring:who_viewed")),
    ]
    for user, url in pages:
        client.force_login(user)
        response, queries = sql_of(client, url)
        assert response.status_code == 200, url
        offending = [sql for sql in queries if OR_ACROSS_PROFILES.search(sql)]
        assert not offending, (url, offending)


def test_person_page_lists_the_persons_matches_in_both_roles(world, client):
    """The coordinator of program one, on the page of the mentor (who is a
    mentee in program two): the matches of program one, as before."""
    coordinator, mentor = world["coordinator"], world["mentor"]
    client.force_login(coordinator)
    response = client.get(reverse("mentoring:person_detail", args=[mentor.pk]), secure=True)
    expected = old_visible_matches(coordinator).filter(Q(mentor__user=mentor) | Q(mentee__user=mentor))
    assert sorted(m.pk for m in response.context["matches"]) == pks(expected)
    # Program one's active, proposed and declined matches, and the coordinator's own
    # proposal to the mentor as a mentee in program two.
    assert len(pks(expected)) == 4


def test_conversation_list_offers_current_pairs_on_either_side(world, client):
    coordinator, mentee = world["coordinator"], world["mentee"]
    Conversation.objects.filter(kind=Conversation.Kind.MATCH).delete()
    client.force_login(mentee)
    response = client.get(reverse("conversations:list"), secure=True)
    expected = Match.objects.current().filter(Q(mentor__user=mentee) | Q(mentee__user=mentee))
    assert sorted(m.pk for m, _ in response.context["new_pairs"]) == pks(expected)
    assert len(pks(expected)) == 2  # active in program one, paused in program two
    client.force_login(coordinator)  # a coordinator who mentors: their paused match, as a mentor
    response = client.get(reverse("conversations:list"), secure=True)
    assert [(m.mentee.user_id, p.pk) for m, p in response.context["new_pairs"]] == [(mentee.pk, mentee.pk)]
    paused = response.context["new_pairs"][0][0]
    response = client.post(reverse("conversations:start"), {"match": paused.pk}, secure=True)
    assert response.status_code == 302
    closed = Match.objects.get(mentor__user=coordinator, status=Match.Status.CLOSED, mentee__user=mentee)
    assert client.post(reverse("conversations:start"), {"match": closed.pk}, secure=True).status_code == 404


# --- the measuring command -----------------------------------------------------------------------


def test_bench_access_pages_times_each_page_against_the_floor(db, monkeypatch):
    import io
    import json

    from django.core.management import call_command
    from django.test import Client

    from tests.conftest import _unverified_force_login

    call_command("seed_scale", mentees=20, stdout=io.StringIO())
    monkeypatch.setattr(Client, "force_login", _unverified_force_login)  # the real second step, as outside tests
    out = io.StringIO()
    call_command("bench_access_pages", "--json", "--runs", "1", stdout=out)
    figures = json.loads(out.getvalue())
    assert set(figures) == {"floor_ms", "floor_p95_ms", "pages"}
    assert [page["name"] for page in figures["pages"]] == [
        "person page (coordinator)",
        "match page (coordinator)",
        "match page (mentor)",
        "conversations (coordinator)",
        "conversations (mentor)",
    ]
    assert all(page["queries"] >= 1 and page["ratio"] > 0 for page in figures["pages"])
