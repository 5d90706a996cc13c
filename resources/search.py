"""Directory search: ranked full-text search on PostgreSQL, a simple
word-by-word fallback on SQLite."""

from functools import reduce

from django.db import connection
from django.db.models import Expression, Q

# A listing's document, by weight: what a SearchVector of these would be.
DOCUMENT_PARTS = (
    ("A", ("name",)),
    ("B", ("description",)),
    ("C", ("eligibility", "city")),
    # The Spanish versions (mentoring.localized), so a listing is found by its words in either language.
    ("B", ("name_es", "description_es")),
)
CONFIG = "english"  # one language for documents and queries, whatever the server's default


def text_search(resources, query):
    query = (query or "").strip()[:200]
    if not query:
        return resources
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(query, search_type="websearch", config=CONFIG)
        # The document is an alias (used to filter, never selected): as an annotation
        # it was computed a third time for each row (issue 18).
        return (
            resources.alias(document=ListingDocument())
            .annotate(rank=SearchRank(ListingDocument(), search))
            .filter(document=search)
            .order_by("-rank", "name")
        )
    words = [word for word in query.split() if word][:8]

    def match_word(word):
        fields = ("name", "description", "eligibility", "city", "name_es", "description_es")
        return reduce(lambda a, b: a | b, (Q(**{f"{field}__icontains": word}) for field in fields))

    return resources.filter(reduce(lambda a, b: a & b, (match_word(w) for w in words)))


def search_vector():
    """The document as Django's SearchVector expressions (what ListingDocument writes)."""
    from django.contrib.postgres.search import SearchVector

    parts = [SearchVector(*fields, weight=weight, config=CONFIG) for weight, fields in DOCUMENT_PARTS]
    return reduce(lambda a, b: a + b, parts)


class ListingDocument(Expression):
    """A listing's full-text document (PostgreSQL): the stored column
    ``search_document``, which PostgreSQL generates from the same SQL as
    ``search_vector()`` on every insert and update (migration
    resources/0005_search_document, GIN-indexed).

    Computing the five-part document in the query cost it twice per visible
    listing, to filter and to rank (6 ms at 400 listings, issue 18), and
    building Django's SearchVector expression for it another 2.4 ms; the
    column is read instead. tests/mentoring/test_pages_at_floor.py holds the
    column's definition equal to the SearchVector's SQL and the results equal
    to the SearchVector's."""

    def __init__(self, alias=None):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        return f'{compiler.quote_name_unless_alias(self.alias)}."{DOCUMENT_COLUMN}"', []


DOCUMENT_COLUMN = "search_document"
