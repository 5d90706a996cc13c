"""Ids outside the database's integer range match nothing (instead of a 500).

People type and tamper with ids: in a URL (<int:pk>), a query string, a form's
choice (a ModelChoiceField or ModelMultipleChoiceField posts raw ids). SQLite
cannot even bind an integer past 64 bits (OverflowError: "Python int too large
to convert to SQLite INTEGER"), so `filter(mentee=10**20)` or
`filter(pk__in=[10**20])` failed the request. Django already treats an
out-of-range value as "no row" for `exact`, `lt`, `gt`... on an IntegerField
(django.db.models.lookups.IntegerFieldOverflow); this module does the same for
`in` and `range` on integer fields and for `exact` and `in` through a foreign key (whose
column is the integer id of the row it points to). Registered once, from
MentoringConfig.ready(), for every model of the project.

A value out of range is dropped from an `in` list (the list may become empty:
no rows) and makes an `exact` match nothing, which is exactly what the
database would answer if it could compare the numbers.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignKey, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In, Range


def _integer_range(lookup, connection):
    """(min, max) of the column the lookup compares, or (None, None) if it is
    not an integer column (e.g. a foreign key to a text primary key)."""
    field = lookup.lhs.output_field
    field = getattr(field, "target_field", None) or field
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return None, None


def _in_range(value, bounds):
    low, high = bounds
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    return (low is None or value >= low) and (high is None or value <= high)


class _DropOutOfRangeIn:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            bounds = _integer_range(self, connection)
            self.rhs = [value for value in self.rhs if _in_range(value, bounds)]
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_DropOutOfRangeIn, In):
    pass


class ForeignKeyIn(_DropOutOfRangeIn, RelatedIn):
    pass


class ForeignKeyExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and not _in_range(self.rhs, _integer_range(self, connection)):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class IntegerFieldRange(Range):
    """A bound past the column's range is clamped to it; a range wholly
    outside matches nothing."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and all(isinstance(v, int) for v in self.rhs):
            low, high = _integer_range(self, connection)
            start, end = self.rhs
            if (high is not None and start > high) or (low is not None and end < low):
                raise EmptyResultSet
            self.rhs = (start if low is None else max(start, low), end if high is None else min(end, high))
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerFieldIn)
    IntegerField.register_lookup(IntegerFieldRange)
    ForeignKey.register_lookup(ForeignKeyIn)
    ForeignKey.register_lookup(ForeignKeyExact)
