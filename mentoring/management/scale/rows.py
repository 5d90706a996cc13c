"""Writing the scale seeder's rows fast: plain rows for the biggest tables and
one multi-row INSERT … RETURNING id per batch on PostgreSQL."""

import io
import json
from datetime import date, datetime

from django.db import connection, models
from psycopg2.extras import execute_values

from mentoring.management.scale.constants import BATCH


class Unsaved:
    """A row of the biggest tables (check-ins, sessions and their links,
    goal progress) as plain attributes named like the model's columns
    (``match_id``, not ``match``): a model instance costs more to build than
    the rest of the row's work. ``_insert`` writes it like an instance and
    sets ``id``; fields left out take the model's default."""

    def __init__(self, **values):
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.__dict__.get("id")


# Field classes whose Python value is what psycopg2 sends anyway (no
# conversion in Django's get_db_prep_save on PostgreSQL).
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,  # and its Positive/Small/Big subclasses
    models.CharField,  # and EmailField, SlugField
    models.TextField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,  # the attname (…_id) is read
)


def _column_reader(field):
    """How to read one field's database value off an instance, the same value
    as ``field.get_db_prep_save(field.pre_save(obj, True), connection)``."""
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if isinstance(field, models.JSONField):
        return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)
    if type(field) in (models.DateTimeField, models.DateField) or isinstance(field, PLAIN_FIELDS):
        attname = field.attname
        return lambda obj: _plain(getattr(obj, attname))
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def _plain(value):
    # TextChoices members are str subclasses: send the plain value.
    return value.value if isinstance(value, models.Choices) else value


def fast_insert(model, objects):
    """Write ``objects`` of ``model`` on PostgreSQL and set their primary keys.
    Tables of plain columns (numbers, text, booleans, dates, JSON, foreign
    keys) go through COPY with ids taken from the sequence first; others
    through one INSERT … RETURNING id per BATCH rows (rows come back in
    VALUES order, as Django's bulk_create also relies on). Foreign keys to
    instances saved earlier in the run are filled from those instances first."""
    opts = model._meta
    pk = opts.pk
    auto_pk = isinstance(pk, models.AutoField | models.BigAutoField)
    fields = [f for f in opts.concrete_fields if not (auto_pk and f is pk)]
    if isinstance(objects[0], Unsaved):
        missing = [f for f in fields if f.attname not in vars(objects[0])]
        for obj in objects:
            for field in missing:
                setattr(obj, field.attname, field.get_default())
    else:
        relations = [f for f in fields if f.is_relation]
        for obj in objects:
            for field in relations:
                if getattr(obj, field.attname) is None and field.is_cached(obj):
                    related = field.get_cached_value(obj)
                    if related is not None:
                        setattr(obj, field.attname, related.pk)
    if all(_copyable(f) for f in fields):
        _copy_rows(opts, pk if auto_pk else None, fields, objects)
        _saved(objects)
        return
    readers = [_column_reader(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # Table and column names come from the model's meta, quoted; values are parameters.
    sql = f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({columns}) VALUES %s"  # noqa: S608
    if auto_pk:
        sql += f" RETURNING {connection.ops.quote_name(pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            rows = [tuple(read(obj) for read in readers) for obj in batch]
            returned = execute_values(cursor.cursor, sql, rows, page_size=len(rows), fetch=auto_pk)
            if auto_pk:
                for obj, (value,) in zip(batch, returned, strict=True):
                    setattr(obj, pk.attname, value)
    _saved(objects)


def _saved(objects):
    """Mark model instances as saved, as bulk_create does."""
    for obj in objects:
        if not isinstance(obj, Unsaved):
            obj._state.adding = False
            obj._state.db = connection.alias


def _copyable(field):
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return False
    plain = isinstance(field, (models.JSONField, *PLAIN_FIELDS))
    return plain or type(field) in (models.DateTimeField, models.DateField)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value):
    """One value in COPY's text format (``\\N`` for NULL)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, models.Choices):
        value = value.value
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value).translate(_ESCAPES)
    raise TypeError(f"No COPY text for {type(value).__name__}")


def _reserve_ids(cursor, table, column, count):
    """The next ``count`` values of the sequence behind ``table.column``, the
    same ones ``count`` calls of ``nextval`` would give (a sequence that steps
    by 1): one ``nextval`` and one ``setval`` instead of one ``nextval`` per row
    (5–9 µs each, the biggest share of the database's work in a run). The
    table is locked against other writers until COMMIT first (SHARE ROW
    EXCLUSIVE: they wait), so that none takes a value inside the range."""
    quote = connection.ops.quote_name
    cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(
        "SELECT s.seqrelid::regclass::text, s.seqincrement FROM pg_sequence s "
        "WHERE s.seqrelid = pg_get_serial_sequence(%s, %s)::regclass",
        [table, column],
    )
    sequence, step = cursor.fetchone()
    if step != 1:  # not a plain counter: ask it for every value
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [value for (value,) in cursor.fetchall()]
    cursor.execute("SELECT nextval(%s)", [sequence])
    (first,) = cursor.fetchone()
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return range(first, first + count)


def _copy_rows(opts, pk, fields, rows):
    """COPY ``rows`` (Unsaved) into the model's table. Their ids are taken from
    the table's sequence first (the next len(rows) values, in order:
    _reserve_ids), so they are known without RETURNING."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if pk is not None:
            for row, value in zip(rows, _reserve_ids(cursor, opts.db_table, pk.column, len(rows)), strict=True):
                row.id = value
            fields = [pk, *fields]
        attnames = [f.attname for f in fields]
        buffer = io.StringIO()
        for row in rows:
            values = vars(row)
            buffer.write("\t".join([_copy_text(values[name]) for name in attnames]))
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(quote(f.column) for f in fields)
        cursor.cursor.copy_expert(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN", buffer)
