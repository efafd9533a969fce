"""The reader pages' hottest queries, each built with the ORM and compiled once per process (articles/compiled.py).

Every one is written with ``Article.objects.published()``, the one rule of
what readers may see; the views run them with the request's values (now, a
slug, a section's categories...). A list's first page is read by its query
and counted by its ``counted_by`` form where SQLite would otherwise count it
by walking every published article (tests/test_compiled.py holds each pair
to the same counts and rows as the plain querysets).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from taggit.models import Tag, TaggedItem

from .compiled import CompiledQuery
from .models import Article, Grade, Listing, Organization, Person, Role

_NOW = Article._meta.get_field("publish_at")
UNION_COUNT_UP_TO = 50  # categories; SQLite allows 500 parts in one compound statement


def _count_by_category(now, categories):
    """A section's articles as one part per category: each counted from the category's own index entries.

    Given the whole subtree at once (``category_id IN``), SQLite walks every published article instead
    (0.78 against 0.47 ms for a section of three categories at 10,000 articles).
    """
    if not 1 < len(categories) <= UNION_COUNT_UP_TO:
        return Article.objects.published(now).filter(category_id__in=categories)
    parts = [Article.objects.published(now).filter(category_id=c).order_by().values_list("pk") for c in categories]
    return parts[0].union(*parts[1:], all=True)


SECTION_LIST = CompiledQuery(
    lambda now, categories: Article.objects.published(now).filter(category_id__in=categories).for_teasers(),
    counted_by=_count_by_category, now=_NOW, categories=Article._meta.get_field("category"),
)
TAG_LIST = CompiledQuery(
    # The page's rows walk the publish-time index and stop at a page; they are counted from the tag's
    # own rows, which SQLite would otherwise count by probing every published article (2.9 -> 0.4 ms at
    # 10,000). The content type is a value, not a constant compiled in: a test database may renumber it.
    lambda now, tag, kind: Article.objects.published(now).filter(
        Exists(TaggedItem.objects.filter(object_id=OuterRef("pk"), content_type_id=kind, tag_id=tag))).for_teasers(),
    counted_by=lambda now, tag, kind: Article.objects.published(now).filter(
        pk__in=TaggedItem.objects.filter(tag_id=tag, content_type_id=kind).values("object_id")),
    now=_NOW, tag=Tag._meta.get_field("id"), kind=ContentType._meta.get_field("id"),
)


def with_page_relations(queryset):
    """An article page's row with its section and lead image; ``relations.prefetch_relations`` reads the rest."""
    return queryset.select_related("category", "lead_image")


_ARTICLE_FIELDS = {"now": Article._meta.get_field("publish_at"), "slug": Article._meta.get_field("slug")}
# A reader's article by its slug, and its section's latest other stories.
LIVE_ARTICLE = CompiledQuery(
    lambda now, slug: with_page_relations(Article.objects.published(now)).filter(slug=slug), **_ARTICLE_FIELDS
)
RELATED = CompiledQuery(
    lambda now, category, pk: Article.objects.published(now).filter(category_id=category).exclude(pk=pk).for_teasers(),
    now=Article._meta.get_field("publish_at"), category=Article._meta.get_field("category"),
    pk=Article._meta.get_field("id"),
)


TAG = CompiledQuery(lambda slug: Tag.objects.filter(slug=slug), slug=Tag._meta.get_field("slug"))
PERSON = CompiledQuery(lambda slug: Person.objects.select_related("photo").filter(slug=slug),
                       slug=Person._meta.get_field("slug"))
ROLES = CompiledQuery(lambda person: Role.objects.filter(person_id=person).select_related("organization"),
                      person=Person._meta.get_field("id"))


LISTINGS = CompiledQuery(lambda organization: Listing.objects.filter(organization_id=organization),
                         organization=Organization._meta.get_field("id"))


def _graded(links, grades):
    """An entity's stories of these grades, newest first; counted from the entity's own link rows, which
    SQLite would otherwise count by probing every published article (2 ms at 10,000)."""
    field = links.removesuffix("_links")
    link_model = Article._meta.get_field(links).related_model
    return CompiledQuery(
        lambda now, entity: Article.objects.published(now).filter(
            **{f"{links}__{field}_id": entity, f"{links}__grade__in": grades}
        ).for_teasers(),
        counted_by=lambda now, entity: Article.objects.published(now).filter(
            pk__in=link_model.objects.filter(**{f"{field}_id": entity, "grade__in": grades}).values("article_id")
        ),
        now=_NOW, entity=Article._meta.get_field("id"),
    )


GRADED_LISTS = {
    links: (_graded(links, [Grade.ABOUT]), _graded(links, [Grade.MAJOR, Grade.MENTION]))
    for links in ("person_links", "organization_links")
}
