"""Realistic volume for performance work.

    python manage.py seed_scale --mentees N [--seed S] [--replace]

For N mentees: N/4 mentors, 10·N one-on-one sessions, 50·N check-ins, 2·N
goals, one program per 2,500 mentees (at least two), and everything around
them in proportion (see mentoring/management/scale/). Every scale
person signs in with the password "waypoint-demo";
scale-coordinator@example.org coordinates every scale program."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from goals.models import Answer, Assessment, CheckIn, CheckInComment, GoalProgress, SafetyAlert
from mentoring.insights.rollups import rollups_forget
from mentoring.management.scale import COORDINATOR_EMAIL, EMAIL_PREFIX, MIN_MENTEES, SLUG_PREFIX, ScaleSeeder
from mentoring.models import CheckinWeek, Delivery, Match, MatchSurvey, Notification, ReportMonth
from programs.models import AgreementSignature, Application, ApplicationNote, ConsentRecord, Program
from resources.models import Share
from sessions.models import Registration, Session


class Command(BaseCommand):
    help = "Generate realistic volume (N mentees and everything around them) for performance work."

    def add_arguments(self, parser):
        parser.add_argument("--mentees", type=int, required=True, help=f"How many mentees (at least {MIN_MENTEES}).")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same data.")
        parser.add_argument("--replace", action="store_true", help="Delete earlier scale data first.")

    def handle(self, *args, mentees, seed, replace, **options):
        if mentees < MIN_MENTEES:
            raise CommandError(f"--mentees must be at least {MIN_MENTEES}, so that every state fits.")
        exists = get_user_model().objects.filter(email=COORDINATOR_EMAIL).exists()
        if exists and not replace:
            raise CommandError(
                f"Scale data already exists ({COORDINATOR_EMAIL}). "
                "Pass --replace to delete it (its programs and people) and generate it again."
            )
        started = time.perf_counter()
        with transaction.atomic():
            if exists:
                deleted = delete_scale_data()
                self.stdout.write(
                    f"Deleted earlier scale data ({deleted} rows) in {time.perf_counter() - started:.1f} s."
                )
            seeder = ScaleSeeder(mentees=mentees, seed=seed)
            rows = seeder.run(
                on_step=lambda step, seconds: self.stderr.write(
                    f"  {step}: {seconds:.1f} s (own CPU {seeder.cpu[step]:.1f} s)"
                )
            )
            # The rows went in in bulk, past the services that keep the report rollups:
            # the reports count live until they are built again (beat or rollups_rebuild).
            rollups_forget()
            committing = time.perf_counter()
        commit = time.perf_counter() - committing
        elapsed = time.perf_counter() - started
        width = max(len(label) for label in rows)
        for label, count in sorted(rows.items()):
            self.stdout.write(f"  {label:<{width}}  {count:>9,}")
        steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in seeder.timings.items())
        self.stdout.write(f"Seconds per step: {steps}, commit (deferred foreign-key checks) {commit:.1f}.")
        cpu = ", ".join(f"{step} {seconds:.1f}" for step, seconds in seeder.cpu.items())
        self.stdout.write(f"This process's CPU seconds per step: {cpu} (the rest is the database and waiting).")
        self.stdout.write(self.style.SUCCESS(f"{sum(rows.values()):,} rows in {elapsed:.1f} s (seed {seed})."))
        self.stdout.write(f"Sign in as {COORDINATOR_EMAIL} (password: waypoint-demo) to see every scale program.")
        self.stdout.write("Reports count live until `manage.py rollups_rebuild` (or beat) builds their rollups.")


def delete_scale_data():
    """Delete the scale programs and people. The big tables go first with
    plain DELETEs: the ORM's cascade would load every check-in into memory.
    Rows that PROTECT what follows (matches hold profiles, signatures hold
    agreements) go before what they protect."""
    programs = Program.objects.filter(slug__startswith=SLUG_PREFIX)
    people = get_user_model().objects.filter(email__startswith=EMAIL_PREFIX, email__endswith="@example.org")
    in_programs = {"mentee__program__in": programs}
    deleted = 0
    querysets = [
        GoalProgress.objects.filter(checkin__mentee__program__in=programs),
        SafetyAlert.objects.filter(**in_programs),
        CheckInComment.objects.filter(checkin__mentee__program__in=programs),
        CheckIn.objects.filter(**in_programs),
        Answer.objects.filter(assessment__mentee__program__in=programs),
        Assessment.objects.filter(**in_programs),
        Share.objects.filter(**in_programs),
        Session.skills.through.objects.filter(session__match__program__in=programs),
        Session.objects.filter(match__program__in=programs),
        MatchSurvey.objects.filter(match__program__in=programs),
        CheckinWeek.objects.filter(match__program__in=programs),
        ReportMonth.objects.filter(program__in=programs),
        Match.objects.filter(program__in=programs),
        Registration.objects.filter(group_session__program__in=programs),
        Notification.objects.filter(user__in=people),
        Delivery.objects.filter(recipient__in=people),
        AgreementSignature.objects.filter(mentor__program__in=programs),
        ConsentRecord.objects.filter(program__in=programs),
        ApplicationNote.objects.filter(application__program__in=programs),
        Application.objects.filter(program__in=programs),
    ]
    emptied = set()
    for queryset in querysets:
        dependents = {relation.related_model for relation in queryset.model._meta.related_objects}
        if dependents <= emptied:
            # Every table that points at these rows is already empty of scale
            # rows, so the collector (and its signals) would have nothing to do.
            deleted += queryset._raw_delete(queryset.db)
        else:  # a table this list does not know (yet): let the ORM follow it
            deleted += queryset.delete()[0]
        emptied.add(queryset.model)
    # What is left is small enough for the ORM, which follows the remaining cascades.
    deleted += programs.delete()[0]
    deleted += people.delete()[0]
    return deleted
