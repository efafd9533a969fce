"""Sections: categories form a tree, and a category's URL is its slug path."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import get_script_prefix
from django.utils.encoding import iri_to_uri

from ..slugs import reserved_first_segments, unique_slug
from .paths import OldPath


def slug_path_url(path):
    """The URL of a category or article slug path: what reverse("articles:path") gives, without
    the URL resolver's cost (a list page builds dozens). Slugs hold only letters, digits, - and _,
    so percent-encoding the non-ASCII ones is all the quoting needed."""
    return iri_to_uri(f"{get_script_prefix()}{path}/")  # the same as reverse("articles:path", ...)


class Category(models.Model):
    """A section of the site; categories form a tree and their URL is their slug path."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    description = models.TextField(blank=True)
    ordering = models.IntegerField(default=0, help_text="Lower numbers come first among siblings.")
    # Both kept in step by save(): the slug path is the URL and the lookup key,
    # the name path lets any list show "Business > Logistics" without a query per row.
    path = models.CharField(max_length=1000, unique=True, editable=False)
    full_name = models.CharField(max_length=1000, editable=False)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="category_unique_slug_among_siblings"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="category_unique_top_level_slug"
            ),
        ]

    def __str__(self):
        return self.full_name or self.name

    def get_absolute_url(self):
        return slug_path_url(self.path)

    def clean(self):
        if self.parent_id is None and self.slug in reserved_first_segments():
            raise ValidationError({"slug": f"“{self.slug}” is reserved for a page of the site."})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A category cannot be inside itself."})
            ancestor = ancestor.parent

    def _computed_paths(self):
        if self.parent is None:
            return self.slug, self.name
        return f"{self.parent.path}/{self.slug}", f"{self.parent.full_name} > {self.name}"

    def save(self, *args, **kwargs):
        if not self.slug:
            siblings = Category.objects.filter(parent=self.parent).exclude(pk=self.pk)
            reserved = reserved_first_segments() if self.parent_id is None else frozenset()
            self.slug = unique_slug(siblings, self.name, reserved=reserved, fallback="section")
        old_path = self.path
        self.path, self.full_name = self._computed_paths()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                OldPath.remember(old_path, category=self)
                self._refresh_descendants()

    def _refresh_descendants(self):
        for child in self.children.all():
            child.parent = self
            child.save()
