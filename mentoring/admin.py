from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    AccessEvent,
    AttentionSignal,
    AttentionSnapshot,
    ChannelPreference,
    CheckinWeek,
    Delivery,
    DispatchState,
    Erasure,
    FiguresSnapshot,
    InsightsLease,
    Invitation,
    Match,
    MatchSurvey,
    MenteeProfile,
    MentorProfile,
    Notification,
    PoolSolve,
    ReportExport,
    ReportMonth,
    ReportSnapshot,
    ReportWeek,
    RollupZone,
    User,
    VolunteerProfile,
    WorkerHeartbeat,
)
from .twofactor import twofactor_reset


def _site_sign_in(request, extra_context=None):
    """The admin's sign-in page sends people to the site's own (``login``, which
    applies the session rules of mentoring.session_policy: a browser-session
    cookie unless "Keep me signed in", the shared-device choice), keeping
    ``?next=`` (the admin index when absent). Django's admin form would set a
    14-day cookie nobody chose. The second step still follows for staff."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _site_sign_in


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "preferred_name", "time_zone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in of the selected people", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """For a person who lost their phone and their backup codes: their authenticator
        app and backup codes are removed after a confirmation page; each reset is
        recorded in the admin log (who, when), shown in the person's history."""
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Reset two-factor sign-in?",
                "people": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/mentoring/user/reset_two_factor.html", context)
        for person in queryset:
            twofactor_reset(user=person, actor=request.user)
        self.message_user(request, f"Two-factor sign-in reset for {queryset.count()} people.", messages.SUCCESS)
        return None


@admin.register(MentorProfile, MenteeProfile, VolunteerProfile)
class MembershipAdmin(admin.ModelAdmin):
    """A profile belongs to one program for good: its matches, check-ins,
    safety alerts (SafetyAlert.program, copied when raised) and the reports'
    rollups are counted in that program. Moving someone is a new profile in
    the other program, so the program is read-only once the profile exists."""

    list_display = ["user", "program", "joined_at"]
    list_filter = ["program"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["program"] if obj is not None else [])]


class MatchSurveyInline(admin.TabularInline):
    model = MatchSurvey
    extra = 0


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "program", "status", "score", "created_at"]
    list_filter = ["program", "status", "close_reason"]
    raw_id_fields = ["mentor", "mentee", "proposed_by", "closed_by"]
    inlines = [MatchSurveyInline]


@admin.register(MatchSurvey)
class MatchSurveyAdmin(admin.ModelAdmin):
    list_display = ["match", "side", "rating", "created_at"]
    raw_id_fields = ["match", "respondent"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "program", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["program", "role"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "new_account", "application"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["last_seen", "beats"]


class SnapshotAdmin(admin.ModelAdmin):
    """Computed by mentoring.insights.snapshots (beat, every minute): read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FiguresSnapshot)
class FiguresSnapshotAdmin(SnapshotAdmin):
    list_display = ["program", "zone", "computed_at"]


@admin.register(AttentionSnapshot)
class AttentionSnapshotAdmin(SnapshotAdmin):
    list_display = ["program", "computed_at"]


@admin.register(AttentionSignal)
class AttentionSignalAdmin(SnapshotAdmin):
    list_display = ["kind", "program", "rank", "since"]
    list_filter = ["kind"]
    raw_id_fields = ["mentee"]


@admin.register(PoolSolve)
class PoolSolveAdmin(SnapshotAdmin):
    """Written by the whole-pool solve (mentoring.matching.solutions): read-only here."""

    list_display = ["program", "status", "progress", "requested_at", "finished_at", "mentees", "mentors"]
    list_filter = ["status"]


@admin.register(RollupZone)
class RollupZoneAdmin(SnapshotAdmin):
    """Report rollups (mentoring.insights.rollups) are written by beat and rollups_rebuild only: read-only here."""

    list_display = ["zone", "built_at"]


@admin.register(CheckinWeek)
class CheckinWeekAdmin(SnapshotAdmin):
    list_display = ["zone", "week", "match", "mentee"]
    list_filter = ["zone"]
    raw_id_fields = ["match", "mentee"]


@admin.register(ReportMonth)
class ReportMonthAdmin(SnapshotAdmin):
    list_display = ["zone", "program", "month", "held", "checkins", "until", "computed_at"]
    list_filter = ["zone"]


@admin.register(ReportWeek)
class ReportWeekAdmin(SnapshotAdmin):
    list_display = ["zone", "program", "week", "mentees", "until", "computed_at"]
    list_filter = ["zone"]


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(SnapshotAdmin):
    list_display = ["report", "zone", "programs", "start", "end", "computed_at"]
    list_filter = ["report", "zone"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "channel", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    raw_id_fields = ["recipient", "program"]
    readonly_fields = ["last_error", "claim_token", "attempt_started_at"]
    exclude = ["url"]  # an invitation's one-time link waits here until it is sent


@admin.register(DispatchState)
class DispatchStateAdmin(admin.ModelAdmin):
    list_display = ["dispatched_until"]


@admin.register(InsightsLease)
class InsightsLeaseAdmin(admin.ModelAdmin):
    list_display = ["name", "held_until"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "read_at"]
    raw_id_fields = ["user", "delivery"]


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email", "sms"]
    raw_id_fields = ["user"]


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """A read-only trail of report downloads."""

    list_display = ["created_at", "user", "report", "program", "start", "end"]
    list_filter = ["report"]
    raw_id_fields = ["user", "program", "mentor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The read audit, read-only: rows are written by mentoring.audit.audit_read
    and removed only by the retention (prune_audit)."""

    list_display = ["at", "viewer_ref", "viewer", "what", "subject_ref", "subject", "object_id", "program", "address"]
    list_filter = ["what", "program"]
    list_select_related = ["viewer", "subject", "program"]
    search_fields = ["=viewer_ref", "=subject_ref"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """Who erased whom, when (ids only): kept for accountability, never edited or deleted."""

    list_display = ["erased_at", "person", "erased_by", "program_ids"]
    raw_id_fields = ["person", "erased_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-otp registers its devices in the admin, where staff could read anyone's
# authenticator key and backup codes. Staff reset two-factor with the action on
# the user list instead (UserAdmin.reset_two_factor).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
