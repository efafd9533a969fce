"""The editors' tool: every model editable, with the lists and shortcuts a news desk needs."""

from pathlib import Path

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.core.files.uploadedfile import UploadedFile
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.http import HttpResponseNotAllowed
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from reversion.admin import VersionAdmin
from reversion.models import Version
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
from .editorial import (
    PREVIEW_DRAFT,
    changed_fields,
    changed_since,
    compare,
    current_fields,
    field_dict,
    preview_kind,
    preview_url,
    versions_of,
)
from .images import clean_upload, update_renditions
from .importing.service import ImportOptions, Source, import_sources
from .publishing import rules
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
    actions = ["publish", "publish_pending", "unpublish", "revoke_previews"]
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

    # Roles (articles/publishing/rules.py): without the publish permission (a
    # Writer) the status cannot be set, and a published article can be
    # neither changed nor deleted: the server refuses, not only the buttons.
    def has_publish_permission(self, request):
        return rules.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            fields = (*fields, "status", "unpublish_at", "pending_publish_at")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not rules.may_change_article(request.user, obj.status):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not rules.may_change_article(request.user, obj.status):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        for status, title in queryset.values_list("status", "title"):
            rules.check_article_write(request.user, status, None, title)
        super().delete_queryset(request, queryset)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """django-reversion writes the revision to the database before the change form checks anything,
        so the rule is applied here first: to the article as it is stored and as the revision would make it."""
        version = get_object_or_404(Version, pk=version_id, object_id=object_id)
        self.check_restore(request, version)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        self.check_restore(request, get_object_or_404(Version, pk=version_id))
        return super().recover_view(request, version_id, extra_context)

    def check_restore(self, request, version):
        stored = Article.objects.filter(pk=version.object_id).values_list("status", "version", "title").first()
        status, request.stored_article_version, title = stored or (None, 0, version.object_repr)
        rules.check_article_write(request.user, status, version.field_dict.get("status"), title)

    def save_model(self, request, obj, form, change):
        stored = Article.objects.select_for_update().filter(pk=obj.pk).values_list("status", "version").first() if change else None
        rules.check_article_write(request.user, stored[0] if stored else None, obj.status, obj.title)
        if change:
            # A restored revision carries its old version number: count on from the stored one.
            obj.version = max(obj.version, stored[1], getattr(request, "stored_article_version", 0)) + 1
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
        kind = preview_kind(article)
        if kind is None:
            return "Readers see this article as it is; share its address." if article.is_live else "Nothing to preview."
        shows = "this draft, and only this one," if kind == PREVIEW_DRAFT else "the pending changes of this live article"
        days = settings.NEWSROOM_PREVIEW_MAX_AGE // 86400
        return format_html(
            '<a href="{}" class="share-preview">Preview link</a> (copy it to share) '
            '<button type="submit" name="_revoke_previews" formaction="{}" formnovalidate>Revoke preview links</button>'
            '<div class="help">Anyone with this link can read {} for {} days, or until the article is published, '
            "unpublished or its links are revoked.</div>",
            preview_url(article), reverse("admin:articles_article_revoke_previews", args=[article.pk]), shows, days,
        )

    @admin.action(description="Revoke the preview links of selected articles", permissions=["change"])
    def revoke_previews(self, request, queryset):
        articles = [article for article in queryset if self.has_change_permission(request, article)]
        for article in articles:
            article.revoke_previews()
        Article.objects.bulk_update(articles, ["preview_key"])
        self.message_user(request, f"Revoked the preview links of {len(articles)} article(s).", messages.SUCCESS)

    def revoke_previews_view(self, request, object_id):
        """The change form's "Revoke preview links" button: every link shared so far stops working."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        self.revoke_previews(request, Article.objects.filter(pk=article.pk))
        return redirect("admin:articles_article_change", article.pk)

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
            path("<path:object_id>/revoke-previews/", self.admin_site.admin_view(self.revoke_previews_view),
                 name="articles_article_revoke_previews"),
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

    @csrf_exempt  # checked below, once the upload limit is in place (Django's documented order)
    def import_view(self, request):
        """Upload .txt files; the same import service as the command does the work."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        limit = UploadLimit(settings.NEWSROOM_MAX_IMPORT_UPLOAD_BYTES)
        request.upload_handlers.insert(0, limit)
        return csrf_protect(self._import_view)(request, limit)

    def _import_view(self, request, limit):
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if limit.exceeded(request):
            form.add_error("files", limit.message())
        elif request.method == "POST" and form.is_valid():
            options = ImportOptions(
                publish=form.cleaned_data["publish"], default_category=form.cleaned_data["category"], user=request.user
            )
            report = import_sources(uploaded_sources(form.cleaned_data["files"]), options)
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


def uploaded_sources(uploads):
    """The uploads as import sources, in name order as a folder's files are, named as the editor's files were."""
    names = {}
    for number, upload in enumerate(uploads):
        name = Path(upload.name).name or f"upload-{number}.txt"
        names[name if name not in names else f"{number}-{name}"] = upload
    return [Source(name, name, data=names[name].read()) for name in sorted(names)]


class UploadLimit(FileUploadHandler):
    """Stops reading an upload once its files together pass ``limit`` bytes, before any of it is kept.

    First in the request's handler chain, it hands each chunk on to Django's
    own handlers until the limit is passed. The form fields before the files
    (the CSRF token among them) are kept, the rest of the body is read and
    dropped, and the form says why.
    """

    def __init__(self, limit):
        super().__init__()
        self.limit = limit
        self.received = 0
        self.announced = 0
        self.stopped = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.announced = content_length or 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit or self.announced > self.limit + 64 * 1024:
            self.stopped = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None

    def exceeded(self, request):
        if request.method == "POST":
            request.FILES  # parse the body now, through this handler
        return self.stopped

    def message(self):
        size = max(self.received, self.announced)
        return (f"The upload is {size / 1_048_576:.1f} MB or more; the files together may be at most "
                f"{self.limit / 1_048_576:.0f} MB. Import them in smaller groups.")


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
