"""Addresses that moved: each answers with a 301 to where its article or category is now."""

from django.db import models
from django.db.models import Q


class OldPath(models.Model):
    """An address an article or category had before its slug or place changed; it answers with a 301."""

    path = models.CharField(max_length=1000, unique=True)
    article = models.ForeignKey("articles.Article", null=True, blank=True, related_name="old_paths", on_delete=models.CASCADE)
    category = models.ForeignKey("articles.Category", null=True, blank=True, related_name="old_paths", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, category__isnull=True) | Q(article__isnull=True, category__isnull=False),
                name="old_path_has_one_target",
            )
        ]

    def __str__(self):
        return f"/{self.path}/ → {self.target}"

    @property
    def target(self):
        return self.article or self.category

    @classmethod
    def remember(cls, path, *, article=None, category=None):
        cls.objects.update_or_create(path=path, defaults={"article": article, "category": category})
