"""Sitemaps for search engines, and a Google News sitemap of the last two days.

Every ``lastmod`` is a whole second: Django's sitemap index writes it with the
date filter's "c" (ISO 8601 with the microseconds Python keeps), and the W3C
datetime format sitemaps use has no room for a six-digit fraction.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from .models import Article, Organization, Person
from .origin import absolute_url, configured_origin
from .publishing.visibility import category_tree

NEWS_WINDOW = timedelta(days=2)


def to_the_second(moment):
    return moment.replace(microsecond=0) if moment is not None else None


class Sitemap(DjangoSitemap):
    """A sitemap whose URLs name the configured origin when there is one (articles/origin.py)."""

    def get_protocol(self, protocol=None):
        configured = configured_origin()
        return configured[0] if configured else super().get_protocol(protocol)

    def get_domain(self, site=None):
        configured = configured_origin()
        return configured[1] if configured else super().get_domain(site)


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return Article.objects.published().select_related("category").only(
            "slug", "updated_at", "publish_at", "category__path"
        ).order_by("-publish_at", "-pk")

    def lastmod(self, article):
        return to_the_second(article.updated_at)


class CategorySitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        tree = category_tree()
        last = dict(
            Article.objects.published().order_by().values("category_id").annotate(last=Max("publish_at"))
            .values_list("category_id", "last")
        )
        public = sorted((c for c in tree.by_pk.values() if tree.is_public(c)), key=lambda c: c.path)
        for category in public:
            times = [last[pk] for pk in tree.descendant_ids(category) if pk in last]
            category.last_published = max(times) if times else None
        return public

    def lastmod(self, category):
        return to_the_second(category.last_published)


class PersonSitemap(Sitemap):
    def items(self):
        return Person.objects.order_by("name")


class OrganizationSitemap(Sitemap):
    def items(self):
        return Organization.objects.order_by("name")


SITEMAPS = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "people": PersonSitemap,
    "organisations": OrganizationSitemap,
}


def news_articles():
    """Published articles from the last two days, as Google News wants them (at most 1,000)."""
    since = timezone.now() - NEWS_WINDOW
    return Article.objects.published().filter(publish_at__gte=since).for_listing().prefetch_related("tags")[:1000]


def index(request):
    """The sitemap index, as django.contrib.sitemaps writes it, with its URLs on the site's origin."""
    entries, lastmods = [], []
    for section, site in SITEMAPS.items():
        site = site() if callable(site) else site
        url = absolute_url(request, reverse("articles:sitemap_section", kwargs={"section": section}))
        lastmod = site.get_latest_lastmod()
        lastmods.append(lastmod)
        entries.append({"location": url, "last_mod": lastmod})
        entries += [{"location": f"{url}?p={page}", "last_mod": lastmod} for page in range(2, site.paginator.num_pages + 1)]
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
    if lastmods and all(lastmods):
        response.headers["Last-Modified"] = http_date(max(lastmods).timestamp())
    return response
