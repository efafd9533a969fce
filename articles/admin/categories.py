"""The category admin: the tree of sections, with how many articles each holds."""

from django.contrib import admin
from django.db.models import Count

from ..models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "slug", "ordering", "article_count")
    search_fields = ("name", "full_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    fields = ("name", "slug", "parent", "description", "ordering", "path")
    readonly_fields = ("path",)
    ordering = ("path",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, category):
        return category.article_count
