"""What each program offers everyone: group sessions, workshops and events
with their registrations, and the resource directory with its shares."""

from collections import Counter
from datetime import timedelta

from mentoring.management.scale.constants import CITIES, LISTINGS
from resources.models import Category as ResourceCategory
from resources.models import Resource, Share
from resources.services import ensure_taxonomy
from sessions.models import GroupSeries, GroupSession, Registration


class CommunityMixin:
    """Writing steps of ScaleSeeder (seeder.py) for groups and resources."""

    def _groups(self):
        """Per program: weekly groups (one series per 500 mentees) over the
        last year and the next two weeks, monthly workshops, quarterly events;
        registrations, and attendance on all but the latest week."""
        sessions, people_of = [], []
        # Each program's people in one pass over everyone (not one pass per
        # program, which grows with programs × people), in the same order.
        position = {program.pk: p for p, program in enumerate(self.programs)}
        members_of, mentors_of, sizes = [[] for _ in self.programs], [[] for _ in self.programs], Counter()
        for m in self.mentees:
            sizes[m.program] += 1
            if m.started:
                members_of[m.program].append(m.profile.user)
        for m, stage in zip(self.mentors, self.mentor_stages, strict=True):
            if stage == "ready":
                mentors_of[position[m.program_id]].append(m.user)
        for p, program in enumerate(self.programs):
            members, mentors, size = members_of[p], mentors_of[p], sizes[p]
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
        shares, listed = [], {}
        for resource in listings:  # each program's listings, in order
            listed.setdefault(resource.program_id, []).append(resource)
        for mentee in self._taking_part():
            if self.random.random() >= 0.3:
                continue
            match = mentee.started[-1]
            own = listed.get(mentee.profile.program_id, [])
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
