"""The editors' tool: every model editable, with the lists and shortcuts a news desk needs."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from .cache import content_changed
from .models import (
    Article,
    Category,
    Organization,
    OrganizationAlias,
    Person,
    PersonAlias,
    Role,
)
from .images import clean_upload, update_renditions
from .search import index_articles


class ArticleAdminForm(forms.ModelForm):
    """Tags are picked from existing ones with autocomplete; new ones are typed in beside them."""

    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
        help_text="Start typing to find an existing tag.",
    )
    # A plain file field: Pillow's checks in images.py give clearer messages
    # (bomb, SVG, size) than the generic "Upload a valid image".
    lead_image = forms.FileField(required=False, widget=AdminFileWidget, help_text="JPEG, PNG, WebP or GIF.")
    new_tags = forms.CharField(
        required=False,
        label="New tags",
        help_text="Comma-separated, e.g. “rural e-commerce, 淘宝”.",
    )

    class Meta:
        model = Article
        fields = "__all__"

    def clean_lead_image(self):
        return checked_image(self.cleaned_data.get("lead_image"))

    def clean(self):
        cleaned = super().clean()
        selected = list(cleaned.get("tags") or [])
        names = {tag.name for tag in selected}
        # Commas only: "rural e-commerce" is one tag (taggit's parser would split it at spaces).
        typed = [name.strip() for name in cleaned.get("new_tags", "").split(",")]
        typed = list(dict.fromkeys(name for name in typed if name and name not in names))
        too_long = [name for name in typed if len(name) > 100]
        if too_long:
            self.add_error("new_tags", f"A tag can be at most 100 characters long (“{too_long[0][:40]}…” is {len(too_long[0])}).")
        cleaned["tags"] = selected + typed
        return cleaned


class ChangesPublicSite:
    """Admin mixin: any save or delete here can change what readers see, so the page cache is refreshed."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed()


def checked_image(value):
    """A newly uploaded image, checked and stripped of metadata; a stored one is left as it is."""
    if value and isinstance(value, UploadedFile):
        return clean_upload(value)
    return value


class PersonAdminForm(forms.ModelForm):
    photo = forms.FileField(required=False, widget=AdminFileWidget, help_text="JPEG, PNG, WebP or GIF.")

    class Meta:
        model = Person
        fields = "__all__"

    def clean_photo(self):
        return checked_image(self.cleaned_data.get("photo"))


class StateFilter(admin.SimpleListFilter):
    """Draft, scheduled, live or expired: what a reader can see now, not only the stored status."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Live"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "scheduled":
                return published.filter(publish_at__gt=now)
            case "live":
                return queryset.published(now)
            case "expired":
                return published.filter(unpublish_at__lte=now)
        return queryset


class QualityFlagFilter(admin.SimpleListFilter):
    title = "quality flag"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        from .importing.quality import FLAG_LABELS

        return list(FLAG_LABELS.items())

    def queryset(self, request, queryset):
        if self.value():
            # JSON arrays are stored as text on both databases; the quoted
            # name matches one element exactly.
            return queryset.filter(quality_flags__icontains=f'"{self.value()}"')
        return queryset


@admin.register(Article)
class ArticleAdmin(ChangesPublicSite, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "category", "state", "publish_at", "updated_at", "thumbnail")
    list_filter = (StateFilter, "status", "category", "tags", QualityFlagFilter, "language")
    list_select_related = ("category",)
    search_fields = ("title", "standfirst", "byline", "source_name")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("category", "people", "organizations")
    actions = ["publish", "unpublish"]
    readonly_fields = ("created_at", "updated_at", "source_name", "source_checksum", "quality_flags", "image_preview")
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("title", "slug", "standfirst", "body", "category", "byline", "language")}),
        ("Publishing", {"fields": ("status", "publish_at", "unpublish_at")}),
        ("Lead image", {"fields": ("lead_image", "image_preview", "lead_image_alt", "lead_image_caption", "lead_image_credit")}),
        ("Tags and mentions", {"fields": ("tags", "new_tags", "people", "organizations")}),
        ("Import", {"classes": ("collapse",), "fields": ("source_name", "source_checksum", "quality_flags", "created_at", "updated_at")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inside the admin's transaction, after tags and people are saved.
        index_articles([form.instance])
        if "lead_image" in form.changed_data:
            update_renditions(form.instance)

    @admin.display(description="state", ordering="status")
    def state(self, article):
        label = article.state_label
        if label == "Scheduled":
            return format_html("⏰ Scheduled for {}", timezone.localtime(article.publish_at).strftime("%d %b %Y %H:%M"))
        return label

    @admin.display(description="image")
    def thumbnail(self, article):
        if not article.lead_image:
            return ""
        return format_html('<img src="{}" alt="{}" width="64" style="height:auto">', article.lead_image.url, article.lead_image_alt)

    @admin.display(description="current image")
    def image_preview(self, article):
        if not article.lead_image:
            return "No image yet."
        return format_html('<img src="{}" alt="{}" style="max-width:320px;height:auto">', article.lead_image.url, article.lead_image_alt)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    @admin.action(description="Publish selected articles now (or at their scheduled time)", permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.publish_at = article.publish_at or now
            article.save(update_fields=["status", "publish_at", "updated_at"])
            count += 1
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save(update_fields=["status", "updated_at"])
            count += 1
        self.message_user(request, f"Unpublished {count} article(s).", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(ChangesPublicSite, admin.ModelAdmin):
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


@admin.register(Person)
class PersonAdmin(ChangesPublicSite, admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ("name", "job_title", "alias_list")
    search_fields = ("name", "aliases__name", "job_title")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PersonAliasInline, PersonRoleInline)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "name" in form.changed_data:
            index_articles(form.instance.articles.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_list(self, person):
        return ", ".join(alias.name for alias in person.aliases.all())


@admin.register(Organization)
class OrganizationAdmin(ChangesPublicSite, admin.ModelAdmin):
    list_display = ("name", "parent", "alias_list")
    list_select_related = ("parent",)
    search_fields = ("name", "aliases__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (OrganizationAliasInline, OrganizationRoleInline)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_list(self, organization):
        return ", ".join(alias.name for alias in organization.aliases.all())


@admin.register(Role)
class RoleAdmin(ChangesPublicSite, admin.ModelAdmin):
    list_display = ("person", "title", "organization", "start_date", "end_date")
    list_select_related = ("person", "organization")
    search_fields = ("person__name", "organization__name", "title")
    autocomplete_fields = ("person", "organization")


# Renaming or deleting a tag changes article pages too.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(ChangesPublicSite, TaggitTagAdmin):
    pass
