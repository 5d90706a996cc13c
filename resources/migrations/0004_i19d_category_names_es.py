"""Spanish names for the default categories on existing sites (new sites get
them from resources.defaults.ensure_taxonomy)."""

from django.db import migrations


def fill(apps, schema_editor):
    from resources.defaults import fill_spanish_names

    fill_spanish_names(apps.get_model("resources", "Category"))


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0003_i19d_spanish_versions"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
