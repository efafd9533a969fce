"""RSS 2.0 and Atom feeds for the whole site and for each category, tag, person and organisation.

With NEWSROOM_WEBSUB_HUBS set, each feed names its hubs (WebSub), which the webhook worker pings on
publish (articles/webhooks/events.py).
"""

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from . import library
from .relations import prefetch_relations
from .models import Article, Organization, Person
from .origin import site_origin
from .publishing.visibility import category_tree

FEED_SIZE = 30


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 with each article's full body in content:encoded (the RSS content module)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)  # with atom:link rel="self", which WebSub subscribers need
        for hub in settings.NEWSROOM_WEBSUB_HUBS:
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomWithContent(Atom1Feed):
    """Atom with each article's full body as <content type="html">."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for hub in settings.NEWSROOM_WEBSUB_HUBS:  # WebSub: where subscribers ask to be told of changes
            handler.addQuickElement("link", "", {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestArticlesFeed(Feed):
    """The site's latest published articles; subclasses narrow the list."""

    feed_type = RssWithContent
    description_template = None
    origin = ""
    images = {}

    def get_feed(self, obj, request):
        """Links name the site's origin (articles/origin.py), not whatever host the request named."""
        feed = copy.copy(self)  # one instance serves every request: keep the request's values off it
        feed.origin, feed.path = site_origin(request), request.path
        return super(LatestArticlesFeed, feed).get_feed(obj, request)

    def feed_url(self, obj=None):
        return self.origin + self.path

    def title(self, obj=None):
        return settings.NEWSROOM_SITE_NAME

    def description(self, obj=None):
        return f"Latest articles from {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj=None):
        return self.origin + reverse("articles:home")

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        # The body too (for_listing() leaves it out): feeds carry it in full, with their figures' library
        # images fetched in one query for all items.
        items = list(self.articles(obj).select_related("category").order_by("-publish_at", "-pk")[:FEED_SIZE])
        prefetch_relations(items, ("tags", "corrections"))
        self.images = library.images_in(items)
        return items

    def item_extra_kwargs(self, item):
        host = self.origin.split("://", 1)[-1]
        return {"content_html": library.body_html(item, self.images, site_host=host, origin=self.origin)}

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        notes = [f"Correction ({c.published_at:%d %B %Y}): {c.text}" for c in item.corrections.all()]
        return "\n\n".join([item.standfirst, *notes])

    def item_link(self, item):
        return self.origin + item.get_absolute_url()

    # Machine times to the second: Atom writes isoformat(), which would carry microseconds.
    def item_pubdate(self, item):
        return item.publish_at.replace(microsecond=0) if item.publish_at else None

    def item_updateddate(self, item):
        return item.updated_at.replace(microsecond=0)

    def item_author_name(self, item):
        return item.byline or None

    def item_categories(self, item):
        return [item.category.name, *(tag.name for tag in item.tags.all())]

    def item_guid(self, item):
        return f"article-{item.pk}"

    item_guid_is_permalink = False


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, path):
        tree = category_tree(request)
        category = tree.by_path.get(path.strip("/"))
        if category is None or not tree.is_public(category):
            raise Http404("No such section.")
        category.subtree_ids = tree.descendant_ids(category)
        return category

    def title(self, obj=None):
        return f"{obj.full_name} | {settings.NEWSROOM_SITE_NAME}"

    def description(self, obj=None):
        return f"Latest articles in {obj.full_name}"

    def link(self, obj=None):
        return self.origin + obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.published().filter(category_id__in=obj.subtree_ids)


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not Article.objects.published().filter(tags=tag).exists():
            raise Http404("No such tag.")  # a tag of drafts only
        return tag

    def title(self, obj=None):
        return f"Tagged “{obj.name}” | {settings.NEWSROOM_SITE_NAME}"

    def description(self, obj=None):
        return f"Latest articles tagged {obj.name}"

    def link(self, obj=None):
        return self.origin + reverse("articles:tag", args=[obj.slug])

    def articles(self, obj):
        return Article.objects.published().filter(tags=obj)


class PersonFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Person, slug=slug)

    def title(self, obj=None):
        return f"{obj.name} | {settings.NEWSROOM_SITE_NAME}"

    def description(self, obj=None):
        return f"Latest articles that mention {obj.name}"

    def link(self, obj=None):
        return self.origin + obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.published().filter(people=obj)


class OrganizationFeed(PersonFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Organization, slug=slug)

    def description(self, obj=None):
        return f"Latest articles about or mentioning {obj.name}"

    def articles(self, obj):
        return Article.objects.published().filter(organizations=obj)


def atom(feed_class):
    """The Atom flavour of an RSS feed class."""
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": AtomWithContent, "subtitle": feed_class.description})


LatestArticlesAtomFeed = atom(LatestArticlesFeed)
CategoryAtomFeed = atom(CategoryFeed)
TagAtomFeed = atom(TagFeed)
PersonAtomFeed = atom(PersonFeed)
OrganizationAtomFeed = atom(OrganizationFeed)
