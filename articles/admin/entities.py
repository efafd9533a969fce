"""People, organisations and roles, each with its other names (aliases) inline."""

from django.contrib import admin

from ..models import Organization, OrganizationAlias, Person, PersonAlias, Role


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


class OrganizationAliasInline(admin.TabularInline):
    model = OrganizationAlias
    extra = 1


class PersonRoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ("organization",)
    verbose_name = "role"


class OrganizationRoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ("person",)
    verbose_name = "person and role"
    verbose_name_plural = "people and roles"


class WithAliases(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_list(self, entity):
        return ", ".join(alias.name for alias in entity.aliases.all())


@admin.register(Person)
class PersonAdmin(WithAliases):
    list_display = ("name", "job_title", "alias_list")
    autocomplete_fields = ("photo",)
    search_fields = ("name", "aliases__name", "job_title")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PersonAliasInline, PersonRoleInline)


@admin.register(Organization)
class OrganizationAdmin(WithAliases):
    list_display = ("name", "parent", "alias_list")
    list_select_related = ("parent",)
    search_fields = ("name", "aliases__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (OrganizationAliasInline, OrganizationRoleInline)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("person", "title", "organization", "start_date", "end_date")
    list_select_related = ("person", "organization")
    search_fields = ("person__name", "organization__name", "title")
    autocomplete_fields = ("person", "organization")
