"""A person's own data: everything Waypoint holds about them, as a download,
and erasure on request.

Export (``personal_data_export``): a ZIP with ``waypoint-data.json`` (every
table, ``{"tables": {name: [row, ...]}}``) and one ``<table>.csv`` per table
(a header row even when the table is empty; cells through the spreadsheet
formula guard of ``mentoring.csv_stream``). Times are ISO 8601 in UTC, dates
ISO 8601. One query per table (plus a fixed number of prefetches), whatever the
volume.

Completeness: every foreign key / many-to-many from any model to a User or a
mentor / mentee / volunteer profile is either read by one of ``TABLES``
(``Table.links``) or listed in ``NOT_EXPORTED`` with the reason;
``uncovered_links()`` lists the ones that are neither and a test fails on it,
so a new model cannot be forgotten. The same holds for erasure
(``ERASURE_PLAN``).

Not in the export, on purpose (GDPR Art. 15(4): access must not expose other
people): a mentor's private session notes when the person is the mentee, the
coordinators' internal notes (application notes and decision reasons, match
closing notes, safety-alert responses, "must not be matched with" lists), and
what the person recorded about others in a role (sessions they logged,
comments they wrote, consents they recorded): those rows are in the export of
the person they are about. The calendar feed's secret address is not
exported (it is a credential).
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, time

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations.models import Conversation, Message, ReadMarker
from goals.models import Answer, Assessment, CheckIn, CheckInComment, Goal, GoalProgress, Milestone, SafetyAlert
from programs.models import (
    AgreementSignature,
    Application,
    ApplicationNote,
    BackgroundCheck,
    ConsentRecord,
    Program,
    Story,
    StoryConsent,
    TrainingCompletion,
)
from resources.models import Resource, Share
from sessions.models import CalendarFeed, GroupSession, Registration, Session, TimeProposal

from .access import match_ids_of
from .csv_stream import safe_cells
from .models import (
    ChannelPreference,
    Delivery,
    Erasure,
    Invitation,
    Match,
    MatchSurvey,
    MenteeProfile,
    MentorProfile,
    Notification,
    ReportExport,
    VolunteerProfile,
)
from .stored_text import ERASED_GOAL, ERASED_MILESTONE, erased_person_name

JSON_NAME = "waypoint-data.json"


def person_models():
    """The models whose rows identify a person: a link to one of them is personal data."""
    return (get_user_model(), MenteeProfile, MentorProfile, VolunteerProfile)


def personal_links(models_=None):
    """{("app_label.Model", field name)} of every concrete FK / one-to-one /
    many-to-many to a person model (auto-created M2M tables are counted through
    the field that declares them)."""
    targets = person_models()
    found = set()
    for model in models_ if models_ is not None else django_apps.get_models():
        if model._meta.auto_created:
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in targets:
                found.add((model._meta.label, field.name))
    return found


# --- the tables of the export -------------------------------------------------------------------------


def _name(user):
    return user.full_name if user else ""


def _names(related):
    return [item.name for item in related.all()]


@dataclass(frozen=True)
class Table:
    name: str
    about: str  # shown on /me/data/: what the rows are
    links: tuple  # (("app_label.Model", field), ...) this table reads
    columns: tuple
    query: object  # person -> queryset (select_related / prefetch_related: one query per table)
    row: object  # (obj, person) -> tuple in ``columns`` order

    def rows(self, person):
        return [self.row(obj, person) for obj in self.query(person)]


def _account_row(u, person):
    return (
        u.pk,
        u.email,
        u.full_name,
        u.preferred_name,
        u.phone,
        u.phone_unparsed,
        u.preferred_contact,
        u.ok_to_text,
        u.ok_to_call,
        u.text_confirmed_at,
        u.texts_stopped_at,
        u.mentor_sees_contact,
        u.quiet_from,
        u.quiet_until,
        u.time_zone,
        u.date_joined,
        u.last_login,
    )


def _matching_row(p):
    return (
        p.pk,
        p.program.name,
        p.joined_at,
        _names(p.experience_areas),
        p.pathways,
        p.excluded_pathways,
        p.languages,
        p.gender,
        p.age_range,
        p.availability,
        p.meeting_modes,
        p.city,
        p.postal_code,
        p.interests,
        p.topics,
        p.exclusion_notes,
    )


MATCHING_COLUMNS = (
    "id",
    "program",
    "joined_at",
    "lived_experience",
    "pathways",
    "pathways_not_wanted",
    "languages",
    "gender",
    "age_range",
    "availability",
    "meeting_modes",
    "city",
    "postal_code",
    "interests",
    "topics",
    "does_not_want",
)


def _match_row(m, person):
    side = m.side_of(person)
    partner = m.mentee.user if side == "mentor" else m.mentor.user
    return (
        m.pk,
        m.program.name,
        side,
        _name(partner),
        m.status,
        m.mentor_response,
        m.mentee_response,
        m.created_at,
        m.started_at,
        m.first_met_at,
        m.ended_at,
        m.close_reason,
    )


def _session_row(s, person):
    return (
        s.pk,
        s.match_id,
        s.starts_at,
        s.duration_minutes,
        s.mode,
        s.location,
        s.online_url,
        s.status,
        s.missed_by,
        s.cancel_reason,
        s.logged_at,
        s.topics,
        _names(s.skills),
        s.resources_shared,
        s.shared_summary,
        s.follow_up,
    )


def _share_row(s, person):
    return (s.pk, s.resource.name, s.note, s.session_id, s.created_at, s.followup, s.followup_at)


SHARE_COLUMNS = ("id", "resource", "note", "session_id", "shared_at", "did_you_connect", "answered_at")


def _conversations_of(person):
    """Conversations the person takes part in as a person (not as a coordinator
    reading a program's team inbox): their matches', their own with a program
    team, the announcements of groups they booked or facilitated."""
    # Subqueries of ids, no join in the outer query (see access.match_ids_of).
    booked = Registration.objects.filter(user=person).values("group_session")
    facilitated = GroupSession.facilitators.through.objects.filter(user=person).values("groupsession")
    return Conversation.objects.filter(
        Q(match__in=match_ids_of(person)) | Q(person=person) | Q(group__in=booked) | Q(group__in=facilitated)
    )


def _mine(person, path):
    return {path: person}


TABLES = (
    Table(
        "account",
        _("Your account: name, email, phone, contact preferences, quiet hours, time zone."),
        (),
        (
            "id",
            "email",
            "full_name",
            "preferred_name",
            "phone",
            "phone_as_it_was_on_file",
            "preferred_contact",
            "ok_to_text",
            "ok_to_call",
            "texts_confirmed_at",
            "texts_stopped_at",
            "mentor_may_see_contact_details",
            "quiet_from",
            "quiet_until",
            "time_zone",
            "date_joined",
            "last_sign_in",
        ),
        lambda person: get_user_model().objects.filter(pk=person.pk),
        _account_row,
    ),
    Table(
        "coordinator_roles",
        _("Programs you coordinate."),
        (("programs.Program", "coordinators"),),
        ("program_id", "program"),
        lambda person: Program.objects.filter(coordinators=person).order_by("pk"),
        lambda p, person: (p.pk, p.name),
    ),
    Table(
        "mentor_profiles",
        _("Your mentor profile in each program."),
        (("mentoring.MentorProfile", "user"),),
        (*MATCHING_COLUMNS, "capacity", "time_in_recovery_months", "bio"),
        lambda person: (
            MentorProfile.objects.filter(user=person)
            .select_related("program")
            .prefetch_related("experience_areas")
            .order_by("pk")
        ),
        lambda p, person: (*_matching_row(p), p.capacity, p.recovery_months, p.bio),
    ),
    Table(
        "mentee_profiles",
        _("Your mentee profile in each program, with your emergency contact."),
        (("mentoring.MenteeProfile", "user"),),
        (
            *MATCHING_COLUMNS,
            "preferred_mentor_gender",
            "intake_date",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_phone_as_it_was_on_file",
            "emergency_contact_relationship",
        ),
        lambda person: (
            MenteeProfile.objects.filter(user=person)
            .select_related("program")
            .prefetch_related("experience_areas")
            .order_by("pk")
        ),
        lambda p, person: (
            *_matching_row(p),
            p.preferred_mentor_gender,
            p.intake_date,
            p.emergency_contact_name,
            p.emergency_contact_phone,
            p.emergency_contact_phone_unparsed,
            p.emergency_contact_relationship,
        ),
    ),
    Table(
        "volunteer_profiles",
        _("Your volunteer profile in each program."),
        (("mentoring.VolunteerProfile", "user"),),
        ("id", "program", "joined_at", "availability", "languages", "skills"),
        lambda person: VolunteerProfile.objects.filter(user=person).select_related("program").order_by("pk"),
        lambda p, person: (p.pk, p.program.name, p.joined_at, p.availability, p.languages, p.skills),
    ),
    Table(
        "applications",
        _("Your applications (linked to your account or sent from its email address) and your answers."),
        (("programs.Application", "person"),),
        (
            "id",
            "program",
            "kind",
            "status",
            "full_name",
            "email",
            "phone",
            "preferred_contact",
            "ok_to_text",
            "ok_to_call",
            "consent_to_contact",
            "privacy_notice_version",
            "answers",
            "lived_experience",
            "submitted_at",
            "decided_at",
        ),
        lambda person: (
            _applications(person)
            .select_related("program", "privacy_notice")
            .prefetch_related("experience_areas")
            .order_by("pk")
        ),
        lambda a, person: (
            a.pk,
            a.program.name,
            a.kind,
            a.status,
            a.full_name,
            a.email,
            a.phone,
            a.preferred_contact,
            a.ok_to_text,
            a.ok_to_call,
            a.consent_to_contact,
            a.privacy_notice.version if a.privacy_notice else None,
            a.details,
            _names(a.experience_areas),
            a.submitted_at,
            a.decided_at,
        ),
    ),
    Table(
        "consents",
        _("What you agreed to, which version, when, and any withdrawal."),
        (("programs.ConsentRecord", "person"),),
        ("id", "program", "kind", "statement", "document_version", "agreed_at", "withdrawn_at"),
        lambda person: ConsentRecord.objects.filter(person=person).select_related("program", "document").order_by("pk"),
        lambda c, person: (
            c.pk,
            c.program.name,
            c.kind,
            c.statement,
            c.document.version if c.document else None,
            c.agreed_at,
            c.revoked_at,
        ),
    ),
    Table(
        "stories",
        _("Stories you wrote: the text as it is now, its status and when it was published."),
        (("programs.Story", "author"),),
        (
            "id",
            "program",
            "title",
            "text",
            "name_shown",
            "status",
            "version",
            "created_at",
            "updated_at",
            "published_at",
        ),
        lambda person: Story.objects.filter(author=person).select_related("program").order_by("pk"),
        lambda st, person: (
            st.pk,
            st.program.name,
            st.title,
            st.body,
            st.display_name,
            st.status,
            st.version,
            st.created_at,
            st.updated_at,
            st.published_at,
        ),
    ),
    Table(
        "story_consents",
        _("Your consents to publish your stories: the words you agreed to, which version, when, and any withdrawal."),
        (("programs.StoryConsent", "person"),),
        ("id", "story_id", "story_version", "statement", "typed_name", "signed_at", "withdrawn_at"),
        lambda person: StoryConsent.objects.filter(person=person).order_by("pk"),
        lambda c, person: (c.pk, c.story_id, c.story_version, c.statement, c.typed_name, c.signed_at, c.revoked_at),
    ),
    Table(
        "training",
        _("Mentor training modules you completed."),
        (("programs.TrainingCompletion", "mentor"),),
        ("id", "program", "module", "marked_done_at", "confirmed_at"),
        lambda person: (
            TrainingCompletion.objects.filter(mentor__user=person).select_related("module__program").order_by("pk")
        ),
        lambda t, person: (t.pk, t.module.program.name, t.module.title, t.marked_done_at, t.confirmed_at),
    ),
    Table(
        "background_checks",
        _("Your background check status."),
        (("programs.BackgroundCheck", "mentor"),),
        ("id", "program", "status", "checked_on", "expires_on", "updated_at"),
        lambda person: (
            BackgroundCheck.objects.filter(mentor__user=person).select_related("mentor__program").order_by("pk")
        ),
        lambda b, person: (b.pk, b.mentor.program.name, b.status, b.checked_on, b.expires_on, b.updated_at),
    ),
    Table(
        "agreement_signatures",
        _("Boundaries agreements you signed."),
        (("programs.AgreementSignature", "mentor"),),
        ("id", "program", "document_version", "typed_name", "signed_at"),
        lambda person: (
            AgreementSignature.objects.filter(mentor__user=person).select_related("document__program").order_by("pk")
        ),
        lambda s, person: (s.pk, s.document.program.name, s.document.version, s.typed_name, s.signed_at),
    ),
    Table(
        "matches",
        _("Your matches: with whom, when, how they ended."),
        (("mentoring.Match", "mentor"), ("mentoring.Match", "mentee")),
        (
            "id",
            "program",
            "your_role",
            "matched_with",
            "status",
            "mentor_answer",
            "mentee_answer",
            "proposed_at",
            "started_at",
            "first_met_at",
            "ended_at",
            "close_reason",
        ),
        lambda person: (
            Match.objects.filter(pk__in=match_ids_of(person))
            .select_related("program", "mentor__user", "mentee__user")
            .order_by("pk")
        ),
        _match_row,
    ),
    Table(
        "match_surveys",
        _("Closing surveys you answered."),
        (("mentoring.MatchSurvey", "respondent"),),
        ("id", "match_id", "side", "rating", "comment", "answered_at"),
        lambda person: MatchSurvey.objects.filter(respondent=person).order_by("pk"),
        lambda s, person: (s.pk, s.match_id, s.side, s.rating, s.comment, s.created_at),
    ),
    Table(
        "sessions",
        _("One-on-one meetings you were in, with the summary and next steps shared with both of you."),
        (),
        (
            "id",
            "match_id",
            "starts_at",
            "duration_minutes",
            "mode",
            "location",
            "online_url",
            "status",
            "missed_by",
            "cancel_reason",
            "logged_at",
            "topics",
            "skills_practised",
            "resources_shared",
            "shared_summary",
            "follow_up",
        ),
        lambda person: (
            Session.objects.filter(match__in=match_ids_of(person))
            .prefetch_related("skills")
            .order_by("pk")
        ),
        _session_row,
    ),
    Table(
        "meeting_time_proposals",
        _("New times proposed for your one-on-one meetings, by you or the other person, and the answers."),
        (("peer_sessions.TimeProposal", "proposed_by"),),
        ("id", "session_id", "proposed_by_you", "previous_starts_at", "starts_at", "note", "status", "decided_at"),
        lambda person: TimeProposal.objects.filter(
            Q(proposed_by=person)
            | Q(session__in=Session.objects.filter(match__in=match_ids_of(person)).values("pk"))
        ).order_by("pk"),
        lambda t, person: (
            t.pk,
            t.session_id,
            t.proposed_by_id == person.pk,
            t.previous_starts_at,
            t.starts_at,
            t.note,
            t.status,
            t.decided_at,
        ),
    ),
    Table(
        "session_private_notes",
        _("Your private notes on meetings you held as a mentor (a mentee never sees them)."),
        (),
        ("session_id", "private_notes"),
        lambda person: Session.objects.filter(match__mentor__user=person).exclude(private_notes="").order_by("pk"),
        lambda s, person: (s.pk, s.private_notes),
    ),
    Table(
        "group_registrations",
        _("Group sessions, workshops and events you registered for, and your attendance."),
        (("peer_sessions.Registration", "user"),),
        ("id", "group_session", "kind", "starts_at", "status", "attendance", "registered_at"),
        lambda person: Registration.objects.filter(user=person).select_related("group_session").order_by("pk"),
        lambda r, person: (
            r.pk,
            r.group_session.title,
            r.group_session.kind,
            r.group_session.starts_at,
            r.status,
            r.attendance,
            r.created_at,
        ),
    ),
    Table(
        "groups_facilitated",
        _("Group sessions you facilitate."),
        (("peer_sessions.GroupSession", "facilitators"),),
        ("id", "program", "title", "kind", "starts_at", "status"),
        lambda person: GroupSession.objects.filter(facilitators=person).select_related("program").order_by("pk"),
        lambda g, person: (g.pk, g.program.name, g.title, g.kind, g.starts_at, g.status),
    ),
    Table(
        "goals",
        _("Your goals."),
        (("goals.Goal", "mentee"),),
        (
            "id",
            "title",
            "why_it_matters",
            "category",
            "target",
            "target_date",
            "status",
            "cadence",
            "private",
            "progress",
            "created_at",
            "started_on",
            "closed_at",
        ),
        lambda person: Goal.objects.filter(mentee__user=person).order_by("pk"),
        lambda g, person: (
            g.pk,
            g.title,
            g.why,
            g.category,
            g.target,
            g.target_date,
            g.status,
            g.cadence,
            g.is_private,
            g.progress,
            g.created_at,
            g.started_on,
            g.closed_at,
        ),
    ),
    Table(
        "milestones",
        _("The milestones of your goals."),
        (),
        ("id", "goal_id", "title", "due_date", "done_at"),
        lambda person: Milestone.objects.filter(goal__mentee__user=person).order_by("pk"),
        lambda m, person: (m.pk, m.goal_id, m.title, m.due_date, m.done_at),
    ),
    Table(
        "checkins",
        _("Your check-ins: mood, craving, reflection."),
        (("goals.CheckIn", "mentee"),),
        ("id", "created_at", "mood", "craving", "reflection", "wants_to_talk", "needs_help"),
        lambda person: CheckIn.objects.filter(mentee__user=person).order_by("pk"),
        lambda c, person: (c.pk, c.created_at, c.mood, c.craving, c.reflection, c.wants_to_talk, c.needs_help),
    ),
    Table(
        "goal_progress",
        _("Progress on goals you reported in check-ins."),
        (),
        ("checkin_id", "goal_id", "progress"),
        lambda person: GoalProgress.objects.filter(checkin__mentee__user=person).order_by("pk"),
        lambda g, person: (g.checkin_id, g.goal_id, g.progress),
    ),
    Table(
        "checkin_comments",
        _("Your mentor's answers to your check-ins."),
        (),
        ("id", "checkin_id", "comment", "created_at"),
        lambda person: CheckInComment.objects.filter(checkin__mentee__user=person).order_by("pk"),
        lambda c, person: (c.pk, c.checkin_id, c.body, c.created_at),
    ),
    Table(
        "safety_alerts",
        _("Safety alerts raised from your check-ins and when they were answered."),
        (("goals.SafetyAlert", "mentee"),),
        ("id", "kind", "checkin_id", "created_at", "acknowledged_at"),
        lambda person: SafetyAlert.objects.filter(mentee__user=person).order_by("pk"),
        lambda a, person: (a.pk, a.kind, a.checkin_id, a.created_at, a.acknowledged_at),
    ),
    Table(
        "assessments",
        _("Your self-assessments and their scores (0–100)."),
        (("goals.Assessment", "mentee"),),
        ("id", "instrument", "taken_at", "score"),
        lambda person: Assessment.objects.filter(mentee__user=person).select_related("instrument").order_by("pk"),
        lambda a, person: (a.pk, a.instrument.name, a.taken_at, a.score),
    ),
    Table(
        "assessment_answers",
        _("Your answer to each question of your self-assessments."),
        (),
        ("assessment_id", "question", "area", "answer"),
        lambda person: Answer.objects.filter(assessment__mentee__user=person).select_related("item").order_by("pk"),
        lambda a, person: (a.assessment_id, a.item.text, a.item.domain, a.value),
    ),
    Table(
        "shares",
        _("Resources your mentor shared with you."),
        (("resources.Share", "mentee"),),
        SHARE_COLUMNS,
        lambda person: (
            Share.objects.filter(mentee__user=person, is_referral=False).select_related("resource").order_by("pk")
        ),
        _share_row,
    ),
    Table(
        "referrals",
        _('Referrals made for you and your answer to "Did you connect?".'),
        (("resources.Share", "mentee"),),
        SHARE_COLUMNS,
        lambda person: (
            Share.objects.filter(mentee__user=person, is_referral=True).select_related("resource").order_by("pk")
        ),
        _share_row,
    ),
    Table(
        "resources_suggested",
        _("Directory listings you suggested."),
        (("resources.Resource", "suggested_by"),),
        ("id", "name", "status"),
        lambda person: Resource.objects.filter(suggested_by=person).order_by("pk"),
        lambda r, person: (r.pk, r.name, r.status),
    ),
    Table(
        "conversations",
        _("Your message conversations: with your mentor or mentee, with the program team, a group's announcements."),
        (("conversations.Conversation", "person"),),
        ("id", "kind", "program", "created_at", "paused_at"),
        lambda person: _conversations_of(person).select_related("program").order_by("pk"),
        lambda c, person: (c.pk, c.kind, c.program.name, c.created_at, c.paused_at),
    ),
    Table(
        "messages",
        _(
            "The messages you wrote, and those written to you in your conversations (as with your mentor's "
            "answers to your check-ins)."
        ),
        (("conversations.Message", "sender"),),
        ("id", "conversation_id", "written_by_you", "message", "created_at", "checkin_id"),
        lambda person: Message.objects.filter(
            Q(sender=person) | Q(conversation__in=_conversations_of(person).values("pk"))
        ).order_by("pk"),
        lambda m, person: (m.pk, m.conversation_id, m.sender_id == person.pk, m.body, m.created_at, m.checkin_id),
    ),
    Table(
        "notifications",
        _("Your notification centre."),
        (("mentoring.Notification", "user"),),
        ("id", "kind", "text", "link", "created_at", "read_at"),
        lambda person: Notification.objects.filter(user=person).order_by("pk"),
        lambda n, person: (n.pk, n.kind, n.text, n.url, n.created_at, n.read_at),
    ),
    Table(
        "deliveries",
        _("Reminders and messages addressed to you, by channel, and whether they went out."),
        (("mentoring.Delivery", "recipient"),),
        ("id", "kind", "about", "channel", "due_at", "status", "sent_at", "created_at"),
        lambda person: Delivery.objects.filter(recipient=person).order_by("pk"),
        lambda d, person: (d.pk, d.kind, d.subject, d.channel, d.due_at, d.status, d.sent_at, d.created_at),
    ),
    Table(
        "reminder_settings",
        _("How you want each kind of reminder."),
        (("mentoring.ChannelPreference", "user"),),
        ("kind", "in_app", "email", "text_message"),
        lambda person: ChannelPreference.objects.filter(user=person).order_by("pk"),
        lambda c, person: (c.kind, c.in_app, c.email, c.sms),
    ),
    Table(
        "calendar_feed",
        _("Whether you have a calendar address (the secret address itself is on your calendar page)."),
        (("peer_sessions.CalendarFeed", "user"),),
        ("created_at",),
        lambda person: CalendarFeed.objects.filter(user=person),
        lambda f, person: (f.created_at,),
    ),
    Table(
        "invitations",
        _("Invitations sent to you."),
        (("mentoring.Invitation", "accepted_by"),),
        ("id", "program", "role", "full_name", "email", "sent_at", "expires_at", "accepted_at", "revoked_at"),
        lambda person: (
            Invitation.objects.filter(Q(accepted_by=person) | Q(email__iexact=person.email))
            .select_related("program")
            .order_by("pk")
        ),
        lambda i, person: (
            i.pk,
            i.program.name,
            i.role,
            i.full_name,
            i.email,
            i.created_at,
            i.expires_at,
            i.accepted_at,
            i.revoked_at,
        ),
    ),
    Table(
        "report_downloads",
        _("Reports you downloaded (coordinators)."),
        (("mentoring.ReportExport", "user"),),
        ("id", "report", "program", "start", "end", "downloaded_at"),
        lambda person: ReportExport.objects.filter(user=person).select_related("program").order_by("pk"),
        lambda r, person: (r.pk, r.report, r.program.name if r.program else "", r.start, r.end, r.created_at),
    ),
)

# Why a link to a person is not read by the export.
IN_A_ROLE = "what the person recorded about someone else in a role; it is in the export of the person it is about"
INTERNAL = "the coordinators' internal safeguarding list; it may name other people (GDPR Art. 15(4))"
NOT_EXPORTED = {
    ("admin.LogEntry", "user"): "the site administrators' change log (audit trail)",
    ("mentoring.MentorProfile", "excluded_people"): INTERNAL,
    ("mentoring.MenteeProfile", "excluded_people"): INTERNAL,
    ("mentoring.Match", "proposed_by"): IN_A_ROLE,
    ("mentoring.Match", "closed_by"): IN_A_ROLE,
    ("mentoring.Invitation", "invited_by"): IN_A_ROLE,
    ("otp_totp.TOTPDevice", "user"): "the two-factor app's secret key: a credential, never handed out again",
    ("otp_static.StaticDevice", "user"): "the two-factor backup codes: credentials, shown once at set-up",
    ("mentoring.Invitation", "new_account"): "which invitation created the account: a security binding; the "
    "invitation's role and program are in the person's roles and applications",
    ("mentoring.ReportExport", "mentor"): "a coordinator's report filter; the download is in the coordinator's export",
    ("mentoring.Erasure", "person"): "made when the account is closed, so there is no one to download it",
    ("mentoring.Erasure", "erased_by"): IN_A_ROLE,
    ("mentoring.AttentionSignal", "mentee"): "a signal of the coordinators' needs-attention list, recomputed "
    "every minute from the check-ins, meetings, assessments and surveys that are in the export",
    ("mentoring.CheckinWeek", "mentee"): "a report rollup (which weeks had a check-in), rebuilt from the "
    "check-ins that are in the export",
    ("mentoring.AccessEvent", "subject"): "the read audit of the person's record; the person reads it on "
    "'Who viewed my information' (/accounts/who-viewed/)",
    ("mentoring.AccessEvent", "viewer"): "the read audit of what this person was shown in a role (security log)",
    ("programs.PolicyDocument", "published_by"): IN_A_ROLE,
    ("programs.Application", "decided_by"): IN_A_ROLE,
    ("programs.ApplicationNote", "author"): IN_A_ROLE,
    ("programs.TrainingCompletion", "confirmed_by"): IN_A_ROLE,
    ("programs.BackgroundCheck", "updated_by"): IN_A_ROLE,
    ("programs.ConsentRecord", "recorded_by"): IN_A_ROLE,
    ("programs.ConsentRecord", "revoked_by"): IN_A_ROLE,
    ("peer_sessions.Session", "scheduled_by"): IN_A_ROLE,
    ("peer_sessions.Session", "cancelled_by"): IN_A_ROLE,
    ("peer_sessions.Session", "logged_by"): IN_A_ROLE,
    ("peer_sessions.TimeProposal", "decided_by"): "who answered a proposed time: one of the pair, whose "
    "export has the proposal (meeting_time_proposals)",
    ("goals.Goal", "suggested_by"): IN_A_ROLE,
    ("goals.CheckInComment", "author"): IN_A_ROLE,
    ("goals.SafetyAlert", "acknowledged_by"): IN_A_ROLE,
    ("programs.Program", "safety_staff"): IN_A_ROLE,
    ("programs.Program", "on_call_fallback"): IN_A_ROLE,
    ("programs.OnCallShift", "person"): IN_A_ROLE,
    ("resources.Resource", "verified_by"): IN_A_ROLE,
    ("resources.Share", "shared_by"): IN_A_ROLE,
    ("programs.Story", "updated_by"): IN_A_ROLE,
    ("programs.Story", "published_by"): IN_A_ROLE,
    ("conversations.Conversation", "paused_by"): IN_A_ROLE,
    ("conversations.Message", "reported_by"): "who reported a message: the coordinators' safeguarding record; the "
    "report may concern another person (GDPR Art. 15(4))",
    ("conversations.ReadMarker", "user"): "how far the person has read each conversation (unread counts); no content",
}


def uncovered_links(models_=None):
    """Links to a person that neither a table reads nor NOT_EXPORTED explains (should be empty)."""
    covered = {link for table in TABLES for link in table.links} | set(NOT_EXPORTED)
    return sorted(personal_links(models_) - covered)


def personal_data_tables(*, person):
    """{table name: [dict, ...]} of everything held about ``person``; one query per table."""
    return {table.name: [dict(zip(table.columns, row, strict=True)) for row in table.rows(person)] for table in TABLES}


def personal_data_counts(*, person):
    """[(table, rows)] for the /me/data/ page: one COUNT per table."""
    return [(table, table.query(person).count()) for table in TABLES]


def _cell(value):
    """One CSV cell: lists and dicts as JSON, dates and times ISO 8601, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    return value


def personal_data_export(*, person):
    """The ZIP (bytes) of everything Waypoint holds about ``person``: ``waypoint-data.json``
    (``{"person_id", "exported_at", "tables": {name: [row, ...]}}``) and ``<table>.csv`` for
    every table in TABLES (header only when empty). Times are ISO 8601 in UTC. Reads only:
    the caller records the download."""
    tables = personal_data_tables(person=person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        document = {"person_id": person.pk, "exported_at": timezone.now(), "tables": tables}
        archive.writestr(JSON_NAME, json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for table in TABLES:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(table.columns)
            for row in tables[table.name]:
                writer.writerow(safe_cells([_cell(row[column]) for column in table.columns]))
            archive.writestr(f"{table.name}.csv", text.getvalue())
    return buffer.getvalue()


# --- erasure ------------------------------------------------------------------------------------------

# What erasure does, model by model: shown on the confirmation page, and checked
# by a test to name every model with a link to a person.
ERASED = "erased"  # personal content removed, the row kept for the figures
KEPT = "kept"  # kept as it is, for the reason given
REMOVED = "removed"  # deleted: nothing counts it


@dataclass(frozen=True)
class Step:
    models: tuple  # "app_label.Model"
    action: str  # ERASED, KEPT or REMOVED
    text: str


ERASURE_PLAN = (
    Step(
        ("mentoring.User",),
        ERASED,
        _(
            'Name becomes "Erased person #<id>"; email an address that cannot receive mail; phone, preferred name, '
            "quiet hours and contact permissions cleared (texts marked stopped); the account is deactivated and its "
            "password made unusable."
        ),
    ),
    Step(
        ("mentoring.MentorProfile", "mentoring.MenteeProfile", "mentoring.VolunteerProfile"),
        ERASED,
        _(
            "Profiles stay (so counts of mentors and mentees stay right) but lose every answer: lived experience, "
            "pathways, languages, gender, age, availability, city, postal code, interests, topics, time in recovery, "
            "bio, skills, intake date, emergency contact and exclusion lists."
        ),
    ),
    Step(
        ("programs.Application", "programs.ApplicationNote", "mentoring.Invitation"),
        ERASED,
        _(
            "Applications keep their kind, status and dates; name, email, phone, answers, decision reason and the "
            "coordinators' notes are blanked. Invitations lose name and email; pending ones are revoked."
        ),
    ),
    Step(
        ("goals.Goal", "goals.CheckIn", "goals.CheckInComment", "goals.Assessment"),
        ERASED,
        _(
            "Goals, milestones and check-ins stay with their category, status, dates, mood and scores (reports count "
            "them); goal titles, reasons, targets, milestone titles, reflections and the mentor's comments are blanked."
        ),
    ),
    Step(
        ("mentoring.Match", "mentoring.MatchSurvey", "resources.Share", "peer_sessions.TimeProposal"),
        ERASED,
        _(
            "Matches, meetings, closing surveys, shares and referrals stay with their status, dates, ratings and "
            "answers; closing notes and the person's survey comments are blanked, and so are, for matches where "
            "the person was the mentee, the mentor's survey comment and, in their meetings, places, online links, "
            "summaries, next steps, private notes and resources noted, the notes of proposed new times, and the "
            "notes of resources shared with them. (A mentor's erasure keeps what was recorded about their mentees: "
            "it is the mentee's record.)"
        ),
    ),
    Step(
        ("conversations.Conversation", "conversations.Message"),
        ERASED,
        _(
            "Conversations stay (with their dates); the text of every message the person wrote is blanked, and so "
            "is every message of their conversations with the program team and, where the person was the mentee, "
            "of their matches' conversations (it is the mentee's record)."
        ),
    ),
    Step(
        (
            "conversations.ReadMarker",
            "mentoring.Delivery",
            "mentoring.Notification",
            "mentoring.ChannelPreference",
            "peer_sessions.CalendarFeed",
            "otp_totp.TOTPDevice",
            "otp_static.StaticDevice",
        ),
        REMOVED,
        _(
            "Reminders not yet sent to the person are skipped; their notification centre, reminder settings, "
            "calendar address, two-factor app and backup codes and message read markers are deleted."
        ),
    ),
    Step(
        ("programs.Story", "programs.StoryConsent"),
        REMOVED,
        _(
            "Stories the person wrote are deleted with their consents to publish, so a published one leaves the "
            "public pages at once. (Stories they edited or published as a coordinator are the authors' and stay.)"
        ),
    ),
    Step(
        (
            "programs.ConsentRecord",
            "programs.AgreementSignature",
            "programs.TrainingCompletion",
            "programs.BackgroundCheck",
            "goals.SafetyAlert",
            "admin.LogEntry",
            "mentoring.AccessEvent",
            "mentoring.Erasure",
        ),
        KEPT,
        _(
            "Consent history (what was agreed, when, withdrawals), signed agreements (the typed name is "
            "replaced), training and background-check status, safety alerts and how they were answered, the audit "
            "trail and this erasure record. The law requires the program to be able to show these (GDPR Art. 7(1), "
            "Art. 17(3)(b) legal obligations and 17(3)(e) legal claims; 42 CFR Part 2 and HIPAA record retention). "
            "They point to the erased account, which no longer carries a name."
        ),
    ),
    Step(
        (
            "peer_sessions.Registration",
            "peer_sessions.GroupSession",
            "programs.Program",
            "programs.OnCallShift",
            "programs.PolicyDocument",
            "mentoring.ReportExport",
            "resources.Resource",
            "peer_sessions.Session",
            "mentoring.AttentionSignal",
            "mentoring.CheckinWeek",
        ),
        KEPT,
        _(
            "Group registrations and attendance, group facilitation, coordinator and on-call roles (an erased "
            "account is inactive, so it is never on call), directory suggestions and report "
            "downloads stay as they are: they hold no personal details beyond the (now nameless) account. "
            "The coordinators' needs-attention list is recomputed every minute from the rows above, and the "
            "reports' rollups (which weeks had a check-in) count the check-ins kept above."
        ),
    ),
)


def unplanned_models(models_=None):
    """Models with a link to a person that ERASURE_PLAN does not mention (should be empty)."""
    planned = {label for step in ERASURE_PLAN for label in step.models}
    return sorted({label for label, _ in personal_links(models_)} - planned)


def erased_name(person):
    """Stored in English; shown in the reader's language (mentoring.stored_text)."""
    return erased_person_name(person.pk)


def erased_email(person):
    """Unique (by id) and non-routable: ``.invalid`` is reserved (RFC 2606)."""
    return f"erased-{person.pk}@erased.invalid"


def person_programs(person):
    """Ids of every program ``person`` belongs to or left a trace in: coordinator, mentor, mentee,
    volunteer, applicant, consent given, invitation."""
    # One subquery per kind of trace (OR-ing the joins would multiply the rows).
    traces = (
        Program.coordinators.through.objects.filter(user=person).values("program"),
        MentorProfile.objects.filter(user=person).values("program"),
        MenteeProfile.objects.filter(user=person).values("program"),
        VolunteerProfile.objects.filter(user=person).values("program"),
        _applications(person).values("program"),
        ConsentRecord.objects.filter(person=person).values("program"),
        _invitations(person).values("program"),
    )
    found = Q()
    for trace in traces:
        found |= Q(pk__in=trace)
    return set(Program.objects.filter(found).values_list("pk", flat=True))


def _applications(person):
    return Application.objects.filter(Q(person=person) | Q(email__iexact=person.email))


def _invitations(person):
    return Invitation.objects.filter(Q(accepted_by=person) | Q(email__iexact=person.email))


def erasure_blockers(*, person, by):
    """Why ``by`` may not erase ``person`` now, as sentences for the page ([] when they may).

    Shown to a coordinator of at least one of the person's programs (the view 404s for
    anyone else), so the sentences name nothing of programs ``by`` does not coordinate."""
    if Erasure.objects.filter(person=person).exists():
        return [gettext("This person's details were already erased.")]
    if person.pk == by.pk:
        return [gettext("You cannot erase your own details here; another coordinator of your program can.")]
    if person.is_staff or person.is_superuser:
        return [gettext("This account can sign in to the site administration; a site administrator erases it.")]
    if Program.objects.filter(coordinators=person).exists():
        # Erasure deactivates the account for good: one coordinator must not be able
        # to lock a co-coordinator out of their program alone.
        return [
            gettext(
                "This account coordinates a program. A coordinator's account is erased by a site administrator, "
                "so that no coordinator can lock another out."
            )
        ]
    mine = set(Program.objects.filter(coordinators=by).values_list("pk", flat=True))
    if not person_programs(person) <= mine:
        return [
            gettext(
                "This person also takes part in a program you do not coordinate. Erasure removes their details "
                "everywhere at once, so it must be done by someone who coordinates every program they belong to; "
                "ask your Waypoint administrator."
            )
        ]
    if Match.objects.open().filter(pk__in=match_ids_of(person)).exists():
        return [
            gettext(
                "This person has a match that is proposed, active or paused. Close it first (from the match page), "
                "so that their partner is told and the figures show it ended."
            )
        ]
    return []


@transaction.atomic
def person_erase(*, person, by):
    """Erase ``person``'s personal details on their request, done by ``by`` (a coordinator of
    every program the person belongs to; see ``erasure_blockers``, whose first sentence is
    raised as ValidationError otherwise). Returns the Erasure record (ids only).

    What happens is ERASURE_PLAN, in short:
    - erased (row kept, personal content removed): the account (name "Erased person #<id>",
      email ``erased-<id>@erased.invalid``, phone and preferences cleared, deactivated, unusable
      password), profiles, applications and their notes, invitations (pending ones revoked),
      goals, milestones, check-ins, check-in comments, match closing notes, the person's
      closing-survey comments, the messages they wrote (and those of their team conversations and,
      as the mentee, of their matches' conversations), and — where the person was the mentee — meetings
      (summaries, next steps, private notes, places, online links) and the notes of shares and referrals;
      the notes of proposed new times (the person's own, and those in their meetings as mentee). A mentor's
      erasure keeps what was recorded about their mentees (it is the mentee's record). Rows that reports and
      the dashboard count are kept with their status, dates and numbers, so every figure stays
      the same (tests/mentoring/test_erasure.py holds the reports and the dashboard to it).
    - removed: pending and failed reminders to the person are skipped; their notifications,
      reminder settings and calendar address are deleted; stories they wrote are deleted with
      their consents to publish (a published one leaves the public pages at once).
    - kept, because the program must be able to show them: consent history (GDPR Art. 7(1)),
      signed agreements (typed name replaced), training and background checks, safety alerts
      and how they were answered, the audit trail (admin log, sign-in attempts, read audit) and
      the Erasure record — GDPR Art. 17(3)(b) (legal obligation) and 17(3)(e) (legal claims);
      42 CFR Part 2 and HIPAA record-retention rules. They point to the nameless account.
    Free text that other people wrote elsewhere (another mentee's reflection naming this
    person) is not searched.
    """
    person = get_user_model().objects.select_for_update().get(pk=person.pk)
    blockers = erasure_blockers(person=person, by=by)
    if blockers:
        raise ValidationError(blockers[0])
    # Erasure is the strongest deactivation: release the person's group seats
    # (waiting lists promoted) and everything else a deactivation releases.
    from .endings import person_deactivate

    person_deactivate(person=person, by=by)
    now = timezone.now()
    programs = sorted(person_programs(person))
    applications = _applications(person)
    invitations = _invitations(person)
    name = erased_name(person)
    email = erased_email(person)
    counts = {}

    def done(key, n):
        counts[key] = n

    mentee = Q(mentee__user=person)
    matches = Match.objects.filter(pk__in=match_ids_of(person))
    # What was recorded in a mentee's meetings belongs to the mentee's record: erasing
    # their mentor keeps it (the mentor's name goes with the account).
    as_mentee = Match.objects.filter(mentee)
    app_ids = list(applications.values_list("pk", flat=True))
    done(
        "invitations_revoked",
        invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now),
    )
    done("invitations", invitations.update(email=email, full_name=name))
    done(
        "applications",
        Application.objects.filter(pk__in=app_ids).update(
            full_name=name, email=email, phone="", details={}, decision_reason="", source_hash="", person=person
        ),
    )
    for application in Application.objects.filter(pk__in=app_ids).prefetch_related("experience_areas"):
        application.experience_areas.clear()
    done("application_notes", ApplicationNote.objects.filter(application__in=app_ids).update(body=""))
    matching_blank = dict(
        pathways=[],
        languages=[],
        gender="",
        age_range="",
        availability=[],
        meeting_modes=[],
        city="",
        postal_code="",
        interests=[],
        excluded_pathways=[],
        exclusion_notes="",
        topics=[],
    )
    mentor_profiles = MentorProfile.objects.filter(user=person)
    mentee_profiles = MenteeProfile.objects.filter(user=person)
    done("mentor_profiles", mentor_profiles.update(**matching_blank, recovery_months=None, bio=""))
    done(
        "mentee_profiles",
        mentee_profiles.update(
            **matching_blank,
            preferred_mentor_gender="",
            intake_date=None,
            emergency_contact_name="",
            emergency_contact_phone="",
            emergency_contact_phone_unparsed="",
            emergency_contact_relationship="",
        ),
    )
    for model, profiles in ((MentorProfile, mentor_profiles), (MenteeProfile, mentee_profiles)):
        ids = list(profiles.values_list("pk", flat=True))
        field = model._meta.model_name
        model.experience_areas.through.objects.filter(**{f"{field}_id__in": ids}).delete()
        model.excluded_people.through.objects.filter(**{f"{field}_id__in": ids}).delete()
    done(
        "volunteer_profiles",
        VolunteerProfile.objects.filter(user=person).update(availability=[], languages=[], skills=""),
    )
    AgreementSignature.objects.filter(mentor__user=person).update(typed_name=name)
    done("goals", Goal.objects.filter(mentee).update(title=ERASED_GOAL, why="", target=""))
    done("milestones", Milestone.objects.filter(goal__mentee__user=person).update(title=ERASED_MILESTONE))
    done("checkins", CheckIn.objects.filter(mentee).update(reflection=""))
    done("checkin_comments", CheckInComment.objects.filter(checkin__mentee__user=person).update(body=""))
    done("matches", matches.update(close_note=""))
    surveys = MatchSurvey.objects.filter(Q(match__in=as_mentee) | Q(respondent=person))
    done("match_surveys", surveys.update(comment=""))
    done(
        "sessions",
        Session.objects.filter(match__in=as_mentee).update(
            location="",
            online_url="",
            cancel_reason="",
            resources_shared="",
            private_notes="",
            shared_summary="",
            follow_up="",
        ),
    )
    done(
        "time_proposals",
        TimeProposal.objects.filter(Q(session__match__in=as_mentee) | Q(proposed_by=person)).update(note=""),
    )
    done("shares", Share.objects.filter(mentee).update(note=""))
    done(
        "messages",
        Message.objects.filter(
            Q(sender=person) | Q(conversation__person=person) | Q(conversation__match__in=as_mentee)
        ).update(body=""),
    )
    ReadMarker.objects.filter(user=person).delete()
    waiting = [Delivery.Status.PENDING, Delivery.Status.FAILED]
    done(
        "deliveries_skipped",
        Delivery.objects.filter(recipient=person, status__in=waiting).update(
            status=Delivery.Status.SKIPPED,
            lease_expires_at=None,
            last_error="Skipped: the person's details were erased.",
        ),
    )
    done("notifications", Notification.objects.filter(user=person).delete()[0])
    ChannelPreference.objects.filter(user=person).delete()
    CalendarFeed.objects.filter(user=person).delete()
    done("stories", Story.objects.filter(author=person).delete()[1].get("programs.Story", 0))
    StoryConsent.objects.filter(person=person).delete()
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    person.full_name = name
    person.preferred_name = ""
    person.email = email
    person.phone = person.phone_unparsed = ""
    person.ok_to_text = person.ok_to_call = False
    person.text_confirmed_at = None
    person.texts_stopped_at = now  # nothing is ever texted to an erased person
    person.quiet_from = person.quiet_until = None
    person.is_active = False
    person.set_unusable_password()
    person.save()
    return Erasure.objects.create(person=person, erased_by=by, erased_at=now, program_ids=programs, counts=counts)
