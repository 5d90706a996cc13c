"""The plan, in plain Python before any row is written: who is where today,
the matches each mentee has had, which mentor each match has, and when the
one-on-one sessions fall."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mentoring.management.scale.constants import (
    CLOSE_REASONS,
    DECLINED_SHARE,
    DECLINING_SHARE,
    MENTEE_STATES,
    MENTORS_PER_MENTEE,
    NEVER_MET_SHARE,
    NOT_READY_SHARE,
    NOT_READY_STAGES,
    SESSION_HOURS_UTC,
    SESSIONS_PER_MENTEE,
)
from mentoring.models import Match, MenteeProfile


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


class PlanningMixin:
    """Planning steps of ScaleSeeder (seeder.py), which provides the random
    source, the clock and the small helpers."""

    def _plan_people(self):
        programs = len(self.programs)
        self.mentor_programs = [i % programs for i in range(max(programs * 2, round(self.n * MENTORS_PER_MENTEE)))]
        self.mentor_stages = ["ready"] * len(self.mentor_programs)
        stage = 0
        for members in self._mentors_by_program():
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

    def _mentors_by_program(self):
        """Mentor indexes (ascending) per program index, in one pass over the
        mentors (not one pass per program: that grows with programs × mentors)."""
        members = [[] for _ in self.programs]
        for i, program in enumerate(self.mentor_programs):
            members[program].append(i)
        return members

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
        ready = [[i for i in members if self.mentor_stages[i] == "ready"] for members in self._mentors_by_program()]
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
