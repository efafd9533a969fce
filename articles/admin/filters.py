"""List filters of the article list."""

from django.contrib import admin
from django.utils import timezone

from ..importing.quality import FLAG_LABELS
from ..models import Article


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
            # name matches one element exactly.
            return queryset.filter(quality_flags__icontains=f'"{self.value()}"')
        return queryset
