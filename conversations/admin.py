"""Admin: conversations and messages without their text (nobody reads the
pairs' messages here either), the risk phrases editable."""

from django.contrib import admin

from .models import Conversation, Message, ReadMarker, RiskPhrase


class NoWrites(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(NoWrites):
    list_display = ["pk", "kind", "program", "created_at", "last_message_at", "paused_at"]
    list_filter = ["kind", "program"]
    fields = ["kind", "program", "match", "person", "group", "created_at", "last_message_at", "paused_at", "paused_by"]


@admin.register(Message)
class MessageAdmin(NoWrites):
    list_display = ["pk", "conversation", "created_at", "flagged", "reported_at"]
    list_filter = ["flagged"]
    # Not the body: read a flagged message on its alert, a reported one on the reported-messages page.
    fields = ["conversation", "sender", "created_at", "checkin", "flagged", "alert", "reported_at", "reported_by"]


@admin.register(ReadMarker)
class ReadMarkerAdmin(NoWrites):
    list_display = ["conversation", "user", "last_read_at", "notified_at"]


@admin.register(RiskPhrase)
class RiskPhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "program"]
    list_filter = ["program"]
    search_fields = ["phrase"]
