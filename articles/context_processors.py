from django.conf import settings

from .models import Category


def site(request):
    """The site name and the top-level sections for the header (a lazy queryset: one query, only if shown)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": Category.objects.filter(parent__isnull=True).order_by("ordering", "name"),
    }
