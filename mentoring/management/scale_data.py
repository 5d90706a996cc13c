"""Realistic volume for performance work, written by ``manage.py seed_scale``.

Per mentee: a quarter of a mentor, ten one-on-one sessions, fifty check-ins and
two goals; matches in every state, readiness rows, assessments, groups,
resources, shares and dead reminders in proportion. Everything is planned in
Python and written with bulk_create (no per-row saves, no signals), drawn from
one random.Random(seed) and one seeded Faker: a seed always describes the same
people and the same history, placed relative to the moment it runs."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from faker import Faker

from goals.models import Answer, Assessment, Category, CheckIn, Goal, GoalProgress, SafetyAlert
from goals.selectors import default_instrument
from goals.services import score_of
from mentoring.choices import AVAILABILITY_CHOICES, AgeRange, CheckInCadence, Gender, MeetingMode, Pathway, Topic
from mentoring.models import Channel, Delivery, Match, MatchSurvey, MenteeProfile, MentorProfile, ReminderKind
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
from resources.models import Category as ResourceCategory
from resources.models import Resource, Share
from resources.services import ensure_taxonomy
from sessions.models import GroupSeries, GroupSession, Registration, Session

PASSWORD = "waypoint-demo"
COORDINATOR_EMAIL = "scale-coordinator@example.org"
EMAIL_PREFIX = "scale-"  # every scale person is scale-<role>-<n>@example.org
SLUG_PREFIX = "scale-program-"
MIN_MENTEES = 10  # below this not every match state and close reason fits

MENTEES_PER_PROGRAM = 2_500
MENTORS_PER_MENTEE = 0.25
SESSIONS_PER_MENTEE = 10
CHECKINS_PER_MENTEE = 50
GOALS_PER_MENTEE = 2
BATCH = 5_000

# Where each mentee stands today, as shares of all mentees; everyone else is in
# an active match. "rematched": an earlier match closed, the current one is active.
MENTEE_STATES = {"waiting": 0.10, "proposed": 0.05, "paused": 0.03, "closed": 0.12, "rematched": 0.10}
DECLINED_SHARE = 0.02  # active mentees who turned down an earlier proposal
NEVER_MET_SHARE = 0.06  # active pairs that have not met yet
DECLINING_SHARE = 0.04  # active mentees whose mood falls and craving rises in the last two weeks
NOT_READY_SHARE = 0.15
NOT_READY_STAGES = ["training", "awaiting_confirmation", "check_pending", "check_expired", "agreement_unsigned"]
CLOSE_REASONS = {"graduated": 35, "disengaged": 25, "mentor_unavailable": 10, "moved": 10, "conflict": 5, "other": 15}
GOAL_STATUSES = {"active": 45, "suggested": 12, "achieved": 20, "paused": 10, "dropped": 13}
GOAL_PROGRESS = {"active": (5, 90), "suggested": (0, 0), "achieved": (100, 100), "paused": (10, 60), "dropped": (0, 40)}

TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]
CITIES = ["Riverbend", "Hillcrest", "Millbrook", "Lakeside", "Oakton", "Cedar Falls", "Brookhaven", "Pine Ridge"]
INTERESTS = ["hiking", "cooking", "music", "fishing", "art", "basketball", "gardening", "reading", "faith", "movies"]
SESSION_HOURS_UTC = range(14, 24)  # 9 am to 7 pm across the US zones
SUMMARIES = [
    "We talked about the week and what got in the way. You named two things that helped.",
    "We practised a breathing exercise for stressful moments and planned the weekend.",
    "We went over the job application together and set a small goal for Thursday.",
    "We looked at what a good Sunday looks like and who you could call.",
]
PRIVATE_NOTES = ["Seemed tired; ask about sleep next time.", "Family stress again; mention the Tuesday group.", ""]
CANCEL_REASONS = ["Work shift changed.", "Sick.", "Childcare fell through.", "Car trouble."]
REFLECTIONS = ["A better week.", "Hard day, but I called someone.", "Went to a meeting.", "Slept badly.", ""]
SURVEY_COMMENTS = ["Glad we did this.", "It helped to have someone who gets it.", "We lost touch.", ""]
GOAL_TITLES = {
    "recovery": ["Go to three meetings a week", "Write down my triggers"],
    "health": ["Walk 20 minutes three times a week", "See a doctor about sleep"],
    "housing": ["Find a quieter place to live", "Apply for rental help"],
    "employment": ["Update my CV and apply for two jobs", "Keep my shifts for a month"],
    "education": ["Enrol in the evening course", "Finish the GED practice tests"],
    "relationships": ["Make one new sober friend", "Repair things with an old friend"],
    "family": ["Call my sister every Sunday", "Have dinner with my kids weekly"],
    "legal": ["Go to every court date", "Ask the clinic about record clearing"],
    "finances": ["Make a monthly budget", "Pay off one bill"],
    "community": ["Volunteer once a month", "Go to the Tuesday group"],
    "spirituality": ["Ten minutes of quiet each morning", "Visit a faith community"],
    "other": ["Learn to cook five meals", "Get my driving licence back"],
}
LISTINGS = [
    ("Recovery Residence", "Recovery housing", "Shared, substance-free housing with house meetings.", "housing"),
    ("Housing Help Desk", "Rental help", "Help with deposits, rent arrears and housing applications.", "housing"),
    ("Walk-in Counseling", "Mental health care", "Same-day counseling for adults; no appointment needed.", "health"),
    ("Peer Support Circle", "Peer support groups", "A weekly peer-led group; newcomers welcome.", "groups"),
    ("Community Food Pantry", "Food pantries", "Groceries twice a week; bring any ID.", "food"),
    ("Job Readiness Center", "Job search", "CV help, mock interviews and job leads.", "work"),
    ("Free Legal Clinic", "Legal clinics", "Advice on housing, benefits and records, by appointment.", "legal"),
    ("Harm Reduction Outreach", "Naloxone and safer use supplies", "Naloxone training and supplies.", "safety"),
    ("Ride Program", "Rides to appointments", "Free rides to medical and recovery appointments.", "transport"),
    ("Emergency Shelter", "Emergency shelter", "Beds for the night and help finding housing.", "housing"),
]


@dataclass(slots=True)
class PlannedMatch:
    status: str
    created_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    status_changed_at: datetime | None = None
    close_reason: str = ""
    mentor_response: str = "accepted"
    mentee_response: str = "accepted"
    first_met_at: datetime | None = None
    never_met: bool = False
    mentor: int = -1  # index into the seeder's mentors
    sessions: list = field(default_factory=list)  # (starts_at, status, outcome) before insert
    row: Match | None = None


@dataclass(slots=True)
class PlannedMentee:
    program: int
    state: str
    joined_at: datetime | None = None
    matches: list = field(default_factory=list)
    declining: bool = False
    profile: MenteeProfile | None = None
    goals: list = field(default_factory=list)  # active Goal rows, for progress in check-ins

    @property
    def started(self):
        return [m for m in self.matches if m.started_at]

    @property
    def current(self):
        return self.matches[-1] if self.matches else None

    def active_until(self, now):
        """Until when this mentee takes part: now, or the end of their only match."""
        last = self.started[-1]
        return last.ended_at if last.status == Match.Status.CLOSED else now


def apportion(total, weights):
    """Split ``total`` into whole numbers in proportion to ``weights``
    (largest remainder), so the parts add up to ``total`` exactly."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class ScaleSeeder:
    def __init__(self, *, mentees, seed):
        if mentees < MIN_MENTEES:
            raise ValueError(f"At least {MIN_MENTEES} mentees, so that every state fits.")
        self.n = mentees
        self.random = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.password = make_password(PASSWORD)  # hashed once for every person
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rows = Counter()

    def run(self):
        """Write everything; returns rows written per model label."""
        self._programs()
        self._plan_people()
        self._people()
        self._readiness()
        self._plan_sessions()
        self._matches()
        self._sessions()
        self._goals()
        self._checkins()
        self._assessments()
        self._groups()
        self._resources()
        self._dead_deliveries()
        return self.rows

    # --- small helpers ------------------------------------------------------------

    def _insert(self, model, objects):
        model.objects.bulk_create(objects, batch_size=BATCH)
        self.rows[model._meta.label] += len(objects)
        return objects

    def _ago(self, low_days, high_days):
        return self.now - timedelta(days=self.random.uniform(low_days, high_days))

    def _between(self, start, end):
        return start + (end - start) * self.random.random() if end > start else start

    def _weighted(self, weights):
        return self.random.choices(list(weights), weights=list(weights.values()))[0]

    def _user(self, email, joined_at):
        return get_user_model()(
            email=email,
            full_name=f"{self.fake.first_name()} {self.fake.last_name()}",
            password=self.password,
            time_zone=self.random.choice(TIME_ZONES),
            date_joined=joined_at,
            phone=f"555-{self.random.randint(0, 9999):04d}",
            ok_to_text=self.random.random() < 0.6,
        )

    # --- programs and people ----------------------------------------------------------

    def _programs(self):
        count = max(2, round(self.n / MENTEES_PER_PROGRAM))
        overseer = self._user(COORDINATOR_EMAIL, self._ago(600, 700))
        coordinators = [self._user(f"scale-coordinator-{i + 1}@example.org", self._ago(450, 600)) for i in range(count)]
        self._insert(get_user_model(), [overseer, *coordinators])
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
        self.required_modules = [[m for m in modules if m.program_id == p.pk and m.required] for p in self.programs]
        self.skills = [list(p.skills.values_list("pk", flat=True)) for p in self.programs]
        self.areas = [list(p.experience_areas.values_list("pk", flat=True)) for p in self.programs]
        self.agreements = [current_document(p, PolicyDocument.Kind.BOUNDARIES) for p in self.programs]

    def _plan_people(self):
        programs = len(self.programs)
        self.mentor_programs = [i % programs for i in range(max(programs * 2, round(self.n * MENTORS_PER_MENTEE)))]
        self.mentor_stages = ["ready"] * len(self.mentor_programs)
        stage = 0
        for p in range(programs):
            members = [i for i, program in enumerate(self.mentor_programs) if program == p]
            # Every program keeps at least one ready mentor to match with.
            for i in self.random.sample(members, min(round(NOT_READY_SHARE * len(members)), len(members) - 1)):
                self.mentor_stages[i] = NOT_READY_STAGES[stage % len(NOT_READY_STAGES)]
                stage += 1
        states = [state for state, share in MENTEE_STATES.items() for _ in range(max(1, round(share * self.n)))]
        states += ["active"] * (self.n - len(states))
        self.random.shuffle(states)
        self.mentees = [PlannedMentee(program=i % programs, state=state) for i, state in enumerate(states)]
        active = [m for m in self.mentees if m.state == "active"]
        declined = set(self.random.sample(range(len(active)), max(1, round(DECLINED_SHARE * self.n))))
        for i, mentee in enumerate(active):
            self._plan_timeline(mentee, declined=i in declined)
        for mentee in self.mentees:
            if mentee.state != "active":
                self._plan_timeline(mentee, declined=False)
        for match in self.random.sample([m.current for m in active], max(1, round(NEVER_MET_SHARE * len(active)))):
            match.never_met = True
        settled = [m for m in active if m.current.started_at < self.now - timedelta(days=45)]
        for mentee in self.random.sample(settled, min(len(settled), max(1, round(DECLINING_SHARE * len(active))))):
            mentee.declining = True
        self._assign_mentors()

    def _plan_timeline(self, mentee, *, declined):
        """The matches a mentee has had, oldest first, and when they joined."""
        Status, day = Match.Status, timedelta(days=1)
        state = mentee.state
        if state == "proposed":
            created = self._ago(1, 10)  # waiting for answers for some days
            mentor_answer = self.random.choice(["pending", "pending", "accepted"])
            proposal = PlannedMatch(Status.PROPOSED, created, status_changed_at=created, mentee_response="pending")
            proposal.mentor_response = mentor_answer
            mentee.matches.append(proposal)
        elif state in ("active", "paused"):
            started = self._ago(3, 365) if state == "active" else self._ago(30, 300)
            match = self._started_match(Status(state), started)
            if state == "paused":
                match.status_changed_at = self._between(started + 14 * day, self.now - day)
            mentee.matches.append(match)
        elif state == "closed":
            started = self._ago(45, 365)
            mentee.matches.append(self._closed_match(started, self._between(started + 14 * day, self.now - day)))
        elif state == "rematched":
            started = self._ago(150, 365)
            ended = started + self.random.uniform(30, 100) * day
            mentee.matches.append(self._closed_match(started, ended))
            mentee.matches.append(self._started_match(Status.ACTIVE, ended + self.random.uniform(7, 30) * day))
        if declined:
            created = mentee.matches[0].created_at - self.random.uniform(10, 30) * day
            side = self.random.choice(["mentor", "mentee"])
            proposal = PlannedMatch(
                Status.DECLINED, created, status_changed_at=created + self.random.uniform(1, 4) * day
            )
            proposal.mentor_response = "declined" if side == "mentor" else "accepted"
            proposal.mentee_response = "declined" if side == "mentee" else "pending"
            mentee.matches.insert(0, proposal)
        first = mentee.matches[0].created_at if mentee.matches else self._ago(1, 90)
        mentee.joined_at = first - self.random.uniform(2, 30) * day

    def _started_match(self, status, started):
        created = started - timedelta(days=self.random.uniform(1, 7))
        return PlannedMatch(status, created, started, status_changed_at=started)

    def _closed_match(self, started, ended):
        match = self._started_match(Match.Status.CLOSED, started)
        match.ended_at = match.status_changed_at = ended
        return match

    def _assign_mentors(self):
        """Ready mentors of the mentee's program in turn; a re-matched mentee
        gets a different mentor; capacity grows to fit the caseload."""
        ready = [
            [i for i, p in enumerate(self.mentor_programs) if p == program] for program in range(len(self.programs))
        ]
        ready = [[i for i in members if self.mentor_stages[i] == "ready"] for members in ready]
        for members in ready:
            self.random.shuffle(members)
        turn = [0] * len(ready)
        closed = []
        for mentee in self.mentees:
            members = ready[mentee.program]
            for match in mentee.matches:
                match.mentor = members[turn[mentee.program] % len(members)]
                turn[mentee.program] += 1
                if match.status == Match.Status.CLOSED:
                    closed.append(match)
        # Every close reason at least once, then in realistic proportions.
        for i, match in enumerate(closed):
            match.close_reason = list(CLOSE_REASONS)[i] if i < len(CLOSE_REASONS) else self._weighted(CLOSE_REASONS)

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
                    emergency_contact_phone=f"555-{self.random.randint(0, 9999):04d}",
                    **self._matching_answers(),
                )
                for user, mentee in zip(mentee_users, self.mentees, strict=True)
            ],
        )
        for mentee, profile in zip(self.mentees, profiles, strict=True):
            mentee.profile = profile
        for model, people in ((MentorProfile, self.mentors), (MenteeProfile, profiles)):
            Through = model.experience_areas.through
            owner = f"{model._meta.model_name}_id"
            links = []
            for person in people:
                areas = self.areas[self.programs.index(person.program)]
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

    # --- matches and one-on-one sessions -------------------------------------------------

    def _session_window(self, match):
        start = match.started_at + timedelta(days=2)
        end = {"active": self.now + timedelta(days=14), "paused": match.status_changed_at}.get(match.status)
        return start, end or match.ended_at

    def _plan_sessions(self):
        """Ten sessions per mentee in all, spread over the started matches in
        proportion to how long each has run; pairs that never met have one
        missed or upcoming session only."""
        started = [match for mentee in self.mentees for match in mentee.started]
        never_met = [m for m in started if m.never_met]
        weights = []
        for match in started:
            start, end = self._session_window(match)
            weights.append(0 if match.never_met else max((end - start).total_seconds() / 86400, 1))
        counts = apportion(SESSIONS_PER_MENTEE * self.n - len(never_met), weights)
        for match, count in zip(started, counts, strict=True):
            if match.never_met:
                if self.random.random() < 0.7:
                    match.sessions.append((self.now + timedelta(days=self.random.uniform(1, 13)), "scheduled", ""))
                else:
                    match.sessions.append((self._between(match.started_at, self.now), "missed", "mentee"))
                continue
            start, end = self._session_window(match)
            last = end if match.status == Match.Status.ACTIVE else min(end, self.now)
            for k in range(count):
                when = start + (end - start) * ((k + 0.5 + self.random.uniform(-0.3, 0.3)) / count)
                when = when.replace(hour=self.random.choice(SESSION_HOURS_UTC), minute=self.random.choice([0, 30]))
                if when > last:  # the hour moved it past the end of the match
                    when -= timedelta(days=1)
                match.sessions.append((when.replace(second=0, microsecond=0), *self._session_outcome(when)))
        for match in started:
            met = [when for when, status, _ in match.sessions if status == "completed"]
            match.first_met_at = min(met) if met else None

    def _session_outcome(self, when):
        if when > self.now:
            return "scheduled", ""
        roll = self.random.random()
        if when > self.now - timedelta(days=10) and roll < 0.15:
            return "scheduled", ""  # held or not, the mentor has not logged it yet
        if roll < 0.80:
            return "completed", ""
        if roll < 0.92:
            return "missed", self._weighted({"mentee": 6, "mentor": 2, "both": 2})
        return "cancelled", self.random.choice(["mentor", "mentee"])

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

    def _sessions(self):
        """Sessions in batches; completed ones get one to three program skills."""
        SkillLink = Session.skills.through
        pending, skills = [], []

        def flush():
            self._insert(Session, pending)
            links = [
                SkillLink(session_id=s.pk, skill_id=k)
                for s, chosen in zip(pending, skills, strict=True)
                for k in chosen
            ]
            self._insert(SkillLink, links)
            pending.clear()
            skills.clear()

        for mentee in self.mentees:
            program_skills = self.skills[mentee.program]
            for match in mentee.started:
                mentor_user, mentee_user = match.row.mentor.user, mentee.profile.user
                for when, status, outcome in match.sessions:
                    pending.append(self._session(match.row, when, status, outcome, mentor_user, mentee_user))
                    chosen = (
                        self.random.sample(program_skills, self.random.randint(1, 3)) if status == "completed" else []
                    )
                    skills.append(chosen)
            if len(pending) >= BATCH:
                flush()
        flush()

    def _session(self, match, when, status, outcome, mentor_user, mentee_user):
        completed = status == "completed"
        duration = self.random.choice([30, 45, 60, 60, 75, 90]) if completed else 60
        logged = status in ("completed", "missed")
        mode = self._weighted({"in_person": 5, "phone": 2, "video": 3})
        return Session(
            match=match,
            starts_at=when,
            duration_minutes=duration,
            mode=mode,
            location=f"{self.random.choice(CITIES)} Library, room {self.random.randint(1, 4)}"
            if mode == "in_person"
            else "",
            status=status,
            scheduled_by=mentor_user,
            created_at=when - timedelta(days=self.random.uniform(1, 10)),
            missed_by=outcome if status == "missed" else "",
            cancelled_by=(mentor_user if outcome == "mentor" else mentee_user) if status == "cancelled" else None,
            cancel_reason=self.random.choice(CANCEL_REASONS) if status == "cancelled" else "",
            logged_at=min(when + timedelta(hours=self.random.uniform(1.5, 30)), self.now) if logged else None,
            logged_by=mentor_user if logged else None,
            topics=self.random.sample(Topic.values, self.random.randint(1, 2)) if completed else [],
            shared_summary=self.random.choice(SUMMARIES) if completed else "",
            private_notes=self.random.choice(PRIVATE_NOTES) if completed else "",
            follow_up="Try the breathing exercise twice before next time." if completed else "",
        )

    # --- goals, check-ins, assessments ------------------------------------------------------

    def _taking_part(self):
        """Mentees whose match has started: they set goals and check in."""
        return [m for m in self.mentees if m.started]

    def _goals(self):
        people = self._taking_part()
        counts = apportion(GOALS_PER_MENTEE * self.n, [self.random.randint(1, 3) for _ in people])
        goals, owners, index = [], [], 0
        for mentee, count in zip(people, counts, strict=True):
            start, end = mentee.started[0].started_at, mentee.active_until(self.now)
            mentor_user = self.mentors[mentee.started[-1].mentor].user
            for _ in range(count):
                # The first goals cover every category and status once.
                category = (
                    Category.values[index] if index < len(Category.values) else self.random.choice(Category.values)
                )
                status = list(GOAL_STATUSES)[index] if index < len(GOAL_STATUSES) else self._weighted(GOAL_STATUSES)
                index += 1
                created = self._between(start, end - timedelta(days=1))
                closes = status in (Goal.Status.ACHIEVED, Goal.Status.DROPPED)
                goals.append(
                    Goal(
                        mentee=mentee.profile,
                        title=self.random.choice(GOAL_TITLES[category]),
                        why="It keeps me steady." if self.random.random() < 0.5 else "",
                        category=category,
                        target="Three times a week" if self.random.random() < 0.5 else "",
                        target_date=(created + timedelta(days=self.random.randint(30, 180))).date()
                        if self.random.random() < 0.6
                        else None,
                        status=status,
                        cadence=self.random.choice(CheckInCadence.values),
                        is_private=self.random.random() < 0.1,
                        progress=self.random.randint(*GOAL_PROGRESS[status]),
                        suggested_by=mentor_user if status == Goal.Status.SUGGESTED else None,
                        created_at=created,
                        started_on=created.date(),
                        closed_at=min(self._between(created + timedelta(days=7), end), end) if closes else None,
                    )
                )
                owners.append(mentee)
        self._insert(Goal, goals)
        for goal, mentee in zip(goals, owners, strict=True):
            if goal.status == Goal.Status.ACTIVE:
                mentee.goals.append(goal)

    def _checkins(self):
        """Fifty check-ins per mentee in all, in proportion to how long each
        has taken part; progress on active goals for the last 60 days only."""
        people = self._taking_part()
        windows = [(m.started[0].started_at, m.active_until(self.now)) for m in people]
        weights = [max((end - start).total_seconds() / 86400, 1) for start, end in windows]
        counts = apportion(CHECKINS_PER_MENTEE * self.n, weights)
        pending, alerts, owners = [], [], []
        for mentee, (start, end), count in zip(people, windows, counts, strict=True):
            pending += self._mentee_checkins(mentee, start, end, count)
            owners.append(mentee)
            if len(pending) >= BATCH:
                self._write_checkins(pending, owners, alerts)
                pending, owners = [], []
        self._write_checkins(pending, owners, alerts)
        self._insert(SafetyAlert, alerts)

    def _mentee_checkins(self, mentee, start, end, count):
        times = sorted(self._between(start, end) for _ in range(count))
        recent_from = self.now - timedelta(days=14)
        if mentee.declining:  # enough recent check-ins to show the fall
            older = [t for t in times if t < recent_from]
            recent = [t for t in times if t >= recent_from]
            moved = min(len(older), max(0, 4 - len(recent)))
            times = sorted(
                older[: len(older) - moved] + recent + [self._between(recent_from, end) for _ in range(moved)]
            )
        mood_base, craving_base = self.random.uniform(2.6, 4.2), self.random.uniform(0.5, 5)
        reports_craving = self.random.random() < 0.75
        rows = []
        for t in times:
            lift = (t - start) / (end - start) if end > start else 0  # most people improve over time
            falling = mentee.declining and t >= recent_from
            mood = round(mood_base + 0.6 * lift - 1.8 * falling + self.random.gauss(0, 0.6))
            craving = round(craving_base - 1.5 * lift + 4 * falling + self.random.gauss(0, 1.2))
            mood = max(1, min(5, mood))
            rows.append(
                CheckIn(
                    mentee=mentee.profile,
                    created_at=t,
                    mood=mood,
                    craving=max(0, min(10, craving)) if reports_craving and self.random.random() < 0.9 else None,
                    reflection=self.random.choice(REFLECTIONS) if self.random.random() < 0.3 else "",
                    wants_to_talk=mood <= 2 and self.random.random() < 0.5,
                    needs_help=mood == 1 and self.random.random() < 0.2,
                )
            )
        return rows

    def _write_checkins(self, checkins, owners, alerts):
        self._insert(CheckIn, checkins)
        since = self.now - timedelta(days=60)
        by_mentee = {}
        for checkin in checkins:
            by_mentee.setdefault(checkin.mentee_id, []).append(checkin)
        progress = []
        for mentee in owners:
            own = by_mentee.get(mentee.profile.pk, [])
            for checkin in own:
                if checkin.created_at < since:
                    continue
                for goal in mentee.goals:
                    if goal.created_at <= checkin.created_at:
                        share = (checkin.created_at - goal.created_at) / (self.now - goal.created_at)
                        progress.append(GoalProgress(checkin=checkin, goal=goal, progress=round(goal.progress * share)))
            alerts += self._alerts(mentee, own)
        self._insert(GoalProgress, progress)

    def _alerts(self, mentee, checkins):
        """Declining mentees: an alert on their latest check-in, half still
        open. A few others: an older alert someone acknowledged."""
        if not checkins or not (mentee.declining or self.random.random() < 0.01):
            return []
        checkin = checkins[-1] if mentee.declining else self.random.choice(checkins)
        acknowledged = not mentee.declining or self.random.random() < 0.5
        kinds = {"mood_drop": 2, "craving": 2} if mentee.declining else {"help_now": 1, "craving": 2, "mood_drop": 1}
        return [
            SafetyAlert(
                mentee=mentee.profile,
                checkin=checkin,
                kind=self._weighted(kinds),
                created_at=checkin.created_at,
                acknowledged_at=min(checkin.created_at + timedelta(hours=self.random.uniform(1, 20)), self.now)
                if acknowledged
                else None,
                acknowledged_by=self.mentors[mentee.started[-1].mentor].user if acknowledged else None,
                note="Called and talked it through; seeing each other Thursday." if acknowledged else "",
            )
        ]

    def _assessments(self):
        """An intake assessment near the match start, then up to three more
        about every 90 days; scores mostly rise, some fall. Answers only for
        each mentee's latest one (what goal suggestions read): all of them
        would add ten rows per assessment for little use."""
        instrument = default_instrument()
        items = list(instrument.items.all())
        low, high = instrument.scale_min, instrument.scale_max
        rows, latest = [], []
        for mentee in self._taking_part():
            taken = min(mentee.started[0].started_at + timedelta(days=self.random.uniform(0, 3)), self.now)
            score = self.random.uniform(30, 60)
            drift = (-12, 3) if mentee.declining or self.random.random() < 0.15 else (-3, 12)
            for _ in range(1 + self.random.randint(0, 3)):
                if taken > self.now:
                    break
                level = low + (high - low) * max(0, min(100, score)) / 100
                values = [max(low, min(high, round(level + self.random.gauss(0, 0.7)))) for _ in items]
                rows.append(
                    Assessment(
                        mentee=mentee.profile, instrument=instrument, taken_at=taken, score=score_of(instrument, values)
                    )
                )
                score += self.random.uniform(*drift)
                taken += timedelta(days=self.random.uniform(80, 100))
            latest.append((rows[-1], values))
        self._insert(Assessment, rows)
        self._insert(
            Answer,
            [
                Answer(assessment=assessment, item=item, value=value)
                for assessment, values in latest
                for item, value in zip(items, values, strict=True)
            ],
        )

    # --- groups, resources, reminders ---------------------------------------------------------

    def _groups(self):
        """Per program: weekly groups (one series per 500 mentees) over the
        last year and the next two weeks, monthly workshops, quarterly events;
        registrations, and attendance on all but the latest week."""
        sessions, people_of = [], []
        for p, program in enumerate(self.programs):
            members = [m.profile.user for m in self.mentees if m.program == p and m.started]
            mentors = [
                m.user
                for m, stage in zip(self.mentors, self.mentor_stages, strict=True)
                if m.program_id == program.pk and stage == "ready"
            ]
            size = sum(1 for m in self.mentees if m.program == p)
            first_week = self.now.replace(hour=23, minute=0, second=0, microsecond=0) - timedelta(weeks=52)
            plan = []
            for s in range(max(1, round(size / 500))):
                series = GroupSeries(
                    program=program, title=f"Peer group {s + 1}", weekly_until=self.today + timedelta(days=14)
                )
                self._insert(GroupSeries, [series])
                plan += [
                    (GroupSession.Kind.GROUP, series, first_week + timedelta(weeks=w, days=s % 7), 1.5)
                    for w in range(54)
                ]
            for w in range(max(1, round(size / 1000))):
                plan += [
                    (GroupSession.Kind.WORKSHOP, None, first_week + timedelta(days=30 * m + w + 3), 2)
                    for m in range(13)
                ]
            plan += [(GroupSession.Kind.EVENT, None, first_week + timedelta(days=91 * q + 10), 3) for q in range(4)]
            for kind, series, starts_at, hours in plan:
                cancelled = self.random.random() < 0.03
                sessions.append(
                    GroupSession(
                        program=program,
                        series=series,
                        kind=kind,
                        title=series.title
                        if series
                        else ("Handling stress at work" if kind == "workshop" else "Summer picnic"),
                        skill_id=self.random.choice(self.skills[p]),
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=hours),
                        location=f"{CITIES[p % len(CITIES)]} Community Center",
                        capacity=12 if kind == GroupSession.Kind.GROUP else 30,
                        status=GroupSession.Status.CANCELLED if cancelled else GroupSession.Status.SCHEDULED,
                        cancel_reason="The room was not available." if cancelled else "",
                    )
                )
                people_of.append((members, mentors))
        self._insert(GroupSession, sessions)
        Facilitator = GroupSession.facilitators.through
        facilitators, registrations = [], []
        for group, (members, mentors) in zip(sessions, people_of, strict=True):
            for user in self.random.sample(mentors, min(len(mentors), self.random.randint(1, 2))):
                facilitators.append(Facilitator(groupsession_id=group.pk, user_id=user.pk))
            registrations += self._registrations(group, members)
        self._insert(Facilitator, facilitators)
        self._insert(Registration, registrations)

    def _registrations(self, group, members):
        marked = group.starts_at < self.now - timedelta(days=7) and group.status == GroupSession.Status.SCHEDULED
        people = self.random.sample(members, min(len(members), self.random.randint(4, group.capacity + 2)))
        rows = []
        for i, user in enumerate(people):
            if i >= group.capacity:
                status = Registration.Status.WAITLISTED
            else:
                status = self._weighted({"registered": 12, "cancelled": 1})
            attended = self._weighted({"attended": 7, "no_show": 2, "excused": 1}) if marked else ""
            rows.append(
                Registration(
                    group_session=group,
                    user=user,
                    status=status,
                    created_at=group.starts_at - timedelta(days=self.random.uniform(1, 14)),
                    attendance=attended if status == Registration.Status.REGISTERED else "",
                )
            )
        return rows

    def _resources(self):
        """Ten listings per program (housing among them), and shares: about
        one per three mentees who take part, half of them referrals with
        follow-up answers."""
        ensure_taxonomy()
        categories = dict(ResourceCategory.objects.filter(parent__isnull=False).values_list("name", "pk"))
        listings = []
        for p, program in enumerate(self.programs):
            city = CITIES[p % len(CITIES)]
            listings += [
                Resource(
                    program=program,
                    name=f"{city} {name}",
                    category_id=categories[category],
                    description=description,
                    phone=f"555-{self.random.randint(0, 9999):04d}",
                    city=city,
                    address=f"{100 + i * 7} Main Street",
                    hours="Mon–Fri 9am–5pm",
                    cost=self.random.choice(["Free", "Sliding scale"]),
                    languages=["en", "es"] if i % 3 == 0 else ["en"],
                    tags=[tag],
                    verified_on=self.today - timedelta(days=self.random.randint(10, 300)),
                    verified_by=self.coordinators[p],
                )
                for i, (name, category, description, tag) in enumerate(LISTINGS)
            ]
        self._insert(Resource, listings)
        shares = []
        for mentee in self._taking_part():
            if self.random.random() >= 0.3:
                continue
            match = mentee.started[-1]
            own = [r for r in listings if r.program_id == mentee.profile.program_id]
            for resource in self.random.sample(own, self.random.randint(1, 2)):
                created = self._between(match.started_at, mentee.active_until(self.now))
                referral = self.random.random() < 0.5
                answer = self._weighted({"yes": 4, "not_yet": 2, "didnt_help": 2, "": 2}) if referral else ""
                shares.append(
                    Share(
                        resource=resource,
                        mentee=mentee.profile,
                        shared_by=self.mentors[match.mentor].user,
                        note="This helped someone I know. Worth a call?",
                        is_referral=referral,
                        followup=answer,
                        followup_at=min(created + timedelta(days=self.random.uniform(3, 20)), self.now)
                        if answer
                        else None,
                        created_at=created,
                    )
                )
        self._insert(Share, shares)

    def _dead_deliveries(self):
        """Reminders that gave up after five attempts, for coordinators to see."""
        active = [m for m in self.mentees if m.current and m.current.status == Match.Status.ACTIVE]
        rows = []
        for mentee in self.random.sample(active, min(len(active), max(2, self.n // 100))):
            kind = self.random.choice([ReminderKind.CHECKIN_OVERDUE, ReminderKind.SESSION_UPCOMING])
            due = self._ago(1, 10)
            rows.append(
                Delivery(
                    kind=kind,
                    subject=f"match:{mentee.current.row.pk}",
                    recipient=mentee.profile.user,
                    channel=self.random.choice([Channel.EMAIL, Channel.SMS]),
                    due_at=due,
                    status=Delivery.Status.DEAD,
                    attempts=5,
                    next_attempt_at=due,
                    last_error=self.random.choice(["SMTP 451: try again later", "SMS gateway timed out"]),
                    program=self.programs[mentee.program],
                    created_at=due,
                )
            )
        self._insert(Delivery, rows)
