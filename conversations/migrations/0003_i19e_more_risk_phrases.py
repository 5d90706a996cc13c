"""Give every existing program the risk phrases added to the starter list
with the Spanish translation (issue 19): Spanish ones that match what the
English list already catches ("recaí" and "relapsed" both), so a Spanish
message is flagged like an English one. New programs get the whole list from
programs.services.program_create (conversations.defaults)."""

from django.db import migrations

# A copy, not an import: a migration must keep doing what it did when the list changes.
PHRASES = (
    "relapsed",
    "recaí",
    "volví a consumir",
    "me voy a matar",
    "lastimarme",
    "no puedo más",
    "sin razón para vivir",
    "ninguna razón para vivir",
    "estarían mejor sin mí",
)


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    RiskPhrase = apps.get_model("conversations", "RiskPhrase")
    for program_id in Program.objects.values_list("pk", flat=True):
        RiskPhrase.objects.bulk_create(
            [RiskPhrase(program_id=program_id, phrase=p) for p in PHRASES], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0002_seed_risk_phrases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
