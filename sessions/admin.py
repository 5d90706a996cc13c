from django.contrib import admin
from django.db import models

from .models import CalendarFeed, GroupSeries, GroupSession, Registration, Session, Skill, TimeProposal


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "program", "is_active"]
    list_filter = ["program", "is_active"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["match", "starts_at", "duration_minutes", "mode", "status"]
    list_filter = ["status", "mode"]
    raw_id_fields = ["match", "scheduled_by", "cancelled_by", "logged_by"]
    date_hierarchy = "starts_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(TimeProposal)
class TimeProposalAdmin(admin.ModelAdmin):
    list_display = ["session", "starts_at", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["session", "proposed_by", "decided_by"]


@admin.register(GroupSeries)
class GroupSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "weekly_until"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    raw_id_fields = ["user"]


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "program", "starts_at", "capacity", "status", "is_public"]
    list_filter = ["program", "kind", "status", "is_public"]
    inlines = [RegistrationInline]
    filter_horizontal = ["facilitators"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["group_session", "user", "status", "attendance", "created_at"]
    list_filter = ["status", "attendance"]
    raw_id_fields = ["group_session", "user"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["token"]
