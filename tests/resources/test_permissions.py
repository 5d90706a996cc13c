"""Permission matrix of the resources app (machinery in tests/permissions.py).

Listed resources: every signed-in member of the program (global ones for
everyone signed in). Program listings are managed by that program's
coordinators only. A share is seen by the mentee, their mentor and the
program's coordinators (not a proposed or former mentor); only the mentee
answers its follow-up."""

import pytest

from resources.models import Category, Resource, Share
from tests.permissions import SIGNED_IN, Row, cases, check, expect

ONLY_A = ["coordinator"]
MEMBERS_OF_A = ["coordinator", "mentor", "other_mentor", "mentee", "other_mentee"]
COORDINATORS = ["coordinator", "other_coordinator"]


def _category():
    parent, _ = Category.objects.get_or_create(name="Housing", parent=None)
    return Category.objects.get_or_create(name="Recovery housing", parent=parent)[0]


def _listing(p, **fields):
    return Resource.objects.create(program=p.program, name="Harbor House", category=_category(), **fields)


def _share(p):
    return Share.objects.create(resource=_listing(p), mentee=p.match.mentee, shared_by=p.mentor, is_referral=True)


MATRIX = [
    Row("resources:directory", expect(ok=SIGNED_IN)),
    Row("resources:new", expect(ok=COORDINATORS + ["mentor", "other_mentor"])),
    Row("resources:review", expect(ok=COORDINATORS)),
    Row("resources:detail", expect(ok=MEMBERS_OF_A), args=lambda p: [_listing(p).pk]),
    # A global listing: everyone signed in.
    Row(
        "resources:detail",
        expect(ok=SIGNED_IN),
        args=lambda p: [Resource.objects.create(name="National line", category=_category()).pk],
    ),
    # A suggestion: its author and the program's coordinators only.
    Row(
        "resources:detail",
        expect(ok=["coordinator", "mentor", "proposed_mentor"]),  # the proposed mentor is its author too
        args=lambda p: [_listing(p, status=Resource.Status.SUGGESTED, suggested_by=p.mentor).pk],
    ),
    Row("resources:edit", expect(ok=ONLY_A), args=lambda p: [_listing(p).pk]),
    Row(
        "resources:action",
        expect(redirect=ONLY_A),
        args=lambda p: [_listing(p).pk],
        method="post",
        data=lambda p: {"action": "verify"},
    ),
    Row("resources:mine", expect(ok=SIGNED_IN)),
    Row(
        "resources:followup",
        expect(redirect=["coordinator", "mentor", "mentee"], stages=True),
        args=lambda p: [_share(p).pk],
        method="post",
        data=lambda p: {"answer": "yes"},
    ),
    Row("resources:import", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
    Row("resources:export", expect(ok=ONLY_A), args=lambda p: [p.program.pk]),
]


@pytest.mark.parametrize("row, persona, expected", cases(MATRIX))
def test_permission_matrix(row, persona, expected, personas, client_for):
    check(MATRIX[row], persona, expected, personas, client_for(personas.user(persona)))
