"""A real organisation's first program and coordinator, without demo data.

    python manage.py setup_organisation            # asks for each value
    python manage.py setup_organisation --no-input \\
        --program "Riverside Peer Mentoring" --time-zone America/Chicago --phone-region US \\
        --coordinator-email lead@riverside.example --coordinator-name "Ana Ruiz"

Prints a one-time link (valid INVITATION_VALID_DAYS days, also emailed through
the outbox) where the coordinator chooses their password; they set up
two-factor sign-in right after. No password is typed into the terminal, so
none ends up in shell history or a process list. Exit code 1 with a message
and nothing written when the email or the program name is taken or a value is
invalid. Never seeds demo data. See programs.services.organisation_setup.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.services import organisation_setup

FIELDS = (
    # (option dest, service argument, prompt)
    ("organisation", None, "Organisation name (shown in the summary only)"),
    ("program", "program_name", "First program's name"),
    ("time_zone", "time_zone", "Program time zone (IANA name)"),
    ("phone_region", "phone_region", "Country for phone numbers typed without + (two letters)"),
    ("coordinator_name", "coordinator_name", "Coordinator's full name"),
    ("coordinator_email", "coordinator_email", "Coordinator's email"),
)
LABELS = {
    "program_name": "--program",
    "time_zone": "--time-zone",
    "phone_region": "--phone-region",
    "coordinator_name": "--coordinator-name",
    "coordinator_email": "--coordinator-email",
}


class Command(BaseCommand):
    help = (
        "Create the organisation's first program (a draft, with the starter texts) and its coordinator, "
        "who sets a password through a printed one-time link and two-factor sign-in at first sign-in. No demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", default="", help="Your organisation's name (for the summary).")
        parser.add_argument("--program", default="", help="The first program's name.")
        parser.add_argument(
            "--time-zone",
            default="",
            help=f"The program's time zone, an IANA name (default {settings.DEFAULT_USER_TIME_ZONE}).",
        )
        parser.add_argument(
            "--phone-region",
            default="",
            help=(
                "Country whose numbers may be typed without + and a country code "
                f"(default {settings.PHONE_DEFAULT_REGION})."
            ),
        )
        parser.add_argument("--coordinator-email", default="", help="The first coordinator's email address.")
        parser.add_argument("--coordinator-name", default="", help="The first coordinator's full name.")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help="Ask nothing; flags only."
        )

    def handle(self, *args, **options):
        values = {dest: (options.get(dest) or "").strip() for dest, _, _ in FIELDS}
        if options["interactive"]:
            values = self._ask(values)
        values["time_zone"] = values["time_zone"] or settings.DEFAULT_USER_TIME_ZONE
        values["phone_region"] = values["phone_region"] or settings.PHONE_DEFAULT_REGION
        try:
            program, coordinator, link = organisation_setup(
                **{arg: values[dest] for dest, arg, _ in FIELDS if arg is not None}
            )
        except ValidationError as error:
            lines = [f"{LABELS.get(key, key)}: {' '.join(texts)}" for key, texts in error.message_dict.items()]
            raise CommandError("Nothing was created.\n" + "\n".join(lines)) from None
        self._summary(values["organisation"], program, coordinator, link)

    def _ask(self, values):
        self.stdout.write("Setting up your organisation's first program and coordinator (no demo data).\n")
        for dest, _, prompt in FIELDS:
            default = {"time_zone": settings.DEFAULT_USER_TIME_ZONE, "phone_region": settings.PHONE_DEFAULT_REGION}.get(
                dest, ""
            )
            while not values[dest]:
                suffix = f" [{default}]" if default else ""
                try:
                    answer = input(f"{prompt}{suffix}: ").strip() or default
                except EOFError:  # no terminal (a script): say how to run it without questions
                    raise CommandError(
                        "No answer on standard input. Run with --no-input and the flags (see --help)."
                    ) from None
                if answer or dest == "organisation":
                    values[dest] = answer
                    break
        return values

    def _summary(self, organisation, program, coordinator, link):
        days = settings.INVITATION_VALID_DAYS
        who = f" for {organisation}" if organisation else ""
        self.stdout.write(
            self.style.SUCCESS(f'Created the program "{program.name}"{who} (a draft: it takes no applications yet).')
        )
        self.stdout.write(
            f"Coordinator: {coordinator.full_name} <{coordinator.email}>, no password yet.\n\n"
            f"Open this one-time link to choose the password (valid {days} days, works once; "
            "it was also queued as an email):\n\n"
            f"    {link}\n\n"
            "After the password the coordinator sets up two-factor sign-in (an authenticator app) and "
            "lands on the home page with a checklist: program settings, boundaries agreement, training "
            "modules, inviting mentors, opening applications.\n"
            'If the link expires, "Forgot your password?" on the sign-in page sends a new one to the '
            "same email."
        )
