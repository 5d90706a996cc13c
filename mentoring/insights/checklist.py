"""The first-steps checklist on a new coordinator's home.

Each step links to its page and ticks itself from the data, never from a
click: the program's settings were saved (``Program.settings_saved_at``), a
boundaries agreement of the program's own was published (a version whose
text is not the starter text), a training module exists, a mentor was
invited (an invitation as mentor, or a mentor in the program), the program
is open for applications (status active; ``setup_organisation`` creates it
as a draft). It is about the coordinator's newest program that is not
archived. It shows until every step is done or the person hides it
(``User.setup_checklist_dismissed_at``, mentoring.services.setup_checklist_dismiss).
One query, whatever the volume.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from programs.defaults import DEFAULT_BOUNDARIES_AGREEMENT
from programs.models import PolicyDocument, Program, TrainingModule

from .. import access
from ..models import Invitation, MentorProfile


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # in the active language
    hint: str  # what to do, in a sentence
    url: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    program: Program
    steps: list

    @property
    def next_step(self):
        return next((step for step in self.steps if not step.done), None)

    @property
    def done_count(self):
        return sum(step.done for step in self.steps)


def setup_checklist(user):
    """The checklist for ``user`` (a coordinator), or None when it is hidden,
    every step is done, or they coordinate no open program."""
    if user.setup_checklist_dismissed_at is not None:
        return None
    own_agreement = PolicyDocument.objects.filter(program=OuterRef("pk"), kind=PolicyDocument.Kind.BOUNDARIES).exclude(
        body=DEFAULT_BOUNDARIES_AGREEMENT
    )
    program = (
        access.coordinated_programs(user)
        .exclude(status=Program.Status.ARCHIVED)
        .annotate(
            has_agreement=Exists(own_agreement),
            has_training=Exists(TrainingModule.objects.filter(program=OuterRef("pk"), is_archived=False)),
            has_invited_mentor=Exists(Invitation.objects.filter(program=OuterRef("pk"), role=Invitation.Role.MENTOR)),
            has_mentor=Exists(MentorProfile.objects.filter(program=OuterRef("pk"))),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if program is None:
        return None
    edit = reverse("programs:edit", args=[program.pk])
    steps = [
        Step(
            "settings",
            _("Review the program settings"),
            _("Time zone, check-in cadence, mentor capacity and the background-check rule."),
            edit,
            program.settings_saved_at is not None,
        ),
        Step(
            "agreement",
            _("Publish your boundaries agreement"),
            _("Adapt the starter text to your program; mentors sign it before they are matched."),
            reverse("programs:documents", args=[program.pk, PolicyDocument.Kind.BOUNDARIES]),
            program.has_agreement,
        ),
        Step(
            "training",
            _("Add training modules"),
            _("The training mentors complete before they are ready."),
            reverse("programs:training", args=[program.pk]),
            program.has_training,
        ),
        Step(
            "mentors",
            _("Invite your first mentors"),
            _("They get a one-time link by email to join the program."),
            reverse("mentoring:invitation_new") + "?" + urlencode({"program": program.pk, "role": "mentor"}),
            program.has_invited_mentor or program.has_mentor,
        ),
        Step(
            "applications",
            _("Open applications"),
            _('Set the program\'s status to "Active": people can then apply from the public pages.'),
            edit,
            program.status == Program.Status.ACTIVE,
        ),
    ]
    if all(step.done for step in steps):
        return None
    return Checklist(program=program, steps=steps)
