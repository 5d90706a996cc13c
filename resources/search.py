"""Directory search: ranked full-text search on PostgreSQL, a simple
word-by-word fallback on SQLite."""

from functools import reduce

from django.db import connection
from django.db.models import Q


def text_search(resources, query):
    query = (query or "").strip()[:200]
    if not query:
        return resources
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # One language for documents and queries, whatever the server's default.
        vector = (
            SearchVector("name", weight="A", config="english")
            + SearchVector("description", weight="B", config="english")
            + SearchVector("eligibility", "city", weight="C", config="english")
            # The Spanish versions (mentoring.localized), so a listing is found by its words in either language.
            + SearchVector("name_es", "description_es", weight="B", config="english")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        # The document is an alias (used to filter, never selected): as an annotation
        # the vector was compiled and computed a third time for each row (issue 18).
        return (
            resources.alias(document=vector)
            .annotate(rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "name")
        )
    words = [word for word in query.split() if word][:8]

    def match_word(word):
        fields = ("name", "description", "eligibility", "city", "name_es", "description_es")
        return reduce(lambda a, b: a | b, (Q(**{f"{field}__icontains": word}) for field in fields))

    return resources.filter(reduce(lambda a, b: a & b, (match_word(w) for w in words)))
