from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import (
    ChannelPreference,
    Delivery,
    DispatchState,
    Invitation,
    Match,
    MatchSurvey,
    MenteeProfile,
    MentorProfile,
    Notification,
    ReportExport,
    User,
    VolunteerProfile,
    WorkerHeartbeat,
)


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


@admin.register(MentorProfile, MenteeProfile, VolunteerProfile)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "joined_at"]
    list_filter = ["program"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


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
    readonly_fields = ["token_hash"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["last_seen", "beats"]


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
