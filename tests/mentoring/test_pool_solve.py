"""Whole-pool matching as a background job (issue 18): the page never solves
the pool inside a request; "Work out pairs" (a POST) queues the Celery task,
which stores its result in the database (``PoolSolve``) with its progress, and
the page shows the kept result for as long as the pool is unchanged."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from mentoring.matching import solutions
from mentoring.matching.loading import load_pool
from mentoring.matching.solutions import pool_fingerprint, pool_solve_run
from mentoring.models import PoolSolve
from tests.factories import MatchableMenteeFactory, MatchableMentorFactory, ProgramFactory, UserFactory


@pytest.fixture
def program(personas):
    return ProgramFactory(name="Harbor Peers", coordinators=[personas.coordinator], background_check_required=False)


@pytest.fixture
def solves(monkeypatch):
    """Counts the whole-pool solves (wherever they run)."""
    calls = []
    real = solutions.assign_whole_pool

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(solutions, "assign_whole_pool", counted)
    return calls


def person(factory, program, name, **fields):
    return factory(program=program, user=UserFactory(full_name=name), **fields)


def build_pool(program):
    mentors = [
        person(MatchableMentorFactory, program, "Ada Alpha", capacity=1),
        person(MatchableMentorFactory, program, "Ben Beta", capacity=1),
    ]
    mentees = [
        person(MatchableMenteeFactory, program, "Cal Gamma"),
        person(MatchableMenteeFactory, program, "Dee Delta"),
    ]
    lonely = person(MatchableMenteeFactory, program, "Eli Espanol", languages=["es"])
    return mentors, mentees, lonely


def pool_url(program):
    return reverse("mentoring:pool", args=[program.pk])


def work_out(client, program, capture):
    """Press "Work out pairs"; the queued task runs when the request commits
    (eager Celery in tests)."""
    with capture(execute=True):
        response = client.post(reverse("mentoring:pool_solve", args=[program.pk]))
    assert response.status_code == 302
    assert response.url == pool_url(program)
    return response


def test_the_page_never_solves_the_pool_in_the_request(program, personas, client_for, solves):
    """Reproduction: the first GET after a change solved the whole pool inside
    the request (12.96 s at 10,000 × 2,500). Now the GET only reads: it offers
    "Work out pairs" and writes nothing."""
    build_pool(program)
    client = client_for(personas.coordinator)
    for _ in range(2):
        response = client.get(pool_url(program))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'action="{}"'.format(reverse("mentoring:pool_solve", args=[program.pk])) in body
        assert "Work out pairs" in body
        assert 'name="pair"' not in body
    assert solves == []
    assert not PoolSolve.objects.exists()


def test_work_out_pairs_solves_in_the_background_and_the_result_is_kept_in_the_database(
    program, personas, client_for, solves, django_capture_on_commit_callbacks
):
    mentors, mentees, lonely = build_pool(program)
    client = client_for(personas.coordinator)
    work_out(client, program, django_capture_on_commit_callbacks)
    assert len(solves) == 1
    [solve] = PoolSolve.objects.filter(program=program)
    assert (solve.status, solve.progress) == (PoolSolve.Status.DONE, 100)
    assert solve.started_at and solve.finished_at and solve.finished_at >= solve.started_at
    assert solve.fingerprint == pool_fingerprint(*load_pool(program))
    assert {(mentee, mentor) for mentee, mentor, _ in solve.pairs} == {
        (e.pk, m.pk) for e, m in zip(mentees, mentors, strict=True)
    } or {(mentee, mentor) for mentee, mentor, _ in solve.pairs} == {
        (e.pk, m.pk) for e, m in zip(mentees, reversed(mentors), strict=True)
    }
    assert [pk for pk, _ in solve.unassigned] == [lonely.pk]

    # Kept in the database, not in a process's memory: another process (an
    # emptied cache) shows it without solving again.
    cache.clear()
    response = client.get(pool_url(program))
    body = response.content.decode()
    assert len(response.context["rows"]) == 2
    assert body.count('type="checkbox" name="pair"') == 2
    assert "Eli Espanol" in body and "shared language" in body
    assert len(solves) == 1

    # Asking again for the same pool queues nothing.
    work_out(client, program, django_capture_on_commit_callbacks)
    assert len(solves) == 1
    assert PoolSolve.objects.filter(program=program).count() == 1


def test_a_changed_pool_is_not_shown_the_old_pairs_and_its_new_solve_replaces_the_old(
    program, personas, client_for, solves, django_capture_on_commit_callbacks
):
    mentors, mentees, lonely = build_pool(program)
    client = client_for(personas.coordinator)
    work_out(client, program, django_capture_on_commit_callbacks)
    old = PoolSolve.objects.get(program=program)
    # A mentee edits an answer matching reads: a new pool.
    lonely.languages = ["en", "es"]
    lonely.save(update_fields=["languages"])
    response = client.get(pool_url(program))
    assert "rows" not in response.context
    assert "Work out pairs" in response.content.decode()
    work_out(client, program, django_capture_on_commit_callbacks)
    assert len(solves) == 2
    [new] = PoolSolve.objects.filter(program=program)  # the old pool's solve is gone
    assert new.pk != old.pk and new.fingerprint != old.fingerprint
    # A mentor gets one more free place: solved again, three pairs now.
    mentors[0].capacity = 2
    mentors[0].save(update_fields=["capacity"])
    work_out(client, program, django_capture_on_commit_callbacks)
    assert len(client.get(pool_url(program)).context["rows"]) == 3


def test_while_the_job_runs_the_page_shows_its_progress_and_polls(program, personas, client_for, solves):
    build_pool(program)
    fingerprint = pool_fingerprint(*load_pool(program))
    solve = PoolSolve.objects.create(
        program=program,
        fingerprint=fingerprint,
        status=PoolSolve.Status.RUNNING,
        progress=37,
        requested_at=timezone.now(),
        started_at=timezone.now(),
    )
    client = client_for(personas.coordinator)
    body = client.get(pool_url(program)).content.decode()
    progress_url = reverse("mentoring:pool_progress", args=[program.pk])
    assert "Working out the best pairs… <strong>37%</strong>" in body
    assert f'hx-get="{progress_url}?solve={solve.pk}"' in body
    assert '<progress class="w-100" value="37" max="100"' in body
    assert f'<a href="{pool_url(program)}">Refresh</a>' in body  # works without JavaScript
    assert "Work out pairs" not in body  # under way: nothing to press
    # The poll answers the fragment, and asks for a reload once done.
    polled = client.get(progress_url, {"solve": solve.pk})
    assert "37%" in polled.content.decode() and "HX-Refresh" not in polled
    PoolSolve.objects.filter(pk=solve.pk).update(status=PoolSolve.Status.DONE, progress=100)
    assert client.get(progress_url, {"solve": solve.pk})["HX-Refresh"] == "true"
    assert solves == []


def test_the_task_reports_progress_at_its_stages(program, personas, monkeypatch):
    build_pool(program)
    seen = []
    real = solutions._progress
    monkeypatch.setattr(solutions, "_progress", lambda pk, percent: seen.append(int(percent)) or real(pk, percent))
    solve = PoolSolve.objects.create(
        program=program, fingerprint=pool_fingerprint(*load_pool(program)), requested_at=timezone.now()
    )
    pool_solve_run(solve_id=solve.pk)
    assert seen == sorted(seen) and len(set(seen)) >= 3 and seen[-1] <= 95
    solve.refresh_from_db()
    assert (solve.status, solve.progress) == (PoolSolve.Status.DONE, 100)


def test_a_failed_or_lost_job_can_be_started_again(
    program, personas, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    build_pool(program)
    client = client_for(personas.coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(solutions, "assign_whole_pool", broken)
    with pytest.raises(RuntimeError):
        work_out(client, program, django_capture_on_commit_callbacks)
    solve = PoolSolve.objects.get(program=program)
    assert solve.status == PoolSolve.Status.FAILED
    body = client.get(pool_url(program)).content.decode()
    assert "did not finish" in body and "Work out pairs" in body
    monkeypatch.undo()
    work_out(client, program, django_capture_on_commit_callbacks)
    solve.refresh_from_db()
    assert solve.status == PoolSolve.Status.DONE

    # A job whose worker stopped: running for longer than STALE_AFTER.
    PoolSolve.objects.filter(pk=solve.pk).update(
        status=PoolSolve.Status.RUNNING, started_at=timezone.now() - solutions.STALE_AFTER - timedelta(minutes=1)
    )
    body = client.get(pool_url(program)).content.decode()
    assert "may have stopped" in body and "Work out pairs" in body
    work_out(client, program, django_capture_on_commit_callbacks)
    solve.refresh_from_db()
    assert solve.status == PoolSolve.Status.DONE


def test_a_pool_that_changed_before_the_job_ran_is_solved_as_it_is_then(program, personas):
    mentors, mentees, lonely = build_pool(program)
    solve = PoolSolve.objects.create(
        program=program, fingerprint=pool_fingerprint(*load_pool(program)), requested_at=timezone.now()
    )
    lonely.languages = ["en", "es"]
    lonely.save(update_fields=["languages"])
    pool_solve_run(solve_id=solve.pk)
    solve.refresh_from_db()
    assert solve.fingerprint == pool_fingerprint(*load_pool(program))
    assert solve.status == PoolSolve.Status.DONE


def test_the_pool_page_benchmark_reports_and_leaves_nothing_behind(db):
    import json
    from io import StringIO

    from django.core.management import call_command

    from mentoring.models import MenteeProfile, MentorProfile

    out = StringIO()
    call_command("bench_pool_page", "--mentees", "30", "--mentors", "10", "--runs", "1", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["mentees"], figures["mentors"]) == (30, 10)
    assert 0 < figures["matched"] <= 30
    assert figures["page_ms"] > 0 and figures["solve_s"] >= 0
    assert not PoolSolve.objects.exists()
    assert not MentorProfile.objects.filter(user__email__startswith="pool-bench-").exists()
    assert not MenteeProfile.objects.filter(user__email__startswith="pool-bench-").exists()
