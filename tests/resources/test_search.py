"""Directory search on the database the suite runs on: ranked full-text
search on PostgreSQL, every word in name/description/eligibility on SQLite.
Every test asserts on both engines; `connection.vendor` adds what only one
of them promises. Then the filters, and bounded query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from resources.models import Category, Resource
from resources.search import text_search
from resources.services import ensure_taxonomy
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _names(queryset):
    return [resource.name for resource in queryset]


def _category(path):
    top, sub = path.split(" › ")
    ensure_taxonomy()
    return Category.objects.get(name=sub, parent__name=top)


def _directory(client, **query):
    response = client.get(reverse("resources:directory"), query)
    assert response.status_code == 200
    return response


def _listed(response):
    return [resource.name for resource in response.context["page"].object_list]


# --- text search ---------------------------------------------------------------------------------


@pytest.fixture
def housing_listings(db):
    category = _category("Housing › Rental help")
    return {
        # Both words in the name, but last in alphabetical order.
        "name": ResourceFactory(name="Zephyr Housing Help", category=category, description="Open weekdays."),
        # Both words in the description only.
        "description": ResourceFactory(
            name="Aardvark Center", category=category, description="We give housing help to families."
        ),
        "housing only": ResourceFactory(name="Housing Authority", category=category, description="Public housing."),
        "help only": ResourceFactory(name="Help Desk", category=category, description="Benefits paperwork."),
        "unrelated": ResourceFactory(name="Food Pantry", category=category, description="Groceries every week."),
    }


def test_every_word_must_match_and_a_name_match_comes_first_on_postgresql(housing_listings):
    found = _names(text_search(Resource.objects.all(), "housing help"))
    assert sorted(found) == ["Aardvark Center", "Zephyr Housing Help"]
    if POSTGRES:
        # Ranked: the name (weight A) above the description (weight B), whatever the alphabet says.
        assert found == ["Zephyr Housing Help", "Aardvark Center"]
    else:
        # No ranking on SQLite: the directory's own order (crisis first, then by name).
        assert connection.vendor == "sqlite"
        assert found == ["Aardvark Center", "Zephyr Housing Help"]


def test_search_ignores_case_and_word_order(housing_listings):
    found = _names(text_search(Resource.objects.all(), "  HELP   Housing "))
    assert sorted(found) == ["Aardvark Center", "Zephyr Housing Help"]
    if POSTGRES:
        assert found[0] == "Zephyr Housing Help"
        # English stemming: other forms of the same words match as well.
        assert sorted(_names(text_search(Resource.objects.all(), "helping houses"))) == sorted(found)
    else:
        # Plain substring matching: the start of a word matches.
        assert sorted(_names(text_search(Resource.objects.all(), "hous hel"))) == sorted(found)


def test_search_does_not_depend_on_the_servers_text_search_language(housing_listings):
    """The query is parsed as English; the listings' text must be too, not in
    whatever default_text_search_config the database server was set up with."""
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL default_text_search_config = 'pg_catalog.simple'")
    found = _names(text_search(Resource.objects.all(), "housing help"))
    assert sorted(found) == ["Aardvark Center", "Zephyr Housing Help"]


def test_search_looks_in_the_eligibility_too(db):
    ResourceFactory(name="Harbor House", eligibility="Veterans in recovery")
    ResourceFactory(name="Bay Clinic", description="For everyone.")
    found = _names(text_search(Resource.objects.all(), "veterans"))
    assert found == ["Harbor House"]
    if POSTGRES:
        assert text_search(Resource.objects.all(), "veterans").get().rank > 0


def test_an_empty_query_leaves_the_listings_alone(housing_listings):
    everything = Resource.objects.order_by("name")
    for query in ("", "   ", None):
        assert _names(text_search(everything, query)) == _names(everything)
    assert not hasattr(text_search(everything, "").first(), "rank")
    if POSTGRES:
        assert hasattr(text_search(everything, "housing").first(), "rank")


def test_a_query_that_matches_nothing(housing_listings):
    assert not text_search(Resource.objects.all(), "dentist").exists()
    if POSTGRES:
        # websearch syntax: a quoted phrase must appear in that order.
        assert not text_search(Resource.objects.all(), '"help housing"').exists()
    else:
        assert not text_search(Resource.objects.all(), "housing dentist").exists()


def test_a_search_the_form_refuses_says_why_next_to_the_field(personas, client_for, housing_listings):
    """A search longer than the field allows (typed into a URL) or a category
    that does not exist: before, the form was quietly invalid and the page
    listed every listing as if nothing had been asked, with no word why. The
    listings are still shown unfiltered (an old link keeps working), and now
    the reason is next to the field and in the summary, the text kept."""
    Resource.objects.update(program=personas.program)
    client = client_for(personas.mentee)
    response = _directory(client, q="housing " * 40)
    body = response.content.decode()
    assert 'id="id_q_error"' in body and "data-error-summary" in body and "at most 200 characters" in body
    assert 'aria-invalid="true"' in body and "housing housing" in body  # what was typed is kept
    response = _directory(client, category="999999")
    assert 'id="id_category_error"' in response.content.decode()
    spanish = client.get(reverse("resources:directory"), {"q": "x" * 201}, HTTP_ACCEPT_LANGUAGE="es")
    assert "menos de 200 caracteres" in spanish.content.decode()


def test_directory_search_by_get(personas, client_for, housing_listings):
    Resource.objects.update(program=personas.program)
    ResourceFactory(name="Other Program Housing Help", program=personas.other_program)
    response = _directory(client_for(personas.mentee), q="housing help")
    listed = _listed(response)
    assert sorted(listed) == ["Aardvark Center", "Zephyr Housing Help"]
    assert response.context["page"].paginator.count == 2
    body = response.content.decode()
    assert "Zephyr Housing Help" in body and "Food Pantry" not in body
    if POSTGRES:
        assert listed[0] == "Zephyr Housing Help"
    else:
        assert listed == ["Aardvark Center", "Zephyr Housing Help"]


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def spread(personas):
    """Listings of program A across categories, languages and cities."""
    rows = [
        ("Harbor House", "Housing › Recovery housing", ["en", "es"], "Portland"),
        ("Rent Relief", "Housing › Rental help", ["es"], "portland"),
        ("Soup Kitchen", "Food › Meals", ["en"], "South Portland"),
        ("Sign Center", "Health care › Mental health care", ["asl"], "Salem"),
        ("Quiet Place", "Health care › Mental health care", [], ""),
    ]
    for name, path, languages, city in rows:
        ResourceFactory(
            program=personas.program,
            name=name,
            category=_category(path),
            languages=languages,
            city=city,
            description="Help for people in recovery.",
        )
    return personas


def _top(name):
    return Category.objects.get(name=name, parent=None)


def test_filter_by_top_category_includes_its_subcategories(spread, client_for):
    client = client_for(spread.mentee)
    assert sorted(_listed(_directory(client, category=_top("Housing").pk))) == ["Harbor House", "Rent Relief"]
    assert _listed(_directory(client, category=_category("Housing › Rental help").pk)) == ["Rent Relief"]
    assert _listed(_directory(client, category=_top("Employment").pk)) == []


@pytest.mark.parametrize(
    "language, expected",
    [("en", ["Harbor House", "Soup Kitchen"]), ("es", ["Harbor House", "Rent Relief"]), ("asl", ["Sign Center"])],
)
def test_filter_by_language(language, expected, spread, client_for):
    assert sorted(_listed(_directory(client_for(spread.mentee), language=language))) == expected


@pytest.mark.parametrize("city", ["Portland", "PORTLAND", "  portland "])
def test_filter_by_city_ignores_case_but_not_other_cities(city, spread, client_for):
    assert sorted(_listed(_directory(client_for(spread.mentee), city=city))) == ["Harbor House", "Rent Relief"]


def test_filters_and_search_combine(spread, client_for):
    client = client_for(spread.mentee)
    found = _listed(_directory(client, q="recovery help", category=_top("Housing").pk, language="es", city="Portland"))
    assert sorted(found) == ["Harbor House", "Rent Relief"]
    found = _listed(_directory(client, q="recovery", language="en", city="portland"))
    assert found == ["Harbor House"]


def test_an_unknown_filter_value_shows_everything_listed(spread, client_for):
    response = _directory(client_for(spread.mentee), language="xx")
    assert response.context["form"].errors
    assert len(_listed(response)) == 5


# --- bounded queries ---------------------------------------------------------------------------


def _grow(personas, n, start=0):
    """n listings: program A's and global ones, across categories."""
    paths = ["Housing › Recovery housing", "Food › Meals", "Legal aid › Legal clinics"]
    categories = [_category(path) for path in paths]
    for i in range(start, start + n):
        ResourceFactory(
            program=personas.program if i % 2 else None,
            name=f"Housing help {i:03}",
            category=categories[i % 3],
            description="Housing help for families.",
            languages=["en"],
            city="Portland",
            is_crisis=i % 5 == 0,
            verified_on=None if i % 4 == 0 else _days_ago(60 * i),
        )


def _days_ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.mark.parametrize(
    "persona, query",
    [
        ("mentee", {}),
        ("mentee", {"q": "housing help"}),
        ("mentor", {"q": "housing", "language": "en", "city": "portland"}),
        ("coordinator", {"category": "top"}),
    ],
)
def test_directory_query_count_does_not_grow_with_listings(
    persona, query, personas, client_for, django_assert_max_num_queries
):
    ensure_taxonomy()
    if query.get("category") == "top":
        query = {**query, "category": _top("Housing").pk}
    client = client_for(personas.user(persona))
    _grow(personas, 3)
    with django_assert_max_num_queries(80) as small:
        assert len(_listed(_directory(client, **query))) > 0
    _grow(personas, 27, start=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = _directory(client, **query)
    assert len(_listed(response)) > 3


def test_a_search_over_ten_thousand_listings_pages_with_bounded_queries(
    personas, client_for, django_assert_max_num_queries
):
    """No timing here (that belongs in a benchmark): 10,000 listings, one
    search, a full first page, the right total and the same query count as
    with a handful of listings."""
    ensure_taxonomy()
    client = client_for(personas.mentee)
    meals, shelter = _category("Food › Meals"), _category("Crisis and emergency › Emergency shelter")
    query = {"q": "housing help"}
    ResourceFactory(program=personas.program, name="Warmup", description="Housing help.", category=shelter)
    with django_assert_max_num_queries(80) as small:
        _directory(client, **query)
    Resource.objects.all().delete()

    # Every 4th listing matches; a few of those have the words in their name
    # too; a third are program B's, which a mentee of program A never sees.
    listings, expected = [], []
    for i in range(10_000):
        matching = i % 4 == 0
        name = f"Zulu Housing Help {i:05}" if matching and i < 20 else f"Listing {i:05}"
        program = [personas.program, None, personas.other_program][i % 3]
        listings.append(
            Resource(
                program=program,
                name=name,
                category=shelter if matching else meals,
                description="Housing help for families and young people." if matching else "Groceries and hot meals.",
                languages=["en"],
                city="Portland",
                verified_on=_days_ago(60 * (i % 5)),
            )
        )
        if matching and program != personas.other_program:
            expected.append(name)
    Resource.objects.bulk_create(listings, batch_size=500)
    expected = len(expected), sorted(n for n in expected if n.startswith("Zulu")), sorted(expected)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = _directory(client, **query)
    page = response.context["page"]
    count, name_matches, by_name = expected
    assert count == 1667  # 2,500 matching, less the 833 of program B
    assert page.paginator.count == count
    assert len(page.object_list) == 25
    assert page.paginator.num_pages == -(-count // 25)
    assert response.content.decode().count('data-testid="resource"') == 25
    names = _listed(response)
    if POSTGRES:
        # Ranked: the listings with the words in their name first.
        assert names[: len(name_matches)] == name_matches
        assert not any(n.startswith("Zulu") for n in names[len(name_matches) :])
    else:
        # By name: "Listing …" before "Zulu …".
        assert names == by_name[:25]
    # The last page holds the rest.
    with django_assert_max_num_queries(len(small.captured_queries)):
        last = _directory(client, **query, page=page.paginator.num_pages)
    assert len(last.context["page"].object_list) == count - 25 * (page.paginator.num_pages - 1)


def test_each_row_shows_its_category_label_without_joining_the_categories(personas, client_for):
    """Issue 18 (s6b): a row's category is the label the category select shows
    ("Parent › Name" in the reader's language, Category.__str__), taken from the
    form's list instead of joining the category and its parent into the search."""
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    category = _category("Housing › Rental help")
    Category.objects.filter(pk=category.parent_id).update(name_es="Vivienda")
    Category.objects.filter(pk=category.pk).update(name_es="Ayuda con la renta")
    ResourceFactory(name="Rent Desk", program=personas.program, category=category)
    client = client_for(personas.mentee)
    with CaptureQueriesContext(connection) as queries:
        english = _directory(client, q="rent desk").content.decode()
    search = [q["sql"] for q in queries.captured_queries if 'FROM "resources_resource"' in q["sql"]]
    assert "Housing › Rental help" in english
    spanish = client.get(reverse("resources:directory"), {"q": "rent desk"}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Vivienda › Ayuda con la renta" in spanish.content.decode()
    with translation.override("en"):
        assert str(category) == "Housing › Rental help"
    assert search and not any('JOIN "resources_category"' in sql for sql in search)
