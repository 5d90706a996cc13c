from django.contrib import admin
from django.db import models

from .models import Category, Resource, Share


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "parent", "position"]
    list_filter = ["parent"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "program", "status", "is_crisis", "verified_on"]
    list_filter = ["status", "is_crisis", "program"]
    search_fields = ["name", "description", "name_es", "description_es"]
    raw_id_fields = ["suggested_by", "verified_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["resource", "mentee", "is_referral", "followup", "created_at"]
    list_filter = ["is_referral", "followup"]
    raw_id_fields = ["resource", "mentee", "shared_by", "session"]
