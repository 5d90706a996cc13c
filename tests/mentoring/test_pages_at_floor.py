"""Issue 18 (i18g): the mentor home, the mentee home and the resource search
within 2× the floor at 10,000 mentees.

- The directory's rows read their Spanish versions with the row: a Spanish
  reader's page ran one query per listing and category (75 queries for 16
  listings at 10,000 mentees, 10 in English).
- The mentor's caseload and the directory read their length with the page's
  rows (``mentoring.paging.page_of``: one query, no second COUNT), paged
  exactly like ``Paginator.get_page``.
- The directory's categories are read as a plain list (no server-side
  cursor), labelled once per page, in the reader's language.
- The suggestions waiting for review are counted with the coordinated
  programs (one query, same figure as ``managed_resources``).
- The full-text document is a stored generated column on PostgreSQL
  (``ListingDocument`` reads it): the same SQL as Django's SearchVector.
- The calendar's groups are one UNION subquery (PostgreSQL read every group
  session of the site for an OR of two subqueries); the caseload's open-alert
  flag is a per-match probe, not an EXISTS PostgreSQL hashed over every open alert."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from goals.models import SafetyAlert
from mentoring import access
from mentoring.models import Match
from mentoring.paging import page_of
from resources.forms import SearchForm
from resources.models import Resource
from resources.search import ListingDocument, search_vector, text_search
from sessions.selectors import with_contact_figures
from sessions.services import upcoming_for
from tests.factories import (
    CategoryFactory,
    CheckInFactory,
    GroupSessionFactory,
    MatchFactory,
    MenteeProfileFactory,
    RegistrationFactory,
    ResourceFactory,
    SafetyAlertFactory,
    SessionFactory,
    TopCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _captured(client, url, language="en"):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries], response.content.decode()


def _counts(sqls, table):
    return [sql for sql in sqls if sql.startswith(f'SELECT COUNT(*) AS "__count" FROM "{table}"')]


# --- the directory in Spanish -------------------------------------------------------------------


def _spanish_listing(program, n):
    top = TopCategoryFactory(name=f"Housing {n}", name_es=f"Vivienda {n}")
    category = CategoryFactory(parent=top, name=f"Shelters {n}", name_es=f"Albergues {n}")
    return ResourceFactory(
        program=program,
        name=f"Housing desk {n}",
        name_es=f"Oficina de vivienda {n}",
        description=f"Help with housing, desk {n}.",
        description_es=f"Ayuda con la vivienda, oficina {n}.",
        category=category,
    )


def test_the_directory_in_spanish_runs_the_same_queries_as_in_english_for_one_listing_or_six(personas, client_for):
    client = client_for(personas.coordinator)
    url = reverse("resources:directory") + "?q=housing"
    _spanish_listing(personas.program, 0)
    client.get(url)
    english_few, _ = _captured(client, url)
    spanish_few, _ = _captured(client, url, "es")
    for n in range(1, 6):
        _spanish_listing(personas.program, n)
    english_many, english = _captured(client, url)
    spanish_many, spanish = _captured(client, url, "es")
    assert len(english_few) == len(spanish_few) == len(english_many) == len(spanish_many)
    for n in range(6):
        assert f"Oficina de vivienda {n}" in spanish
        assert f"Ayuda con la vivienda, oficina {n}." in spanish
        assert f"Vivienda {n} › Albergues {n}" in spanish
        assert f"Housing desk {n}" in english and f"Housing {n} › Shelters {n}" in english
        assert f"Oficina de vivienda {n}" not in english


def test_the_directorys_category_list_is_one_plain_query_in_the_readers_language(personas):
    _spanish_listing(personas.program, 1)
    with translation.override("es"), mock.patch.object(QuerySet, "iterator", side_effect=AssertionError("cursor")):
        form = SearchForm({"q": ""})
        assert form.is_valid()
        with CaptureQueriesContext(connection) as captured:
            html = str(form["category"])
    assert len(captured) == 1
    assert "Vivienda 1 › Albergues 1" in html
    assert "Cualquier categoría" in html


def test_the_waiting_suggestions_are_counted_with_the_coordinated_programs(personas, client_for):
    ResourceFactory(program=personas.program, status=Resource.Status.SUGGESTED, name="Waiting one")
    ResourceFactory(program=personas.program, status=Resource.Status.SUGGESTED, name="Waiting two")
    ResourceFactory(program=personas.other_program, status=Resource.Status.SUGGESTED, name="Not theirs")
    client = client_for(personas.coordinator)
    sqls, html = _captured(client, reverse("resources:directory"))
    expected = access.managed_resources(personas.coordinator).filter(status=Resource.Status.SUGGESTED).count()
    assert expected == 2
    assert f'<span class="badge text-bg-warning">{expected}</span>' in html
    assert not _counts(sqls, "resources_resource")  # no count of its own, none of the list


# --- first pages without a COUNT ------------------------------------------------------------------


def test_the_mentor_home_runs_no_count_of_the_caseload(personas, client_for):
    MatchFactory(program=personas.program, mentor=personas.match.mentor)
    client = client_for(personas.mentor)
    sqls, html = _captured(client, reverse("mentoring:home_mentor"))
    assert not _counts(sqls, "mentoring_match")
    assert str(personas.match.mentee.user) in html


def test_the_directory_runs_no_count_of_its_results(personas, client_for):
    for n in range(30):
        ResourceFactory(program=personas.program, name=f"Housing desk {n:02}")
    client = client_for(personas.coordinator)
    sqls, html = _captured(client, reverse("resources:directory") + "?q=housing")
    assert not _counts(sqls, "resources_resource")
    assert "Housing desk 24" in html and "Housing desk 25" not in html
    assert "Page 1 of 2" in html
    sqls, html = _captured(client, reverse("resources:directory") + "?q=housing&page=2")
    assert not _counts(sqls, "resources_resource")
    assert "Housing desk 29" in html and "Page 2 of 2" in html


@pytest.mark.parametrize(
    "number", [None, "", "1", "2", "3", "0", "-1", "99", "abc", "1.5", "2.0", "99999999999999999999999"]
)
def test_page_of_pages_as_the_paginator_does(personas, number):
    MatchFactory.create_batch(7, program=personas.program)
    rows = Match.objects.order_by("pk")
    expected = Paginator(rows, 3).get_page(number)
    page = page_of(rows, number, per_page=3)
    assert (page.number, list(page), page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        list(expected),
        expected.paginator.count,
        expected.paginator.num_pages,
    )


def test_page_of_reads_the_length_with_the_rows(personas):
    MatchFactory.create_batch(7, program=personas.program)
    rows = Match.objects.order_by("pk")
    total = rows.count()
    for number, per_page in ((None, total), ("1", 3), ("2", 3), ("3", 3)):
        with CaptureQueriesContext(connection) as captured:
            page = page_of(rows, number, per_page=per_page)
        assert (len(captured), page.paginator.count) == (1, total)
    with CaptureQueriesContext(connection) as captured:
        page = page_of(rows, "40", per_page=3)  # past the end: the last page, as the paginator gives it
    assert (page.number, page.paginator.count) == (page.paginator.num_pages, total)


# --- the search document ---------------------------------------------------------------------------


def _postgresql():
    """A PostgreSQL connection object (never connected): compiles SQL on either database."""
    settings = {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql", "NAME": "compile-only"}
    settings.update(USER="", PASSWORD="", HOST="", PORT="", OPTIONS={}, TIME_ZONE=None)
    return PostgresWrapper(settings, "compile-only")


def _search_document_migration():
    import importlib

    return importlib.import_module("resources.migrations.0005_search_document")


def test_the_stored_search_document_is_the_search_vectors_sql():
    """The generated column (PostgreSQL) is the SearchVector's SQL with its
    parameters written in: change one, the other must follow."""
    pg = _postgresql()
    query = Resource.objects.annotate(d=search_vector()).values("d").order_by().query
    sql, params = query.get_compiler(connection=pg).as_sql()
    expression = sql.removeprefix("SELECT ").removesuffix(' AS "d" FROM "resources_resource"')
    literals = tuple(f"'{value}'" for value in params)  # 'english', '' and the weights: no quotes inside
    assert all("'" not in value for value in params)
    assert expression % literals == _search_document_migration().DOCUMENT


def test_the_listing_document_reads_the_stored_column():
    from django.contrib.postgres.search import SearchQuery, SearchRank

    search = SearchQuery("housing help", search_type="websearch", config="english")
    pg = _postgresql()
    rows = Resource.objects.alias(document=ListingDocument()).annotate(rank=SearchRank(ListingDocument(), search))
    rows = rows.filter(document=search).order_by("-rank", "name")
    as_subquery = Resource.objects.filter(pk__in=rows.values("pk"))  # the table under another alias
    sql = rows.query.get_compiler(connection=pg).as_sql()[0]
    assert sql.count('"resources_resource"."search_document"') == 2 and "to_tsvector" not in sql
    assert 'U0."search_document"' in as_subquery.query.get_compiler(connection=pg).as_sql()[0]


@pytest.mark.django_db
def test_the_stored_search_document_follows_every_change_on_postgresql(personas):
    """On PostgreSQL the column is the document of the row as it is now (it is
    generated on insert and update); on SQLite it does not exist."""
    listing = ResourceFactory(program=personas.program, name="Food bank", description="groceries")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'resources_resource'"
            if connection.vendor == "postgresql"
            else "SELECT name FROM pragma_table_info('resources_resource')"
        )
        columns = {row[0] for row in cursor.fetchall()}
    if connection.vendor != "postgresql":
        assert "search_document" not in columns
        return
    assert "search_document" in columns
    Resource.objects.filter(pk=listing.pk).update(eligibility="veterans", name_es="Banco de comida")
    stored = Resource.objects.alias(document=ListingDocument()).annotate(d=ListingDocument()).values_list("d")
    computed = Resource.objects.annotate(d=search_vector()).values_list("d")
    assert stored.get(pk=listing.pk) == computed.get(pk=listing.pk)
    assert "veteran" in stored.get(pk=listing.pk)[0]


def test_the_listing_document_finds_and_ranks_as_the_search_vector(personas):
    """On PostgreSQL the same rows and ranks; SQLite has no full-text search (its
    word-by-word fallback finds the same listings)."""
    for n in range(4):
        ResourceFactory(program=personas.program, name=f"Housing desk {n}", description="housing " * n)
    ResourceFactory(program=personas.program, name="Food bank", description_es="vivienda y comida")
    found = {query: set(text_search(Resource.objects.all(), query)) for query in ("housing", "vivienda")}
    assert len(found["housing"]) == 4 and [r.name for r in found["vivienda"]] == ["Food bank"]
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchQuery, SearchRank

    for query in ("housing", "desk -2", "vivienda"):
        search = SearchQuery(query, search_type="websearch", config="english")
        ranked = [
            list(
                Resource.objects.alias(document=document())
                .annotate(rank=SearchRank(document(), search))
                .filter(document=search)
                .order_by("-rank", "name")
                .values_list("pk", "rank")
            )
            for document in (ListingDocument, search_vector)
        ]
        assert ranked[0] == ranked[1] and ranked[0]


# --- the calendar's groups and the caseload's alert flag ----------------------------------------------


def test_the_calendars_groups_are_one_union_and_the_same_groups(personas):
    person = personas.mentor
    registered = RegistrationFactory(user=person, group_session=GroupSessionFactory(program=personas.program))
    facilitated = GroupSessionFactory(program=personas.program, facilitators=[person])
    both = GroupSessionFactory(program=personas.program, facilitators=[person])
    RegistrationFactory(user=person, group_session=both)
    RegistrationFactory(user=person, status="waitlisted", group_session=GroupSessionFactory(program=personas.program))
    past = GroupSessionFactory(program=personas.program, starts_at=timezone.now() - timedelta(days=1))
    RegistrationFactory(user=person, group_session=past)
    GroupSessionFactory(program=personas.program)  # someone else's
    _, groups = upcoming_for(person)
    sql = str(groups.query)
    assert "UNION" in sql and " OR " not in sql
    assert list(groups) == sorted([registered.group_session, facilitated, both], key=lambda g: g.starts_at)


def test_the_caseloads_alert_flag_is_a_probe_and_follows_the_match(personas):
    mentor = personas.match.mentor
    current = MatchFactory(program=personas.program, mentor=mentor)
    closed = MatchFactory(program=personas.program, mentor=mentor, status=Match.Status.CLOSED)
    quiet = MatchFactory(program=personas.program, mentor=mentor)
    for match in (current, closed):
        SafetyAlertFactory(mentee=match.mentee)
        CheckInFactory(mentee=match.mentee)
    acknowledged = SafetyAlertFactory(mentee=quiet.mentee)
    SafetyAlert.objects.filter(pk=acknowledged.pk).update(acknowledged_at=timezone.now())
    rows = with_contact_figures(Match.objects.filter(mentor=mentor))
    assert "EXISTS" not in str(rows.query)
    flags = {row.pk: (row.has_open_alert, row.last_checkin is not None) for row in rows}
    assert flags[current.pk] == (True, True)
    assert flags[closed.pk] == (False, False)  # a closed match shows nothing of the mentee's
    assert flags[quiet.pk] == (False, False)
    direct = SafetyAlert.objects.filter(mentee=current.mentee, acknowledged_at__isnull=True).exists()
    assert flags[current.pk][0] is direct


def test_the_homes_show_their_rows_with_the_new_paths(personas, client_for):
    mentee_user = UserFactory(full_name="Robin Caseload")
    match = MatchFactory(
        program=personas.program,
        mentor=personas.match.mentor,
        mentee=MenteeProfileFactory(program=personas.program, user=mentee_user),
    )
    SessionFactory(match=match)
    group = GroupSessionFactory(program=personas.program, facilitators=[personas.mentor], title="Tuesday circle")
    _, html = _captured(client_for(personas.mentor), reverse("mentoring:home_mentor"))
    assert "Robin Caseload" in html and group.title in html
    assert reverse("mentoring:match_detail", args=[match.pk]) in html


# --- the same queries at 1×, 10× and 100× of the program -----------------------------------------


def _grow(personas, to):
    """Other people's rows in the program, up to ``to`` of each: matches with an
    open alert and a check-in, group sessions, housing listings."""
    have = Match.objects.filter(program=personas.program).exclude(pk=personas.match.pk).count()
    for n in range(have, to):
        mentee = MenteeProfileFactory(program=personas.program)
        MatchFactory(program=personas.program, mentee=mentee)
        SafetyAlertFactory(mentee=mentee)
        CheckInFactory(mentee=mentee)
        RegistrationFactory(group_session=GroupSessionFactory(program=personas.program))
        ResourceFactory(program=personas.program, name=f"Housing help {n}")


def test_the_homes_and_the_search_run_the_same_queries_at_1_10_and_100_times(personas, client_for):
    """The paths this part changed (the length with the rows, the calendar's
    groups, the alert flag, the categories, the search document) as the
    program grows; the directory's results grow past a page (25) at 100×."""
    SessionFactory(match=personas.match)
    RegistrationFactory(user=personas.mentee, group_session=GroupSessionFactory(program=personas.program))
    pages = [
        (personas.mentor, reverse("mentoring:home_mentor")),
        (personas.mentee, reverse("mentoring:home_mentee")),
        (personas.coordinator, reverse("resources:directory") + "?q=housing"),
    ]
    counts = {}
    for size in (1, 10, 100):
        _grow(personas, size)
        for user, url in pages:
            client = client_for(user)
            client.get(url)
            counts.setdefault(url, []).append(len(_captured(client, url)[0]))
            if size == 100 and "resources" in url:
                assert "Page 1 of " in _captured(client, url)[1]
    for url, found in counts.items():
        assert found[0] == found[1] == found[2], f"{url}: {found} queries at 1×, 10×, 100×"


def test_listed_resources_are_the_visible_approved_listings_for_every_persona(personas):
    """access.listed_resources (the directory, issue 18 s6b) is
    visible_resources(user).filter(status=APPROVED) for anyone: global
    listings, their programs', none of another program's, no suggestion."""
    approved = Resource.Status.APPROVED
    ResourceFactory(program=None, name="Everywhere line")
    ResourceFactory(program=personas.program, name="Ours")
    ResourceFactory(program=personas.other_program, name="Theirs")
    ResourceFactory(program=personas.program, name="Suggested", status=Resource.Status.SUGGESTED)
    people = [personas.coordinator, personas.mentor, personas.mentee, personas.other_coordinator, AnonymousUser()]
    for person in people:
        direct = access.visible_resources(person).filter(status=approved)
        assert set(access.listed_resources(person)) == set(direct), person
    names = set(access.listed_resources(personas.mentee).values_list("name", flat=True))
    assert {"Everywhere line", "Ours"} <= names and not names & {"Theirs", "Suggested"}
