"""A person's own data: /me/data/ and the ZIP download (mentoring/personal_data.py)."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from goals.models import Answer, Assessment, CheckInComment, Instrument, InstrumentItem, SafetyAlert
from mentoring.models import MatchSurvey, MenteeProfile, Notification, User
from mentoring.personal_data import (
    JSON_NAME,
    TABLES,
    personal_data_export,
    uncovered_links,
    unplanned_models,
)
from programs.models import ConsentRecord
from tests.factories import (
    ApplicationFactory,
    CheckInFactory,
    DeliveryFactory,
    ExperienceAreaFactory,
    GoalFactory,
    GoalProgressFactory,
    GroupSessionFactory,
    MenteeProfileFactory,
    MilestoneFactory,
    RegistrationFactory,
    SafetyAlertFactory,
    SessionFactory,
    ShareFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "Private note the mentee never sees"
SHARED_SUMMARY = "We practised the breathing exercise"
REFLECTION = "Felt steady after the walk"
OTHER_REFLECTION = "Another person's reflection"
OTHER_GOAL = "Another person's goal title"


def build_history(p, *, months_back=2, rounds=1):
    """Rows of every kind for the persona mentee (and their mentor), ``rounds`` times over,
    in the past ``months_back`` months, plus a little of the other mentee's. Returns the
    objects tests look at."""
    now = timezone.now()
    program, match = p.program, p.match
    mentee = match.mentee
    skill = SkillFactory(program=program, name="Breathing")
    area = ExperienceAreaFactory(program=program)
    mentee.experience_areas.add(area)
    match.mentor.experience_areas.add(area)
    match.started_at = now - timedelta(days=30 * months_back + 10)
    match.save(update_fields=["started_at"])
    instrument = Instrument.objects.create(name="Recovery capital")
    item = InstrumentItem.objects.create(instrument=instrument, domain="health", text="I sleep well")
    for n in range(rounds):
        when = now - timedelta(days=20 + 7 * n)
        SessionFactory(
            match=match,
            starts_at=when,
            status="completed",
            private_notes=PRIVATE_NOTE,
            shared_summary=SHARED_SUMMARY,
            follow_up="Call the clinic",
            location="12 Elm Street",
            skills=[skill],
        )
        SessionFactory(match=match, starts_at=when - timedelta(days=2), status="missed", missed_by="mentee")
        goal = GoalFactory(mentee=mentee, title=f"Walk every day {n}", why="To feel better", created_at=when)
        achieved = GoalFactory(
            mentee=mentee, title=f"Find a job {n}", status="achieved", created_at=when, closed_at=when
        )
        MilestoneFactory(goal=goal, title="First week")
        checkin = CheckInFactory(mentee=mentee, created_at=when, mood=4, craving=2, reflection=REFLECTION)
        GoalProgressFactory(goal=achieved, checkin=checkin, progress=100)
        CheckInComment.objects.create(checkin=checkin, author=p.mentor, body="Well done this week")
        # One open alert per mentee at a time (issue 15): later ones here are acknowledged.
        already_open = SafetyAlert.objects.open().filter(mentee=mentee).exists()
        SafetyAlertFactory(
            mentee=mentee, checkin=checkin, note="Called them back", acknowledged_at=when if already_open else None
        )
        for days in (40, 5):
            assessment = Assessment.objects.create(
                mentee=mentee, instrument=instrument, score=40 + days, taken_at=now - timedelta(days=days + n)
            )
            Answer.objects.create(assessment=assessment, item=item, value=3)
        ShareFactory(mentee=mentee, note="Try this one", created_at=when)
        ShareFactory(mentee=mentee, is_referral=True, followup="yes", created_at=when, note="Ask for Sam")
        group = GroupSessionFactory(program=program, starts_at=when, skill=skill, facilitators=[p.mentor])
        RegistrationFactory(group_session=group, user=p.mentee, attendance="attended")
        DeliveryFactory(recipient=p.mentee, program=program, status="dead")
        DeliveryFactory(recipient=p.mentee, program=program, due_at=now + timedelta(hours=n + 1))
        Notification.objects.create(user=p.mentee, kind="checkin_due", text="Time for a check-in", url="/checkin/")
    ConsentRecord.objects.create(program=program, person=p.mentee, kind="participation", statement="I take part.")
    ApplicationFactory(
        program=program, kind="mentee", person=p.mentee, email=p.mentee.email, details={"story": "My own words"}
    )
    MatchSurvey.objects.get_or_create(
        match=match, side="mentee", defaults={"respondent": p.mentee, "rating": 5, "comment": "Great mentor"}
    )
    # The other mentee's rows must never show up in the mentee's download.
    other = p.other_match.mentee
    CheckInFactory(mentee=other, reflection=OTHER_REFLECTION)
    GoalFactory(mentee=other, title=OTHER_GOAL)
    return {"skill": skill, "area": area}


def _download(client):
    response = client.post(reverse("mentoring:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="waypoint-my-data-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def _everything(archive):
    return "\n".join(archive.read(name).decode() for name in archive.namelist())


def test_every_link_to_a_person_is_exported_or_explained():
    assert uncovered_links() == []
    assert unplanned_models() == []


def test_a_new_model_linked_to_a_person_fails_the_coverage_check():
    with isolate_apps("mentoring"):

        class Diary(models.Model):
            author = models.ForeignKey(User, on_delete=models.CASCADE)
            mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE)
            readers = models.ManyToManyField(User, related_name="+")

            class Meta:
                app_label = "mentoring"

            def __str__(self):
                return "A diary"

        assert uncovered_links([Diary]) == [
            ("mentoring.Diary", "author"),
            ("mentoring.Diary", "mentee"),
            ("mentoring.Diary", "readers"),
        ]
        assert unplanned_models([Diary]) == ["mentoring.Diary"]


def test_the_download_holds_every_table_as_json_and_csv(personas, client_for):
    build_history(personas)
    archive = _download(client_for(personas.mentee))
    names = set(archive.namelist())
    assert names == {JSON_NAME} | {f"{table.name}.csv" for table in TABLES}
    document = json.loads(archive.read(JSON_NAME))
    assert document["person_id"] == personas.mentee.pk
    assert set(document["tables"]) == {table.name for table in TABLES}
    tables = document["tables"]
    assert tables["account"][0]["email"] == "mentee@test.example"
    assert [row["reflection"] for row in tables["checkins"]] == [REFLECTION]
    assert [row["shared_summary"] for row in tables["sessions"] if row["status"] == "completed"] == [SHARED_SUMMARY]
    assert tables["matches"][0]["your_role"] == "mentee"
    assert tables["matches"][0]["matched_with"] == "Morgan Mentor"
    assert len(tables["goals"]) == 2 and len(tables["milestones"]) == 1
    assert tables["applications"][0]["answers"] == {"story": "My own words"}
    assert tables["consents"][0]["statement"] == "I take part."
    assert tables["match_surveys"][0]["comment"] == "Great mentor"
    assert len(tables["referrals"]) == 1 and len(tables["shares"]) == 1
    assert tables["assessment_answers"][0]["answer"] == 3
    assert tables["group_registrations"][0]["attendance"] == "attended"
    assert len(tables["deliveries"]) == 2 and len(tables["notifications"]) == 1
    assert tables["checkin_comments"][0]["comment"] == "Well done this week"
    # Each CSV has the table's columns and as many lines as the JSON has rows.
    for table in TABLES:
        rows = list(csv.reader(io.StringIO(archive.read(f"{table.name}.csv").decode())))
        assert rows[0] == list(table.columns)
        assert len(rows) - 1 == len(tables[table.name])


def test_a_mentee_never_gets_the_mentors_private_notes_nor_anyone_elses_data(personas, client_for):
    build_history(personas)
    text = _everything(_download(client_for(personas.mentee)))
    assert PRIVATE_NOTE not in text
    assert "Called them back" not in text  # the safety-alert response note is internal
    assert OTHER_REFLECTION not in text
    assert OTHER_GOAL not in text
    assert "other.mentee@test.example" not in text
    assert "Opal Othermentee" not in text
    assert SHARED_SUMMARY in text and REFLECTION in text


def test_a_mentor_gets_their_own_private_notes_but_not_their_mentees_checkins(personas, client_for):
    build_history(personas)
    archive = _download(client_for(personas.mentor))
    tables = json.loads(archive.read(JSON_NAME))["tables"]
    assert [row["private_notes"] for row in tables["session_private_notes"]] == [PRIVATE_NOTE]
    assert tables["checkins"] == [] and tables["goals"] == []
    assert REFLECTION not in _everything(archive)
    assert tables["groups_facilitated"] and tables["matches"][0]["your_role"] == "mentor"


def test_csv_cells_cannot_run_as_formulas(personas, client_for):
    CheckInFactory(mentee=personas.match.mentee, reflection='=HYPERLINK("http://evil.example")')
    archive = _download(client_for(personas.mentee))
    rows = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode())))
    assert rows[0]["reflection"].startswith("'=")
    # The JSON keeps what was typed.
    tables = json.loads(archive.read(JSON_NAME))["tables"]
    assert tables["checkins"][0]["reflection"].startswith("=HYPERLINK")


def _queries(person):
    with CaptureQueriesContext(connection) as captured:
        personal_data_export(person=person)
    return len(captured)


def test_the_export_runs_a_fixed_number_of_queries(personas):
    build_history(personas, rounds=1)
    few = _queries(personas.mentee)
    build_history(personas, rounds=4)
    # A second profile in another program, with lived experience (a prefetch per table, not per row).
    MenteeProfileFactory(user=personas.mentee, program=personas.other_program).experience_areas.add(
        ExperienceAreaFactory(program=personas.other_program)
    )
    assert _queries(personas.mentee) == few
    assert few <= len(TABLES) + 10


def test_the_page_says_what_is_held_and_is_not_cached(personas, client_for):
    build_history(personas)
    client = client_for(personas.mentee)
    response = client.get(reverse("mentoring:my_data"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Your information" in page and "Download my information" in page
    assert 'method="post"' in page
    for table in TABLES:
        assert escape(str(table.about)) in page
    # Linked from the person's own profile page.
    assert reverse("mentoring:my_data") in client.get(reverse("mentoring:profile")).content.decode()


def test_the_page_counts_in_a_fixed_number_of_queries(personas, client_for):
    build_history(personas, rounds=3)
    client = client_for(personas.mentee)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("mentoring:my_data"))
    build_history(personas, rounds=2)
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("mentoring:my_data"))
    assert len(first) == len(second)


def test_an_application_sent_from_the_accounts_address_is_included(personas, client_for):
    ApplicationFactory(program=personas.program, kind="mentee", email="MENTEE@test.example", details={"why": "Mine"})
    ApplicationFactory(program=personas.program, kind="mentee", email="someone.else@test.example")
    tables = json.loads(_download(client_for(personas.mentee)).read(JSON_NAME))["tables"]
    assert [row["answers"] for row in tables["applications"]] == [{"why": "Mine"}]


def test_downloading_ones_own_data_is_on_the_read_audit(personas, client_for):
    """A stolen session downloading everything shows on the person's own
    "Who viewed my information" page: the download is one audit row."""
    from mentoring.models import AccessEvent

    client = client_for(personas.mentee)
    _download(client)
    (event,) = AccessEvent.objects.filter(subject=personas.mentee)
    assert (event.viewer_id, event.what) == (personas.mentee.pk, "export")
    assert "Download of personal data" in client.get(reverse("mentoring:who_viewed")).content.decode()
