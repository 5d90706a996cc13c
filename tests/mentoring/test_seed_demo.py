from django.contrib.auth import get_user_model
from django.core.management import call_command

from mentoring.models import Match, MenteeProfile, MentorProfile
from programs.models import Program


def _snapshot():
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("email", "full_name", "time_zone", "password")),
        "mentors": MentorProfile.objects.count(),
        "mentees": MenteeProfile.objects.count(),
        "matches": sorted(Match.objects.values_list("mentor__user__email", "mentee__user__email", "status")),
        "programs": list(Program.objects.values_list("slug", "name")),
    }


def test_seed_demo_creates_the_demo_program_and_is_idempotent(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _snapshot() == first

    program = Program.objects.get()
    assert program.coordinators.filter(email="coordinator@example.org").exists()
    assert first["mentors"] == 11 and first["mentees"] == 31
    User = get_user_model()
    for email in ("coordinator@example.org", "mentor@example.org", "mentee@example.org"):
        assert User.objects.get(email=email).check_password("waypoint-demo")
    demo_match = Match.objects.get(mentor__user__email="mentor@example.org", mentee__user__email="mentee@example.org")
    assert demo_match.status == Match.Status.ACTIVE
    # Varied people: several time zones, distinct names, some mentees still waiting.
    assert len({zone for _, _, zone, _ in first["users"]}) >= 3
    assert len({name for _, name, _, _ in first["users"]}) == len(first["users"])
    assert MenteeProfile.objects.filter(matches__isnull=True).count() >= 5
