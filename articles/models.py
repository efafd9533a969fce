"""The newsroom's content: categories, articles and the people and organisations they mention."""

import uuid
from pathlib import PurePosixPath

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import get_script_prefix, reverse
from django.utils.encoding import iri_to_uri
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

from .cache import content_changed

# First path segments that belong to the site itself, so no top-level category
# may take them (its URL would shadow the page).
RESERVED_SLUGS = frozenset(
    {
        "admin", "tag", "tags", "people", "organisations", "search", "feed", "feeds",
        "sitemap.xml", "sitemap-news.xml", "robots.txt", "static", "media", "healthz",
        "preview", "corrections", "api",
    }
)


def slug_base(text, max_length=200):
    return slugify(text, allow_unicode=True)[:max_length].strip("-") or "item"


def slug_candidates(base, max_length=200, tries=11):
    """``base`` first, then base-2, base-3, ... each cut to fit ``max_length``."""
    yield base
    for n in range(2, tries + 1):
        yield f"{base[: max_length - len(str(n)) - 1]}-{n}"


def unique_slug(model, text, *, exclude_pk=None, max_length=200, **scope):
    """A slug for ``text`` not yet used by ``model`` within ``scope``.

    Clashes get -2, -3, ... appended; an existing row is never taken over.
    """
    base = slug_base(text, max_length)
    existing = model.objects.filter(**scope).exclude(pk=exclude_pk)
    # Exact lookups use the slug index; a LIKE 'base%' scan is the fallback
    # for a title used more than a few times.
    candidates = list(slug_candidates(base, max_length))
    taken = set(existing.filter(slug__in=candidates).values_list("slug", flat=True))
    for slug in candidates:
        if slug not in taken and slug not in RESERVED_SLUGS:
            return slug
    taken = set(existing.filter(slug__startswith=base).values_list("slug", flat=True))
    return next(
        slug for slug in slug_candidates(base, max_length, tries=len(taken) + 2) if slug not in taken | RESERVED_SLUGS
    )


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

    @property
    def depth(self):
        return self.path.count("/")

    def clean(self):
        if self.parent_id is None and self.slug in RESERVED_SLUGS:
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
            self.slug = slugify(self.name, allow_unicode=True) or "section"
        old_path = self.path
        self.path, self.full_name = self._computed_paths()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                OldPath.remember(old_path, category=self)
                self._refresh_descendants()
        content_changed()

    def _refresh_descendants(self):
        for child in self.children.all():
            child.parent = self
            child.save()

    def with_descendants_q(self, prefix="category__"):
        return Q(**{f"{prefix}path": self.path}) | Q(**{f"{prefix}path__startswith": self.path + "/"})



class CategoryTree:
    """Every category, read in one query and then looked up in memory.

    A reader's page needs the top-level sections (the header), a category by
    its path, a category's ancestors (breadcrumbs) and its descendants (its
    article list): up to five queries, or this one. A news site has tens or
    hundreds of sections, so reading them all costs less than asking twice.
    """

    def __init__(self, categories=None):
        if categories is None:
            live = Article.objects.published().filter(category=OuterRef("pk"))
            categories = Category.objects.annotate(has_live=Exists(live)).order_by("ordering", "name")
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
            if getattr(category, "has_live", True):
                self.public.update(c.pk for c in [category, *self.ancestors(category)])
        self.children = {
            parent: [c for c in children if c.pk in self.public] for parent, children in self.all_children.items()
        }

    @classmethod
    def for_request(cls, request):
        """The request's tree, read on first use and shared by the view and the header."""
        tree = getattr(request, "category_tree", None)
        if tree is None:
            tree = request.category_tree = cls()
        return tree

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

    def descendant_ids(self, category):
        """The category's id and its descendants', so article lists can use the category index."""
        below = category.path + "/"
        return [c.pk for path, c in self.by_path.items() if path == category.path or path.startswith(below)]


class Alias(models.Model):
    """Another spelling of a name, used to find mentions in imported text."""

    name = models.CharField(max_length=200)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


def upload_path(instance, filename):
    """A name that cannot collide or climb out of MEDIA_ROOT: a UUID plus a known extension."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in {".jpg", ".jpeg", ".png", ".webp", ".gif"}:
        suffix = ".bin"
    folder = instance._meta.model_name
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


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
        return reverse("articles:person", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed()

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
        return reverse("articles:organization", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed()

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


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What a reader may see: published, live already, and not yet taken down.

        Every public surface goes through this one method, so a draft or a
        scheduled article cannot leak through a page that forgot a filter.
        A scheduled article needs no job to go live: once its time has come it
        simply matches.
        """
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now).filter(
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now)
        )

    def for_listing(self):
        """What a list of teasers needs, fetched in one query: no body, which can be long."""
        return (
            self.select_related("category")
            .defer("body", "quality_flags", "source_checksum", "lead_image_renditions")
            .order_by("-publish_at", "-pk")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh", "Chinese"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    standfirst = models.TextField(help_text="The one-sentence summary shown under the headline.")
    body = models.TextField(help_text="Plain text. Separate paragraphs with a blank line.")
    category = models.ForeignKey(Category, related_name="articles", on_delete=models.PROTECT)
    tags = TaggableManager(blank=True)
    people = models.ManyToManyField(Person, related_name="articles", blank=True)
    organizations = models.ManyToManyField(
        Organization, related_name="articles", blank=True, verbose_name="organisations"
    )
    byline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="A time in the future schedules the article; it goes live by itself then.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish time", null=True, blank=True, help_text="Optional: the article leaves the site at this time."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    lead_image = models.ImageField(upload_to=upload_path, blank=True)
    lead_image_alt = models.CharField("alt text", max_length=300, blank=True)
    lead_image_caption = models.CharField("caption", max_length=500, blank=True)
    lead_image_credit = models.CharField("credit", max_length=300, blank=True)
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # Raised by every save; a save based on an older version is refused (no lost edits).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Rework of a live article, kept aside until an editor publishes it; readers see the live text.
    pending_changes = models.JSONField(null=True, blank=True, editable=False)
    pending_publish_at = models.DateTimeField(
        "publish pending changes at", null=True, blank=True, db_index=True,
        help_text="Optional: the pending changes go live by themselves at this time.",
    )
    # Part of every preview link; a new one (on publish, unpublish, or on demand) revokes the old links.
    preview_key = models.UUIDField(default=uuid.uuid4, editable=False)

    source_name = models.CharField(
        max_length=500, blank=True, db_index=True, help_text="The file this article was imported from."
    )
    source_checksum = models.CharField(
        max_length=64, null=True, blank=True, editable=False, help_text="SHA-256 of the imported file."
    )
    quality_flags = models.JSONField(
        default=list, blank=True, help_text="Problems found on import, such as machine-translation artefacts."
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        # Both cover published()'s test (status, publish_at, unpublish_at), so
        # counting and paging never read the article rows, whose bodies are long.
        indexes = [
            models.Index(fields=["status", "publish_at", "unpublish_at", "category"], name="article_published"),
            models.Index(fields=["category", "publish_at", "status", "unpublish_at"], name="article_category_published"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_checksum"],
                condition=Q(source_checksum__isnull=False),
                name="article_unique_source_checksum",
            ),
            models.UniqueConstraint(
                fields=["source_name"], condition=~Q(source_name=""), name="article_unique_source_name"
            ),
        ]
        permissions = [("publish_article", "Can publish, unpublish and schedule articles")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_path_url(f"{self.category.path}/{self.slug}")

    PENDING_FIELDS = ("title", "standfirst", "body", "byline", "lead_image_alt", "lead_image_caption", "lead_image_credit")

    def with_pending_changes(self):
        """This article as it will read once its pending changes are published (not saved)."""
        if self.pending_changes:
            for name in self.PENDING_FIELDS:
                if name in self.pending_changes:
                    setattr(self, name, self.pending_changes[name])
        return self

    def publish_pending_changes(self):
        """Make the pending rework live (the caller saves); links that previewed it stop working."""
        self.with_pending_changes()
        self.pending_changes = None
        self.pending_publish_at = None
        self.revoke_previews()

    def revoke_previews(self):
        """Invalidate every preview link made so far (the caller saves)."""
        self.preview_key = uuid.uuid4()

    @property
    def paragraphs(self):
        """The body split at blank lines; the template escapes each one."""
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at > timezone.now()

    @property
    def is_live(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    @property
    def state_label(self):
        if self.status == self.Status.DRAFT:
            return "Draft"
        if self.is_scheduled:
            return "Scheduled"
        if self.unpublish_at and self.unpublish_at <= timezone.now():
            return "Expired"
        return "Published"

    def clean(self):
        errors = {}
        if self.lead_image and not self.lead_image_alt.strip():
            errors["lead_image_alt"] = "Describe the image for readers who cannot see it."
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            errors["unpublish_at"] = "The unpublish time must come after the publish time."
        if self.category_id and self.slug and Category.objects.filter(parent_id=self.category_id, slug=self.slug).exists():
            errors["slug"] = "A subcategory of this category already uses this slug; choose another."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        with transaction.atomic():
            if self.pk:
                before = Article.objects.filter(pk=self.pk).values_list("slug", "category__path", "status").first()
                if before and (before[0] != self.slug or before[1] != self.category.path) and before[2] == self.Status.PUBLISHED:
                    # Only an address readers could have seen needs to keep working.
                    OldPath.remember(f"{before[1]}/{before[0]}", article=self)
                if before and before[2] != self.status:
                    self.revoke_previews()  # a link made for the draft must not outlive it, nor show a takedown
            super().save(*args, **kwargs)
        content_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        content_changed()
        return result


class Correction(models.Model):
    """A dated note of what a published article got wrong and what was changed."""

    article = models.ForeignKey(Article, related_name="corrections", on_delete=models.CASCADE)
    text = models.TextField(help_text="What was wrong, and what it says now.")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self):
        return f"Correction to “{self.article}” ({self.published_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed()


class OldPath(models.Model):
    """An address an article or category had before its slug or place changed; it answers with a 301."""

    path = models.CharField(max_length=1000, unique=True)
    article = models.ForeignKey(Article, null=True, blank=True, related_name="old_paths", on_delete=models.CASCADE)
    category = models.ForeignKey(Category, null=True, blank=True, related_name="old_paths", on_delete=models.CASCADE)
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


class SiteState(models.Model):
    """One row: the content generation that keys the page cache (see articles/cache.py)."""

    generation = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"generation {self.generation}"


class SearchEntry(models.Model):
    """An article's weighted search document, used on PostgreSQL (GIN-indexed there).

    SQLite keeps its index in an FTS5 virtual table instead and leaves this
    table empty; see articles/search/.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, db_column="article_id", related_name="+"
    )
    document = SearchVectorField()

    class Meta:
        db_table = "articles_search_pg"
