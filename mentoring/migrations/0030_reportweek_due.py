"""ReportWeek.due: the matches due a weekly check-in, stored with the week's
mentees so the check-in report reads both (issue 18). Rows that exist are
filled here with the rule of insights.rollups.checkins_due as it stands
today (frozen: started, not paused, ran during the local week)."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import migrations, models
from django.db.models import Count, Q

WEEKS_PER_QUERY = 50


def fill_due(apps, schema_editor):
    ReportWeek = apps.get_model("mentoring", "ReportWeek")
    Match = apps.get_model("mentoring", "Match")
    matches = Match.objects.filter(status__in=["active", "closed"], started_at__isnull=False).order_by()
    for zone in ReportWeek.objects.values_list("zone", flat=True).distinct().order_by():
        tz = zoneinfo.ZoneInfo(zone)

        def midnight(day, tz=tz):
            return datetime.combine(day, time.min, tzinfo=tz)

        weeks = sorted(set(ReportWeek.objects.filter(zone=zone).values_list("week", flat=True)))
        for first in range(0, len(weeks), WEEKS_PER_QUERY):
            chunk = weeks[first : first + WEEKS_PER_QUERY]
            columns = {
                f"due{i}": Count(
                    "pk",
                    filter=Q(started_at__lt=midnight(week + timedelta(weeks=1)))
                    & (Q(ended_at__isnull=True) | Q(ended_at__gt=midnight(week))),
                )
                for i, week in enumerate(chunk)
            }
            due = {}
            for row in matches.values("program").annotate(**columns).order_by():
                due.update({(row["program"], week): row[f"due{i}"] for i, week in enumerate(chunk)})
            rows = list(ReportWeek.objects.filter(zone=zone, week__in=chunk).only("pk", "program", "week"))
            for row in rows:
                row.due = due.get((row.program_id, row.week), 0)
            ReportWeek.objects.bulk_update(rows, ["due"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0029_attentionsnapshot_signals_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportweek",
            name="due",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill_due, migrations.RunPython.noop),
    ]
