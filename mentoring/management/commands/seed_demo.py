"""Demo data for `make run`: one program with coordinator, mentors, mentees
and matches. Idempotent: rows are found by natural keys and only created when
missing, so a second run changes nothing."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from mentoring.models import Match, MenteeProfile, MentorProfile
from programs.models import Program

DEMO_PASSWORD = "waypoint-demo"
DEMO_LOGINS = {
    "coordinator": ("coordinator@example.org", "Dana Whitfield"),
    "mentor": ("mentor@example.org", "Marcus Lee"),
    "mentee": ("mentee@example.org", "Jordan Rivera"),
}
EXTRA_MENTORS = 10
EXTRA_MENTEES = 30
TIME_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"]


class Command(BaseCommand):
    help = "Create (or complete) the demo program and its people. Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = DemoSeeder().run()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new rows)."))
        for role, (email, _) in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:<12} {email}  password: {DEMO_PASSWORD}")


class DemoSeeder:
    def __init__(self):
        # Seeded so that every run describes the same people.
        self.fake = Faker("en_US")
        self.fake.seed_instance(2026)
        self.random = random.Random(2026)
        self.password_hash = make_password(DEMO_PASSWORD)  # hash once, not 40 times
        self.now = timezone.now()
        self.created = 0

    def run(self):
        program = self._program()
        coordinator = self._person(*DEMO_LOGINS["coordinator"])
        program.coordinators.add(coordinator)
        mentors = [self._mentor(program, *DEMO_LOGINS["mentor"], capacity=4)]
        mentors += [self._mentor(program, *self._invented_person("mentor", i)) for i in range(EXTRA_MENTORS)]
        mentees = [self._mentee(program, *DEMO_LOGINS["mentee"])]
        mentees += [self._mentee(program, *self._invented_person("mentee", i)) for i in range(EXTRA_MENTEES)]
        self._matches(program, mentors, mentees)
        return self.created

    def _program(self):
        program, created = Program.objects.get_or_create(
            slug="riverbend-peer-mentoring",
            defaults={
                "name": "Riverbend Peer Mentoring",
                "description": "One-on-one peer mentoring and weekly groups for adults building a life in recovery.",
                "time_zone": "America/New_York",
            },
        )
        self.created += created
        return program

    def _invented_person(self, role, index):
        name = self.fake.name()
        email = f"{role}{index + 1:02d}@example.org"
        return email, name

    def _person(self, email, full_name):
        user, created = get_user_model().objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "password": self.password_hash,
                "time_zone": self.random.choice(TIME_ZONES),
                "date_joined": self.now - timedelta(days=self.random.randint(20, 400)),
            },
        )
        self.created += created
        return user

    def _mentor(self, program, email, full_name, capacity=None):
        user = self._person(email, full_name)
        profile, created = MentorProfile.objects.get_or_create(
            user=user, program=program, defaults={"capacity": capacity or self.random.randint(2, 4)}
        )
        self.created += created
        return profile

    def _mentee(self, program, email, full_name):
        user = self._person(email, full_name)
        profile, created = MenteeProfile.objects.get_or_create(user=user, program=program)
        self.created += created
        return profile

    def _matches(self, program, mentors, mentees):
        demo_mentor, demo_mentee = mentors[0], mentees[0]
        plan = [
            (demo_mentor, demo_mentee, Match.Status.ACTIVE),
            (demo_mentor, mentees[1], Match.Status.ACTIVE),
            (demo_mentor, mentees[2], Match.Status.CLOSED),
            (demo_mentor, mentees[3], Match.Status.PROPOSED),
        ]
        # Other mentors each take one or two of the next mentees; the last
        # eight mentees stay unmatched so the waiting list is not empty.
        waiting_from = len(mentees) - 8
        pool = iter(mentees[4:waiting_from])
        for mentor in mentors[1:]:
            for status in (Match.Status.ACTIVE, Match.Status.PAUSED)[: self.random.randint(1, 2)]:
                mentee = next(pool, None)
                if mentee is not None:
                    plan.append((mentor, mentee, status))
        for mentor, mentee, status in plan:
            self._match(program, mentor, mentee, status)

    def _match(self, program, mentor, mentee, status):
        started = self.now - timedelta(days=self.random.randint(10, 150))
        _, created = Match.objects.get_or_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            defaults={
                "status": status,
                "created_at": started - timedelta(days=3),
                "started_at": started if status != Match.Status.PROPOSED else None,
                "ended_at": started + timedelta(days=60) if status == Match.Status.CLOSED else None,
            },
        )
        self.created += created
