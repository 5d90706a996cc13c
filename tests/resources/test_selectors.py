"""Figures about sharing, for reports."""

from resources.models import Share
from resources.selectors import referral_outcomes
from tests.resources.test_permissions import _listing, _share


def test_referral_outcomes_are_counted_per_program(personas):
    for answer in ("yes", "yes", "not_yet", ""):
        share = _share(personas)
        share.followup = answer
        share.save()
    Share.objects.create(resource=_listing(personas), mentee=personas.match.mentee, is_referral=False)
    assert referral_outcomes(personas.program) == {
        "referrals": 4,
        "connected": 2,
        "not_yet": 1,
        "didnt_help": 0,
        "unanswered": 1,
    }
    assert referral_outcomes(personas.other_program)["referrals"] == 0
