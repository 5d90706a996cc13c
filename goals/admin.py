from django.contrib import admin

from .models import (
    Answer,
    Assessment,
    CheckIn,
    CheckInComment,
    Goal,
    GoalProgress,
    Instrument,
    InstrumentItem,
    Milestone,
    SafetyAlert,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "mentee", "category", "status", "cadence", "is_private"]
    list_filter = ["status", "category", "cadence"]
    raw_id_fields = ["mentee", "suggested_by"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "goal", "due_date", "done_at"]
    raw_id_fields = ["goal"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["mentee", "created_at", "mood", "craving", "needs_help"]
    raw_id_fields = ["mentee"]


@admin.register(GoalProgress)
class GoalProgressAdmin(admin.ModelAdmin):
    list_display = ["goal", "checkin", "progress"]
    raw_id_fields = ["goal", "checkin"]


@admin.register(CheckInComment)
class CheckInCommentAdmin(admin.ModelAdmin):
    list_display = ["checkin", "author", "created_at"]
    raw_id_fields = ["checkin", "author"]


@admin.register(SafetyAlert)
class SafetyAlertAdmin(admin.ModelAdmin):
    list_display = ["mentee", "kind", "created_at", "acknowledged_at"]
    list_filter = ["kind"]
    raw_id_fields = ["mentee", "checkin", "acknowledged_by"]


class ItemInline(admin.TabularInline):
    model = InstrumentItem
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "scale_min", "scale_max", "threshold", "interval_days", "is_active"]
    inlines = [ItemInline]


@admin.register(InstrumentItem)
class InstrumentItemAdmin(admin.ModelAdmin):
    list_display = ["text", "instrument", "domain", "position"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["mentee", "instrument", "taken_at", "score"]
    raw_id_fields = ["mentee"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "item", "value"]
    raw_id_fields = ["assessment", "item"]
