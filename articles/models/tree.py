"""The category tree a reader's page needs, read once per request (see articles/publishing/visibility.py)."""

from .categories import Category


class CategoryTree:
    """Every category, read in one query and then looked up in memory.

    A reader's page needs the top-level sections (the header), a category by
    its path, a category's ancestors (breadcrumbs) and its descendants (its
    article list): up to five queries, or this one. A news site has tens or
    hundreds of sections, so reading them all costs less than asking twice.
    """

    def __init__(self, categories=None, live_ids=None):
        """``live_ids``: the categories that hold a live article themselves (None: treat every one as public)."""
        if categories is None:
            categories = Category.objects.order_by("ordering", "name")
        self.by_pk = {}
        self.by_path = {}
        self.all_children = {}
        for category in categories:
            self.by_pk[category.pk] = category
            self.by_path[category.path] = category
            self.all_children.setdefault(category.parent_id, []).append(category)
        # Readers see a category only if its subtree holds a live article: the
        # name of a section of drafts ("Merger talks") is not for them.
        self.public = set()
        for category in self.by_pk.values():
            if live_ids is None or category.pk in live_ids:
                self.public.update(c.pk for c in [category, *self.ancestors(category)])
        self.children = {
            parent: [c for c in children if c.pk in self.public] for parent, children in self.all_children.items()
        }

    @property
    def sections(self):
        return self.children.get(None, [])

    def ancestors(self, category):
        """A category's ancestors, top first (for breadcrumbs)."""
        chain, seen = [], {category.pk}
        parent = self.by_pk.get(category.parent_id)
        while parent is not None and parent.pk not in seen:
            chain.append(parent)
            seen.add(parent.pk)
            parent = self.by_pk.get(parent.parent_id)
        return chain[::-1]

    def is_public(self, category):
        return category.pk in self.public

    def attach(self, articles):
        """Give each article its category from the tree (as select_related would, without the join); returns them."""
        for article in articles:
            category = self.by_pk.get(article.category_id)
            if category is not None:
                type(article).category.field.set_cached_value(article, category)
        return articles

    def descendant_ids(self, category):
        """The category's id and its descendants', so article lists can use the category index."""
        below = category.path + "/"
        return [c.pk for path, c in self.by_path.items() if path == category.path or path.startswith(below)]
