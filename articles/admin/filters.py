"""List filters of the article list: each one's choices and its filtering stay bounded as the archive grows."""

from django.contrib import admin
from django.utils import timezone
from taggit.models import Tag

from ..importing.quality import FLAG_LABELS
from ..models import Article

RECENT_ARTICLES = 200  # the tag filter offers the tags of this many newest articles
MAX_TAG_CHOICES = 40


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
        return list(FLAG_LABELS.items())

    def queryset(self, request, queryset):
        if self.value():
            # JSON arrays are stored as text on both databases; the quoted
            # name matches one element exactly. Only flagged articles are in
            # the partial index article_flagged, so the text test reads those
            # rows alone, not every article's.
            return queryset.exclude(quality_flags=[]).filter(quality_flags__icontains=f'"{self.value()}"')
        return queryset


class TagFilter(admin.SimpleListFilter):
    """Tags of the newest articles, not every tag there is: a list that grows with the archive cannot be a filter.

    Any tag can still be filtered on: the tag admin's "articles" link and the
    change form's tags lead here with ``tags__id__exact``, and the chosen tag
    is always shown.
    """

    title = "tag (of recent articles)"
    parameter_name = "tags__id__exact"

    def lookups(self, request, model_admin):
        newest = Article.objects.order_by("-publish_at", "-pk").values("pk")[:RECENT_ARTICLES]
        tags = list(Tag.objects.filter(article__in=newest).distinct().order_by("name")[:MAX_TAG_CHOICES])
        if self.value() and self.value().isdigit() and all(str(t.pk) != self.value() for t in tags):
            tags += list(Tag.objects.filter(pk=self.value()))
        return [(str(t.pk), t.name) for t in tags]

    def queryset(self, request, queryset):
        if self.value():
            if not self.value().isdigit():
                return queryset.none()
            return queryset.filter(tags__id=self.value())
        return queryset
