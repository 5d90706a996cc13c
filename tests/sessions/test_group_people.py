"""Issue 17.7: groups. The event page lists who is booked and waiting (for
those who run it); coordinators and facilitators book a person in and add a
walk-in at attendance time; a whole series is cancelled in one step."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sessions.models import GroupSeries, GroupSession, Registration
from tests.factories import GroupSessionFactory, RegistrationFactory, UserFactory


def _group(personas, *, starts_in=timedelta(days=2), capacity=1):
    # Days ahead: at midday, so that the hour never crosses midnight (the edit form refuses an
    # end before the start). Minutes ahead (a walk-in): exactly then, whatever the hour.
    start = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    if starts_in >= timedelta(days=1):
        start = timezone.localtime(start).replace(hour=12, minute=0)
    group = GroupSessionFactory(
        program=personas.program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=capacity
    )
    group.facilitators.add(personas.other_mentor)
    return group


def test_the_event_page_lists_booked_and_waiting_for_those_who_run_it_only(personas, client_for):
    group = _group(personas)
    RegistrationFactory(group_session=group, user=personas.mentee, status=Registration.Status.REGISTERED)
    RegistrationFactory(group_session=group, user=personas.other_mentee, status=Registration.Status.WAITLISTED)
    url = reverse("peer_sessions:group_detail", args=[group.pk])
    for runner in (personas.coordinator, personas.other_mentor):
        response = client_for(runner).get(url)
        assert [r.user for r in response.context["booked"]] == [personas.mentee]
        assert [r.user for r in response.context["waitlist"]] == [personas.other_mentee]
        assert str(personas.other_mentee) in response.content.decode()
    # A participant does not see who else comes.
    response = client_for(personas.mentee).get(url)
    assert response.context["booked"] == [] and str(personas.other_mentee) not in response.content.decode()


def test_a_facilitator_books_a_person_in_and_the_next_goes_to_the_waiting_list(personas, client_for):
    group = _group(personas, capacity=1)
    url = reverse("peer_sessions:group_book", args=[group.pk])
    client = client_for(personas.other_mentor)
    assert client.post(url, {"person": personas.mentee.pk}).status_code == 302
    assert client.post(url, {"person": personas.other_mentee.pk}).status_code == 302
    statuses = dict(Registration.objects.values_list("user", "status"))
    assert statuses == {personas.mentee.pk: "registered", personas.other_mentee.pk: "waitlisted"}


def test_a_walk_in_gets_a_seat_and_is_marked_attended_even_when_full(personas, client_for):
    group = _group(personas, starts_in=timedelta(minutes=10), capacity=1)
    RegistrationFactory(group_session=group, user=personas.mentor, status=Registration.Status.REGISTERED)
    url = reverse("peer_sessions:group_book", args=[group.pk])
    response = client_for(personas.coordinator).post(url, {"person": personas.mentee.pk, "walk_in": "on"})
    assert response.url == reverse("peer_sessions:attendance", args=[group.pk])
    walk_in = Registration.objects.get(user=personas.mentee)
    assert (walk_in.status, walk_in.attendance) == ("registered", "attended")


def test_a_walk_in_before_attendance_opens_is_refused(personas, client_for):
    group = _group(personas, starts_in=timedelta(days=2))
    url = reverse("peer_sessions:group_book", args=[group.pk])
    client_for(personas.coordinator).post(url, {"person": personas.mentee.pk, "walk_in": "on"})
    assert not Registration.objects.exists()


def test_someone_outside_the_program_cannot_be_booked(personas, client_for):
    group = _group(personas)
    url = reverse("peer_sessions:group_book", args=[group.pk])
    client_for(personas.coordinator).post(url, {"person": UserFactory().pk})
    assert not Registration.objects.exists()


def test_a_whole_series_is_cancelled_in_one_step(personas, client_for):
    series = GroupSeries.objects.create(program=personas.program, title="Weekly", weekly_until=timezone.localdate())
    start = timezone.now() + timedelta(days=1)
    dates = [
        GroupSessionFactory(
            program=personas.program,
            series=series,
            starts_at=start + timedelta(weeks=w),
            ends_at=start + timedelta(weeks=w, hours=1),
        )
        for w in range(4)
    ]
    url = reverse("peer_sessions:group_edit", args=[dates[1].pk])
    response = client_for(personas.coordinator).post(url, {"action": "cancel_series", "reason": "Room closed"})
    assert response.status_code == 302
    assert set(GroupSession.objects.filter(series=series).values_list("status", flat=True)) == {"cancelled"}
    assert GroupSession.objects.get(pk=dates[0].pk).sequence == 1


def _edit_data(group, **changes):
    start, end = timezone.localtime(group.starts_at), timezone.localtime(group.ends_at)
    data = {
        "action": "move",
        "title": group.title,
        "capacity": str(group.capacity),
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "location": "Room 2",
    }
    return data | changes


def test_a_facilitator_renames_and_adds_seats_and_the_first_waiting_gets_one(personas, client_for):
    group = _group(personas, capacity=1)
    RegistrationFactory(group_session=group, user=personas.mentee, status=Registration.Status.REGISTERED)
    RegistrationFactory(group_session=group, user=personas.other_mentee, status=Registration.Status.WAITLISTED)
    url = reverse("peer_sessions:group_edit", args=[group.pk])
    client = client_for(personas.other_mentor)
    response = client.post(url, _edit_data(group, title="Evening circle", capacity="2"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.title, group.capacity, group.location) == ("Evening circle", 2, "Room 2")
    assert Registration.objects.get(user=personas.other_mentee).status == Registration.Status.REGISTERED
    # Fewer seats than people holding one: refused next to the field, the rest kept.
    response = client.post(url, _edit_data(group, title="Renamed again", capacity="1"))
    assert response.status_code == 200
    assert "capacity" in response.context["move_form"].errors
    assert 'value="Renamed again"' in response.content.decode()
    group.refresh_from_db()
    assert (group.title, group.capacity) == ("Evening circle", 2)


def test_mentors_create_groups_only_when_the_program_allows_it_and_then_facilitate_them(personas, client_for):
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    client = client_for(personas.mentor)
    assert client.get(url).status_code == 404
    personas.program.mentors_create_groups = True
    personas.program.save(update_fields=["mentors_create_groups"])
    assert client.get(url).status_code == 200
    day = (timezone.localtime(timezone.now()) + timedelta(days=5)).date().isoformat()
    data = {"kind": "group", "title": "Walk and talk", "day": day, "start": "18:00", "end": "19:00", "capacity": "8"}
    assert client.post(url, data).status_code == 302
    group = GroupSession.objects.get(title="Walk and talk")
    assert list(group.facilitators.all()) == [personas.mentor]
    listing = client.get(reverse("peer_sessions:group_list", args=[personas.program.pk])).content.decode()
    assert f'href="{url}"' in listing
