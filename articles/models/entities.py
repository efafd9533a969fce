"""People and organisations the news is about, their other names, and who holds which role where.

Kept in a module of their own, importing nothing else of the newsroom's models,
so that moving them into an app of their own is a file move.
"""

from django.core.exceptions import ValidationError
from django.db import models
from ..routes import route_url

from .uploads import upload_path


class Alias(models.Model):
    """Another spelling of a name, used to find mentions in imported text."""

    name = models.CharField(max_length=200)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    job_title = models.CharField(max_length=300, blank=True)
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to=upload_path, blank=True)
    photo_alt = models.CharField("photo alt text", max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return route_url("articles:person", self.slug)

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for readers who cannot see it."})


class PersonAlias(Alias):
    person = models.ForeignKey(Person, related_name="aliases", on_delete=models.CASCADE)

    class Meta(Alias.Meta):
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="person_alias_unique")]


class Organization(models.Model):
    """A company or a unit of one; units form a tree (Alibaba Group > Big Taobao > ...)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="units", on_delete=models.PROTECT
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return route_url("articles:organization", self.slug)

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "An organisation cannot be inside itself."})
            ancestor = ancestor.parent

    def ancestors(self, by_pk=None):
        """Parents from the top down. With ``by_pk`` (organisations by primary key) no query is run;
        without it, one per level (organisation trees are a few levels deep)."""
        find = by_pk.get if by_pk is not None else (lambda pk: Organization.objects.filter(pk=pk).first())
        chain, node = [], find(self.parent_id) if self.parent_id else None
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = find(node.parent_id) if node.parent_id else None
        return chain


class OrganizationAlias(Alias):
    organization = models.ForeignKey(Organization, related_name="aliases", on_delete=models.CASCADE)

    class Meta(Alias.Meta):
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="organization_alias_unique")
        ]


class Role(models.Model):
    """A person's title in an organisation, e.g. Xuande heads the User Operation and Development Center."""

    person = models.ForeignKey(Person, related_name="roles", on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, related_name="roles", on_delete=models.CASCADE)
    title = models.CharField(max_length=300)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "-start_date", "title"]

    def __str__(self):
        return f"{self.person}: {self.title}, {self.organization}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The role cannot end before it starts."})
