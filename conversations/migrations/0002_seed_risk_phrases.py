"""Give every existing program the starter risk phrases (conversations.defaults);
new programs get them from programs.services.program_create."""

from django.db import migrations

# A copy, not an import: a migration must keep doing what it did when the list changes.
PHRASES = (
    "kill myself", "killing myself", "end my life", "end it all", "want to die", "wanna die", "suicide",
    "suicidal", "hurt myself", "hurting myself", "self harm", "no reason to live", "better off dead",
    "better off without me", "overdose", "can't go on", "cant go on",
    "matarme", "quitarme la vida", "quiero morir", "quiero morirme", "suicidio", "suicidarme", "hacerme daño",
    "no quiero vivir", "no vale la pena vivir", "mejor muerto", "mejor muerta", "sobredosis", "acabar con todo",
)


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    RiskPhrase = apps.get_model("conversations", "RiskPhrase")
    for program_id in Program.objects.values_list("pk", flat=True):
        RiskPhrase.objects.bulk_create(
            [RiskPhrase(program_id=program_id, phrase=p) for p in PHRASES], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0001_messages_conversations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
