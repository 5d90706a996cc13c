"""Reference data: Waypoint's default recovery-capital instrument, created here
instead of by the first page that needed it (no writes during GET)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from goals.defaults import ensure_default_instrument

    ensure_default_instrument(apps.get_model("goals", "Instrument"), apps.get_model("goals", "InstrumentItem"))


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0004_safetyalert_one_open"),
    ]

    # Reversing keeps the rows: assessments may point at them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
