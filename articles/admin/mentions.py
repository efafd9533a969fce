"""The article change page's people and organisations, with their grades, and the structure facts it is cited for.

The links are rows of their own (they carry a grade), so they are inlines;
whoever may change the article may change its links (the article's own
permission, as with the plain links before, and the publishing rules through
it), and whoever may see it sees the facts that cite it.
"""

from django.contrib import admin

from ..models import Article, ArticleOrganization, ArticlePerson, Role, StructureFact


class FollowsArticle:
    """Permissions of the article the inline belongs to, not of the link rows themselves."""

    def article_admin(self):
        return self.admin_site._registry[Article]

    def has_view_permission(self, request, obj=None):
        return self.article_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.article_admin().has_change_permission(request, obj) if obj else self.article_admin().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class ArticlePersonInline(FollowsArticle, admin.TabularInline):
    model = ArticlePerson
    extra = 0
    autocomplete_fields = ("person",)
    fields = ("person", "grade")


class ArticleOrganizationInline(FollowsArticle, admin.TabularInline):
    model = ArticleOrganization
    extra = 0
    autocomplete_fields = ("organization",)
    fields = ("organization", "grade")


class ReadOnlyCitations(FollowsArticle):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CitedStructureFactInline(ReadOnlyCitations, admin.TabularInline):
    model = StructureFact
    fk_name = "source"
    fields = readonly_fields = ("date", "organization", "kind", "parent", "previous_parent", "note")
    verbose_name = "structure fact this article reports"
    verbose_name_plural = "structure facts this article reports"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "parent", "previous_parent")


class CitedRoleInline(ReadOnlyCitations, admin.TabularInline):
    model = Role
    fk_name = "source"
    fields = readonly_fields = ("person", "title", "organization", "head", "start_date", "end_date")
    verbose_name = "role this article reports"
    verbose_name_plural = "roles this article reports"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organization")


MENTION_INLINES = (ArticlePersonInline, ArticleOrganizationInline, CitedStructureFactInline, CitedRoleInline)
