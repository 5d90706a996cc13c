from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from mentoring.models import Match, MenteeProfile, MentorProfile
from programs.models import (
    Application,
    BackgroundCheck,
    ExperienceArea,
    PolicyDocument,
    Program,
    TrainingModule,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery")
    time_zone = "America/New_York"
    # A test person who said okay-to-text has also answered YES to the
    # confirmation text, unless the test says otherwise (text_confirmed_at=None).
    ok_to_text = False
    text_confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.ok_to_text else None)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")

    @factory.post_generation
    def coordinators(self, create, extracted, **kwargs):
        if create and extracted:
            self.coordinators.add(*extracted)


class MentorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)


class MenteeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenteeProfile

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(MentorProfileFactory, program=factory.SelfAttribute("..program"))
    mentee = factory.SubFactory(MenteeProfileFactory, program=factory.SelfAttribute("..program"))
    status = Match.Status.ACTIVE


# --- programs -----------------------------------------------------------------


class ExperienceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExperienceArea

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Area {n}")


def _next_document_version(document):
    latest = PolicyDocument.objects.filter(program=document.program, kind=document.kind).aggregate(v=Max("version"))
    return (latest["v"] or 0) + 1


class PolicyDocumentFactory(factory.django.DjangoModelFactory):
    """The next version of a program's text (boundaries agreement unless told)."""

    class Meta:
        model = PolicyDocument

    program = factory.SubFactory(ProgramFactory)
    kind = PolicyDocument.Kind.BOUNDARIES
    version = factory.LazyAttribute(_next_document_version)
    body = factory.Sequence(lambda n: f"Agreement text number {n}.")


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    required = True


class BackgroundCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BackgroundCheck

    mentor = factory.SubFactory(MentorProfileFactory)
    status = BackgroundCheck.Status.CLEARED
    checked_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    kind = Application.Kind.MENTOR
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    consent_to_contact = True
    details = factory.LazyFunction(dict)

    @factory.post_generation
    def experience_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.experience_areas.add(*extracted)


# --- matching -----------------------------------------------------------------


class MatchableMentorFactory(MentorProfileFactory):
    """A mentor who passes the default must-criteria (a shared language, time
    in recovery); readiness still depends on the program."""

    languages = factory.LazyFunction(lambda: ["en"])
    recovery_months = 24
    capacity = 2


class MatchableMenteeFactory(MenteeProfileFactory):
    languages = factory.LazyFunction(lambda: ["en"])


# --- sessions -----------------------------------------------------------------
# Models named by label ("peer_sessions.…") so that this block needs no imports.


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peer_sessions.Skill"
        django_get_or_create = ["program", "name"]

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    """A one-on-one meeting of a match, scheduled for tomorrow unless told."""

    class Meta:
        model = "peer_sessions.Session"
        skip_postgeneration_save = True

    match = factory.SubFactory(MatchFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    duration_minutes = 60
    status = "scheduled"
    scheduled_by = factory.LazyAttribute(lambda s: s.match.mentor.user)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.add(*extracted)


class GroupSessionFactory(factory.django.DjangoModelFactory):
    """A one-off group session in two days, one hour long, twelve seats."""

    class Meta:
        model = "peer_sessions.GroupSession"
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Group {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda g: g.starts_at + timedelta(hours=1))
    capacity = 12

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators.add(*extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peer_sessions.Registration"

    group_session = factory.SubFactory(GroupSessionFactory)
    user = factory.SubFactory(UserFactory)
    status = "registered"


# --- goals --------------------------------------------------------------------


class GoalFactory(factory.django.DjangoModelFactory):
    """An active weekly goal of a mentee, started today unless told."""

    class Meta:
        model = "goals.Goal"

    mentee = factory.SubFactory(MenteeProfileFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    status = "active"
    cadence = "weekly"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "goals.Milestone"

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    position = factory.Sequence(lambda n: n)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "goals.CheckIn"

    mentee = factory.SubFactory(MenteeProfileFactory)
    mood = 3


class GoalProgressFactory(factory.django.DjangoModelFactory):
    """Progress on a goal in a check-in of the same mentee."""

    class Meta:
        model = "goals.GoalProgress"

    goal = factory.SubFactory(GoalFactory)
    checkin = factory.SubFactory(CheckInFactory, mentee=factory.SelfAttribute("..goal.mentee"))
    progress = 50


# --- resources ----------------------------------------------------------------


class TopCategoryFactory(factory.django.DjangoModelFactory):
    """A top category of the directory ("Housing")."""

    class Meta:
        model = "resources.Category"
        django_get_or_create = ["parent", "name"]

    name = factory.Sequence(lambda n: f"Category {n}")
    parent = None


class CategoryFactory(TopCategoryFactory):
    """A subcategory ("Housing › Recovery housing"): listings belong to one."""

    name = factory.Sequence(lambda n: f"Subcategory {n}")
    parent = factory.SubFactory(TopCategoryFactory)


class ResourceFactory(factory.django.DjangoModelFactory):
    """A listed resource of a program, verified today (program=None: global)."""

    class Meta:
        model = "resources.Resource"

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Listing {n}")
    category = factory.SubFactory(CategoryFactory)
    status = "approved"
    verified_on = factory.LazyFunction(timezone.localdate)


class ShareFactory(factory.django.DjangoModelFactory):
    """A listing of the mentee's program shared with them."""

    class Meta:
        model = "resources.Share"

    mentee = factory.SubFactory(MenteeProfileFactory)
    resource = factory.SubFactory(ResourceFactory, program=factory.SelfAttribute("..mentee.program"))
    shared_by = factory.SubFactory(UserFactory)


# --- reminders ----------------------------------------------------------------


class SafetyAlertFactory(factory.django.DjangoModelFactory):
    """An open safety alert of a mentee (asked for help now)."""

    class Meta:
        model = "goals.SafetyAlert"

    mentee = factory.SubFactory(MenteeProfileFactory)
    kind = "help_now"


class DeliveryFactory(factory.django.DjangoModelFactory):
    """An outbox row waiting to be claimed: an in-app check-in reminder."""

    class Meta:
        model = "mentoring.Delivery"

    kind = "checkin_due"
    subject = factory.Sequence(lambda n: f"test:{n}")
    recipient = factory.SubFactory(UserFactory)
    channel = "in_app"
    due_at = factory.LazyFunction(timezone.now)
    next_attempt_at = factory.LazyAttribute(lambda d: d.due_at)
    url = "/checkin/"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mentoring.Notification"

    user = factory.SubFactory(UserFactory)
    kind = "checkin_due"
    text = factory.Sequence(lambda n: f"Notification number {n}")
    url = "/checkin/"
