"""Resource pages: the directory and the crisis page, adding and suggesting
listings, sharing and referrals, CSV import and export, bounded queries."""

import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from resources.models import Category, Resource, Share
from resources.services import CSV_COLUMNS, ensure_taxonomy
from tests.factories import ResourceFactory, SessionFactory, ShareFactory, UserFactory

pytestmark = pytest.mark.django_db


def _category(top="Housing", sub="Recovery housing"):
    ensure_taxonomy()
    return Category.objects.get(name=sub, parent__name=top)


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the directory and the crisis page ------------------------------------------------------------


def test_directory_search_by_get(personas, client_for):
    ResourceFactory(program=personas.program, name="Harbor House", description="Housing help for men.")
    ResourceFactory(program=None, name="Statewide Housing Help Line")
    ResourceFactory(program=personas.program, name="Food Pantry", description="Groceries.")
    ResourceFactory(program=personas.other_program, name="Program B Housing Help")
    response = client_for(personas.mentor).get(reverse("resources:directory"), {"q": "housing help"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Harbor House" in body and "Statewide Housing Help Line" in body
    assert "Food Pantry" not in body and "Program B Housing Help" not in body
    assert 'value="housing help"' in body  # the search box keeps the words


def test_directory_needs_sign_in(client, db):
    response = client.get(reverse("resources:directory"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def crisis_listings(personas):
    lines = _category("Crisis and emergency", "Crisis lines")
    ResourceFactory(program=None, name="National Text Line", category=lines, is_crisis=True, text_number="741741")
    ResourceFactory(program=personas.program, name="Harbor Mobile Crisis Team", category=lines, is_crisis=True)
    ResourceFactory(program=personas.other_program, name="Bayside Crisis Team", category=lines, is_crisis=True)
    ResourceFactory(program=None, name="National Warmline", category=lines, is_crisis=False)
    ResourceFactory(
        program=None, name="Archived Crisis Line", category=lines, is_crisis=True, status=Resource.Status.ARCHIVED
    )
    ResourceFactory(
        program=personas.program,
        name="Suggested Crisis Line",
        category=lines,
        is_crisis=True,
        status=Resource.Status.SUGGESTED,
        suggested_by=personas.mentor,
    )
    return personas


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", ["National Text Line"]),
        ("mentee", ["Harbor Mobile Crisis Team", "National Text Line"]),
        ("mentor", ["Harbor Mobile Crisis Team", "National Text Line"]),
        ("coordinator", ["Harbor Mobile Crisis Team", "National Text Line"]),
        ("other_coordinator", ["Bayside Crisis Team", "National Text Line"]),
    ],
)
def test_crisis_page_lists_global_crisis_listings_and_the_programs_own(persona, expected, crisis_listings, client_for):
    response = client_for(crisis_listings.user(persona)).get(reverse("mentoring:crisis"))
    assert response.status_code == 200
    assert [r.name for r in response.context["crisis_resources"]] == expected
    body = response.content.decode()
    assert "National Text Line" in body and 'href="sms:741741"' in body
    for name in ("National Warmline", "Archived Crisis Line", "Suggested Crisis Line"):
        assert name not in body
    for name in {"Harbor Mobile Crisis Team", "Bayside Crisis Team"} - set(expected):
        assert name not in body


def test_crisis_page_for_someone_signed_in_without_a_program(crisis_listings, client_for):
    response = client_for(UserFactory()).get(reverse("mentoring:crisis"))
    assert [r.name for r in response.context["crisis_resources"]] == ["National Text Line"]


# --- adding and suggesting listings ---------------------------------------------------------------


def _listing_data(**fields):
    return {
        "name": "Harbor House",
        "category": _category().pk,
        "description": "Sober living for men.",
        "phone": "(503) 555-0100",
        "website": "harbor.example.org",
        "city": "Portland",
        "languages": ["en", "es"],
        "tags": "sober living, men",
        **fields,
    }


def test_coordinator_adds_a_listing_verified_today(personas, client_for):
    response = client_for(personas.coordinator).post(reverse("resources:new"), _listing_data())
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:detail", args=[resource.pk])
    assert (resource.program, resource.status, resource.suggested_by) == (
        personas.program,
        Resource.Status.APPROVED,
        None,
    )
    assert (resource.verified_on, resource.verified_by) == (
        timezone.localdate(timezone=personas.coordinator.zone),
        personas.coordinator,
    )
    assert (resource.website, resource.languages, resource.tags) == (
        "https://harbor.example.org",
        ["en", "es"],
        ["sober living", "men"],
    )
    # Listed at once: the program's mentee finds it.
    assert "Harbor House" in client_for(personas.mentee).get(reverse("resources:directory")).content.decode()


def test_a_mentor_suggestion_waits_in_review_for_the_coordinator(personas, client_for):
    response = client_for(personas.mentor).post(reverse("resources:new"), _listing_data(name="Tide Clinic"))
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert (resource.program, resource.status, resource.suggested_by, resource.verified_on) == (
        personas.program,
        Resource.Status.SUGGESTED,
        personas.mentor,
        None,
    )
    # Not listed yet.
    assert "Tide Clinic" not in client_for(personas.mentee).get(reverse("resources:directory")).content.decode()
    review = client_for(personas.coordinator).get(reverse("resources:review"))
    assert review.status_code == 200
    assert list(review.context["suggested"]) == [resource]
    body = review.content.decode()
    assert "Tide Clinic" in body and "Morgan Mentor" in body
    # Another program's coordinator does not see it.
    other = client_for(personas.other_coordinator).get(reverse("resources:review"))
    assert list(other.context["suggested"]) == []
    # Approving lists it, verified today.
    client_for(personas.coordinator).post(reverse("resources:action", args=[resource.pk]), {"action": "approve"})
    resource.refresh_from_db()
    assert (resource.status, resource.verified_on) == (
        Resource.Status.APPROVED,
        timezone.localdate(timezone=personas.coordinator.zone),
    )
    assert "Tide Clinic" in client_for(personas.mentee).get(reverse("resources:directory")).content.decode()


# --- sharing and referrals -----------------------------------------------------------------------


def test_sharing_a_referral_from_the_detail_page_and_the_mentee_answers(personas, client_for):
    resource = ResourceFactory(program=personas.program, name="Harbor House")
    url = reverse("resources:detail", args=[resource.pk])
    mentor = client_for(personas.mentor)
    form = mentor.get(url).context["share_form"]
    assert list(form.fields["mentee"].queryset) == [personas.match.mentee]
    response = mentor.post(
        url, {"mentee": personas.match.mentee.pk, "note": "Ask for Sam.", "is_referral": "on"}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    assert "Shared with Mel Mentee." in _messages(response)
    share = Share.objects.get()
    assert (share.resource, share.mentee, share.shared_by, share.is_referral, share.session) == (
        resource,
        personas.match.mentee,
        personas.mentor,
        True,
        None,
    )

    mentee = client_for(personas.mentee)
    body = mentee.get(reverse("resources:mine")).content.decode()
    assert "Harbor House" in body and "Ask for Sam." in body and "Did you connect?" in body
    response = mentee.post(reverse("resources:followup", args=[share.pk]), {"answer": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("resources:mine")
    share.refresh_from_db()
    assert share.followup == Share.FollowUp.YES and share.followup_at is not None
    body = mentee.get(reverse("resources:mine")).content.decode()
    assert "Did you connect?" not in body and "Yes, I connected" in body


def test_a_plain_share_does_not_ask_did_you_connect(personas, client_for):
    ShareFactory(mentee=personas.match.mentee, shared_by=personas.mentor, resource__name="Tide Clinic")
    body = client_for(personas.mentee).get(reverse("resources:mine")).content.decode()
    assert "Tide Clinic" in body and "Did you connect?" not in body


def test_a_mentor_cannot_share_with_someone_elses_mentee(personas, client_for):
    resource = ResourceFactory(program=personas.program)
    url = reverse("resources:detail", args=[resource.pk])
    response = client_for(personas.mentor).post(url, {"mentee": personas.other_match.mentee.pk})
    assert response.status_code == 200
    assert "mentee" in response.context["share_form"].errors
    assert not Share.objects.exists()


def test_sharing_from_a_session_links_the_share_and_returns_to_the_session(personas, client_for):
    session = SessionFactory(match=personas.match)
    resource = ResourceFactory(program=personas.program, name="Harbor House")
    url = reverse("resources:detail", args=[resource.pk]) + f"?session={session.pk}"
    mentor = client_for(personas.mentor)
    page = mentor.get(url)
    assert page.context["session"] == session
    assert page.context["share_form"]["mentee"].value() == personas.match.mentee.pk
    assert f'name="session" value="{session.pk}"' in page.content.decode()
    # The directory keeps the session in its links.
    directory = mentor.get(reverse("resources:directory"), {"session": session.pk}).content.decode()
    assert f"{reverse('resources:detail', args=[resource.pk])}?session={session.pk}" in directory

    response = mentor.post(url, {"mentee": personas.match.mentee.pk, "session": session.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("peer_sessions:session_detail", args=[session.pk])
    share = Share.objects.get()
    assert (share.session, share.mentee, share.resource) == (session, personas.match.mentee, resource)


def test_a_session_the_mentor_may_not_log_is_not_linked(personas, client_for):
    other_session = SessionFactory(match=personas.other_match)
    resource = ResourceFactory(program=personas.program)
    url = reverse("resources:detail", args=[resource.pk]) + f"?session={other_session.pk}"
    response = client_for(personas.mentor).post(url, {"mentee": personas.match.mentee.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:detail", args=[resource.pk])
    assert Share.objects.get().session is None


# --- CSV import and export ----------------------------------------------------------------------------


def _csv_file(text, name="listings.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


TWO_GOOD_ONE_BAD = (
    "name,category,website,languages,is_crisis\n"
    "Harbor House,Housing › Recovery housing,https://harbor.example.org,en;es,no\n"
    'Bad Link,Recovery housing,not a web address,en,"no"\n'
    'Food Bank,Food > Meals,,es,"yes"\n'
)


def _hidden(body, name):
    """The value of a hidden input, as a browser would send it back."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', body)
    assert match, f"no hidden {name} input"
    return html.unescape(match.group(1))


def test_csv_import_reports_row_numbers_then_imports_the_valid_rows(personas, client_for):
    client = client_for(personas.coordinator)
    url = reverse("resources:import", args=[personas.program.pk])
    response = client.post(url, {"file": _csv_file(TWO_GOOD_ONE_BAD)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Row 3: website: Enter a valid URL." in body
    assert "Row 2" not in body and "Row 4" not in body
    assert response.context["report"]["valid"] == 2
    assert "Import the 2 valid rows" in body
    assert not Resource.objects.exists()

    content = _hidden(body, "content")
    assert content == TWO_GOOD_ONE_BAD
    assert _hidden(body, "import_valid") == "1"
    response = client.post(url, {"content": content, "import_valid": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("resources:directory"), 302)]
    assert any(m.startswith("2 listings imported. 1 row with errors") for m in _messages(response))
    listings = {r.name: r for r in Resource.objects.all()}
    assert sorted(listings) == ["Food Bank", "Harbor House"]
    assert {r.program for r in listings.values()} == {personas.program}
    assert listings["Food Bank"].is_crisis and listings["Food Bank"].languages == ["es"]


def test_csv_import_of_a_clean_file_imports_at_once(personas, client_for):
    text = "\ufeffname,category\nHarbor House,Recovery housing\nFood Bank,Meals\n"  # Excel's "CSV UTF-8"
    response = client_for(personas.coordinator).post(
        reverse("resources:import", args=[personas.program.pk]), {"file": _csv_file(text)}
    )
    assert response.status_code == 302
    assert sorted(Resource.objects.values_list("name", flat=True)) == ["Food Bank", "Harbor House"]


def test_csv_import_with_only_bad_rows_offers_no_import(personas, client_for):
    text = "name,category\nNowhere,Castles\n"
    client = client_for(personas.coordinator)
    url = reverse("resources:import", args=[personas.program.pk])
    response = client.post(url, {"file": _csv_file(text)})
    body = response.content.decode()
    assert "Row 2: category: Unknown category" in body
    assert 'name="import_valid"' not in body
    client.post(url, {"content": text, "import_valid": "1"})
    assert not Resource.objects.exists()


def test_csv_import_of_a_header_without_category(personas, client_for):
    response = client_for(personas.coordinator).post(
        reverse("resources:import", args=[personas.program.pk]), {"file": _csv_file("name,city\nHarbor,Portland\n")}
    )
    assert "Row 1: The header must include: category." in response.content.decode()
    assert not Resource.objects.exists()


def test_csv_import_of_a_file_that_is_not_utf8_says_so(personas, client_for):
    text = "name,category\nCafé Comida,Meals\n"
    response = client_for(personas.coordinator).post(
        reverse("resources:import", args=[personas.program.pk]), {"file": _csv_file(text, encoding="latin-1")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
    ]
    assert "The file is not UTF-8 text" in response.content.decode()
    assert response.context["report"] is None
    assert not Resource.objects.exists()


def test_csv_import_without_a_file(personas, client_for):
    # What a browser sends when no file was chosen: the CSRF token and an empty file part.
    response = client_for(personas.coordinator).post(
        reverse("resources:import", args=[personas.program.pk]), {"csrfmiddlewaretoken": "token", "file": ""}
    )
    assert response.context["form"].errors["file"] == ["Choose a CSV file."]


def test_csv_export_is_text_csv_with_a_header_row(personas, client_for):
    ResourceFactory(program=personas.program, name="Harbor House", category=_category(), languages=["en", "es"])
    ResourceFactory(program=None, name="National Text Line", category=_category("Crisis and emergency", "Crisis lines"))
    ResourceFactory(program=personas.other_program, name="Program B Listing")
    ResourceFactory(program=personas.program, name="Waiting", status=Resource.Status.SUGGESTED)
    ResourceFactory(program=personas.program, name="Gone", status=Resource.Status.ARCHIVED)
    response = client_for(personas.coordinator).get(reverse("resources:export", args=[personas.program.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="resources-{personas.program.slug}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == CSV_COLUMNS
    cells = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [c["name"] for c in cells] == ["Harbor House", "National Text Line"]
    assert (cells[0]["category"], cells[0]["languages"]) == ("Housing › Recovery housing", "en;es")


# --- bounded queries ----------------------------------------------------------------------------------


def _grow_shares(personas, n):
    mentee = personas.match.mentee
    categories = [_category(), _category("Food", "Meals"), _category("Legal aid", "Legal clinics")]
    for i in range(n):
        ShareFactory(
            mentee=mentee,
            resource=ResourceFactory(program=personas.program if i % 2 else None, category=categories[i % 3]),
            shared_by=[personas.mentor, personas.coordinator, None][i % 3],
            is_referral=i % 2 == 0,
            followup=Share.FollowUp.YES if i % 4 == 0 else "",
            note=f"Note {i}",
        )


def test_my_resources_query_count_does_not_grow_with_shares(personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.mentee)
    _grow_shares(personas, 3)
    with django_assert_max_num_queries(30) as small:
        response = client.get(reverse("resources:mine"))
        assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3
    _grow_shares(personas, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("resources:mine"))
        assert response.status_code == 200
    assert len(response.context["page"].object_list) == 15
