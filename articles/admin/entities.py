"""People, organisations and roles, each with its other names (aliases) inline; an organisation's
listings and structure facts (created, moved, merged, dissolved, each citing an article) inline too."""

from django.contrib import admin

from ..models import Listing, Organization, OrganizationAlias, Person, PersonAlias, Role, StructureFact
from ..orgchart import sync_from_facts


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


class OrganizationAliasInline(admin.TabularInline):
    model = OrganizationAlias
    extra = 1


class PersonRoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ("organization", "source")
    fields = ("organization", "title", "head", "start_date", "end_date", "source")
    verbose_name = "role"


class OrganizationRoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ("person", "source")
    fields = ("person", "title", "head", "start_date", "end_date", "source")
    verbose_name = "person and role"
    verbose_name_plural = "people and roles"


class ListingInline(admin.TabularInline):
    model = Listing
    extra = 1
    verbose_name = "stock listing"


class StructureFactInline(admin.TabularInline):
    model = StructureFact
    fk_name = "organization"
    extra = 1
    autocomplete_fields = ("parent", "previous_parent", "source")
    fields = ("date", "kind", "parent", "previous_parent", "note", "source")
    verbose_name = "change to its structure"
    verbose_name_plural = "changes to its structure (newest first)"


class WithAliases(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_list(self, entity):
        return ", ".join(alias.name for alias in entity.aliases.all())


@admin.register(Person)
class PersonAdmin(WithAliases):
    list_display = ("name", "job_title", "wikidata_id", "alias_list")
    autocomplete_fields = ("photo",)
    search_fields = ("name", "aliases__name", "job_title", "=wikidata_id")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PersonAliasInline, PersonRoleInline)


@admin.register(Organization)
class OrganizationAdmin(WithAliases):
    list_display = ("name", "parent", "wikidata_id", "lei", "alias_list")
    list_select_related = ("parent",)
    search_fields = ("name", "aliases__name", "=wikidata_id", "=lei", "=listings__ticker")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "description")}),
        ("When it existed", {"fields": ("founded", "dissolved")}),
        ("Identifiers", {"fields": ("wikidata_id", "lei")}),
    )
    inlines = (OrganizationAliasInline, ListingInline, StructureFactInline, OrganizationRoleInline)

    def save_related(self, request, form, formsets, change):
        """The facts just saved decide the current parent, and founded/dissolved where left blank."""
        super().save_related(request, form, formsets, change)
        sync_from_facts(form.instance)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("person", "title", "organization", "head", "start_date", "end_date")
    list_select_related = ("person", "organization")
    list_filter = ("head",)
    search_fields = ("person__name", "organization__name", "title")
    autocomplete_fields = ("person", "organization", "source")
