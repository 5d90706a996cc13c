"""Time whole-pool matching on a seeded random pool, against a greedy baseline.

python manage.py bench_matching [--mentees N] [--mentors M] [--seed S] [--no-greedy] [--json]

``peak_mb`` is the memory the whole-pool solve allocated at its peak
(tracemalloc: numpy and scipy arrays included), measured in a second run so
the timing is not slowed by the tracing.
"""

import json
import time
import tracemalloc

from django.core.management.base import BaseCommand

from mentoring.matching.criteria import hard_blockers
from mentoring.matching.pool import assign_greedy, assign_whole_pool
from mentoring.matching.synthetic import random_pool


def violations(result, mentors, mentees, ctx):
    """Assigned pairs that break a hard filter, plus places over capacity and
    mentees assigned twice: all must be 0."""
    count = 0
    used = [0] * len(mentors)
    seen = set()
    for i, j, _ in result.pairs:
        used[j] += 1
        count += i in seen
        seen.add(i)
        # Capacity is checked below over the whole result, not pair by pair.
        if [b for b in hard_blockers(mentors[j], mentees[i], ctx) if "capacity" not in b]:
            count += 1
    count += sum(max(used[j] - mentor.capacity_left, 0) for j, mentor in enumerate(mentors))
    return count


class Command(BaseCommand):
    help = "Benchmark whole-pool matching (optimal assignment) against a greedy baseline."

    def add_arguments(self, parser):
        parser.add_argument("--mentees", type=int, default=2000)
        parser.add_argument("--mentors", type=int, default=600)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-greedy", action="store_true", help="Skip the greedy baseline (large pools).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        mentors, mentees, ctx = random_pool(options["mentees"], options["mentors"], seed=options["seed"])
        started = time.perf_counter()
        optimal = assign_whole_pool(mentors, mentees, ctx)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        assign_whole_pool(mentors, mentees, ctx)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        greedy = None if options["no_greedy"] else assign_greedy(mentors, mentees, ctx)
        figures = {
            "mentees": len(mentees),
            "mentors": len(mentors),
            "seconds": round(seconds, 4),
            "peak_mb": round(peak / 2**20, 1),
            "objective": round(optimal.objective, 3),
            "greedy_objective": round(greedy.objective, 3) if greedy else None,
            "hard_filter_violations": violations(optimal, mentors, mentees, ctx),
            "matched": len(optimal.pairs),
            "greedy_matched": len(greedy.pairs) if greedy else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        lines = [
            f"mentees {figures['mentees']}  mentors {figures['mentors']}",
            f"whole-pool: {figures['seconds']:.3f} s, peak {figures['peak_mb']:.0f} MB, "
            f"total score {figures['objective']:.1f}, {figures['matched']} matched",
        ]
        if greedy:
            gain = figures["objective"] - figures["greedy_objective"]
            lines.append(
                f"greedy:     total score {figures['greedy_objective']:.1f}, {figures['greedy_matched']} matched "
                f"(whole-pool is {gain:+.1f} better)"
            )
        lines.append(f"hard-filter violations: {figures['hard_filter_violations']}")
        self.stdout.write("\n".join(lines))
