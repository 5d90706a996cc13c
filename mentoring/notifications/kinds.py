"""The kinds table: every message Waypoint sends, in one registry.

Each kind declares
- ``line``: the short content-neutral line used as the in-app text, the email
  subject and the text message (never substances, recovery or treatment);
- ``channels``: where it goes when the person has set no preference;
- ``quiet_hours``: whether it waits for the end of the person's quiet hours;
- ``opt_out``: whether the person may turn it off (safety alerts: never);
- ``resend_unfinished``: what happens to a send that started (the provider
  was called) but never finished because the worker died: ``False`` = at most
  once (the row is not re-sent and becomes dead, coordinators see it);
  ``True`` = at least once (re-sent with the same Message-ID / idempotency
  key — a duplicate beats a lost alert);
- ``reminder``: found by dispatch in the apps' reminders.py (True) or sent
  by a service through notify() when something happens (False);
- ``channels_fixed``: the channels do not follow preferences (an invitation
  goes by email to an address, nothing else);
- ``secret_link``: the row's link is a credential (an invitation's one-time
  link): it is kept only until the row is sent, skipped or dead, then blanked.
- ``text``: the whole text message when it is not "<line>. Sign in to see it: <site>"
  (the okay-to-text confirmation asks for a reply instead).

The preferences page, channels.LINES and the README's table all read this.
``line`` and ``text`` are lazy translations: the outbox renders each message
in its recipient's language (channels.in_language_of), so the English here is
the msgid and locale/es/LC_MESSAGES/django.po holds the Spanish."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import Channel, ReminderKind

APP_AND_EMAIL = (Channel.IN_APP, Channel.EMAIL)


@dataclass(frozen=True)
class Kind:
    name: str
    line: str
    channels: tuple = APP_AND_EMAIL
    quiet_hours: bool = True
    opt_out: bool = True
    resend_unfinished: bool = False
    reminder: bool = True
    channels_fixed: bool = False
    secret_link: bool = False
    text: str = ""

    @property
    def label(self):
        return ReminderKind(self.name).label


K = ReminderKind
KINDS = {
    kind.name: kind
    for kind in [
        Kind(K.CHECKIN_DUE, _("You have a check-in due on Waypoint")),
        Kind(K.CHECKIN_OVERDUE, _("A check-in is waiting on Waypoint")),
        Kind(K.SESSION_UPCOMING, _("You have a meeting coming up on Waypoint")),
        Kind(K.SESSION_NOT_LOGGED, _("A meeting is waiting for its notes on Waypoint")),
        Kind(K.MATCH_INACTIVE, _("It has been a while: time to get in touch on Waypoint")),
        Kind(K.PROPOSAL_UNANSWERED, _("Something is waiting for your answer on Waypoint")),
        Kind(K.FIRST_CONTACT, _("Time to plan a first meeting on Waypoint")),
        Kind(K.REFERRAL_FOLLOWUP, _("A quick question is waiting for you on Waypoint")),
        Kind(K.READINESS_EXPIRING, _("Something in your profile needs renewing on Waypoint")),
        Kind(
            K.SAFETY_ALERT,
            _("Someone needs attention now on Waypoint"),
            channels=(Channel.IN_APP, Channel.EMAIL, Channel.SMS),
            quiet_hours=False,
            opt_out=False,
            resend_unfinished=True,
        ),
        Kind(K.WEEKLY_DIGEST, _("Your week on Waypoint")),
        Kind(K.MATCH_PROPOSED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.MATCH_ACCEPTED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.MATCH_PAUSED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.MATCH_CLOSED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.SESSION_SCHEDULED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.SESSION_MOVED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.SESSION_CANCELLED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.SESSION_TIME_PROPOSED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.SESSION_TIME_DECLINED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.GROUP_PROMOTED, _("You have an update on Waypoint"), reminder=False),
        Kind(K.STORY_REVIEW, _("Something is waiting for your answer on Waypoint"), reminder=False),
        # At most one per conversation and person until they have read it (conversations.services).
        Kind(K.MESSAGE_NEW, _("You have a new message on Waypoint"), reminder=False),
        Kind(K.MESSAGE_REPORTED, _("You have an update on Waypoint"), reminder=False),
        Kind(
            K.INVITATION,
            _("You're invited to Waypoint"),
            channels=(Channel.EMAIL,),
            quiet_hours=False,
            opt_out=False,
            reminder=False,
            channels_fixed=True,
            secret_link=True,
        ),
        # The one text sent before a person confirmed: asks them to reply YES (mentoring.contact).
        Kind(
            K.TEXT_CONSENT_CONFIRM,
            _("Confirm text messages from Waypoint"),
            channels=(Channel.SMS,),
            opt_out=False,
            reminder=False,
            channels_fixed=True,
            text=_("Waypoint: reply YES to get text messages from your program. Reply STOP at any time to stop them."),
        ),
    ]
}
assert set(KINDS) == set(ReminderKind.values), "every ReminderKind needs a row in KINDS"


def kind_of(name):
    return KINDS[name]


def choosable():
    """The kinds a person sees on the preferences page (not invitations, not the text confirmation)."""
    return [kind for kind in KINDS.values() if not kind.channels_fixed]
