"""Issue 17.7: fair and visible queues. "Match everyone waiting" ignored how
long people had waited: a mentee waiting 381 days was left out while a 0-day
applicant got the only place. Time waiting is now a criterion (weight per
program, explained like the others), the waiting list sorts by wait, and the
whole-pool page shows the longest waits left unmatched and why."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mentoring.matching.criteria import effective_weights, score_pair
from mentoring.matching.loading import load_pool
from mentoring.matching.pool import assign_whole_pool
from mentoring.models import Match
from tests.factories import MatchFactory, MenteeProfileFactory, UserFactory
from tests.mentoring.test_matching_criteria import context, mentee_person, mentor_person


def test_the_mentee_waiting_381_days_gets_the_only_place_before_a_new_applicant():
    mentor = mentor_person(capacity_left=1)
    # The newcomer shares slightly more (interests), but has waited 0 days.
    veteran = mentee_person(pk=1, user_id=31, interests=frozenset(), waiting_days=381)
    newcomer = mentee_person(pk=2, user_id=32, waiting_days=0)
    result = assign_whole_pool([mentor], [veteran, newcomer], context())
    assert [(i, j) for i, j, _ in result.pairs] == [(0, 0)]  # was [(1, 0)]
    assert [i for i, _ in result.unassigned] == [1]


def test_time_waiting_is_explained_in_the_pairs_sentences_and_can_be_turned_off():
    score = score_pair(mentor_person(), mentee_person(waiting_days=381), context())
    reason = next(r for r in score.reasons if r.criterion == "waiting")
    assert (reason.sentence, reason.fit) == ("The mentee has waited 381 days", 1.0)
    fresh = next(
        r
        for r in score_pair(mentor_person(), mentee_person(waiting_days=0), context()).reasons
        if r.criterion == "waiting"
    )
    assert fresh.sentence == "The mentee joined today" and fresh.fit == 0
    # "Must" never blocks a newcomer; "off" drops it.
    assert score_pair(mentor_person(), mentee_person(waiting_days=0), context({"waiting": "must"})).eligible
    off = score_pair(mentor_person(), mentee_person(waiting_days=0), context({"waiting": "off"}))
    assert "waiting" not in [r.criterion for r in off.reasons] and off.total == 100.0
    assert effective_weights({})["waiting"] == "medium"


def _mentee(program, *, joined_days_ago, name):
    profile = MenteeProfileFactory(program=program, user=UserFactory(full_name=name))
    profile.joined_at = timezone.now() - timedelta(days=joined_days_ago)
    profile.save(update_fields=["joined_at"])
    return profile


def test_waiting_counts_from_the_end_of_the_last_match_and_the_list_sorts_by_it(personas, client_for):
    program = personas.program
    rejoined = _mentee(program, joined_days_ago=400, name="Rae Rejoined")
    MatchFactory(
        program=program, mentee=rejoined, status=Match.Status.CLOSED, ended_at=timezone.now() - timedelta(days=3)
    )
    long_wait = _mentee(program, joined_days_ago=381, name="Lee Longwait")
    _, mentees, _ = load_pool(program)
    waited = {m.name: m.waiting_days for m in mentees}
    assert waited["Lee Longwait"] == 381 and waited["Rae Rejoined"] == 3
    page = client_for(personas.coordinator).get(reverse("mentoring:waiting", args=[program.pk]))
    names = [m.user.full_name for m in page.context["page"]]
    assert names.index("Lee Longwait") < names.index("Rae Rejoined")  # joined_at alone put Rae first
    assert long_wait.pk == page.context["page"][0].pk


def test_the_pool_page_lists_the_longest_waits_left_unmatched_first_with_the_reason(
    personas, client_for, django_capture_on_commit_callbacks
):
    program = personas.program
    _mentee(program, joined_days_ago=20, name="Sam Short")
    _mentee(program, joined_days_ago=381, name="Lee Longwait")
    client = client_for(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # "Work out pairs": solved in the background
        client.post(reverse("mentoring:pool_solve", args=[program.pk]))
    response = client.get(reverse("mentoring:pool", args=[program.pk]))
    rows = response.context["unassigned"]
    names = [row["mentee"].name for row in rows]
    assert names.index("Lee Longwait") < names.index("Sam Short")
    html = response.content.decode()
    assert 'Lee Longwait</strong> · <span class="small" data-field="waited">waiting 381 days</span>' in html
    assert all(row["reason"] for row in rows)
