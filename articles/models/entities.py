"""People and organisations the news is about, their other names, and who holds which role where.

Kept in a module of their own, importing nothing else of the newsroom's models,
so that moving them into an app of their own is a file move.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from ..routes import route_url



LEI = re.compile(r"[0-9A-Z]{18}[0-9]{2}")


# A Django validator rather than a function of ours, so migrations stay free of live code.
validate_wikidata_id = RegexValidator(
    r"^Q[1-9][0-9]*\Z", "A Wikidata id is Q followed by digits, e.g. Q1359568.", code="wikidata_id"
)


def lei_checks(value):
    """ISO 17442: 18 letters or digits and two check digits that make the whole, read as
    a number with A=10 ... Z=35, leave 1 when divided by 97 (ISO 7064 MOD 97-10)."""
    if not LEI.fullmatch(value or ""):
        return False
    return int("".join(str(int(c, 36)) for c in value)) % 97 == 1


def validate_lei(value):
    if not LEI.fullmatch(value or ""):
        raise ValidationError(
            "A LEI is 20 characters: 18 capital letters or digits, then two check digits.", code="lei_format"
        )
    if not lei_checks(value):
        raise ValidationError("This LEI's check digits are wrong (ISO 17442, mod 97): check for a typing error.",
                              code="lei_check")


def wikidata_url(wikidata_id):
    return f"https://www.wikidata.org/wiki/{wikidata_id}" if wikidata_id else ""


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
    photo = models.ForeignKey(
        "articles.Image", null=True, blank=True, related_name="+", on_delete=models.PROTECT,
        help_text="Chosen from the media library.",
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, db_index=True, validators=[validate_wikidata_id],
        help_text="The Wikidata item, e.g. Q1359568.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return route_url("articles:person", self.slug)

    def clean_fields(self, exclude=None):
        self.wikidata_id = self.wikidata_id.strip().upper()
        super().clean_fields(exclude)


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
    founded = models.DateField(null=True, blank=True, help_text="Optional: when it was founded or set up.")
    dissolved = models.DateField(
        null=True, blank=True, help_text="Optional: when it was dissolved or merged into another (its last day is the day before)."
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, db_index=True, validators=[validate_wikidata_id],
        help_text="The Wikidata item, e.g. Q1359568.",
    )
    lei = models.CharField(
        "LEI", max_length=20, blank=True, db_index=True,
        help_text="Legal Entity Identifier (ISO 17442), 20 characters.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def identifier_q(term):
        """The organisations a ticker (9988, BABA), a LEI or a Wikidata id names, ignoring case: the one test
        search and the API share."""
        return Q(listings__ticker__iexact=term) | Q(lei__iexact=term) | Q(wikidata_id__iexact=term)

    def get_absolute_url(self):
        return route_url("articles:organization", self.slug)

    def exists_on(self, day):
        return (self.founded is None or self.founded <= day) and (self.dissolved is None or day < self.dissolved)

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "An organisation cannot be inside itself."})
            ancestor = ancestor.parent
        if self.founded and self.dissolved and self.dissolved < self.founded:
            raise ValidationError({"dissolved": "An organisation cannot end before it was founded."})

    def clean_fields(self, exclude=None):
        self.wikidata_id = self.wikidata_id.strip().upper()
        self.lei = self.lei.strip().upper().replace(" ", "")
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if self.lei and "lei" not in (exclude or ()):
            try:
                validate_lei(self.lei)
            except ValidationError as exc:
                errors.setdefault("lei", []).extend(exc.error_list)
        if errors:
            raise ValidationError(errors)

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


class Listing(models.Model):
    """Where an organisation's shares trade: a ticker on an exchange (9988 on HKEX, BABA on NYSE)."""

    organization = models.ForeignKey(Organization, related_name="listings", on_delete=models.CASCADE)
    ticker = models.CharField(max_length=20, db_index=True)
    exchange = models.CharField(max_length=20, help_text="The exchange's short name or MIC, e.g. HKEX, NYSE.")

    class Meta:
        ordering = ["exchange", "ticker"]
        constraints = [models.UniqueConstraint(fields=["exchange", "ticker"], name="listing_unique_ticker")]

    def __str__(self):
        return f"{self.exchange}: {self.ticker}"

    def clean_fields(self, exclude=None):
        self.ticker = " ".join(self.ticker.split()).upper()
        self.exchange = " ".join(self.exchange.split()).upper()
        if self.ticker and not re.fullmatch(r"[0-9A-Z.\-]+", self.ticker):
            raise ValidationError({"ticker": "A ticker is letters, digits, dots or hyphens, e.g. BABA or 9988."})
        super().clean_fields(exclude)


class Role(models.Model):
    """A person's title in an organisation, e.g. Xuande heads the User Operation and Development Center.

    A role marked ``head`` is who leads the unit: the organisation chart shows
    the heads whose dates cover the day asked for, and the timeline shows their
    start and end as "appointed" and "left". So a head's appointment is a Role,
    recorded once, with the article that reported it.
    """

    person = models.ForeignKey(Person, related_name="roles", on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, related_name="roles", on_delete=models.CASCADE)
    title = models.CharField(max_length=300)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Optional: the role's first day without it.")
    head = models.BooleanField(default=False, help_text="Leads the organisation (shown on its chart).")
    source = models.ForeignKey(
        "articles.Article", null=True, blank=True, related_name="cited_roles", on_delete=models.SET_NULL,
        help_text="The article that reported it.",
    )
    # As on StructureFact: the reporting file's SHA-256 until the importer links its article.
    source_checksum = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["organization__name", "-start_date", "title"]

    def __str__(self):
        return f"{self.person}: {self.title}, {self.organization}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The role cannot end before it starts."})

    def holds_on(self, day):
        return (self.start_date is None or self.start_date <= day) and (self.end_date is None or day < self.end_date)
