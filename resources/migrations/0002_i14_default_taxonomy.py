"""Reference data: the directory's default two-level categories, created here
instead of by the first directory page (no writes during GET)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from resources.defaults import ensure_taxonomy

    Category = apps.get_model("resources", "Category")
    if not Category.objects.exists():  # a category an admin removed stays removed
        ensure_taxonomy(Category)


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_initial"),
    ]

    # Reversing keeps the rows: listings may point at them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
