"""Mentor readiness: may this mentor be matched?

A mentor is ready when every required (not archived) training module of the
program is confirmed by a coordinator, the background check is cleared and not
expired where the program requires one, and the current boundaries agreement
(if the program has one) is signed. "Signed" means a signature of a version
that counts for the current one: the current version itself, an earlier one
when the current version was published as a minor edit, or, until the grace
date a new version gave, the version signed before it
(``PolicyDocument.signatures_count_from``).

Two views of the same rule: ``with_readiness`` annotates a queryset in the
database (lists, matching), ``checklist`` explains one mentor item by item
(the mentor's own page). Tests hold them to the same answer.
"""

import functools
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import AgreementSignature, BackgroundCheck, PolicyDocument, TrainingCompletion, TrainingModule


def _count(queryset, group_by):
    """A correlated COUNT(*) subquery, 0 when there are no rows."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def current_document_subquery(kind, program_ref):
    return PolicyDocument.objects.filter(program=program_ref, kind=kind).order_by("-version").values("pk")[:1]


def signatures_from_subquery(kind, program_ref, today):
    """The lowest version whose signature counts for the current document,
    in SQL (PolicyDocument.signatures_count_from)."""
    return (
        PolicyDocument.objects.filter(program=program_ref, kind=kind)
        .order_by("-version")
        .annotate(
            counts_from=Case(
                When(grace_until__gte=today, grace_from__isnull=False, then=F("grace_from")),
                default=Coalesce(F("signatures_from"), F("version")),
                output_field=IntegerField(),
            )
        )
        .values("counts_from")[:1]
    )


def with_readiness(mentors):
    """Annotate MentorProfile rows with required_modules, confirmed_modules,
    check_ok, agreement_ok and is_ready, all computed in SQL."""
    return _with_figures(mentors).annotate(
        is_ready=Case(
            When(
                Q(confirmed_modules__gte=F("required_modules"), check_ok=True, agreement_ok=True),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def readiness_of_user(user):
    """A list of ``user``'s MentorProfile rows (program name loaded, other
    columns deferred) with the same five attributes as ``with_readiness``:
    the four figures in SQL, ``is_ready`` worked out from them in Python (same
    rule; in SQL it repeats every subquery). For the mentor home.

    Building the figures' expressions takes longer than running the query
    (3 ms of Python per request at any size), so the annotated queryset of
    every mentor is built once per process and day and filtered per request;
    it is never evaluated itself."""
    rows = list(_every_mentor_with_figures(timezone.localdate()).filter(user=user))
    for row in rows:
        row.is_ready = row.confirmed_modules >= row.required_modules and bool(row.check_ok and row.agreement_ok)
    return rows


def readiness_values(mentors, *names, today=None):
    """A list of (the columns ``names`` of each of ``mentors``, is_ready) tuples,
    the readiness worked out in Python from the four figures (the same rule as
    ``with_readiness``, whose SQL repeats every subquery: at 25,000 mentors
    2 s here against 7 s). For program-wide counts (mentoring.insights.dashboard)."""
    figures = ("required_modules", "confirmed_modules", "check_ok", "agreement_ok")
    rows = _with_figures(mentors.order_by(), today=today).values_list(*names, *figures)
    return [(*row[: len(names)], row[-3] >= row[-4] and bool(row[-2] and row[-1])) for row in rows]


@functools.lru_cache(maxsize=4)
def _every_mentor_with_figures(today):
    from mentoring.models import MentorProfile

    return _with_figures(MentorProfile.objects.all(), today=today).select_related("program").only("program__name")


def _with_figures(mentors, *, today=None):
    """required_modules, confirmed_modules, check_ok, agreement_ok (SQL)."""
    today = today or timezone.localdate()
    required = TrainingModule.objects.filter(program=OuterRef("program"), required=True, is_archived=False)
    confirmed = TrainingCompletion.objects.filter(
        mentor=OuterRef("pk"), module__required=True, module__is_archived=False, confirmed_at__isnull=False
    )
    check_cleared = BackgroundCheck.objects.filter(mentor=OuterRef("pk"), status=BackgroundCheck.Status.CLEARED).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    boundaries = PolicyDocument.Kind.BOUNDARIES
    has_agreement = PolicyDocument.objects.filter(program=OuterRef("program"), kind=boundaries)
    signed_current = AgreementSignature.objects.filter(
        mentor=OuterRef("pk"),
        document__program=OuterRef("program"),
        document__kind=boundaries,
        document__version__gte=Subquery(signatures_from_subquery(boundaries, OuterRef(OuterRef("program")), today)),
    )
    return mentors.annotate(
        required_modules=_count(required, "program"),
        confirmed_modules=_count(confirmed, "mentor"),
        check_ok=Case(
            When(program__background_check_required=False, then=Value(True)),
            When(Exists(check_cleared), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        agreement_ok=Case(
            When(~Exists(has_agreement), then=Value(True)),
            When(Exists(signed_current), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def ready_mentors(mentors):
    """Only the mentors who may be matched."""
    return with_readiness(mentors).filter(is_ready=True)


@dataclass
class ModuleStep:
    module: TrainingModule
    completion: TrainingCompletion | None

    @property
    def state(self):
        if self.completion and self.completion.confirmed_at:
            return "confirmed"
        if self.completion and self.completion.marked_done_at:
            return "waiting"  # done by the mentor, waiting for a coordinator
        return "todo"


@dataclass
class Checklist:
    mentor: object
    modules: list = field(default_factory=list)
    check: BackgroundCheck | None = None
    check_required: bool = True
    agreement: PolicyDocument | None = None
    signature: AgreementSignature | None = None

    @property
    def modules_ok(self):
        return all(step.state == "confirmed" for step in self.modules if step.module.required)

    @property
    def check_ok(self):
        if not self.check_required:
            return True
        check = self.check
        if check is None or check.status != BackgroundCheck.Status.CLEARED:
            return False
        return check.expires_on is None or check.expires_on >= timezone.localdate()

    @property
    def agreement_ok(self):
        return self.agreement is None or self.signature is not None

    @property
    def in_grace(self):
        """Signed an earlier version that counts only until the grace date:
        ready now, asked to sign the new version."""
        if self.agreement is None or self.signature is None:
            return False
        return self.signature.document.version < (self.agreement.signatures_from or self.agreement.version)

    @property
    def is_ready(self):
        return self.modules_ok and self.check_ok and self.agreement_ok


def current_document(program, kind):
    return PolicyDocument.objects.filter(program=program, kind=kind).order_by("-version").first()


def checklist(mentor):
    """Every readiness step of one mentor, with its state."""
    program = mentor.program
    modules = program.training_modules.filter(is_archived=False)
    completions = {c.module_id: c for c in mentor.completions.filter(module__in=modules)}
    agreement = current_document(program, PolicyDocument.Kind.BOUNDARIES)
    signature = None
    if agreement:
        signature = (
            mentor.signatures.filter(
                document__program=program,
                document__kind=agreement.kind,
                document__version__gte=agreement.signatures_count_from(timezone.localdate()),
            )
            .select_related("document")
            .order_by("-document__version")
            .first()
        )
    return Checklist(
        mentor=mentor,
        modules=[ModuleStep(module, completions.get(module.pk)) for module in modules],
        check=BackgroundCheck.objects.filter(mentor=mentor).first(),
        check_required=program.background_check_required,
        agreement=agreement,
        signature=signature,
    )
