from django.contrib import admin
from django.db import models

from .models import (
    AgreementSignature,
    Application,
    ApplicationNote,
    BackgroundCheck,
    ConsentRecord,
    ExperienceArea,
    OnCallShift,
    PolicyDocument,
    Program,
    Story,
    StoryConsent,
    TrainingCompletion,
    TrainingModule,
)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "mode", "time_zone", "created_at"]
    list_filter = ["status", "mode"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators", "safety_staff"]
    raw_id_fields = ["on_call_fallback"]


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ["program", "weekday", "starts_at", "ends_at", "person"]
    list_filter = ["program", "weekday"]
    raw_id_fields = ["person"]


@admin.register(ExperienceArea)
class ExperienceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "program", "is_active"]
    list_filter = ["program", "is_active"]


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["program", "kind", "version", "published_at"]
    list_filter = ["program", "kind"]


class ApplicationNoteInline(admin.TabularInline):
    model = ApplicationNote
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "kind", "program", "status", "submitted_at"]
    list_filter = ["program", "kind", "status"]
    search_fields = ["full_name", "email"]
    inlines = [ApplicationNoteInline]
    raw_id_fields = ["person", "decided_by"]


@admin.register(ApplicationNote)
class ApplicationNoteAdmin(admin.ModelAdmin):
    list_display = ["application", "author", "created_at"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "title_es", "program", "required", "position", "is_archived"]
    list_filter = ["program", "required", "is_archived"]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(admin.ModelAdmin):
    list_display = ["mentor", "module", "marked_done_at", "confirmed_at"]
    raw_id_fields = ["mentor", "confirmed_by"]


@admin.register(BackgroundCheck)
class BackgroundCheckAdmin(admin.ModelAdmin):
    list_display = ["mentor", "status", "checked_on", "expires_on"]
    list_filter = ["status"]
    raw_id_fields = ["mentor", "updated_by"]


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(admin.ModelAdmin):
    list_display = ["mentor", "document", "language", "signed_at"]
    raw_id_fields = ["mentor"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["person", "program", "kind", "language", "agreed_at", "revoked_at"]
    list_filter = ["program", "kind"]
    raw_id_fields = ["person", "recorded_by", "revoked_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only through the services (programs.stories): publication needs the
    author's consent, which the admin cannot check. A site administrator may read
    and, to take something down, delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StoryConsentInline(admin.TabularInline):
    model = StoryConsent
    extra = 0
    can_delete = False
    fields = ["story_version", "typed_name", "signed_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(ReadOnlyAdmin):
    list_display = ["title", "program", "status", "version", "updated_at", "published_at"]
    list_filter = ["program", "status"]
    inlines = [StoryConsentInline]


@admin.register(StoryConsent)
class StoryConsentAdmin(ReadOnlyAdmin):
    list_display = ["story", "story_version", "signed_at", "revoked_at"]
