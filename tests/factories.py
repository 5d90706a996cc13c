import factory
from django.contrib.auth import get_user_model

from mentoring.models import Match, MenteeProfile, MentorProfile
from programs.models import Program


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery")
    time_zone = "America/New_York"


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
