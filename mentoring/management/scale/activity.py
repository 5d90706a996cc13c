"""What happens inside matches: one-on-one sessions, goals, check-ins with
their safety alerts, assessments, and reminders that gave up."""

from datetime import timedelta

from goals.models import Answer, Assessment, Category, CheckIn, Goal, GoalProgress, SafetyAlert
from goals.selectors import default_instrument
from goals.services import score_of
from mentoring.choices import CheckInCadence, Topic
from mentoring.management.scale.constants import (
    BATCH,
    CANCEL_REASONS,
    CHECKINS_PER_MENTEE,
    CITIES,
    GOAL_PROGRESS,
    GOAL_STATUSES,
    GOAL_TITLES,
    GOALS_PER_MENTEE,
    PRIVATE_NOTES,
    REFLECTIONS,
    SUMMARIES,
)
from mentoring.management.scale.plan import apportion
from mentoring.management.scale.rows import Unsaved
from mentoring.models import Channel, Delivery, Match, ReminderKind
from sessions.models import Session


class ActivityMixin:
    """Writing steps of ScaleSeeder (seeder.py) for what mentors and mentees do."""

    def _sessions(self):
        """Sessions in batches; completed ones get one to three program skills."""
        SkillLink = Session.skills.through
        pending, skills = [], []

        def flush():
            self._insert(Session, pending)
            links = [
                Unsaved(session_id=s.pk, skill_id=k) for s, chosen in zip(pending, skills, strict=True) for k in chosen
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
        return Unsaved(
            match_id=match.pk,
            starts_at=when,
            duration_minutes=duration,
            mode=mode,
            location=f"{self.random.choice(CITIES)} Library, room {self.random.randint(1, 4)}"
            if mode == "in_person"
            else "",
            status=status,
            scheduled_by_id=mentor_user.pk,
            created_at=when - timedelta(days=self.random.uniform(1, 10)),
            missed_by=outcome if status == "missed" else "",
            cancelled_by_id=(mentor_user if outcome == "mentor" else mentee_user).pk if status == "cancelled" else None,
            cancel_reason=self.random.choice(CANCEL_REASONS) if status == "cancelled" else "",
            logged_at=min(when + timedelta(hours=self.random.uniform(1.5, 30)), self.now) if logged else None,
            logged_by_id=mentor_user.pk if logged else None,
            topics=self.random.sample(Topic.values, self.random.randint(1, 2)) if completed else [],
            shared_summary=self.random.choice(SUMMARIES) if completed else "",
            private_notes=self.random.choice(PRIVATE_NOTES) if completed else "",
            follow_up="Try the breathing exercise twice before next time." if completed else "",
        )

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
                Unsaved(
                    mentee_id=mentee.profile.pk,
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
                        progress.append(
                            Unsaved(
                                checkin_id=checkin.pk,
                                goal_id=goal.pk,
                                progress=round(goal.progress * share),
                                reported_at=checkin.created_at,
                            )
                        )
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
                program_id=mentee.profile.program_id,  # bulk insert: no save() to copy it
                checkin_id=checkin.pk,
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
