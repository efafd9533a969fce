"""The media library: images with their alt text, caption, credit, focal point and renditions, and where they are used.

An image is uploaded once and chosen wherever it appears (an article's lead
image, a figure in a body, a person's photo). Where it is used is kept in
``ImageUse`` rows, written by ``Article.save``, so the library can say "used in
3 articles" with one query and refuse to delete an image that is in use.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .uploads import upload_path

FRACTION = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class ImageQuerySet(models.QuerySet):
    def with_usage(self):
        """Each image with ``article_count``: the articles that show it (lead or in the body), counted once each."""
        return self.annotate(article_count=models.Count("uses__article", distinct=True))


class Image(models.Model):
    file = models.ImageField(upload_to=upload_path, width_field="width", height_field="height")
    alt = models.CharField(
        "alt text", max_length=300, help_text="What the picture shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=500, blank=True, help_text="Shown under the image unless a story gives its own.")
    credit = models.CharField(max_length=300, blank=True, help_text="Photographer or agency, e.g. “Reuters/Ann Wang”.")
    focal_x = models.FloatField(
        "focal point, across", default=0.5, validators=FRACTION,
        help_text="0 is the left edge, 1 the right: crops keep this point in the picture.",
    )
    focal_y = models.FloatField(
        "focal point, down", default=0.5, validators=FRACTION, help_text="0 is the top edge, 1 the bottom."
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.alt[:80]} ({self.width}×{self.height})" if self.width else self.alt[:80]

    def clean(self):
        if not self.alt.strip():
            raise ValidationError({"alt": "Describe the image for readers who cannot see it."})

    @property
    def focal(self):
        return (self.focal_x, self.focal_y)


class ImageUse(models.Model):
    """An article shows an image, as its lead image or as a figure in its body (or pending rework)."""

    class Kind(models.TextChoices):
        LEAD = "lead", "Lead image"
        BODY = "body", "In the body"

    image = models.ForeignKey(Image, related_name="uses", on_delete=models.PROTECT)
    article = models.ForeignKey("articles.Article", related_name="image_uses", on_delete=models.CASCADE)
    kind = models.CharField(max_length=4, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "article", "kind"], name="image_use_unique")]

    def __str__(self):
        return f"{self.image} in {self.article} ({self.get_kind_display()})"
