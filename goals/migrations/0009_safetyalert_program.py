"""Each safety alert keeps its mentee's program (issue 18): filled from the
mentee profiles for the alerts already there, then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    SafetyAlert = apps.get_model("goals", "SafetyAlert")
    MenteeProfile = apps.get_model("mentoring", "MenteeProfile")
    program = MenteeProfile.objects.filter(pk=OuterRef("mentee_id")).values("program_id")[:1]
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # Check the new foreign keys now: deferred checks still pending would stop the
        # ALTER TABLE that follows in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    SafetyAlert.objects.update(program_id=Subquery(program))
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0008_safetyalert_open_by_time"),
        ("mentoring", "0031_mentee_profile_program"),
        ("programs", "0014_i19d_spanish_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="safetyalert",
            name="program",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programs.program",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="safetyalert",
            name="program",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programs.program",
            ),
        ),
        migrations.AddIndex(
            model_name="safetyalert",
            index=models.Index(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=["program"],
                name="safety_alert_open_by_program",
            ),
        ),
    ]
