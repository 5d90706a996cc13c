"""Pages of a list whose length comes with its rows (issue 18)."""

from django.core.paginator import Paginator
from django.db.models import Count, Window

TOTAL = "page_total"
MAX_PAGE = 1_000_000  # a larger number is past the end of any list here


def page_of(rows, number, *, per_page, count=None):
    """The page ``number`` (a string from the query string, or None) of
    ``rows`` (a queryset), exactly as ``Paginator(rows, per_page).get_page(number)``
    gives it: a missing or non-numeric number is the first page, a number out
    of range the last page. Returns a ``django.core.paginator.Page``.

    The list's length is read with the page's rows (``COUNT(*) OVER ()``, each
    row carrying it as ``page_total``) instead of by a second query: a
    separate ``COUNT(*)`` compiled and ran the page's whole filter again (the
    mentor's caseload, the directory's search) for a number the database has
    anyway. One query per page whatever the list's length; a page past the end
    (or a DISTINCT queryset, where the window would count duplicates) falls
    back to the paginator's count.

    ``count``: the list's length when the caller knows it already (e.g. from
    ``access.OwnMatches``): no window then, the paginator's own page."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count
        return paginator.get_page(number)
    try:
        wanted = int(number) if number not in (None, "") else 1
    except (TypeError, ValueError):
        wanted = 1  # Paginator.get_page: not a whole number → the first page
    if not 1 <= wanted <= MAX_PAGE or rows.query.distinct:
        # Out of range (an offset past what the database takes as an integer:
        # the last page anyway), or DISTINCT: the paginator's way, with its count.
        return paginator.get_page(number)
    start = (wanted - 1) * per_page
    shown = list(rows.annotate(**{TOTAL: Window(Count("*"))})[start : start + per_page])
    if shown:
        paginator.count = getattr(shown[0], TOTAL)
    elif wanted == 1:
        paginator.count = 0
    else:
        return paginator.get_page(number)  # past the end: the last page
    return paginator._get_page(shown, wanted, paginator)
