"""Pages of a list without a COUNT query when one page holds it all (issue 18)."""

from django.core.paginator import Paginator


def page_of(rows, number, *, per_page, count_rows=None):
    """The page ``number`` (a string from the query string, or None) of
    ``rows`` (a queryset), as ``Paginator(rows, per_page).get_page(number)``
    gives it: a missing or non-numeric number is the first page, a number past
    the end the last page.

    The first page is read with one row more than it shows: when that row is
    not there, the list's length is known and no ``COUNT(*)`` is run (on the
    homes and the directory, that count was a second compilation and run of
    the page's whole filter for a list that nearly always fits one page).
    Otherwise the count is taken from ``count_rows`` (the same rows without
    costly annotations) or ``rows``. Returns a ``django.core.paginator.Page``."""
    paginator = Paginator(rows, per_page)
    try:
        first = int(number) == 1 if number not in (None, "") else True
    except (TypeError, ValueError):
        first = True  # Paginator.get_page: not a whole number → the first page
    if not first:
        if count_rows is not None:
            paginator.count = count_rows.count()
        return paginator.get_page(number)
    shown = list(rows[: per_page + 1])
    if len(shown) <= per_page:
        paginator.count = len(shown)
    else:
        paginator.count = (count_rows if count_rows is not None else rows).count()
        shown = shown[:per_page]
    return paginator._get_page(shown, 1, paginator)
