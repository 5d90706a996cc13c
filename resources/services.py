"""Writes for the directory, sharing, referrals and CSV import."""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentoring.csv_stream import csv_lines, unguard
from mentoring.models import Match

from .defaults import TAXONOMY
from .forms import ResourceRowForm
from .models import Category, Resource, Share

CSV_COLUMNS = [
    "name",
    "category",
    "description",
    "phone",
    "text_number",
    "website",
    "address",
    "city",
    "hours",
    "cost",
    "languages",
    "eligibility",
    "tags",
    "is_crisis",
    "verified_on",
]
MAX_IMPORT_ROWS = 10_000


def taxonomy_ready():
    """Create the default categories the first time the directory is used
    (one cheap query afterwards; a category an admin removed stays removed)."""
    if not Category.objects.exists():
        ensure_taxonomy()


@transaction.atomic
def ensure_taxonomy():
    """Create the default two-level categories where missing."""
    for position, (top, children) in enumerate(TAXONOMY.items()):
        parent, _ = Category.objects.get_or_create(name=top, parent=None, defaults={"position": position})
        for child_position, child in enumerate(children):
            Category.objects.get_or_create(name=child, parent=parent, defaults={"position": child_position})


def resource_suggest(*, program, by, **fields):
    """A mentor suggests a listing; a coordinator approves it."""
    return Resource.objects.create(program=program, status=Resource.Status.SUGGESTED, suggested_by=by, **fields)


def resource_verify(*, resource, by):
    resource.verified_on, resource.verified_by = timezone.localdate(), by
    resource.save(update_fields=["verified_on", "verified_by"])
    return resource


def resource_approve(*, resource, by):
    if resource.status != Resource.Status.SUGGESTED:
        raise ValidationError("Only a suggested listing can be approved.")
    resource.status = Resource.Status.APPROVED
    resource.save(update_fields=["status"])
    return resource_verify(resource=resource, by=by)


def resource_archive(*, resource):
    resource.status = Resource.Status.ARCHIVED
    resource.save(update_fields=["status"])
    return resource


# --- sharing and referrals --------------------------------------------------------------------


def share_create(*, resource, mentee, by, note="", is_referral=False, session=None):
    """Share a listing with a mentee: by their current mentor or a coordinator."""
    is_mentor = Match.objects.current().filter(mentee=mentee, mentor__user=by).exists()
    if not is_mentor and not mentee.program.coordinators.filter(pk=by.pk).exists():
        raise ValidationError("You can share resources with your own mentees only.")
    if resource.status != Resource.Status.APPROVED or resource.program_id not in (None, mentee.program_id):
        raise ValidationError("This listing is not available in the mentee's program.")
    if session is not None and session.match.mentee_id != mentee.pk:
        raise ValidationError("That session belongs to another match.")
    earlier = Share.objects.filter(resource=resource, mentee=mentee).order_by("-created_at").first()
    if earlier is not None:
        raise ValidationError(f"You already shared this with {mentee.user} on {earlier.created_at:%B %d}.")
    return Share.objects.create(
        resource=resource, mentee=mentee, shared_by=by, note=note.strip(), is_referral=is_referral, session=session
    )


def share_followup(*, share, by, answer):
    """The mentee answers "Did you connect?"."""
    if share.mentee.user_id != by.pk:
        raise ValidationError("Only the person it was shared with can answer.")
    if not share.is_referral:
        raise ValidationError("This share does not ask for a follow-up.")
    if answer not in Share.FollowUp.values:
        raise ValidationError("Choose one of the answers.")
    share.followup, share.followup_at = answer, timezone.now()
    share.save(update_fields=["followup", "followup_at"])
    return share


# --- CSV import and export ----------------------------------------------------------------------


def parse_csv(text, *, program):
    """Validate every row. Returns (valid rows as field dicts, errors as
    [(row number, [messages])]); row 1 is the header, data starts at row 2."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "category") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, [f"The header must include: {', '.join(missing)}."])]
    valid, errors = [], []
    categories = _category_lookup()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            errors.append((number, [f"Only {MAX_IMPORT_ROWS} rows can be imported at once."]))
            break
        cells = {k: unguard((v or "").strip()) for k, v in row.items() if k}
        form = ResourceRowForm(cells, categories=categories)
        if form.is_valid():
            valid.append(form.cleaned_data)
        else:
            errors.append((number, [f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items()]))
    return valid, errors


def _category_lookup():
    """Category by "Top › Sub" and by a unique subcategory name, case-insensitive."""
    lookup, seen = {}, {}
    # Listings belong to subcategories; a top category alone is not a place.
    for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
        lookup[str(category).casefold()] = category
        lookup[str(category).replace(" › ", " > ").casefold()] = category
        key = category.name.casefold()
        seen[key] = seen.get(key, 0) + 1
        lookup.setdefault(f"name:{key}", category)
    for key, count in seen.items():
        if count == 1:
            lookup[key] = lookup[f"name:{key}"]
    return lookup


@transaction.atomic
def import_rows(*, program, rows, by):
    """Create the listings of already-validated rows, all or nothing."""
    today = timezone.localdate()
    resources = [
        Resource(
            program=program,
            status=Resource.Status.APPROVED,
            verified_by=by if row.get("verified_on") else None,
            **{**row, "verified_on": row.get("verified_on") or None},
        )
        for row in rows
    ]
    for resource in resources:
        if resource.verified_on and resource.verified_on > today:
            resource.verified_on = today
    return Resource.objects.bulk_create(resources, batch_size=500)


def export_rows(resources):
    """Yield CSV lines (header first) for a streaming response."""
    rows = (
        [
            r.name,
            str(r.category),
            r.description,
            r.phone,
            r.text_number,
            r.website,
            r.address,
            r.city,
            r.hours,
            r.cost,
            ";".join(r.languages),
            r.eligibility,
            ";".join(r.tags),
            "yes" if r.is_crisis else "no",
            r.verified_on.isoformat() if r.verified_on else "",
        ]
        for r in resources.select_related("category__parent").iterator(chunk_size=1000)
    )
    return csv_lines(CSV_COLUMNS, rows)
