"""Articles, their corrections and their search documents; ``Article.objects.published()`` is what readers may see."""

import uuid

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from taggit.managers import TaggableManager

from .. import richtext
from ..slugs import unique_slug
from .categories import Category, slug_path_url
from .entities import Organization, Person
from .paths import OldPath
from .media import Image, ImageUse


TEASER_FIELDS = ("title", "slug", "standfirst", "byline", "language", "publish_at", "category")


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
            .defer("body", "quality_flags", "source_checksum")
            .order_by("-publish_at", "-pk")
        )

    def for_teasers(self):
        """Only what a reader's teaser shows (includes/article_teaser.html), newest first: the public lists.

        An article row also holds its pending rework (JSON), preview key and
        source facts, which cost more to convert than the teaser takes to
        render. The section comes from the page's category tree, which holds
        them all already (``CategoryTree.attach``), not from a join per row.
        """
        return self.only(*TEASER_FIELDS).order_by("-publish_at", "-pk")


class Grade(models.TextChoices):
    """How central a person or organisation is to a story, most central first."""

    ABOUT = "about", "about"
    MAJOR = "major", "major mention"
    MENTION = "mention", "mention"


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
    body = models.TextField(
        help_text="Paragraphs, subheadings, bold, italic, links, quotes, lists and tables; anything else is removed."
    )
    category = models.ForeignKey(Category, related_name="articles", on_delete=models.PROTECT)
    tags = TaggableManager(blank=True)
    people = models.ManyToManyField(Person, related_name="articles", blank=True, through="ArticlePerson")
    organizations = models.ManyToManyField(
        Organization, related_name="articles", blank=True, verbose_name="organisations", through="ArticleOrganization"
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

    lead_image = models.ForeignKey(
        Image, null=True, blank=True, related_name="+", on_delete=models.PROTECT,
        help_text="Chosen from the media library, which holds its alt text, caption and credit.",
    )
    # One more than the stored version at every save (see save()); a save based on an older version is refused.
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
            # Search checks published() for each full-text hit by id: this
            # answers it from the index, without reading the article's row.
            models.Index(fields=["id", "status", "publish_at", "unpublish_at"], name="article_visible_by_id"),
            # The admin's list at 100,000 articles: its order (newest first) and
            # date drill-down, the language filter, and the few flagged articles.
            models.Index(fields=["publish_at", "id"], name="article_publish_at"),
            models.Index(fields=["language", "publish_at"], name="article_language"),
            models.Index(fields=["publish_at"], condition=~Q(quality_flags=[]), name="article_flagged"),
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

    PENDING_FIELDS = ("title", "standfirst", "body", "byline", "lead_image_id")

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
        """The body's blocks of text without markup: what an imported file's paragraphs became."""
        return [block for block in richtext.plain_text(self.body).split("\n\n") if block]

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
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            errors["unpublish_at"] = "The unpublish time must come after the publish time."
        if self.category_id and self.slug and Category.objects.filter(parent_id=self.category_id, slug=self.slug).exists():
            errors["slug"] = "A subcategory of this category already uses this slug; choose another."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Save, raising the version from the stored one: the one place a version goes up.

        An editor's form based on an older version is then refused (no lost
        edits, see publishing/workflow.py). Moving a live article remembers its
        old address, and a change of status revokes the preview links.
        """
        # Every write path comes through here (the admin, imports file by file, restores, pending
        # changes): the body is stored as the allow-list leaves it, and so is a pending rework's.
        self.body = richtext.clean(self.body)
        if self.pending_changes and "body" in self.pending_changes:
            self.pending_changes = {**self.pending_changes, "body": richtext.clean(self.pending_changes["body"])}
        if not self.slug:
            self.slug = unique_slug(Article.objects.exclude(pk=self.pk), self.title)
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        with transaction.atomic():
            before = None
            if self.pk:
                before = Article.objects.filter(pk=self.pk).values("slug", "category__path", "status", "version").first()
            if before:
                self.version = before["version"] + 1
                moved = before["slug"] != self.slug or before["category__path"] != self.category.path
                if moved and before["status"] == self.Status.PUBLISHED:
                    # Only an address readers could have seen needs to keep working.
                    OldPath.remember(f"{before['category__path']}/{before['slug']}", article=self)
                if before["status"] != self.status:
                    self.revoke_previews()  # a link made for the draft must not outlive it, nor show a takedown
            super().save(*args, **kwargs)
            self.record_image_uses()

    def body_image_ids(self):
        """Library images the body (and any pending rework's body) shows as figures."""
        ids = richtext.figure_ids(self.body)
        if self.pending_changes and self.pending_changes.get("body"):
            ids |= richtext.figure_ids(self.pending_changes["body"])
        return ids

    def record_image_uses(self):
        """Keep the library's record of where its images are used in step with this article (same transaction).

        An image a body names that is not in the library is not recorded; the body's figure renders as nothing.
        """
        wanted = {(pk, ImageUse.Kind.BODY) for pk in Image.objects.filter(pk__in=self.body_image_ids()).values_list("pk", flat=True)}
        pending_lead = (self.pending_changes or {}).get("lead_image_id")
        for lead in {self.lead_image_id, pending_lead} - {None}:
            wanted.add((lead, ImageUse.Kind.LEAD))
        stored = set(ImageUse.objects.filter(article=self).values_list("image_id", "kind"))
        if stored - wanted:
            gone = Q()
            for pk, kind in stored - wanted:
                gone |= Q(image_id=pk, kind=kind)
            ImageUse.objects.filter(gone, article=self).delete()
        ImageUse.objects.bulk_create([ImageUse(article=self, image_id=pk, kind=kind) for pk, kind in wanted - stored])


class Correction(models.Model):
    """A dated note of what a published article got wrong and what was changed."""

    article = models.ForeignKey(Article, related_name="corrections", on_delete=models.CASCADE)
    text = models.TextField(help_text="What was wrong, and what it says now.")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self):
        return f"Correction to “{self.article}” ({self.published_at:%Y-%m-%d})"


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


class ArticlePerson(models.Model):
    """An article's link to a person, with how central the person is to it (the table the plain link had)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="article_links")
    grade = models.CharField(max_length=10, choices=Grade.choices, default=Grade.MENTION, db_default=Grade.MENTION)

    class Meta:
        db_table = "articles_article_people"
        unique_together = [("article", "person")]
        verbose_name = "person in this story"
        verbose_name_plural = "people in this story"

    def __str__(self):
        return f"{self.person} ({self.get_grade_display()})"


class ArticleOrganization(models.Model):
    """An article's link to an organisation, with how central the organisation is to it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="organization_links")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="article_links")
    grade = models.CharField(max_length=10, choices=Grade.choices, default=Grade.MENTION, db_default=Grade.MENTION)

    class Meta:
        db_table = "articles_article_organizations"
        unique_together = [("article", "organization")]
        verbose_name = "organisation in this story"
        verbose_name_plural = "organisations in this story"

    def __str__(self):
        return f"{self.organization} ({self.get_grade_display()})"
