"""A real organisation's first run: `manage.py setup_organisation`, the
coordinator's first sign-in (one-time link, password, two-factor set-up) and
the first-steps checklist on the coordinator home (issue 20)."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.insights.checklist import setup_checklist
from mentoring.models import Delivery, Invitation, Match, MenteeProfile, MentorProfile
from programs.forms import ProgramForm
from programs.models import ExperienceArea, PolicyDocument, Program, TrainingModule
from programs.services import document_publish
from tests.factories import MentorProfileFactory, ProgramFactory, UserFactory
from tests.mentoring.test_twofactor import code_for

FLAGS = [
    "--no-input",
    "--organisation",
    "Riverside Community Services",
    "--program",
    "Riverside Peer Mentoring",
    "--time-zone",
    "America/Chicago",
    "--coordinator-email",
    " Ana.Ruiz@Riverside.example ",
    "--coordinator-name",
    "Ana Ruiz",
]
PASSWORD = "a long and private passphrase 42"


def run(*args):
    out = StringIO()
    call_command("setup_organisation", *args, stdout=out)
    return out.getvalue()


def link_in(output):
    return re.search(r"https?://\S+/invite/\S+/", output).group(0)


def test_no_input_creates_a_draft_program_and_a_coordinator_without_password_or_demo_data(db):
    output = run(*FLAGS)

    program = Program.objects.get()
    assert program.name == "Riverside Peer Mentoring"
    assert program.time_zone == "America/Chicago"
    assert program.status == Program.Status.DRAFT  # takes no applications until opened
    assert not program.accepts_applications
    coordinator = get_user_model().objects.get()
    assert coordinator.email == "ana.ruiz@riverside.example"
    assert coordinator.full_name == "Ana Ruiz"
    assert coordinator.time_zone == "America/Chicago"
    assert not coordinator.has_usable_password()
    assert not coordinator.is_staff and not coordinator.is_superuser
    assert list(program.coordinators.all()) == [coordinator]
    # The program-creation service's defaults came along.
    assert set(PolicyDocument.objects.filter(program=program).values_list("kind", flat=True)) == {
        "privacy",
        "boundaries",
    }
    assert ExperienceArea.objects.filter(program=program).exists()
    # No demo data: nobody and nothing else.
    assert not MentorProfile.objects.exists() and not MenteeProfile.objects.exists()
    assert not Match.objects.exists()
    # One coordinator invitation, its link printed (and queued as an email).
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.new_account, invitation.invited_by) == ("coordinator", coordinator, None)
    assert link_in(output).endswith("/") and "/invite/" in link_in(output)
    assert Delivery.objects.filter(kind="invitation", address="ana.ruiz@riverside.example").count() == 1
    assert "valid 14 days" in output
    assert "Riverside Community Services" in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--coordinator-email": "ANA.RUIZ@riverside.example"}, "--coordinator-email: An account with this email"),
        ({"--program": "riverside PEER mentoring"}, "--program: A program with this name already exists"),
    ],
)
def test_refuses_an_email_or_program_name_that_exists_and_writes_nothing(db, change, message):
    run(*FLAGS)
    counts = (get_user_model().objects.count(), Program.objects.count(), Invitation.objects.count())
    flags = list(FLAGS)
    for flag, value in change.items():
        flags[flags.index(flag) + 1] = value
    if "--program" not in change:
        flags[flags.index("--program") + 1] = "Another Program"
    else:
        flags[flags.index("--coordinator-email") + 1] = "someone.else@riverside.example"
    with pytest.raises(CommandError, match=message):
        run(*flags)
    assert (get_user_model().objects.count(), Program.objects.count(), Invitation.objects.count()) == counts


def test_bad_values_are_refused_with_every_reason(db):
    with pytest.raises(CommandError) as error:
        run("--no-input", "--program", "X", "--time-zone", "Mars/Olympus", "--coordinator-email", "not-an-email")
    text = str(error.value)
    assert "--time-zone: Use a time zone name" in text
    assert "--coordinator-email: Enter a valid email address" in text
    assert "--coordinator-name: Give the coordinator's name" in text
    assert not Program.objects.exists() and not get_user_model().objects.exists()


def test_the_phone_region_is_the_programs_and_a_bad_one_is_refused(db):
    run(*FLAGS, "--phone-region", "ca")
    assert Program.objects.get().phone_region == "CA"
    with pytest.raises(CommandError) as error:
        run(*[f.replace("Riverside", "Lakeside").replace("Ana.Ruiz", "Bo") for f in FLAGS], "--phone-region", "ZZ")
    assert "--phone-region: Use the two-letter country code" in str(error.value)
    assert Program.objects.count() == 1


def test_exit_code_1_from_the_command_line(db):
    """manage.py turns a CommandError into exit code 1 and a message on stderr."""
    run(*FLAGS)
    with pytest.raises(SystemExit) as exit_:
        call_command_from_argv(["manage.py", "setup_organisation", *FLAGS])
    assert exit_.value.code == 1


def call_command_from_argv(argv):
    from django.core.management import ManagementUtility

    ManagementUtility(argv).execute()


def test_interactive_asks_for_what_is_missing(db, monkeypatch):
    answers = iter(
        ["Riverside Community Services", "Riverside Peer Mentoring", "", "", "Ana Ruiz", "ana@riverside.example"]
    )
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", fake_input)
    output = run()
    program = Program.objects.get()
    assert program.name == "Riverside Peer Mentoring"
    assert program.time_zone == "America/New_York"  # DEFAULT_USER_TIME_ZONE, offered in brackets
    assert any("[America/New_York]" in prompt for prompt in prompts)
    assert program.phone_region == "US"  # PHONE_DEFAULT_REGION, offered in brackets
    assert any("[US]" in prompt for prompt in prompts)
    assert get_user_model().objects.get().email == "ana@riverside.example"
    assert "/invite/" in output


def test_the_new_coordinator_signs_in_sets_up_two_factor_and_sees_the_checklist(db, client):
    """Through real requests: the printed link, a password, the forced
    two-factor set-up, then the home with the first-steps checklist."""
    path = link_in(run(*FLAGS)).split("://", 1)[1].split("/", 1)[1]
    path = "/" + path
    page = client.get(path)
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "America/Chicago"})
    assert response.status_code == 302
    coordinator = get_user_model().objects.get()
    assert coordinator.check_password(PASSWORD)

    # Coordinators reach nothing before they set up an authenticator app.
    response = client.get(reverse("mentoring:home_coordinator"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mentoring:twofactor_setup"))
    client.post(reverse("mentoring:twofactor_setup"), {"start": "1"})
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    response = client.post(reverse("mentoring:twofactor_setup"), {"code": code_for(device)})
    assert response["Location"] == reverse("mentoring:twofactor_backup_codes")

    home = client.get(reverse("mentoring:home_coordinator"))
    assert home.status_code == 200
    html = home.content.decode()
    assert 'data-testid="setup-checklist"' in html
    assert "First steps for Riverside Peer Mentoring" in html
    assert "0 of 5 done" in html
    assert "Next: <a" in html and "review the program settings" in html
    for key in ("settings", "agreement", "training", "mentors", "applications"):
        assert f'data-step="{key}" data-done="no"' in html

    # The link used once does not work again.
    assert client.get(path).status_code == 404


def _ticks(user):
    checklist = setup_checklist(user)
    return None if checklist is None else {step.key: step.done for step in checklist.steps}


def _program_form_data(program, **changes):
    form = ProgramForm(instance=program)
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data = {name: value for name, value in data.items() if value is not False}
    data.update(changes)
    return data


def test_each_step_ticks_itself_from_the_data(db, client):
    run(*FLAGS)
    coordinator = get_user_model().objects.get()
    program = Program.objects.get()
    client.force_login(coordinator)
    assert _ticks(coordinator) == dict.fromkeys(("settings", "agreement", "training", "mentors", "applications"), False)

    # Saving the settings form, with the status set to active, ticks two steps.
    response = client.post(reverse("programs:edit", args=[program.pk]), _program_form_data(program, status="active"))
    assert response.status_code == 302, response.content.decode()
    assert _ticks(coordinator) == {
        "settings": True,
        "agreement": False,
        "training": False,
        "mentors": False,
        "applications": True,
    }
    # The starter agreement does not count; one of the program's own does.
    document_publish(program=program, kind=PolicyDocument.Kind.BOUNDARIES, body="Our own boundaries.", by=coordinator)
    TrainingModule.objects.create(program=program, title="Boundaries and self-care")
    assert _ticks(coordinator)["agreement"] and _ticks(coordinator)["training"]
    # Inviting a mentor ticks the last step, and then the checklist is gone.
    response = client.post(
        reverse("mentoring:invitation_new"),
        {"program": program.pk, "role": "mentor", "full_name": "Sam Okafor", "email": "sam@riverside.example"},
    )
    assert response.status_code == 200
    assert _ticks(coordinator) is None
    assert 'data-testid="setup-checklist"' not in client.get(reverse("mentoring:home_coordinator")).content.decode()


def test_a_mentor_already_in_the_program_counts_as_invited(db):
    coordinator = UserFactory()
    program = ProgramFactory(coordinators=[coordinator])
    assert _ticks(coordinator)["mentors"] is False
    MentorProfileFactory(program=program)
    assert _ticks(coordinator)["mentors"] is True


def test_hiding_the_checklist_is_a_post_and_stays_hidden(db, client):
    run(*FLAGS)
    coordinator = get_user_model().objects.get()
    client.force_login(coordinator)
    assert client.get(reverse("mentoring:checklist_dismiss")).status_code == 405  # no write on GET
    response = client.post(reverse("mentoring:checklist_dismiss"))
    assert response["Location"] == reverse("mentoring:home_coordinator")
    coordinator.refresh_from_db()
    assert coordinator.setup_checklist_dismissed_at is not None
    assert 'data-testid="setup-checklist"' not in client.get(reverse("mentoring:home_coordinator")).content.decode()


def test_no_checklist_for_a_coordinator_without_an_open_program(db, client):
    coordinator = UserFactory()
    ProgramFactory(coordinators=[coordinator], status=Program.Status.ARCHIVED)
    assert setup_checklist(coordinator) is None


def test_interactive_without_a_terminal_says_to_use_flags(db, monkeypatch):
    def no_input(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_input)
    with pytest.raises(CommandError, match="--no-input"):
        run()
    assert not Program.objects.exists()


def test_a_nul_character_typed_at_a_prompt_is_refused_and_nothing_written(db):
    """PostgreSQL cannot store NUL; an answer typed at the interactive prompt may carry one."""
    from programs.services import organisation_setup

    with pytest.raises(ValidationError) as error:
        organisation_setup(
            program_name="River\x00side",
            time_zone="America/Chicago",
            coordinator_email="ana@riverside.example",
            coordinator_name="Ana\x00Ruiz",
        )
    assert set(error.value.message_dict) == {"program_name", "coordinator_name"}
    assert not Program.objects.exists() and not get_user_model().objects.exists()
