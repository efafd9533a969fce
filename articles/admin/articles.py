"""The article admin: lists, the change form, actions, history with restore, import and previews."""

import uuid
from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt
from reversion.admin import VersionAdmin
from reversion.models import Version

from ..models import Article, Correction
from ..publishing import rules, workflow
from ..publishing.previews import PREVIEW_DRAFT, preview_kind, preview_url
from ..search import matching
from . import views
from .changelist import ArticleChangeList
from .filters import QualityFlagFilter, StateFilter, TagFilter
from .paging import IdsFirstPaginator
from .forms import ArticleAdminForm
from .media import small_url
from .mentions import MENTION_INLINES


SEARCH_LIMIT = 1000  # the list's search shows at most the newest this many full-text matches


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ("published_at", "text")


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = (CorrectionInline, *MENTION_INLINES)
    list_display = ("title", "category", "state", "publish_at", "updated_at", "thumbnail")
    list_filter = (StateFilter, "status", "category", TagFilter, QualityFlagFilter, "language")
    list_select_related = ("category", "lead_image")
    search_fields = ("title", "standfirst", "body", "tags", "people", "source_name")  # see get_search_results
    date_hierarchy = "publish_at"
    list_per_page = 50  # a page of 100 rows took as long to render as all the list's queries at 100,000 articles
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("category", "lead_image")
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
        ("Lead image", {"fields": ("lead_image", "image_preview"),
                        "description": "Chosen from the media library (Images), which holds its alt text, caption and credit."}),
        ("Tags", {"fields": ("tags", "new_tags")}),
        ("Import", {"classes": ("collapse",), "fields": ("source_name", "source_checksum", "quality_flags", "version", "created_at", "updated_at")}),
    )

    # At 100,000 articles a LIKE over every row is seconds: the list's search
    # asks the full-text index (title, standfirst, body, tags, people; every
    # status) and matches an import's file name exactly. The date drill-down
    # probes the publish time's index (admin/changelist.py).
    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        by_file = Article.objects.filter(source_name=term).order_by().values("pk")
        by_text = matching(Article.objects.order_by(), term, SEARCH_LIMIT).values("pk")
        if by_text.count() == SEARCH_LIMIT:
            messages.info(request, f"Showing the {SEARCH_LIMIT:,} newest articles that match; add words to narrow it down.")
        return queryset.filter(pk__in=by_text.union(by_file)), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if queryset.model is not Article:  # the history page pages its log entries with the same hook
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return IdsFirstPaginator(queryset, per_page, orphans, allow_empty_first_page, related=self.list_select_related)

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    # Who may do what is articles/publishing/rules.py: a Writer cannot set the
    # status, and can neither change nor delete a published article. The
    # server refuses, not only the buttons.
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

    # Restoring a revision. django-reversion writes the revision to the
    # database before the change form checks anything, so the rule is applied
    # first, to the article as stored and as the revision would make it; and
    # a restore is a new revision, so the version counter and the preview key
    # stay as they are stored instead of going back with the old fields.
    def revision_view(self, request, object_id, version_id, extra_context=None):
        self.check_restore(request, get_object_or_404(Version, pk=version_id, object_id=object_id))
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        self.check_restore(request, get_object_or_404(Version, pk=version_id))
        return super().recover_view(request, version_id, extra_context)

    def check_restore(self, request, version):
        stored = Article.objects.filter(pk=version.object_id).values("status", "title", "version", "preview_key").first()
        restored_status = version.field_dict.get("status")
        rules.check_article_write(request.user, stored and stored["status"], restored_status,
                                  stored["title"] if stored else version.object_repr)
        if stored and stored["status"] != restored_status:
            stored["preview_key"] = uuid.uuid4()  # a change of status revokes preview links, as Article.save does
        request.restoring = stored

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        stored = getattr(request, "restoring", None)
        if object_id and stored:  # inside django-reversion's transaction, after it wrote the old revision
            Article.objects.filter(pk=object_id).update(version=stored["version"], preview_key=stored["preview_key"])
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        workflow.save_edit(obj, request.user, keep_live=form.cleaned_data.get("keep_live_version"))

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
        return format_html('<img src="{}" alt="{}" width="64" style="height:auto">', small_url(article.lead_image), article.lead_image.alt)

    @admin.display(description="current image")
    def image_preview(self, article):
        if not article.lead_image:
            return "No image yet."
        image = article.lead_image
        return format_html('<img src="{}" alt="{}" style="max-width:320px;height:auto"><p>{} <a href="{}">Edit in the library</a></p>',
                           small_url(image, widest=True), image.alt, image.credit,
                           reverse("admin:articles_image_change", args=[image.pk]))

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

    # Actions: each is one call of the publishing workflow, and an entry in the admin's history.
    def _done(self, request, articles, comment, message):
        for article in articles:
            self.log_change(request, article, comment)
        self.message_user(request, message.format(len(articles)), messages.SUCCESS)

    @admin.action(description="Publish selected articles now (or at their scheduled time)", permissions=["publish"])
    def publish(self, request, queryset):
        self._done(request, workflow.publish(queryset, request.user), "Published.", "Published {} article(s).")

    @admin.action(description="Publish pending changes of selected articles", permissions=["publish"])
    def publish_pending(self, request, queryset):
        self._done(request, workflow.publish_pending(queryset, request.user), "Published pending changes.",
                   "Published the pending changes of {} article(s).")

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._done(request, workflow.unpublish(queryset, request.user), "Unpublished.", "Unpublished {} article(s).")

    @admin.action(description="Revoke the preview links of selected articles", permissions=["change"])
    def revoke_previews(self, request, queryset):
        articles = [article for article in queryset if self.has_change_permission(request, article)]
        for article in articles:
            article.revoke_previews()
        Article.objects.bulk_update(articles, ["preview_key"])
        self.message_user(request, f"Revoked the preview links of {len(articles)} article(s).", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("import/", view(csrf_exempt(partial(views.import_view, self))), name="articles_article_import"),
            path("<path:object_id>/compare/", view(partial(views.compare_view, self)), name="articles_article_compare"),
            path("<path:object_id>/revoke-previews/", view(partial(views.revoke_previews_view, self)),
                 name="articles_article_revoke_previews"),
        ]
        return extra + super().get_urls()
