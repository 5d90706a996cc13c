"""Writes for the directory, sharing, referrals and CSV import."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from mentoring import access
from mentoring.csv_stream import csv_lines, unguard

from . import defaults
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
    # Optional Spanish versions (mentoring.localized); a file without them imports as before.
    "name_es",
    "description_es",
    "hours_es",
    "cost_es",
    "eligibility_es",
]
# Column names are the machine keys the import reads back; they stay in English whatever the language.
SPANISH_COLUMNS = [name for name in CSV_COLUMNS if name.endswith("_es")]
MAX_IMPORT_ROWS = 10_000


def taxonomy_ready():
    """Create the default categories on a site that has none (called by
    ``programs.services.program_create``, never by a page; a category an
    admin removed stays removed)."""
    if not Category.objects.exists():
        ensure_taxonomy()


@transaction.atomic
def ensure_taxonomy():
    """Create the default two-level categories where missing (seed commands;
    a migration made them on every existing site)."""
    defaults.ensure_taxonomy(Category)


def resource_suggest(*, program, by, **fields):
    """A mentor suggests a listing; a coordinator approves it."""
    return Resource.objects.create(program=program, status=Resource.Status.SUGGESTED, suggested_by=by, **fields)


def resource_verify(*, resource, by):
    resource.verified_on, resource.verified_by = timezone.localdate(), by
    resource.save(update_fields=["verified_on", "verified_by"])
    return resource


def resource_approve(*, resource, by):
    if resource.status != Resource.Status.SUGGESTED:
        raise ValidationError(gettext("Only a suggested listing can be approved."))
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
    if not access.may_support_mentee(by, mentee):
        raise ValidationError(gettext("You can share resources with your own mentees only."))
    if resource.status != Resource.Status.APPROVED or resource.program_id not in (None, mentee.program_id):
        raise ValidationError(gettext("This listing is not available in the mentee's program."))
    if session is not None and session.match.mentee_id != mentee.pk:
        raise ValidationError(gettext("That session belongs to another match."))
    earlier = Share.objects.filter(resource=resource, mentee=mentee).order_by("-created_at").first()
    if earlier is not None:
        raise ValidationError(
            gettext("You already shared this with %(person)s on %(date)s.")
            % {"person": mentee.user, "date": date_format(earlier.created_at, "F j")}
        )
    return Share.objects.create(
        resource=resource, mentee=mentee, shared_by=by, note=note.strip(), is_referral=is_referral, session=session
    )


def share_followup(*, share, by, answer):
    """The mentee answers "Did you connect?"."""
    if share.mentee.user_id != by.pk:
        raise ValidationError(gettext("Only the person it was shared with can answer."))
    if not share.is_referral:
        raise ValidationError(gettext("This share does not ask for a follow-up."))
    if answer not in Share.FollowUp.values:
        raise ValidationError(gettext("Choose one of the answers."))
    share.followup, share.followup_at = answer, timezone.now()
    share.save(update_fields=["followup", "followup_at"])
    return share


# --- CSV import and export ----------------------------------------------------------------------


def _header_key(name):
    """ "Text number", " NAME " and "text_number" are the same column."""
    return "_".join((name or "").strip().casefold().replace("-", " ").replace("_", " ").split())


def _delimiter(text):
    """Comma, semicolon (spreadsheets in many locales) or tab, from the header line."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def parse_csv(text, *, program):
    """Validate every row. Returns (valid rows as field dicts, errors as
    [(row number, [messages])]); row 1 is the header, data starts at row 2.
    A byte-order mark is ignored; the delimiter (comma, semicolon or tab) is
    read from the header; header names match ignoring case, spaces and order."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    reader.fieldnames = [_header_key(name) for name in (reader.fieldnames or [])]
    missing = [c for c in ("name", "category") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, [gettext("The header must include: %(columns)s.") % {"columns": ", ".join(missing)}])]
    valid, errors = [], []
    absent = {name for name in SPANISH_COLUMNS if name not in reader.fieldnames}
    categories = _category_lookup()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            errors.append(
                (number, [gettext("Only %(count)s rows can be imported at once.") % {"count": MAX_IMPORT_ROWS}])
            )
            break
        cells = {k: unguard((v or "").strip()) for k, v in row.items() if k}
        form = ResourceRowForm(cells, categories=categories)
        if form.is_valid():
            # A Spanish column the file does not have leaves the listing's Spanish text as it is.
            valid.append({k: v for k, v in form.cleaned_data.items() if k not in absent})
        else:
            errors.append((number, [f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items()]))
    return valid, errors


def _category_lookup():
    """Category by "Top › Sub" and by a unique subcategory name, case-insensitive."""
    lookup, seen = {}, {}
    # Listings belong to subcategories; a top category alone is not a place.
    # English names (what the export writes) and, where given, the Spanish ones.
    for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
        for top, name in {
            (category.parent.name, category.name),
            (category.parent.name_es or category.parent.name, category.name_es or category.name),
        }:
            lookup[f"{top} › {name}".casefold()] = category
            lookup[f"{top} > {name}".casefold()] = category
        for name in {category.name, category.name_es} - {""}:
            key = name.casefold()
            seen[key] = seen.get(key, 0) + 1
            lookup.setdefault(f"name:{key}", category)
    for key, count in seen.items():
        if count == 1:
            lookup[key] = lookup[f"name:{key}"]
    return lookup


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    global_rows: int = 0  # rows of listings everyone sees (crisis lines): never copied

    def summary(self):
        """One sentence for the coordinator, in the active language."""
        created = len(self.created)
        parts = [ngettext("%(count)s listing imported", "%(count)s listings imported", created) % {"count": created}]
        if self.updated:
            parts.append(gettext("%(count)s updated") % {"count": len(self.updated)})
        if self.unchanged:
            parts.append(gettext("%(count)s already up to date") % {"count": self.unchanged})
        if self.global_rows:
            parts.append(
                ngettext(
                    "%(count)s shared listing left as it is",
                    "%(count)s shared listings left as they are",
                    self.global_rows,
                )
                % {"count": self.global_rows}
            )
        return ", ".join(parts) + "."


def _listing_key(name, city):
    return (" ".join(name.split()).casefold(), " ".join((city or "").split()).casefold())


@transaction.atomic
def import_rows(*, program, rows, by):
    """Import already-validated rows, all or nothing. Returns an ImportResult.

    A row matches an existing listing of the program by name and city
    (ignoring case and spacing): a changed one is updated, an unchanged one
    skipped, so re-importing an export imports nothing twice. A row that
    matches a listing shared by every program (no program: the national
    crisis lines) is never copied into the program."""
    today = timezone.localdate()
    result = ImportResult()
    existing = {}
    for resource in Resource.objects.filter(program=program).exclude(status=Resource.Status.ARCHIVED):
        existing.setdefault(_listing_key(resource.name, resource.city), resource)
    shared = {_listing_key(n, c) for n, c in Resource.objects.filter(program__isnull=True).values_list("name", "city")}
    new = []
    for row in rows:
        fields = {**row, "verified_on": row.get("verified_on") or None}
        if fields["verified_on"] and fields["verified_on"] > today:
            fields["verified_on"] = today
        key = _listing_key(row["name"], row.get("city"))
        if key in shared:
            result.global_rows += 1
            continue
        current = existing.get(key)
        if current is None:
            resource = Resource(
                program=program,
                status=Resource.Status.APPROVED,
                verified_by=by if fields["verified_on"] else None,
                **fields,
            )
            existing[key] = resource
            new.append(resource)
            continue
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        if fields["verified_on"] is None and "verified_on" in changed:
            changed.remove("verified_on")  # an empty cell never clears a verification
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(current, name, fields[name])
        if current.pk is None:
            continue  # a repeated row of the same file: the last one wins
        current.save(update_fields=changed)
        result.updated.append(current)
    result.created = Resource.objects.bulk_create(new, batch_size=500)
    return result


def export_rows(resources):
    """Yield CSV lines (header first) for a streaming response."""
    rows = (
        [
            r.name,
            f"{r.category.parent.name} › {r.category.name}" if r.category.parent_id else r.category.name,
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
            r.name_es,
            r.description_es,
            r.hours_es,
            r.cost_es,
            r.eligibility_es,
        ]
        for r in resources.select_related("category__parent").iterator(chunk_size=1000)
    )
    return csv_lines(CSV_COLUMNS, rows)


@transaction.atomic
def resource_create(*, program, by, **fields):
    """A coordinator lists a resource in their program: approved and verified
    today (in the site's zone) by them. ``fields``: the ResourceForm's cleaned data."""
    return Resource.objects.create(program=program, verified_on=timezone.localdate(), verified_by=by, **fields)
