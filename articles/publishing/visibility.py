"""What readers may see beyond one article: the sections that hold a live article.

Which categories hold a live article changes only when content changes (the
page cache's generation moves on) or when a scheduled change falls due, so
the answer is kept in the cache under the generation until then, as pages
are: an uncached page then reads its category tree with one plain query
instead of an EXISTS per category, whose building alone cost about 1 ms.
"""

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..cache.generation import current_state, seconds_until_next_change
from ..models import Article, Category, CategoryTree

KEEP_AT_MOST = 600


def live_category_ids(request=None):
    """The ids of the categories that hold a live article themselves (their ancestors are public too)."""
    generation, _ = current_state(request)
    key = f"live-categories:{generation}"
    ids = cache.get(key)
    if ids is None:
        live = Article.objects.published().filter(category=OuterRef("pk"))
        ids = frozenset(Category.objects.filter(Exists(live)).values_list("pk", flat=True))
        until = seconds_until_next_change(timezone.now(), request)
        cache.set(key, ids, min(KEEP_AT_MOST, until) if until else KEEP_AT_MOST)
    return ids


def category_tree(request=None):
    """The category tree as readers may see it; with ``request``, read once and shared by the view and the header.

    The tree itself is kept in the cache under the generation too: it changes
    only when a category or an article does, or a scheduled change falls due,
    so an uncached page unpickles it instead of reading and building it.
    """
    tree = getattr(request, "category_tree", None)
    if tree is None:
        generation, _ = current_state(request)
        key = f"category-tree:{generation}"
        tree = cache.get(key)
        if tree is None:
            tree = CategoryTree(live_ids=live_category_ids(request))
            until = seconds_until_next_change(timezone.now(), request)
            cache.set(key, tree, min(KEEP_AT_MOST, until) if until else KEEP_AT_MOST)
        if request is not None:
            request.category_tree = tree
    return tree
