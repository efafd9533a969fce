"""Old addresses: each answers readers with a 301 to its article or category (like django.contrib.redirects)."""

from django.contrib import admin

from ..models import OldPath


@admin.register(OldPath)
class OldPathAdmin(admin.ModelAdmin):
    list_display = ("path", "target", "created_at")
    search_fields = ("path", "article__title", "category__name")
    autocomplete_fields = ("article", "category")
    list_select_related = ("article", "category")
    ordering = ("path",)
