"""The categories a run files articles under, found by name path and created on first use.

A run names the same few categories thousands of times, so each path is
looked up once and remembered; creating one is an editor's right
(``articles.publishing.rules``), checked before any article is written.
"""

from ..models import Category
from ..publishing import rules
from ..slugs import reserved_first_segments, slug_base, unique_slug


class CategoryCache:
    """Categories by name path, created on first use (if ``user`` may create them) and remembered for the run.

    ``clear`` after a rolled-back transaction: a category created in it is gone.
    """

    def __init__(self, user=None):
        self.user = user
        self.by_path = {}
        self.known = {}

    def clear(self):
        self.by_path.clear()
        self.known.clear()

    def check(self, names):
        """Raise PermissionDenied if the path names a category that does not exist and ``user`` may not create it."""
        key = tuple(names)
        if key not in self.by_path and key not in self.known:
            self.known[key] = self._find(names) is not None
        if not (key in self.by_path or self.known[key]):
            rules.check_may_create_category(self.user, " / ".join(names))

    def get(self, names):
        key = tuple(names)
        if key not in self.by_path:
            self.check(names)
            self.by_path[key] = self._get_or_create(names)
        return self.by_path[key]

    @staticmethod
    def _lookup(parent, name):
        slug = slug_base(name, fallback="section")
        siblings = Category.objects.filter(parent=parent)
        return siblings.filter(name=name).first() or siblings.filter(slug=slug).first()

    @classmethod
    def _find(cls, names):
        return cls._walk(names, create=False)

    @classmethod
    def _get_or_create(cls, names):
        return cls._walk(names, create=True)

    @classmethod
    def _walk(cls, names, create):
        """The category at the end of the name path, top down; missing ones made when ``create``, else None."""
        parent = None
        for name in names:
            category = cls._lookup(parent, name)
            if category is None:
                if not create:
                    return None
                category = Category(parent=parent, name=name)
                reserved = reserved_first_segments() if parent is None else frozenset()
                category.slug = unique_slug(Category.objects.filter(parent=parent), name, reserved=reserved, fallback="section")
                category.save()
            parent = category
        return parent
