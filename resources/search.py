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

        vector = (
            SearchVector("name", weight="A")
            + SearchVector("description", weight="B")
            + SearchVector("eligibility", "city", weight="C")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            resources.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "name")
        )
    words = [word for word in query.split() if word][:8]
    match_word = lambda w: Q(name__icontains=w) | Q(description__icontains=w) | Q(eligibility__icontains=w)  # noqa: E731
    return resources.filter(reduce(lambda a, b: a & b, (match_word(w) for w in words)))
