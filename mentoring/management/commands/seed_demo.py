"""Demo data for `make run`: one program with its coordinator, mentors at
every readiness stage, mentees with matches and intake, volunteers and
applications in every state.

Idempotent: rows are found by natural keys and only created when missing,
so a second run changes nothing."""

import random
from base64 import b32decode
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from goals.models import (
    Answer,
    Assessment,
    Category,
    CheckIn,
    CheckInComment,
    Goal,
    GoalProgress,
    Milestone,
    SafetyAlert,
)
from goals.selectors import default_instrument
from goals.services import score_of
from mentoring.choices import AVAILABILITY_CHOICES, AgeRange, Gender, Language, MeetingMode, Pathway, Topic
from mentoring.insights.rollups import rollups_rebuild
from mentoring.models import Match, MatchingProfile, MatchSurvey, MenteeProfile, MentorProfile, VolunteerProfile
from programs.models import (
    AgreementSignature,
    Application,
    ApplicationNote,
    BackgroundCheck,
    ConsentRecord,
    PolicyDocument,
    Program,
    Story,
    TrainingCompletion,
    TrainingModule,
)
from programs.readiness import current_document
from programs.services import CONTACT_STATEMENT, program_create
from programs.stories import story_consent_sign, story_create, story_publish, story_submit
from resources.models import Category as ResourceCategory
from resources.models import Resource, Share
from resources.services import ensure_taxonomy
from sessions.models import GroupSeries, GroupSession, Registration, Session

DEMO_STORIES = [
    (
        "Tuesdays changed everything",
        "A year ago I did not leave the house much. My mentor suggested a walk every Tuesday, nothing more.\n\n"
        "Some weeks we talked the whole way, some weeks we hardly said a word. Slowly the walks got longer and the "
        "weeks got easier. Now I walk on my own, and on Tuesdays I join the group.",
    ),
    (
        "Someone who had been there",
        "When I started, I did not believe anyone could understand. Then I met someone who had sat exactly where I "
        "was sitting.\n\nWe set small goals: one phone call, one appointment, one evening out. I kept them because "
        "someone was cheering for me. Today I am a mentor myself, and I still keep small goals.",
    ),
    (
        "Learning to ask for help",
        "Asking for help used to feel like failing. My mentor showed me it is a skill, and that it gets easier with "
        "practice.\n\nThe workshops taught me ways to handle stress at work. I still have hard days, but I know what "
        "to do with them now.",
    ),
    (
        "One step at a time",
        "I came for the group and stayed for the people. Every week someone noticed how I was doing, and that "
        "made the difference.",
    ),
]

DEMO_PASSWORD = "waypoint-demo"
# The demo coordinator's authenticator key (coordinators must use two-factor
# sign-in). Public on purpose, like the password: add it to an authenticator
# app, or print the current code with `python manage.py demo_code`.
DEMO_TOTP_SECRET = "WAYPOINTDEMOWAYPOINTDEMOWAYPOINT"  # base32; 20 bytes


def demo_totp_key():
    """The demo secret as django-otp stores it (hex)."""
    return b32decode(DEMO_TOTP_SECRET).hex()


DEMO_LOGINS = {
    "coordinator": ("coordinator@example.org", "Dana Whitfield"),
    "mentor": ("mentor@example.org", "Marcus Lee"),
    "mentee": ("mentee@example.org", "Jordan Rivera"),
    # The same mentee's pages in Spanish (User.language "es"), whatever the browser says.
    "mentee (es)": ("mentee.es@example.org", "Lucía Ramírez"),
}
EXTRA_MENTORS = 10
EXTRA_MENTEES = 30
VOLUNTEERS = 2
TIME_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"]
CITIES = [("Riverbend", "12401"), ("Riverbend", "12402"), ("Hillcrest", "12430"), ("Millbrook", "12545")]
INTERESTS = ["hiking", "cooking", "music", "fishing", "art", "basketball", "gardening", "reading", "faith", "movies"]
TRAINING = [
    ("Peer support basics", "What a peer mentor is, and is not.", True),
    ("Boundaries and self-care", "Keeping the relationship safe for both of you.", True),
    ("Responding to a crisis", "What to do, who to call, and how to stay calm.", True),
    ("Motivational conversations", "Listening that helps people find their own reasons.", False),
]
# Readiness stage of each extra mentor, in order. Only ready mentors get matches.
MENTOR_STAGES = ["ready"] * 6 + ["training", "awaiting_confirmation", "check_pending", "agreement_unsigned"]


class Command(BaseCommand):
    help = "Create (or complete) the demo program and its people. Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = DemoSeeder().run()
            rollups_rebuild()  # check-ins and meetings were written past the services that keep them
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new rows)."))
        for role, (email, _) in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:<12} {email}  password: {DEMO_PASSWORD}")
        self.stdout.write(
            f"  The coordinator's second step: add the key {DEMO_TOTP_SECRET} to an authenticator app,"
            " or run `python manage.py demo_code` for the current code."
        )


class DemoSeeder:
    def __init__(self):
        # Seeded so that every run describes the same people.
        self.fake = Faker("en_US")
        self.fake.seed_instance(2026)
        self.random = random.Random(2026)
        self.password_hash = make_password(DEMO_PASSWORD)  # hash once, not 40 times
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.created = 0

    def run(self):
        coordinator = self._person(*DEMO_LOGINS["coordinator"])
        self._demo_authenticator(coordinator)
        # A program running for a year: no first-steps checklist on the demo home.
        get_user_model().objects.filter(pk=coordinator.pk, setup_checklist_dismissed_at__isnull=True).update(
            setup_checklist_dismissed_at=self.now
        )
        program = self._program(coordinator)
        modules = self._training(program)
        mentors = [self._mentor(program, *DEMO_LOGINS["mentor"], capacity=4)]
        mentors += [self._mentor(program, *self._invented_person("mentor", i)) for i in range(EXTRA_MENTORS)]
        for mentor, stage in zip(mentors, ["ready", *MENTOR_STAGES], strict=True):
            self._readiness(mentor, modules, stage, coordinator)
        mentees = [self._mentee(program, *DEMO_LOGINS["mentee"])]
        mentees += [self._mentee(program, *self._invented_person("mentee", i)) for i in range(EXTRA_MENTEES)]
        for mentee in mentees:
            self._consents(mentee)
        for i in range(VOLUNTEERS):
            self._volunteer(program, *self._invented_person("volunteer", i))
        ready = [m for m, stage in zip(mentors, ["ready", *MENTOR_STAGES], strict=True) if stage == "ready"]
        self._matches(program, ready, mentees)
        self._applications(program, coordinator)
        # Two pairs give the needs-attention list something to show: one has
        # gone quiet, the other has not met yet.
        self._sessions(program, quiet=mentees[4], not_met=mentees[5])
        self._groups(program, facilitators=[mentors[0].user, self._volunteer_user(program)], mentees=mentees)
        for index, mentee in enumerate(mentees[:8]):
            self._goals_and_checkins(mentee, trend=index % 3, open_alert=index == 1)
        self._resources(program, coordinator, mentors[0].user, mentees)
        self._public_page(program, coordinator, authors=[mentees[0].user, mentors[0].user, mentees[2].user])
        self._stories(program, coordinator, [(mentees[6].user, False)])
        # Last, so that the English demo above is the same people with or without it.
        self._spanish_mentee(program, ready[1], quiet=mentees[4], not_met=mentees[5])
        return self.created

    # --- people ---------------------------------------------------------------------

    def _program(self, coordinator):
        program = Program.objects.filter(slug="riverbend-peer-mentoring").first()
        if program is None:
            program = program_create(
                created_by=coordinator,
                slug="riverbend-peer-mentoring",
                name="Riverbend Peer Mentoring",
                description="One-on-one peer mentoring and weekly groups for adults building a life in recovery.",
                time_zone="America/New_York",
                start_date=self.today - timedelta(days=400),
                min_recovery_months=12,
                settings_saved_at=self.now,
            )
            self.created += 1
        return program

    def _invented_person(self, role, index):
        return f"{role}{index + 1:02d}@example.org", f"{self.fake.first_name()} {self.fake.last_name()}"

    def _demo_authenticator(self, coordinator):
        """The coordinator's authenticator app with the documented demo key, unless
        they already have one (a reset or a new app set up by hand is kept)."""
        if not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists():
            TOTPDevice.objects.create(user=coordinator, name="Authenticator app", key=demo_totp_key(), confirmed=True)
            self.created += 1

    def _person(self, email, full_name):
        user, created = get_user_model().objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "password": self.password_hash,
                "time_zone": self.random.choice(TIME_ZONES),
                "date_joined": self.now - timedelta(days=self.random.randint(20, 400)),
                "phone": f"+120155501{self.random.randint(10, 99)}",  # E.164, fictional (555-01xx)
                "ok_to_text": self.random.random() < 0.6,
            },
        )
        if created and user.ok_to_text:
            # Demo people who said okay-to-text also answered YES to the confirmation text.
            get_user_model().objects.filter(pk=user.pk).update(text_confirmed_at=user.date_joined)
            user.text_confirmed_at = user.date_joined
        self.created += created
        return user

    def _matching_answers(self):
        pick = self.random.sample
        city, postal = self.random.choice(CITIES)
        return {
            "pathways": pick(Pathway.values, self.random.randint(1, 2)),
            "languages": ["en"] + (["es"] if self.random.random() < 0.25 else []),
            "gender": self.random.choice([Gender.WOMAN, Gender.MAN, Gender.MAN, Gender.WOMAN, Gender.NON_BINARY]),
            "age_range": self.random.choice(AgeRange.values[:5]),
            "availability": pick([value for value, _ in AVAILABILITY_CHOICES], self.random.randint(3, 7)),
            "meeting_modes": pick(MeetingMode.values, self.random.randint(1, 3)),
            "city": city,
            "postal_code": postal,
            "interests": pick(INTERESTS, 3),
            "topics": pick(Topic.values, 3),
        }

    def _profile(self, model, program, email, full_name, **extra):
        user = self._person(email, full_name)
        profile = model.objects.filter(user=user, program=program).first()
        if profile is None:
            answers = self._matching_answers() if issubclass(model, MatchingProfile) else {}
            profile = model.objects.create(user=user, program=program, joined_at=user.date_joined, **answers, **extra)
            if hasattr(profile, "experience_areas"):
                areas = list(program.experience_areas.all())
                profile.experience_areas.set(self.random.sample(areas, self.random.randint(1, 2)))
            self.created += 1
        return profile

    def _mentor(self, program, email, full_name, capacity=None):
        return self._profile(
            MentorProfile,
            program,
            email,
            full_name,
            capacity=capacity or self.random.randint(2, 4),
            recovery_months=self.random.randint(14, 180),
            bio="In recovery myself for a good while now. I like long walks and straight talk.",
        )

    def _mentee(self, program, email, full_name):
        return self._profile(
            MenteeProfile,
            program,
            email,
            full_name,
            intake_date=self.today - timedelta(days=self.random.randint(5, 200)),
            preferred_mentor_gender=self.random.choice(["", "", "", Gender.WOMAN]),
        )

    def _volunteer(self, program, email, full_name):
        return self._profile(
            VolunteerProfile,
            program,
            email,
            full_name,
            availability=["tue_evening", "sat_morning"],
            languages=[Language.ENGLISH],
            skills="Setting up rooms, making coffee.",
        )

    def _spanish_mentee(self, program, mentor, *, quiet, not_met):
        """``mentee.es@example.org``: a mentee who reads Waypoint in Spanish
        (``User.language`` "es"), in an active match with a ready mentor who
        speaks Spanish, with meetings, goals, milestones and check-ins written in
        Spanish like the English demo mentee's."""
        email, full_name = DEMO_LOGINS["mentee (es)"]
        existed = MenteeProfile.objects.filter(user__email=email, program=program).exists()
        mentee = self._mentee(program, email, full_name)
        if not existed:
            get_user_model().objects.filter(pk=mentee.user_id).update(language="es", time_zone=program.time_zone)
            mentee.user.language, mentee.user.time_zone = "es", program.time_zone
            MenteeProfile.objects.filter(pk=mentee.pk).update(languages=["es", "en"])
        if "es" not in mentor.languages:
            mentor.languages = [*mentor.languages, "es"]
            mentor.save(update_fields=["languages"])
        self._consents(mentee)
        self._match(program, mentor, mentee, Match.Status.ACTIVE)
        self._sessions(program, quiet=quiet, not_met=not_met)
        self._goals_and_checkins(mentee, trend=0, open_alert=False, words=SPANISH_WORDS)

    # --- readiness and intake -----------------------------------------------------------

    def _training(self, program):
        modules = []
        for position, (title, description, required) in enumerate(TRAINING):
            module, created = TrainingModule.objects.get_or_create(
                program=program,
                title=title,
                defaults={"description": description, "required": required, "position": position},
            )
            self.created += created
            modules.append(module)
        return modules

    def _readiness(self, mentor, modules, stage, coordinator):
        if BackgroundCheck.objects.filter(mentor=mentor).exists():
            return  # this mentor was set up by an earlier run
        required = [m for m in modules if m.required]
        marked = required if stage != "training" else required[:1]
        for module in marked:
            confirmed = stage != "awaiting_confirmation"
            TrainingCompletion.objects.create(
                module=module,
                mentor=mentor,
                marked_done_at=self.now - timedelta(days=30),
                confirmed_at=self.now - timedelta(days=28) if confirmed else None,
                confirmed_by=coordinator if confirmed else None,
            )
        cleared = stage != "check_pending"
        BackgroundCheck.objects.create(
            mentor=mentor,
            status=BackgroundCheck.Status.CLEARED if cleared else BackgroundCheck.Status.PENDING,
            checked_on=self.today - timedelta(days=60) if cleared else None,
            expires_on=self.today + timedelta(days=300) if cleared else None,
            updated_by=coordinator,
        )
        agreement = current_document(mentor.program, PolicyDocument.Kind.BOUNDARIES)
        if agreement and stage != "agreement_unsigned":
            AgreementSignature.objects.create(mentor=mentor, document=agreement, typed_name=mentor.user.full_name)
        self.created += 1

    def _consents(self, mentee):
        if ConsentRecord.objects.filter(person=mentee.user, program=mentee.program).exists():
            return
        notice = current_document(mentee.program, PolicyDocument.Kind.PRIVACY)
        base = {"program": mentee.program, "person": mentee.user, "agreed_at": mentee.joined_at}
        ConsentRecord.objects.create(kind=ConsentRecord.Kind.CONTACT, statement=CONTACT_STATEMENT, **base)
        ConsentRecord.objects.create(kind=ConsentRecord.Kind.PRIVACY, statement=notice.body, document=notice, **base)
        self.created += 2

    # --- matches and applications -------------------------------------------------------

    def _matches(self, program, mentors, mentees):
        demo_mentor, demo_mentee = mentors[0], mentees[0]
        plan = [
            (demo_mentor, demo_mentee, Match.Status.ACTIVE),
            (demo_mentor, mentees[1], Match.Status.ACTIVE),
            (demo_mentor, mentees[2], Match.Status.CLOSED),
            (demo_mentor, mentees[3], Match.Status.PROPOSED),
        ]
        # Other ready mentors take one or two of the next mentees; the last
        # twelve stay unmatched so the waiting list is not empty.
        pool = iter(mentees[4:-12])
        # Deterministic (not random) so that a second run plans the same pairs.
        for index, mentor in enumerate(mentors[1:]):
            for status in Match.CURRENT[: 1 + index % 2]:
                mentee = next(pool, None)
                if mentee is not None:
                    plan.append((mentor, mentee, status))
        for mentor, mentee, status in plan:
            self._match(program, mentor, mentee, status)

    def _match(self, program, mentor, mentee, status):
        started = self.now - timedelta(days=self.random.randint(10, 150))
        match, created = Match.objects.get_or_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            defaults={
                "status": status,
                "created_at": started - timedelta(days=3),
                "started_at": started if status != Match.Status.PROPOSED else None,
                "ended_at": started + timedelta(days=60) if status == Match.Status.CLOSED else None,
                "status_changed_at": started,
                "first_met_at": started + timedelta(days=4) if status != Match.Status.PROPOSED else None,
                "mentor_response": Match.Response.PENDING if status == Match.Status.PROPOSED else "accepted",
                "mentee_response": Match.Response.PENDING if status == Match.Status.PROPOSED else "accepted",
                "close_reason": Match.CloseReason.GRADUATED if status == Match.Status.CLOSED else "",
            },
        )
        if created and status == Match.Status.CLOSED:
            for side, person, rating in (("mentor", mentor.user, 5), ("mentee", mentee.user, 4)):
                MatchSurvey.objects.create(
                    match=match, side=side, respondent=person, rating=rating, comment="Glad we did this."
                )
        self.created += created

    # --- sessions and groups ------------------------------------------------------------

    def _sessions(self, program, *, quiet, not_met):
        """Weekly past sessions for every started match, and the next one for active
        matches; ``quiet``'s match stopped meeting four weeks ago, ``not_met``'s
        started three weeks ago without a meeting."""
        skills = list(program.skills.filter(is_active=True))
        matches = program.matches.started()
        for match in matches.select_related("mentor__user", "mentee__user").order_by("pk"):
            if match.sessions.exists():
                continue
            if match.mentee_id == not_met.pk:
                started = self.now - timedelta(days=21)
                self.created += Match.objects.filter(pk=match.pk, first_met_at__isnull=False).update(
                    first_met_at=None, started_at=started, status_changed_at=started, created_at=started
                )
                continue
            # Weekly meetings over the last six weeks of the match.
            window_end = self.now - timedelta(weeks=4) if match.mentee_id == quiet.pk else match.ended_at or self.now
            start = max(match.started_at or window_end, window_end - timedelta(weeks=6))
            weeks = max((window_end - start).days // 7, 1)
            for week in range(weeks):
                when = (start + timedelta(days=4 + 7 * week)).replace(hour=17, minute=30, second=0, microsecond=0)
                if when >= self.now:
                    break
                missed = week == 2
                summaries, notes, follow_up = SESSION_WORDS.get(match.mentee.user.language, SESSION_WORDS["en"])
                session = Session.objects.create(
                    match=match,
                    starts_at=when,
                    duration_minutes=self.random.choice([45, 60, 60, 90]),
                    mode=self.random.choice(["in_person", "phone", "video"]),
                    scheduled_by=match.mentor.user,
                    status=Session.Status.MISSED if missed else Session.Status.COMPLETED,
                    missed_by="mentee" if missed else "",
                    logged_at=when + timedelta(hours=2),
                    logged_by=match.mentor.user,
                    topics=[] if missed else self.random.sample(Topic.values, 2),
                    shared_summary="" if missed else summaries[week % len(summaries)],
                    private_notes="" if missed else notes[week % len(notes)],
                    follow_up="" if missed else follow_up,
                )
                if not missed:
                    session.skills.set(self.random.sample(skills, 2))
                self.created += 1
            if match.status == Match.Status.ACTIVE and match.mentee_id != quiet.pk:
                upcoming = (self.now + timedelta(days=2)).replace(hour=17, minute=30, second=0, microsecond=0)
                Session.objects.create(
                    match=match,
                    starts_at=upcoming,
                    duration_minutes=60,
                    mode="in_person",
                    location=LIBRARY.get(match.mentee.user.language, LIBRARY["en"]),
                    scheduled_by=match.mentor.user,
                )
                self.created += 1

    def _volunteer_user(self, program):
        return program.volunteer_profiles.order_by("pk").first().user

    def _groups(self, program, facilitators, mentees):
        if program.group_sessions.exists():
            return
        skills = {skill.name: skill for skill in program.skills.all()}
        zone = ZoneInfo(program.time_zone)
        # Tuesdays at 6 pm, from four weeks ago to eight weeks ahead.
        last_tuesday = self.today - timedelta(days=(self.today.weekday() - 1) % 7)
        first = datetime.combine(last_tuesday - timedelta(weeks=4), time(18, 0), tzinfo=zone)
        series = GroupSeries.objects.create(
            program=program, title="Tuesday evening peer group", weekly_until=self.today + timedelta(days=56)
        )
        attendees = [m.user for m in mentees[:8]]
        for week in range(12):
            starts_at = first + timedelta(weeks=week)
            group = GroupSession.objects.create(
                program=program,
                series=series,
                kind=GroupSession.Kind.GROUP,
                title=series.title,
                skill=skills.get("Coping with cravings"),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1.5),
                location="Riverbend Community Center, room B",
                capacity=10,
                description="A peer-led circle: check in, share what worked this week, practise one skill together.",
            )
            group.facilitators.set(facilitators)
            past = starts_at < self.now
            # The latest past date is left for the facilitator to take attendance.
            marked = past and starts_at + timedelta(weeks=1) < self.now
            for index, person in enumerate(attendees[: 6 if past else 4]):
                Registration.objects.create(
                    group_session=group,
                    user=person,
                    status=Registration.Status.REGISTERED,
                    attendance=(["attended", "attended", "no_show", "excused"][index % 4] if marked else ""),
                )
            self.created += 1
        for kind, title, skill, days, hours in (
            (GroupSession.Kind.WORKSHOP, "Handling stress at work", "Stress management", 9, 2),
            (GroupSession.Kind.EVENT, "Summer picnic in Riverside Park", None, 20, 3),
        ):
            starts_at = datetime.combine(self.today + timedelta(days=days), time(11, 0), tzinfo=zone)
            group = GroupSession.objects.create(
                program=program,
                kind=kind,
                title=title,
                skill=skills.get(skill) if skill else None,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=hours),
                capacity=20 if skill else 60,
                location="Riverbend Community Center",
            )
            group.facilitators.set(facilitators[:1])
            Registration.objects.create(group_session=group, user=attendees[0], status=Registration.Status.REGISTERED)
            self.created += 1

    # --- the public page and success stories -------------------------------------------------

    def _public_page(self, program, coordinator, authors):
        """The public page published with its outcome figures, the one-off workshop and event
        shown there, and three stories published with their authors' consent."""
        if not program.public_page_enabled:
            program.public_page_enabled = True
            program.show_public_outcomes = True
            program.public_intro = (
                "Riverbend pairs adults with trained peer mentors who have walked the road themselves. "
                "Meet one-on-one, join a weekly group, or come along to a workshop: at your own pace, free of charge."
            )
            program.save(update_fields=["public_page_enabled", "show_public_outcomes", "public_intro"])
            self.created += 1
        program.group_sessions.filter(series__isnull=True, is_public=False).update(is_public=True)
        self._stories(program, coordinator, [(author, True) for author in authors])

    def _stories(self, program, coordinator, authors):
        """One story per author (published with consent, or sent to the coordinators)."""
        for author, publish in authors:
            if Story.objects.filter(author=author, program=program).exists():
                continue
            # Each author tells a different story: the next one not yet in the program.
            title, body = DEMO_STORIES[program.stories.count() % len(DEMO_STORIES)]
            story = story_create(
                program=program, author=author, title=title, body=body, display_name=author.full_name.split()[0]
            )
            story = story_submit(story=story)
            if publish:
                story_consent_sign(story=story, person=author, typed_name=author.full_name)
                story_publish(story=story, by=coordinator)
            self.created += 1

    # --- goals, check-ins, alerts, assessments ---------------------------------------------

    def _goals_and_checkins(self, mentee, *, trend, open_alert, words=None):
        """Goals in every state, five weeks of check-ins with a trend (0 rising,
        1 steady, 2 wobbling), assessments at intake and 90 days later.
        ``words``: what the people typed, in another language (SPANISH_WORDS)."""
        if mentee.goals.exists():
            return
        words = words or ENGLISH_WORDS
        start = self.today - timedelta(days=35)
        plans = words["goals"] or [
            (
                "Walk 20 minutes three times a week",
                Category.HEALTH,
                Goal.Status.ACTIVE,
                60,
                ["First week done", "Three weeks in a row"],
            ),
            (
                "Update my CV and apply for two jobs",
                Category.EMPLOYMENT,
                Goal.Status.ACTIVE,
                35,
                ["CV updated", "Two applications sent"],
            ),
            ("Call my sister every Sunday", Category.FAMILY, Goal.Status.ACHIEVED, 100, []),
            ("Find a quieter place to live", Category.HOUSING, Goal.Status.PAUSED, 20, []),
            ("Learn to cook five meals", Category.HEALTH, Goal.Status.DROPPED, 10, []),
            ("Go to the Tuesday group twice this month", Category.COMMUNITY, Goal.Status.SUGGESTED, 0, []),
        ]
        mentor = mentee.matches.filter(status=Match.Status.ACTIVE).select_related("mentor__user").first()
        goals = []
        for title, category, status, progress, milestones in plans:
            goal = Goal.objects.create(
                mentee=mentee,
                title=title,
                category=category,
                status=status,
                progress=progress,
                cadence="weekly" if category != Category.HEALTH else "twice_weekly",
                started_on=start,
                why=words["why"] if status == Goal.Status.ACTIVE else "",
                is_private=category == Category.HOUSING,
                suggested_by=mentor.mentor.user if status == Goal.Status.SUGGESTED and mentor else None,
            )
            for position, name in enumerate(milestones):
                Milestone.objects.create(
                    goal=goal,
                    title=name,
                    position=position,
                    due_date=self.today + timedelta(days=7 * (position + 1)),
                    done_at=self.now - timedelta(days=10) if position == 0 else None,
                )
            goals.append(goal)
            self.created += 1
        active = [g for g in goals if g.status == Goal.Status.ACTIVE]
        moods = {
            0: [2, 3, 3, 3, 4, 4, 4, 5, 4, 5],
            1: [3, 4, 3, 4, 4, 3, 4, 4, 3, 4],
            2: [4, 3, 4, 2, 3, 4, 3, 3, 2, 3],
        }[trend]
        for index, mood in enumerate(moods):
            when = self.now - timedelta(days=35 - index * 3.5, hours=self.random.randint(0, 5))
            checkin = CheckIn.objects.create(
                mentee=mentee,
                created_at=when,
                mood=mood,
                craving=max(0, 7 - mood - self.random.randint(0, 2)),
                reflection=words["reflection"] if mood >= 4 else "",
                wants_to_talk=mood <= 2,
            )
            GoalProgress.objects.bulk_create(
                [GoalProgress(checkin=checkin, goal=g, progress=min(g.progress, 10 * (index + 1))) for g in active]
            )
            if mentor and index == len(moods) - 2:
                CheckInComment.objects.create(checkin=checkin, author=mentor.mentor.user, body=words["comment"])
            self.created += 1
        if open_alert:
            SafetyAlert.objects.create(
                mentee=mentee,
                checkin=checkin,
                kind=SafetyAlert.Kind.CRAVING,
                reasons=[SafetyAlert.Kind.CRAVING],
                created_at=checkin.created_at,
            )
        instrument = default_instrument()
        for taken_at, base in ((mentee.joined_at, 2), (mentee.joined_at + timedelta(days=90), 4)):
            if taken_at > self.now:
                continue
            values = {item.pk: min(6, max(1, base + self.random.randint(-1, 1))) for item in instrument.items.all()}
            assessment = Assessment.objects.create(
                mentee=mentee,
                instrument=instrument,
                taken_at=taken_at,
                score=score_of(instrument, list(values.values())),
            )
            Answer.objects.bulk_create([Answer(assessment=assessment, item_id=k, value=v) for k, v in values.items()])
            self.created += 1

    # --- resources ---------------------------------------------------------------------

    def _resources(self, program, coordinator, mentor, mentees):
        """National crisis lines (the only real numbers), about fifty invented
        local listings, and shares and referrals in every state."""
        ensure_taxonomy()
        if Resource.objects.filter(program=program).exists():
            return
        categories = {c.name: c for c in ResourceCategory.objects.filter(parent__isnull=False)}
        for name, phone, text, description in NATIONAL_CRISIS_LINES:
            Resource.objects.get_or_create(
                name=name,
                program=None,
                defaults={
                    "category": categories["Crisis lines"],
                    "phone": phone,
                    "text_number": text,
                    "description": description,
                    "is_crisis": True,
                    "hours": "24 hours, every day",
                    "languages": ["en", "es"],
                    "verified_on": self.today,
                },
            )
        listings = []
        for index, (name, category, description) in enumerate(LOCAL_LISTINGS):
            city, _ = CITIES[index % len(CITIES)]
            listings.append(
                Resource(
                    program=program,
                    name=name,
                    category=categories[category],
                    description=description,
                    phone=f"555-01{index:02d}",
                    city=city,
                    address=f"{100 + index * 7} Main Street",
                    hours="Mon–Fri 9am–5pm" if index % 3 else "Evenings and weekends",
                    cost="Free" if index % 2 else "Sliding scale",
                    languages=["en"] + (["es"] if index % 4 == 0 else []),
                    tags=[category.split()[0].lower()],
                    is_crisis=category == "Crisis lines",
                    verified_on=self.today - timedelta(days=30 + index * 9),
                    verified_by=coordinator,
                )
            )
        listings = Resource.objects.bulk_create(listings)
        self.created += len(listings)
        plan = [
            (mentees[0], listings[0], False, ""),
            (mentees[0], listings[5], True, ""),
            (mentees[0], listings[9], True, Share.FollowUp.YES),
            (mentees[1], listings[12], True, Share.FollowUp.NOT_YET),
            (mentees[4], listings[20], True, Share.FollowUp.DIDNT_HELP),
        ]
        for mentee, resource, referral, answer in plan:
            Share.objects.create(
                resource=resource,
                mentee=mentee,
                shared_by=mentor,
                is_referral=referral,
                note="This helped someone I know. Worth a call?",
                followup=answer,
                followup_at=self.now - timedelta(days=2) if answer else None,
                created_at=self.now - timedelta(days=10),
            )
            self.created += 1

    def _applications(self, program, coordinator):
        if program.applications.exists():
            return
        notice = current_document(program, PolicyDocument.Kind.PRIVACY)
        areas = list(program.experience_areas.all())
        plan = (
            [(Application.Kind.MENTEE, Application.Status.NEW)] * 4
            + [(Application.Kind.MENTOR, Application.Status.NEW)] * 2
            + [(Application.Kind.VOLUNTEER, Application.Status.NEW)]
            + [(Application.Kind.MENTEE, Application.Status.WAITLISTED)] * 2
            + [(Application.Kind.MENTOR, Application.Status.DECLINED)]
            + [(Application.Kind.MENTEE, Application.Status.DECLINED)]
        )
        for index, (kind, status) in enumerate(plan):
            name = f"{self.fake.first_name()} {self.fake.last_name()}"
            days_ago = self.random.randint(1, 40)
            application = Application.objects.create(
                program=program,
                kind=kind,
                status=status,
                full_name=name,
                email=f"applicant{index + 1:02d}@example.org",
                phone=f"+12015550{index + 110}",
                preferred_contact=self.random.choice(["email", "text"]),
                ok_to_text=True,
                consent_to_contact=True,
                privacy_notice=notice,
                details=self._matching_answers() if kind != Application.Kind.VOLUNTEER else {},
                submitted_at=self.now - timedelta(days=days_ago),
                decided_at=None if status == Application.Status.NEW else self.now - timedelta(days=days_ago - 1),
                decided_by=None if status == Application.Status.NEW else coordinator,
                decision_reason=DECISION_REASONS.get(status, ""),
            )
            if kind != Application.Kind.VOLUNTEER:
                application.experience_areas.set(self.random.sample(areas, 1))
            if index % 3 == 0:
                ApplicationNote.objects.create(
                    application=application, author=coordinator, body="Left a voicemail; will try again Thursday."
                )
            self.created += 1


SUMMARIES = [
    "We talked about the week and what got in the way. You named two things that helped.",
    "We practised a breathing exercise for stressful moments and planned the weekend.",
    "We went over the job application together and set a small goal for Thursday.",
]
PRIVATE_NOTES = [
    "Seemed tired; check in about sleep next time.",
    "Family situation is stressful. Keep an eye on it; mention the Tuesday group.",
    "",
]

SESSION_WORDS = {
    "en": (SUMMARIES, PRIVATE_NOTES, "Try the breathing exercise twice before next time."),
    "es": (
        [
            "Hablamos de la semana y de lo que se puso en el camino. Usted nombró dos cosas que le ayudaron.",
            "Practicamos un ejercicio de respiración para los momentos de estrés y planeamos el fin de semana.",
            "Revisamos juntos la solicitud de empleo y pusimos una meta pequeña para el jueves.",
        ],
        ["Se veía cansada; preguntarle por el sueño la próxima vez.", "Mucho estrés en casa; mencionar el grupo.", ""],
        "Pruebe el ejercicio de respiración dos veces antes de la próxima reunión.",
    ),
}
LIBRARY = {"en": "Riverbend Library, room 2", "es": "Biblioteca de Riverbend, sala 2"}
ENGLISH_WORDS = {
    "goals": None,  # the plan written in _goals_and_checkins
    "why": "It keeps me steady.",
    "reflection": "A better week.",
    "comment": "Proud of you for keeping this up. Talk Thursday?",
}
SPANISH_WORDS = {
    "goals": [
        (
            "Caminar 20 minutos tres veces por semana",
            Category.HEALTH,
            Goal.Status.ACTIVE,
            60,
            ["Primera semana lista", "Tres semanas seguidas"],
        ),
        (
            "Actualizar mi currículum y enviar dos solicitudes de empleo",
            Category.EMPLOYMENT,
            Goal.Status.ACTIVE,
            35,
            ["Currículum al día", "Dos solicitudes enviadas"],
        ),
        ("Llamar a mi hermana cada domingo", Category.FAMILY, Goal.Status.ACHIEVED, 100, []),
        ("Encontrar un lugar más tranquilo para vivir", Category.HOUSING, Goal.Status.PAUSED, 20, []),
        ("Ir al grupo de los martes dos veces este mes", Category.COMMUNITY, Goal.Status.SUGGESTED, 0, []),
    ],
    "why": "Me ayuda a mantenerme firme.",
    "reflection": "Una semana mejor.",
    "comment": "Qué orgullo que siga con esto. ¿Hablamos el jueves?",
}


NATIONAL_CRISIS_LINES = [
    ("988 Suicide & Crisis Lifeline", "988", "988", "Free, confidential support for anyone in distress, 24/7."),
    ("SAMHSA National Helpline", "1-800-662-4357", "", "Free, confidential treatment referral and information, 24/7."),
    ("Crisis Text Line", "", "741741", "Text HOME to reach a trained crisis counselor, 24/7."),
]
LOCAL_LISTINGS = [
    (f"{place} {kind}", category, description)
    for place in ("Riverbend", "Hillcrest", "Millbrook", "Lakeside", "Oakton")
    for kind, category, description in [
        ("Walk-in Counseling", "Mental health care", "Same-day counseling for adults; no appointment needed."),
        ("Recovery Residence", "Recovery housing", "Shared, substance-free housing with house meetings."),
        ("Peer Support Circle", "Peer support groups", "A weekly peer-led group; newcomers welcome."),
        ("Family Support Group", "Family groups", "For partners, parents and friends of people in recovery."),
        ("Community Food Pantry", "Food pantries", "Groceries twice a week; bring any ID."),
        ("Job Readiness Center", "Job search", "CV help, mock interviews and job leads."),
        ("Free Legal Clinic", "Legal clinics", "Advice on housing, benefits and records, by appointment."),
        ("Health Center", "Primary care", "Primary care on a sliding scale, including for people without insurance."),
        ("Harm Reduction Outreach", "Naloxone and safer use supplies", "Naloxone training and supplies, no questions."),
        ("Ride Program", "Rides to appointments", "Free rides to medical and recovery appointments."),
    ]
]


DECISION_REASONS = {
    Application.Status.WAITLISTED: "No mentor with evening availability yet.",
    Application.Status.DECLINED: "Looking for clinical treatment; referred to the county intake line.",
}
