"""The editors' tool: every model editable, with the lists and shortcuts a news desk needs."""

import tempfile
from pathlib import Path

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.core.files.uploadedfile import UploadedFile
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from .cache import content_changed
from .models import (
    Article,
    Category,
    Correction,
    Organization,
    OrganizationAlias,
    Person,
    PersonAlias,
    Role,
)
from .editorial import changed_fields, changed_since, compare, current_fields, field_dict, preview_url, versions_of
from .images import clean_upload, update_renditions
from .importing.service import ImportOptions, import_files
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

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    keep_live_version = forms.BooleanField(
        required=False,
        label="Keep the live version",
        help_text="For a published article: save these text changes as pending. Readers keep seeing the live "
        "version until an editor publishes the pending changes.",
    )

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        if self.instance.pending_changes:
            # Editors carry on with the rework, not the live text.
            for name in Article.PENDING_FIELDS:
                if name in self.instance.pending_changes and name in self.fields:
                    self.initial[name] = self.instance.pending_changes[name]
            self.fields["keep_live_version"].initial = True

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
        self.check_no_lost_edit(cleaned.get("base_version"))
        return cleaned

    def check_no_lost_edit(self, base_version):
        """Refuse a save based on an older version than the one stored (optimistic locking).

        The row is locked until the admin's transaction ends, so two saves cannot
        both pass this check. The editor's text stays in the form; the message
        says who saved meanwhile and what they changed.
        """
        if not self.instance.pk or base_version is None:
            return
        current = Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
        if current is None or current == base_version:
            return
        changed, newest = changed_since(self.instance, base_version)
        label = "Changed meanwhile"
        if not changed:
            label = "The saved version differs from yours in"
            # No revision of the version the editor started from: name the
            # fields where the saved article and the editor's form differ.
            saved = current_fields(self.instance)
            mine = {**saved, **{k: v for k, v in self.cleaned_data.items() if k in saved}}
            mine["category"] = getattr(mine.get("category"), "pk", mine.get("category"))
            for name in ("people", "organizations"):
                mine[name] = sorted(getattr(x, "pk", x) for x in (mine.get(name) or []))
            mine["lead_image"] = getattr(mine.get("lead_image"), "name", mine.get("lead_image")) or ""
            changed = changed_fields(saved, mine)
        who = ""
        if newest is not None:
            user = newest.revision.user
            who = f" by {user.get_username() if user else 'an import'} at {timezone.localtime(newest.revision.date_created):%H:%M:%S}"
        what = f" {label}: {', '.join(changed)}." if changed else ""
        # Saving again from this form means "I have seen the other changes; keep mine".
        data = self.data.copy()
        data["base_version"] = current
        self.data = data
        raise forms.ValidationError(
            f"This article was saved{who} while you were editing it (version {base_version} became {current}).{what} "
            "Your text is still in the form below: compare it with the saved version (History, then Compare), "
            "and save again to keep yours.",
            code="edit_conflict",
        )


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


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ("published_at", "text")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        kwargs.setdefault("allow_empty_file", True)  # the import report says "empty" itself
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item] or [super().clean(None)]


class ImportForm(forms.Form):
    files = MultipleFileField(help_text="One or more .txt files in the breadcrumb or header format.")
    category = forms.CharField(initial="News", help_text="For files that name no category, e.g. News/Wire.")
    publish = forms.BooleanField(required=False, help_text="Publish at once (editors only); otherwise drafts.")


@admin.register(Article)
class ArticleAdmin(ChangesPublicSite, VersionAdmin):
    form = ArticleAdminForm
    inlines = (CorrectionInline,)
    list_display = ("title", "category", "state", "publish_at", "updated_at", "thumbnail")
    list_filter = (StateFilter, "status", "category", "tags", QualityFlagFilter, "language")
    list_select_related = ("category",)
    search_fields = ("title", "standfirst", "byline", "source_name")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("category", "people", "organizations")
    actions = ["publish", "publish_pending", "unpublish"]
    readonly_fields = ("created_at", "updated_at", "source_name", "source_checksum", "quality_flags", "image_preview",
                       "share_preview", "version", "pending_summary")
    save_on_top = True
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    fieldsets = (
        (None, {"fields": ("title", "slug", "standfirst", "body", "category", "byline", "language", "base_version")}),
        ("Publishing", {"fields": ("status", "publish_at", "unpublish_at", "keep_live_version", "pending_publish_at",
                                   "pending_summary", "share_preview")}),
        ("Lead image", {"fields": ("lead_image", "image_preview", "lead_image_alt", "lead_image_caption", "lead_image_credit")}),
        ("Tags and mentions", {"fields": ("tags", "new_tags", "people", "organizations")}),
        ("Import", {"classes": ("collapse",), "fields": ("source_name", "source_checksum", "quality_flags", "version", "created_at", "updated_at")}),
    )

    # Roles: publishing is its own permission. Without it (a Writer) the
    # status cannot be set, and a published article can be neither changed
    # nor deleted: the server refuses, not only the buttons.
    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            fields = (*fields, "status", "unpublish_at", "pending_publish_at")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Article.Status.PUBLISHED and not self.has_publish_permission(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Article.Status.PUBLISHED and not self.has_publish_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
            live = Article.objects.get(pk=obj.pk)
            if form.cleaned_data.get("keep_live_version") and live.is_live:
                # The text changes wait aside; the live text stays as it is.
                obj.pending_changes = {name: getattr(obj, name) for name in Article.PENDING_FIELDS}
                obj.pending_changes.update(saved_by=request.user.get_username(), saved_at=timezone.now().isoformat())
                for name in Article.PENDING_FIELDS:
                    setattr(obj, name, getattr(live, name))
            else:
                obj.pending_changes = None  # a normal save publishes what the form holds
                obj.pending_publish_at = None
        super().save_model(request, obj, form, change)

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
            label = format_html("⏰ Scheduled for {}", timezone.localtime(article.publish_at).strftime("%d %b %Y %H:%M"))
        if article.pending_changes:
            label = format_html("{} · changes pending", label)
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

    @admin.display(description="pending changes")
    def pending_summary(self, article):
        if not article.pending_changes:
            return "None: readers see what this form shows."
        return format_html(
            "Saved by {} at {}. Readers see the live version; the form shows the pending one. "
            "Publish them with the “Publish pending changes” action, or save without “Keep the live version”.",
            article.pending_changes.get("saved_by", "?"), article.pending_changes.get("saved_at", "?")[:16].replace("T", " "),
        )

    @admin.display(description="share a preview")
    def share_preview(self, article):
        if not article.pk:
            return "Save the article first."
        if article.is_live:
            return "The article is live; share its address."
        days = settings.NEWSROOM_PREVIEW_MAX_AGE // 86400
        url = preview_url(article)
        return format_html(
            '<a href="{}" class="share-preview">Preview link</a> (copy it to share)'
            '<div class="help">Anyone with this link can read this draft, and only this one, for {} days.</div>',
            url,
            days,
        )

    def _act(self, request, queryset, change, comment):
        """Apply ``change`` to each article, each with a revision and an admin history entry."""
        count = 0
        for article in queryset:
            with reversion.create_revision():
                change(article)
                article.version += 1
                article.save()
                reversion.set_user(request.user)
                reversion.set_comment(comment)
            self.log_change(request, article, comment)
            count += 1
        return count

    @admin.action(description="Publish selected articles now (or at their scheduled time)", permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()

        def go_live(article):
            article.status = Article.Status.PUBLISHED
            article.publish_at = article.publish_at or now

        count = self._act(request, queryset.exclude(status=Article.Status.PUBLISHED), go_live, "Published.")
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Publish pending changes of selected articles", permissions=["publish"])
    def publish_pending(self, request, queryset):
        count = self._act(request, queryset.filter(pending_changes__isnull=False), Article.publish_pending_changes,
                          "Published pending changes.")
        index_articles(queryset)
        self.message_user(request, f"Published the pending changes of {count} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        def take_down(article):
            article.status = Article.Status.DRAFT

        count = self._act(request, queryset.filter(status=Article.Status.PUBLISHED), take_down, "Unpublished.")
        self.message_user(request, f"Unpublished {count} article(s).", messages.SUCCESS)

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="articles_article_import"),
            path("<path:object_id>/compare/", self.admin_site.admin_view(self.compare_view), name="articles_article_compare"),
        ]
        return extra + super().get_urls()

    def compare_view(self, request, object_id):
        """Two revisions side by side, field by field; the body word by word."""
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = list(versions_of(article.pk))
        by_id = {str(v.pk): v for v in versions}
        newer = by_id.get(request.GET.get("b")) or (versions[0] if versions else None)
        older = by_id.get(request.GET.get("a")) or (versions[1] if len(versions) > 1 else newer)
        rows = compare(field_dict(older), field_dict(newer)) if newer else compare({}, current_fields(article))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"Compare revisions of “{article}”",
            "versions": versions,
            "older": older,
            "newer": newer,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def import_view(self, request):
        """Upload .txt files; the same import_files() service as the command does the work."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            publish = form.cleaned_data["publish"]
            if publish and not self.has_publish_permission(request):
                raise PermissionDenied("Only editors can publish on import.")
            report = import_uploaded(form.cleaned_data["files"], publish, form.cleaned_data["category"], request.user)
            self.message_user(request, report.summary(), messages.SUCCESS if report.ok else messages.WARNING)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import articles from text files",
            "form": form,
            "report": report,
            "can_publish": self.has_publish_permission(request),
        }
        return TemplateResponse(request, "admin/articles/article/import.html", context)


def import_uploaded(uploads, publish, category, user):
    """Write uploaded files to a temporary folder (names kept, paths stripped) and import them."""
    with tempfile.TemporaryDirectory() as folder:
        for number, upload in enumerate(uploads):
            name = Path(upload.name).name or f"upload-{number}.txt"
            target = Path(folder, name)
            if target.exists():
                target = Path(folder, f"{number}-{name}")
            with open(target, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        report = import_files([folder], ImportOptions(publish=publish, default_category=category, user=user))
    for result in report.results:
        result.path = Path(result.path).name  # the name the editor uploaded, not the temporary folder
    return report


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
