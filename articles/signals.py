"""Receivers for "something readers see changed", wired in ArticlesConfig.ready().

Every save or delete of a model a reader sees (articles, their corrections,
tags and links to people and organisations, categories, people,
organisations, roles, library images, old addresses) raises the page cache's generation once
its transaction commits, and every change to what an article's search
document holds re-indexes it in the same transaction. Bulk writes that send no
signals (the importer's) do both themselves.

The HTTP caches in front are purged of what the change can reach
(``keys_of``): an article's own page, its section's article pages and the
lists for a change to one article or its links; the whole site for anything
else (a category, person, organisation, tag or old address).

Raw saves (fixtures, or django-reversion previewing a revision) are left alone:
a real save follows whenever one is kept.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from taggit.models import Tag, TaggedItem

from .cache.generation import content_changed
from .cache.purge import article_keys
from .models import (
    Article, ArticleOrganization, ArticlePerson, Category, Correction, Image, Listing, OldPath, Organization, Person, Role,
    StructureFact,
)
from .search import index_articles

READER_VISIBLE = (Article, Category, Correction, Image, Listing, OldPath, Organization, Person, Role, StructureFact, Tag,
                  TaggedItem)
LINKS = (Article.people.through, Article.organizations.through, TaggedItem)
INDEXED_LINKS = (Article.people.through, TaggedItem)  # tags and people are in the search document
# The graded links are rows of their own too: the admin's inlines save and delete them one by one.
GRADED_LINKS = (ArticlePerson, ArticleOrganization)


def keys_of(sender, instance):
    """The surrogate keys of the pages a save or delete of ``instance`` can change; None: the whole site."""
    if sender is Article:
        return article_keys(instance.pk, instance.category_id)
    if sender is Correction:
        return article_keys(instance.article_id)
    if sender is TaggedItem and instance.content_type_id == ContentType.objects.get_for_model(Article).pk:
        return article_keys(instance.object_id)
    return None


def on_change(sender, instance, raw=False, **kwargs):
    if not raw:
        content_changed(keys_of(sender, instance))


def on_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    content_changed(article_keys(instance.pk, instance.category_id) if isinstance(instance, Article) else None)
    if sender in INDEXED_LINKS:
        if isinstance(instance, Article):
            index_articles([instance])
        elif pk_set:
            index_articles([Article(pk=pk) for pk in pk_set])
        elif isinstance(instance, Person):  # person.articles.clear()
            index_articles(instance.articles.all())


def on_graded_link_saved(sender, instance, raw=False, origin=None, **kwargs):
    if raw:
        return
    content_changed()
    if sender is ArticlePerson and not deleting_articles(origin):
        index_articles([Article(pk=instance.article_id)])


def deleting_articles(origin):
    """Whether a deletion began at articles (an Article, or a queryset of them): their links go first, and
    re-indexing an article about to go would write a search entry for a row gone by the commit."""
    return isinstance(origin, Article) or (isinstance(origin, QuerySet) and origin.model is Article)


def reindex_article(sender, instance, raw=False, **kwargs):
    if not raw:
        index_articles([instance])


def note_renaming(sender, instance, raw=False, **kwargs):
    """Before a person or tag is saved: does the save change its name (which articles' documents hold)?"""
    stored = None if raw or not instance.pk else sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    instance._renamed = stored is not None and stored != instance.name


def reindex_renamed(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "_renamed", False):
        return
    articles = Article.objects.filter(people=instance) if sender is Person else Article.objects.filter(tags=instance)
    index_articles(articles.only("pk"))


def connect():
    for model in READER_VISIBLE:
        post_save.connect(on_change, sender=model, dispatch_uid=f"newsroom-changed-{model._meta.label}")
        post_delete.connect(on_change, sender=model, dispatch_uid=f"newsroom-deleted-{model._meta.label}")
    for through in LINKS:
        m2m_changed.connect(on_links_changed, sender=through, dispatch_uid=f"newsroom-links-{through._meta.label}")
    for model in GRADED_LINKS:
        post_save.connect(on_graded_link_saved, sender=model, dispatch_uid=f"newsroom-graded-{model._meta.label}")
        post_delete.connect(on_graded_link_saved, sender=model, dispatch_uid=f"newsroom-ungraded-{model._meta.label}")
    post_save.connect(reindex_article, sender=Article, dispatch_uid="newsroom-index-article")
    for model in (Person, Tag):
        pre_save.connect(note_renaming, sender=model, dispatch_uid=f"newsroom-renaming-{model._meta.label}")
        post_save.connect(reindex_renamed, sender=model, dispatch_uid=f"newsroom-renamed-{model._meta.label}")
