"""Facts about an organisation's structure over time, each optionally citing the article that reported it.

A unit's place in the tree at a date is the parent named by its latest
"created under" or "moved under" fact on or before that date; before its first
such fact it sits where ``Organization.parent`` says (or, for a move, where
the move took it from). ``Organization.parent`` is where it is now, kept in
step by the admin and the seed data. Heads are Roles marked ``head`` (their
own start and end dates), so an appointment is never recorded twice.
"""

from django.core.exceptions import ValidationError
from django.db import models

from .entities import Organization


class StructureFact(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", "created"
        MOVED = "moved", "moved under a new parent"
        MERGED = "merged", "merged into another"
        DISSOLVED = "dissolved", "dissolved"

    organization = models.ForeignKey(Organization, related_name="structure_facts", on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField()
    parent = models.ForeignKey(
        Organization, null=True, blank=True, related_name="+", on_delete=models.PROTECT,
        verbose_name="under / into",
        help_text="Created or moved: the new parent. Merged: the organisation it merged into (optional).",
    )
    previous_parent = models.ForeignKey(
        Organization, null=True, blank=True, related_name="+", on_delete=models.PROTECT,
        verbose_name="moved from", help_text="Moved: the parent it left (kept in the history).",
    )
    note = models.CharField(max_length=300, blank=True, help_text="Optional: a short explanation for readers.")
    source = models.ForeignKey(
        "articles.Article", null=True, blank=True, related_name="cited_structure_facts", on_delete=models.SET_NULL,
        help_text="The article that reported it.",
    )
    # The SHA-256 of the file that reports it, for seed facts whose article is imported after
    # they are written; the importer sets ``source`` when that file comes in.
    source_checksum = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organization", "date"], name="structure_fact_org_date")]

    def __str__(self):
        return f"{self.organization} {self.get_kind_display()} on {self.date:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.kind == self.Kind.MOVED and not self.parent_id:
            errors["parent"] = "Say which organisation it moved under."
        if self.kind in (self.Kind.DISSOLVED,) and self.parent_id:
            errors["parent"] = "A dissolved organisation has no new parent; use “merged into another” instead."
        if self.kind != self.Kind.MOVED and self.previous_parent_id:
            errors["previous_parent"] = "Only a move has a parent it left."
        if self.organization_id and self.organization_id in (self.parent_id, self.previous_parent_id):
            errors["parent"] = "An organisation cannot be under or merged into itself."
        if errors:
            raise ValidationError(errors)

    @property
    def places(self):
        """Does this fact set where the unit sits in the tree from its date on?"""
        return self.kind in (self.Kind.CREATED, self.Kind.MOVED) and self.parent_id is not None

    @property
    def ends(self):
        return self.kind in (self.Kind.MERGED, self.Kind.DISSOLVED)
