"""Figures about sharing, for reports."""

from django.db.models import Count, Q

from .models import Share


def referral_outcomes(program):
    """{"referrals", "connected", "not_yet", "didnt_help", "unanswered"} for a program, in one query."""
    return Share.objects.filter(mentee__program=program, is_referral=True).aggregate(
        referrals=Count("pk"),
        connected=Count("pk", filter=Q(followup=Share.FollowUp.YES)),
        not_yet=Count("pk", filter=Q(followup=Share.FollowUp.NOT_YET)),
        didnt_help=Count("pk", filter=Q(followup=Share.FollowUp.DIDNT_HELP)),
        unanswered=Count("pk", filter=Q(followup="")),
    )
