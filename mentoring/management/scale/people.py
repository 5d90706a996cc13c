"""Programs and the people in them: coordinators, mentors and their
readiness, mentees, and the matches between them with their surveys."""

from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.choices import AVAILABILITY_CHOICES, AgeRange, Gender, MeetingMode, Pathway, Topic
from mentoring.management.commands.seed_demo import demo_totp_key
from mentoring.management.scale.constants import (
    CITIES,
    COORDINATOR_EMAIL,
    INTERESTS,
    MENTEES_PER_PROGRAM,
    SLUG_PREFIX,
    SURVEY_COMMENTS,
    TIME_ZONES,
)
from mentoring.models import Match, MatchSurvey, MenteeProfile, MentorProfile
from mentoring.twofactor import APP_DEVICE_NAME
from programs.models import (
    AgreementSignature,
    BackgroundCheck,
    PolicyDocument,
    Program,
    TrainingCompletion,
    TrainingModule,
)
from programs.readiness import current_document
from programs.services import program_create


class PeopleMixin:
    """Writing steps of ScaleSeeder (seeder.py) for programs, people and matches."""

    def _user(self, email, joined_at):
        user = get_user_model()(
            email=email,
            full_name=f"{self.fake.first_name()} {self.fake.last_name()}",
            password=self.password,
            time_zone=self.random.choice(TIME_ZONES),
            date_joined=joined_at,
            phone=f"+1201555{self.random.randint(0, 9999):04d}",
            ok_to_text=self.random.random() < 0.6,
        )
        user.text_confirmed_at = joined_at if user.ok_to_text else None  # answered YES
        return user

    def _programs(self):
        count = max(2, round(self.n / MENTEES_PER_PROGRAM))
        overseer = self._user(COORDINATOR_EMAIL, self._ago(600, 700))
        coordinators = [self._user(f"scale-coordinator-{i + 1}@example.org", self._ago(450, 600)) for i in range(count)]
        self._insert(get_user_model(), [overseer, *coordinators])
        # Coordinators must pass two-factor: the overseer gets an authenticator
        # app with the demo's documented key (seed_demo.DEMO_TOTP_SECRET), so
        # the load benchmark (locustfile.py) can compute its codes.
        self._insert(TOTPDevice, [TOTPDevice(user=overseer, name=APP_DEVICE_NAME, key=demo_totp_key(), confirmed=True)])
        self.programs = [
            program_create(
                created_by=coordinator,
                slug=f"{SLUG_PREFIX}{i + 1}",
                name=f"{CITIES[i % len(CITIES)]} Peer Mentoring (scale {i + 1})",
                description="Generated volume for performance work.",
                time_zone=TIME_ZONES[i % 5],
                start_date=self.today - timedelta(days=450),
            )
            for i, coordinator in enumerate(coordinators)
        ]
        self.coordinators = coordinators
        self.rows["programs.Program"] += count
        Through = Program.coordinators.through
        self._insert(Through, [Through(program_id=p.pk, user_id=overseer.pk) for p in self.programs])
        self.rows[Through._meta.label] += count  # program_create adds each program's own coordinator
        modules = [
            TrainingModule(program=p, title=title, required=required, position=position)
            for p in self.programs
            for position, (title, required) in enumerate(
                [("Peer support basics", True), ("Boundaries and self-care", True), ("Responding to a crisis", True)]
                + [("Motivational conversations", False)]
            )
        ]
        self._insert(TrainingModule, modules)
        required = {p.pk: [] for p in self.programs}  # each program's, in order, in one pass over the modules
        for module in modules:
            if module.required:
                required[module.program_id].append(module)
        self.required_modules = [required[p.pk] for p in self.programs]
        self.skills = [list(p.skills.values_list("pk", flat=True)) for p in self.programs]
        self.areas = [list(p.experience_areas.values_list("pk", flat=True)) for p in self.programs]
        self.agreements = [current_document(p, PolicyDocument.Kind.BOUNDARIES) for p in self.programs]

    def _people(self):
        User = get_user_model()
        mentor_users = [
            self._user(f"scale-mentor-{i + 1}@example.org", self._ago(200, 900))
            for i in range(len(self.mentor_programs))
        ]
        mentee_users = [
            self._user(f"scale-mentee-{i + 1}@example.org", m.joined_at) for i, m in enumerate(self.mentees)
        ]
        self._insert(User, mentor_users + mentee_users)
        open_load = Counter(m.mentor for mentee in self.mentees for m in mentee.matches if m.status in Match.OPEN)
        self.mentors = self._insert(
            MentorProfile,
            [
                MentorProfile(
                    user=user,
                    program=self.programs[program],
                    joined_at=user.date_joined,
                    capacity=max(self.random.randint(3, 5), open_load[i]),
                    recovery_months=self.random.randint(14, 240),
                    bio="In recovery myself for a good while now. I like long walks and straight talk.",
                    **self._matching_answers(),
                )
                for i, (user, program) in enumerate(zip(mentor_users, self.mentor_programs, strict=True))
            ],
        )
        profiles = self._insert(
            MenteeProfile,
            [
                MenteeProfile(
                    user=user,
                    program=self.programs[mentee.program],
                    joined_at=user.date_joined,
                    intake_date=user.date_joined.date(),
                    preferred_mentor_gender=self.random.choice(["", "", "", Gender.WOMAN, Gender.MAN]),
                    emergency_contact_name=self.fake.first_name(),
                    emergency_contact_phone=f"+1201555{self.random.randint(0, 9999):04d}",
                    **self._matching_answers(),
                )
                for user, mentee in zip(mentee_users, self.mentees, strict=True)
            ],
        )
        for mentee, profile in zip(self.mentees, profiles, strict=True):
            mentee.profile = profile
        position = {program.pk: p for p, program in enumerate(self.programs)}  # not list.index per person
        for model, people in ((MentorProfile, self.mentors), (MenteeProfile, profiles)):
            Through = model.experience_areas.through
            owner = f"{model._meta.model_name}_id"
            links = []
            for person in people:
                areas = self.areas[position[person.program_id]]
                for area in self.random.sample(areas, self.random.randint(1, 2)):
                    links.append(Through(**{owner: person.pk, "experiencearea_id": area}))
            self._insert(Through, links)

    def _matching_answers(self):
        pick = self.random.sample
        return {
            "pathways": pick(Pathway.values, self.random.randint(1, 2)),
            "languages": ["en"] + (["es"] if self.random.random() < 0.2 else []),
            "gender": self.random.choice([Gender.WOMAN, Gender.MAN, Gender.MAN, Gender.WOMAN, Gender.NON_BINARY]),
            "age_range": self.random.choice(AgeRange.values),
            "availability": pick([value for value, _ in AVAILABILITY_CHOICES], self.random.randint(3, 7)),
            "meeting_modes": pick(MeetingMode.values, self.random.randint(1, 3)),
            "city": self.random.choice(CITIES),
            "postal_code": f"{self.random.randint(10000, 99999)}",
            "interests": pick(INTERESTS, 3),
            "topics": pick(Topic.values, 3),
        }

    def _readiness(self):
        """Ready mentors: every required module confirmed, a cleared check
        that has not expired, the current agreement signed. The others stop
        at one missing step each."""
        completions, checks, signatures = [], [], []
        for mentor, stage, program in zip(self.mentors, self.mentor_stages, self.mentor_programs, strict=True):
            coordinator = self.coordinators[program]
            done = mentor.joined_at + timedelta(days=self.random.uniform(5, 30))
            modules = self.required_modules[program]
            for module in modules[:1] if stage == "training" else modules:
                confirmed = stage != "awaiting_confirmation"
                completions.append(
                    TrainingCompletion(
                        module=module,
                        mentor=mentor,
                        marked_done_at=done,
                        confirmed_at=done + timedelta(days=2) if confirmed else None,
                        confirmed_by=coordinator if confirmed else None,
                    )
                )
            cleared = stage != "check_pending"
            if stage == "check_expired":
                expires_on = self.today - timedelta(days=10)
            else:
                expires_on = self.today + timedelta(days=self.random.randint(30, 700)) if cleared else None
            checks.append(
                BackgroundCheck(
                    mentor=mentor,
                    status=BackgroundCheck.Status.CLEARED if cleared else BackgroundCheck.Status.PENDING,
                    checked_on=done.date() if cleared else None,
                    expires_on=expires_on,
                    updated_at=done,
                    updated_by=coordinator,
                )
            )
            if stage != "agreement_unsigned":
                signatures.append(
                    AgreementSignature(
                        mentor=mentor,
                        document=self.agreements[program],
                        typed_name=mentor.user.full_name,
                        signed_at=done,
                    )
                )
        self._insert(TrainingCompletion, completions)
        self._insert(BackgroundCheck, checks)
        self._insert(AgreementSignature, signatures)

    def _matches(self):
        matches, surveys = [], []
        for mentee in self.mentees:
            for plan in mentee.matches:
                mentor = self.mentors[plan.mentor]
                closed = plan.status == Match.Status.CLOSED
                plan.row = Match(
                    program=self.programs[mentee.program],
                    mentor=mentor,
                    mentee=mentee.profile,
                    status=plan.status,
                    score=round(self.random.uniform(55, 98), 1),
                    proposed_by=self.coordinators[mentee.program],
                    mentor_response=plan.mentor_response,
                    mentee_response=plan.mentee_response,
                    created_at=plan.created_at,
                    started_at=plan.started_at,
                    status_changed_at=plan.status_changed_at,
                    first_met_at=plan.first_met_at,
                    ended_at=plan.ended_at,
                    close_reason=plan.close_reason,
                    close_note="Closed after a conversation with both." if closed else "",
                    closed_by=self.coordinators[mentee.program] if closed else None,
                )
                matches.append(plan.row)
                if closed:
                    surveys += self._surveys(plan, mentor.user, mentee.profile.user)
        self._insert(Match, matches)
        self._insert(MatchSurvey, surveys)  # bulk_create fills match_id from the now-saved matches

    def _surveys(self, plan, mentor_user, mentee_user):
        """Most closed matches have surveys; hard endings rate low."""
        low, high = (1, 3) if plan.close_reason in ("conflict", "disengaged") else (3, 5)
        return [
            MatchSurvey(
                match=plan.row,
                side=side,
                respondent=person,
                rating=self.random.randint(low, high),
                comment=self.random.choice(SURVEY_COMMENTS),
                created_at=plan.ended_at + timedelta(days=self.random.uniform(0, 5)),
            )
            for side, person in (("mentor", mentor_user), ("mentee", mentee_user))
            if self.random.random() < 0.7
        ]
