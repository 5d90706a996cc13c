"""GoalProgress.reported_at: the check-in's created_at, copied so the 9 am
reminders read recent reports per goal from one index (issue 14)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_checkin_times(apps, schema_editor):
    GoalProgress = apps.get_model("goals", "GoalProgress")
    CheckIn = apps.get_model("goals", "CheckIn")
    GoalProgress.objects.update(
        reported_at=Subquery(CheckIn.objects.filter(pk=OuterRef("checkin_id")).values("created_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("goals", "0006_safetyalert_source_message")]

    operations = [
        migrations.AddField(
            model_name="goalprogress",
            name="reported_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(copy_checkin_times, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="goalprogress",
            name="reported_at",
            field=models.DateTimeField(help_text="The check-in's created_at (UTC), copied for the reminders' read."),
        ),
        migrations.RemoveIndex(model_name="goalprogress", name="goals_goalp_goal_id_b3632e_idx"),
        migrations.AddIndex(
            model_name="goalprogress",
            index=models.Index(fields=["goal", "reported_at"], name="goalprogress_goal_reported"),
        ),
        migrations.AlterField(
            model_name="goalprogress",
            name="goal",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="progress_reports",
                to="goals.goal",
            ),
        ),
        migrations.AddIndex(model_name="goal", index=models.Index(fields=["created_at"], name="goal_created_at")),
    ]
