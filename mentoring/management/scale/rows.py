"""Writing the scale seeder's rows fast: plain rows for the biggest tables and
one multi-row INSERT … RETURNING id per batch on PostgreSQL."""

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
    """INSERT ``objects`` of ``model`` on PostgreSQL in pages of BATCH rows and
    set each primary key from RETURNING (rows come back in VALUES order, as
    Django's bulk_create also relies on). Foreign keys to instances saved
    earlier in the run are filled from those instances first."""
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
            for obj in batch:
                if not isinstance(obj, Unsaved):
                    obj._state.adding = False
                    obj._state.db = connection.alias
