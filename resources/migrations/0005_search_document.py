"""The directory's full-text document stored with each listing (PostgreSQL only).

Until now each search computed the document (five to_tsvector calls over a
listing's name, description, eligibility, city and Spanish versions) for
every visible listing twice, to filter and to rank: 6 ms of the search at
400 listings (100,000 mentees), growing with the directory. A generated
column keeps it with the row, computed by PostgreSQL on every insert and
update, so no service or import path has to remember it; the search reads
it (resources.search.ListingDocument) and the GIN index finds the matches.

Not a model field: SQLite (the embedded default) has no full-text search and
keeps its word-by-word fallback, so the column exists on PostgreSQL only and
the model never reads or writes it. DOCUMENT is the SQL of
``resources.search.search_vector()`` with its parameters written in (a test
keeps them equal). Changing the type of a column it reads (name, description,
eligibility, city, name_es, description_es) on PostgreSQL means dropping the
column first and adding it back after, in the same migration."""

from django.db import migrations

DOCUMENT = (
    """(((setweight(to_tsvector('english'::regconfig, COALESCE("resources_resource"."name", '')), 'A')"""
    """ || setweight(to_tsvector('english'::regconfig, COALESCE("resources_resource"."description", '')), 'B'))"""
    """ || setweight(to_tsvector('english'::regconfig, COALESCE("resources_resource"."eligibility", '')"""
    """ || ' ' || COALESCE("resources_resource"."city", '')), 'C'))"""
    """ || setweight(to_tsvector('english'::regconfig, COALESCE("resources_resource"."name_es", '')"""
    """ || ' ' || COALESCE("resources_resource"."description_es", '')), 'B'))"""
)


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE resources_resource ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute("CREATE INDEX resource_search_document ON resources_resource USING gin (search_document)")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE resources_resource DROP COLUMN search_document")


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0004_i19d_category_names_es"),
    ]

    operations = [migrations.RunPython(add, remove)]
