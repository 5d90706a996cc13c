"""Resource services: suggestions and verification, sharing and referrals,
CSV import and export."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.models import Match
from resources.models import Category, Resource, Share
from resources.services import (
    CSV_COLUMNS,
    ensure_taxonomy,
    export_rows,
    import_rows,
    parse_csv,
    resource_approve,
    resource_archive,
    resource_suggest,
    resource_verify,
    share_create,
    share_followup,
)
from tests.factories import CategoryFactory, ResourceFactory, SessionFactory, ShareFactory

pytestmark = pytest.mark.django_db


def _recovery_housing():
    ensure_taxonomy()
    return Category.objects.get(name="Recovery housing", parent__name="Housing")


def _csv(*rows, header=CSV_COLUMNS):
    """CSV text: the header, then each row as a dict of the columns given."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def _fields(messages):
    """The field names of a row's error messages ("website: Enter a valid URL." -> "website")."""
    return [message.split(":", 1)[0] for message in messages]


# --- suggestions and verification ---------------------------------------------------------------


def test_resource_suggest_waits_for_a_coordinator(personas):
    resource = resource_suggest(
        program=personas.program, by=personas.mentor, name="Harbor House", category=_recovery_housing()
    )
    resource.refresh_from_db()
    assert (resource.status, resource.suggested_by, resource.program) == (
        Resource.Status.SUGGESTED,
        personas.mentor,
        personas.program,
    )
    assert resource.verified_on is None
    assert resource.needs_verification


def test_resource_approve_lists_the_suggestion_and_verifies_it_today(personas):
    resource = resource_suggest(
        program=personas.program, by=personas.mentor, name="Harbor House", category=_recovery_housing()
    )
    resource_approve(resource=resource, by=personas.coordinator)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.APPROVED
    assert (resource.verified_on, resource.verified_by) == (timezone.localdate(), personas.coordinator)
    assert resource.suggested_by == personas.mentor
    assert not resource.needs_verification


@pytest.mark.parametrize("status", [Resource.Status.APPROVED, Resource.Status.ARCHIVED])
def test_resource_approve_refuses_anything_but_a_suggestion(status, personas):
    resource = ResourceFactory(program=personas.program, status=status, verified_on=None)
    with pytest.raises(ValidationError, match="Only a suggested listing"):
        resource_approve(resource=resource, by=personas.coordinator)
    resource.refresh_from_db()
    assert (resource.status, resource.verified_on, resource.verified_by) == (status, None, None)


def test_resource_verify_marks_today_and_who(personas):
    resource = ResourceFactory(program=personas.program, verified_on=timezone.localdate() - timedelta(days=400))
    assert resource.needs_verification
    resource_verify(resource=resource, by=personas.coordinator)
    resource.refresh_from_db()
    assert (resource.verified_on, resource.verified_by) == (timezone.localdate(), personas.coordinator)
    assert not resource.needs_verification


def test_resource_archive(personas):
    resource = ResourceFactory(program=personas.program)
    resource_archive(resource=resource)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.ARCHIVED


@pytest.mark.parametrize(
    "days_ago, expected", [(0, False), (179, False), (180, False), (181, True), (1000, True), (None, True)]
)
def test_needs_verification_after_180_days(days_ago, expected, db):
    verified_on = None if days_ago is None else timezone.localdate() - timedelta(days=days_ago)
    assert ResourceFactory(verified_on=verified_on).needs_verification is expected


# --- sharing ----------------------------------------------------------------------------------------


def test_current_mentor_shares_with_their_mentee(personas):
    resource = ResourceFactory(program=personas.program)
    share = share_create(
        resource=resource, mentee=personas.match.mentee, by=personas.mentor, note="  Call Tuesday.  ", is_referral=True
    )
    share.refresh_from_db()
    assert (share.resource, share.mentee, share.shared_by, share.session) == (
        resource,
        personas.match.mentee,
        personas.mentor,
        None,
    )
    assert (share.note, share.is_referral, share.followup) == ("Call Tuesday.", True, "")


def test_a_mentor_of_a_paused_match_still_shares(personas):
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.PAUSED)
    share = share_create(
        resource=ResourceFactory(program=personas.program), mentee=personas.match.mentee, by=personas.mentor
    )
    assert share.pk


@pytest.mark.parametrize("sharer", ["other_mentor", "other_coordinator", "mentee", "other_mentee"])
def test_only_the_current_mentor_or_a_coordinator_shares(sharer, personas):
    resource = ResourceFactory(program=personas.program)
    with pytest.raises(ValidationError, match="your own mentees"):
        share_create(resource=resource, mentee=personas.match.mentee, by=personas.user(sharer))
    assert not Share.objects.exists()


def test_a_former_mentor_no_longer_shares(personas):
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    with pytest.raises(ValidationError, match="your own mentees"):
        share_create(
            resource=ResourceFactory(program=personas.program), mentee=personas.match.mentee, by=personas.mentor
        )


def test_coordinator_shares_with_any_mentee_of_the_program(personas):
    resource = ResourceFactory(program=personas.program)
    share = share_create(resource=resource, mentee=personas.other_match.mentee, by=personas.coordinator)
    assert (share.mentee, share.shared_by) == (personas.other_match.mentee, personas.coordinator)


def test_a_global_listing_can_be_shared(personas):
    share = share_create(resource=ResourceFactory(program=None), mentee=personas.match.mentee, by=personas.mentor)
    assert share.resource.program_id is None


def test_another_programs_listing_is_refused(personas):
    resource = ResourceFactory(program=personas.other_program)
    for sharer in (personas.mentor, personas.coordinator):
        with pytest.raises(ValidationError, match="not available in the mentee's program"):
            share_create(resource=resource, mentee=personas.match.mentee, by=sharer)
    assert not Share.objects.exists()


@pytest.mark.parametrize("status", [Resource.Status.SUGGESTED, Resource.Status.ARCHIVED])
def test_a_listing_that_is_not_listed_is_refused(status, personas):
    resource = ResourceFactory(program=personas.program, status=status, suggested_by=personas.mentor)
    with pytest.raises(ValidationError, match="not available"):
        share_create(resource=resource, mentee=personas.match.mentee, by=personas.mentor)
    assert not Share.objects.exists()


def test_a_share_can_name_a_session_of_the_same_match(personas):
    session = SessionFactory(match=personas.match)
    share = share_create(
        resource=ResourceFactory(program=personas.program),
        mentee=personas.match.mentee,
        by=personas.mentor,
        session=session,
    )
    share.refresh_from_db()
    assert share.session == session


def test_a_session_of_another_match_is_refused(personas):
    session = SessionFactory(match=personas.other_match)
    for sharer in (personas.mentor, personas.coordinator):
        with pytest.raises(ValidationError, match="another match"):
            share_create(
                resource=ResourceFactory(program=personas.program),
                mentee=personas.match.mentee,
                by=sharer,
                session=session,
            )
    assert not Share.objects.exists()


# --- referral follow-up -------------------------------------------------------------------------------


def _referral(personas, **fields):
    fields = {"mentee": personas.match.mentee, "shared_by": personas.mentor, "is_referral": True, **fields}
    return ShareFactory(**fields)


@pytest.mark.parametrize("answer", Share.FollowUp.values)
def test_the_mentee_answers_did_you_connect(answer, personas):
    share = _referral(personas)
    share_followup(share=share, by=personas.mentee, answer=answer)
    share.refresh_from_db()
    assert share.followup == answer
    assert timezone.now() - share.followup_at < timedelta(minutes=1)


def test_the_mentee_can_change_their_answer(personas):
    share = _referral(personas)
    share_followup(share=share, by=personas.mentee, answer=Share.FollowUp.NOT_YET)
    share_followup(share=share, by=personas.mentee, answer=Share.FollowUp.YES)
    share.refresh_from_db()
    assert share.followup == Share.FollowUp.YES


@pytest.mark.parametrize("person", ["mentor", "coordinator", "other_mentee"])
def test_only_the_mentee_answers(person, personas):
    share = _referral(personas)
    with pytest.raises(ValidationError, match="Only the person it was shared with"):
        share_followup(share=share, by=personas.user(person), answer=Share.FollowUp.YES)
    share.refresh_from_db()
    assert (share.followup, share.followup_at) == ("", None)


def test_a_plain_share_asks_no_follow_up(personas):
    share = _referral(personas, is_referral=False)
    with pytest.raises(ValidationError, match="does not ask for a follow-up"):
        share_followup(share=share, by=personas.mentee, answer=Share.FollowUp.YES)
    share.refresh_from_db()
    assert share.followup == ""


@pytest.mark.parametrize("answer", ["", "maybe", "YES"])
def test_an_unknown_answer_is_refused(answer, personas):
    share = _referral(personas)
    with pytest.raises(ValidationError, match="Choose one of the answers"):
        share_followup(share=share, by=personas.mentee, answer=answer)
    share.refresh_from_db()
    assert share.followup == ""


# --- parsing CSV -------------------------------------------------------------------------------------


GOOD = {"name": "Harbor House", "category": "Housing › Recovery housing"}


def test_parse_csv_reports_each_bad_row_by_number_and_field(personas):
    ensure_taxonomy()
    text = _csv(
        {**GOOD, "website": "https://harbor.example.org", "languages": "en;es", "is_crisis": "no"},  # row 2
        {"name": "Nowhere", "category": "Housing › Castles"},  # row 3
        {**GOOD, "name": "Bad link", "website": "not a web address"},  # row 4
        {**GOOD, "name": "Klingon", "languages": "en;xx"},  # row 5
        {**GOOD, "name": "Unsure", "is_crisis": "maybe"},  # row 6
        {**GOOD, "name": "American date", "verified_on": "03/15/2024"},  # row 7
        {**GOOD, "name": ""},  # row 8
        {**GOOD, "name": "Two problems", "category": "", "website": "http://"},  # row 9
        {"name": "Food Bank", "category": "Meals", "verified_on": "2024-03-15"},  # row 10
    )
    valid, errors = parse_csv(text, program=personas.program)
    assert [row["name"] for row in valid] == ["Harbor House", "Food Bank"]
    assert [(number, _fields(messages)) for number, messages in errors] == [
        (3, ["category"]),
        (4, ["website"]),
        (5, ["languages"]),
        (6, ["is_crisis"]),
        (7, ["verified_on"]),
        (8, ["name"]),
        (9, ["category", "website"]),
    ]
    messages = dict(errors)
    assert "Unknown category" in messages[3][0]
    assert messages[5] == ["languages: Unknown language code: xx."]
    assert "yes or no" in messages[6][0]


def test_parse_csv_cleans_the_values_of_a_good_row(personas):
    ensure_taxonomy()
    text = _csv(
        {
            **GOOD,
            "description": "  Sober living for men.  ",
            "website": "harbor.example.org",
            "languages": "EN; es ;",
            "tags": "sober living; men;;",
            "is_crisis": "Yes",
            "verified_on": "2024-03-15",
        },
        {"name": "Meal", "category": "Meals", "is_crisis": ""},
    )
    valid, errors = parse_csv(text, program=personas.program)
    assert errors == []
    first, second = valid
    assert first["category"] == _recovery_housing()
    assert first["description"] == "Sober living for men."
    assert first["website"] == "https://harbor.example.org"
    assert (first["languages"], first["tags"]) == (["en", "es"], ["sober living", "men"])
    assert (first["is_crisis"], first["verified_on"]) == (True, date(2024, 3, 15))
    assert (second["is_crisis"], second["verified_on"], second["languages"]) == (False, None, [])


@pytest.mark.parametrize(
    "header, missing", [(["name", "description"], "category"), (["category", "city"], "name"), ([], "name, category")]
)
def test_parse_csv_refuses_a_header_without_name_or_category_at_row_1(header, missing, personas):
    text = ",".join(header) + "\nHarbor House,Sober living\n" if header else ""
    valid, errors = parse_csv(text, program=personas.program)
    assert valid == []
    assert errors == [(1, [f"The header must include: {missing}."])]


@pytest.mark.parametrize(
    "value",
    [
        "Housing › Recovery housing",
        "Housing > Recovery housing",
        "housing > recovery HOUSING",
        "Recovery housing",
        "recovery housing",
    ],
)
def test_parse_csv_finds_a_category_by_path_or_unique_subcategory_name(value, personas):
    ensure_taxonomy()
    valid, errors = parse_csv(_csv({**GOOD, "category": value}), program=personas.program)
    assert errors == []
    assert valid[0]["category"] == _recovery_housing()


def test_parse_csv_refuses_a_subcategory_name_used_under_two_top_categories(personas):
    ensure_taxonomy()
    health_testing = CategoryFactory(name="Testing", parent=Category.objects.get(name="Health care", parent=None))
    text = _csv({**GOOD, "category": "Testing"}, {**GOOD, "category": "Health care › Testing"})
    valid, errors = parse_csv(text, program=personas.program)
    assert [(number, _fields(messages)) for number, messages in errors] == [(2, ["category"])]
    assert [row["category"] for row in valid] == [health_testing]


def test_parse_csv_refuses_a_top_category_alone(personas):
    """Listings belong to a subcategory (the listing form offers subcategories
    only), so "Housing" alone is not a category a row can use."""
    ensure_taxonomy()
    valid, errors = parse_csv(_csv({**GOOD, "category": "Housing"}), program=personas.program)
    assert valid == []
    assert [(number, _fields(messages)) for number, messages in errors] == [(2, ["category"])]


def test_parse_csv_ignores_unknown_columns_and_short_rows(personas):
    ensure_taxonomy()
    text = "name,category,favourite colour,city\nHarbor House,Recovery housing,blue\n"
    valid, errors = parse_csv(text, program=personas.program)
    assert errors == []
    assert (valid[0]["name"], valid[0]["city"]) == ("Harbor House", "")


# --- importing -------------------------------------------------------------------------------------------


def test_import_rows_creates_exactly_the_valid_rows(personas):
    ensure_taxonomy()
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    text = _csv(
        {**GOOD, "verified_on": "2024-03-15", "languages": "en;es", "is_crisis": "yes"},
        {**GOOD, "name": "Bad", "website": "not a web address"},
        {"name": "Food Bank", "category": "Meals"},
        {"name": "From the future", "category": "Meals", "verified_on": future},
    )
    valid, errors = parse_csv(text, program=personas.program)
    assert [number for number, _ in errors] == [3]
    created = import_rows(program=personas.program, rows=valid, by=personas.coordinator).created
    assert len(created) == 3
    listings = {r.name: r for r in Resource.objects.all()}
    assert sorted(listings) == ["Food Bank", "From the future", "Harbor House"]
    assert {(r.program, r.status) for r in listings.values()} == {(personas.program, Resource.Status.APPROVED)}
    harbor = listings["Harbor House"]
    assert (harbor.category, harbor.languages, harbor.is_crisis) == (_recovery_housing(), ["en", "es"], True)
    assert (harbor.verified_on, harbor.verified_by) == (date(2024, 3, 15), personas.coordinator)
    # No date: never verified, so it shows up for re-checking.
    assert (listings["Food Bank"].verified_on, listings["Food Bank"].verified_by) == (None, None)
    # A date in the future is today at the latest.
    assert listings["From the future"].verified_on == timezone.localdate()


def test_import_rows_with_no_rows_creates_nothing(personas):
    assert import_rows(program=personas.program, rows=[], by=personas.coordinator).created == []
    assert not Resource.objects.exists()


# --- exporting -----------------------------------------------------------------------------------------


def _export(resources, *, bom=False):
    """The export as text; as a spreadsheet reads it (without the byte-order mark) unless ``bom``."""
    text = "".join(export_rows(resources))
    assert text.startswith("\ufeff")
    return text if bom else text[1:]


def test_export_starts_with_the_header_and_has_a_row_per_listing(personas):
    ResourceFactory.create_batch(3, program=personas.program)
    rows = list(csv.reader(io.StringIO(_export(Resource.objects.order_by("name")))))
    assert rows[0] == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == sorted(Resource.objects.values_list("name", flat=True))


def test_export_then_parse_gives_the_same_values(personas):
    ensure_taxonomy()
    text = _csv(
        {
            "name": "Harbor House",
            "category": "Housing › Recovery housing",
            "description": 'Sober living for men.\nCall first, ask for "Sam".',
            "phone": "(503) 555-0100",
            "text_number": "503 555 0101",
            "website": "https://harbor.example.org/intake?lang=en",
            "address": "12 Pier Street, Unit 3",
            "city": "Portland",
            "hours": "Mon–Fri 9–5",
            "cost": "Sliding scale; nobody turned away",
            "languages": "en;es",
            "eligibility": "Adults 18+, in recovery",
            "tags": "sober living;men",
            "is_crisis": "no",
            "verified_on": "2024-03-15",
        },
        {"name": "Crisis Text Line", "category": "Crisis lines", "text_number": "741741", "is_crisis": "yes"},
        {"name": "Café Comida", "category": "Food › Meals", "languages": "es", "city": "Salem"},
    )
    original, errors = parse_csv(text, program=personas.program)
    assert errors == []
    import_rows(program=personas.program, rows=original, by=personas.coordinator)
    again, errors = parse_csv(_export(Resource.objects.order_by("name")), program=personas.program)
    assert errors == []
    key = lambda row: row["name"]  # noqa: E731
    assert sorted(again, key=key) == sorted(original, key=key)


def test_export_then_parse_keeps_a_phone_number_that_starts_with_plus(personas):
    """Phone numbers are often written "+1 …": the CSV-injection guard on
    export must not change them on the way back in."""
    ResourceFactory(program=personas.program, category=_recovery_housing(), phone="+1 800 662 4357")
    again, errors = parse_csv(_export(Resource.objects.all()), program=personas.program)
    assert errors == []
    assert again[0]["phone"] == "+1 800 662 4357"


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil.example")', "+SUM(1,2)", "-2+3", "@cmd"])
def test_export_defuses_cells_that_a_spreadsheet_would_run(dangerous, personas):
    ResourceFactory(program=personas.program, name=dangerous, description=dangerous, tags=[dangerous])
    header, row = csv.reader(io.StringIO(_export(Resource.objects.all())))
    cells = dict(zip(header, row, strict=True))
    for column in ("name", "description", "tags"):
        assert cells[column] == f"'{dangerous}"
    assert not any(cell[:1] in "=+-@" for cell in row if cell)


def test_the_same_listing_is_not_shared_twice_with_one_mentee(personas):
    listing = ResourceFactory(program=personas.program)
    share_create(resource=listing, mentee=personas.match.mentee, by=personas.mentor)
    with pytest.raises(ValidationError, match="already shared"):
        share_create(resource=listing, mentee=personas.match.mentee, by=personas.mentor, is_referral=True)
    assert Share.objects.filter(resource=listing).count() == 1
