import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from mentoring.models import Match, MenteeProfile, MentorProfile, VolunteerProfile
from programs.models import Application, ConsentRecord, Program, Story, StoryConsent, TrainingCompletion
from programs.public import published_stories, upcoming_public_dates
from programs.readiness import with_readiness
from programs.stories import current_consent


def _snapshot():
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("email", "full_name", "time_zone", "password")),
        "mentors": MentorProfile.objects.count(),
        "mentees": MenteeProfile.objects.count(),
        "matches": sorted(Match.objects.values_list("mentor__user__email", "mentee__user__email", "status")),
        "programs": list(Program.objects.values_list("slug", "name")),
        "applications": sorted(Application.objects.values_list("email", "status")),
        "completions": TrainingCompletion.objects.count(),
        "consents": ConsentRecord.objects.count(),
        "stories": sorted(Story.objects.values_list("author__email", "title", "status")),
        "story_consents": StoryConsent.objects.count(),
    }


def test_seed_demo_creates_the_demo_program_and_is_idempotent(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _snapshot() == first

    program = Program.objects.get()
    assert program.coordinators.filter(email="coordinator@example.org").exists()
    assert first["mentors"] == 11 and first["mentees"] == 32
    User = get_user_model()
    for email in ("coordinator@example.org", "mentor@example.org", "mentee@example.org", "mentee.es@example.org"):
        assert User.objects.get(email=email).check_password("waypoint-demo")
    demo_match = Match.objects.get(mentor__user__email="mentor@example.org", mentee__user__email="mentee@example.org")
    assert demo_match.status == Match.Status.ACTIVE
    # Varied people: several time zones, distinct names, some mentees still waiting.
    assert len({zone for _, _, zone, _ in first["users"]}) >= 3
    assert len({name for _, name, _, _ in first["users"]}) == len(first["users"])
    assert MenteeProfile.objects.filter(matches__isnull=True).count() >= 5


def test_seed_demo_covers_readiness_stages_applications_and_intake(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    mentors = with_readiness(MentorProfile.objects.all())
    ready = mentors.filter(is_ready=True)
    assert ready.filter(user__email="mentor@example.org").exists()
    assert mentors.filter(is_ready=False, check_ok=False).exists()
    assert mentors.filter(is_ready=False, agreement_ok=False).exists()
    assert mentors.filter(is_ready=False, confirmed_modules__lt=3).exists()
    # Only ready mentors are matched in the demo.
    assert not Match.objects.exclude(mentor__in=ready).exists()
    assert set(Application.objects.values_list("status", flat=True)) == {"new", "waitlisted", "declined"}
    assert set(Application.objects.values_list("kind", flat=True)) == {"mentor", "mentee", "volunteer"}
    assert VolunteerProfile.objects.count() == 2
    assert ConsentRecord.objects.filter(person__email="mentee@example.org").count() == 2


def test_seed_demo_publishes_the_public_page_with_consented_stories_and_public_dates(db, client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    program = Program.objects.get()
    assert program.public_page_enabled and program.public_intro
    stories = list(published_stories(program))
    assert len(stories) == 3
    assert all(current_consent(story) for story in stories)
    assert len({story.author_id for story in stories}) == 3 and all(" " not in s.display_name for s in stories)
    assert Story.objects.filter(status=Story.Status.IN_REVIEW).count() == 1
    assert len(upcoming_public_dates(program)) == 2  # the one-off workshop and event, not the members' group
    html = client.get(f"/p/{program.slug}/").content.decode()
    assert all(story.title in html for story in stories)


def test_the_spanish_demo_mentee_signs_in_to_a_spanish_home_without_accept_language(db, client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    # `make run` prints the demo logins: the Spanish one among them.
    assert "mentee.es@example.org  password: waypoint-demo" in out.getvalue()
    person = get_user_model().objects.get(email="mentee.es@example.org")
    assert person.language == "es" and person.full_name == "Lucía Ramírez"
    mentee = person.mentee_profiles.get()
    match = mentee.matches.get(status=Match.Status.ACTIVE)
    assert "es" in match.mentor.languages
    assert match.sessions.filter(status="completed").exists() and match.sessions.filter(status="scheduled").exists()
    assert mentee.goals.filter(title="Caminar 20 minutos tres veces por semana").exists()
    assert mentee.checkins.count() >= 5
    # Signing in through the form, with no Accept-Language at all.
    response = client.post(
        reverse("login"), {"username": "mentee.es@example.org", "password": "waypoint-demo"}, follow=True
    )
    assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("mentoring:home_mentee")
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Registrarme" in html and "Obtener ayuda ahora" in html
    assert "Check in" not in html and "Get help now" not in html
    assert "Caminar 20 minutos tres veces por semana" in html
