from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .publishing.visibility import category_tree


def site(request):
    """The site name and the top-level sections for the header (read only if a page shows them)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": SimpleLazyObject(lambda: category_tree(request).sections),
    }
