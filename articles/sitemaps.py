"""Sitemaps for search engines, and a Google News sitemap of the last two days."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from .models import Article, Category, Organization, Person

NEWS_WINDOW = timedelta(days=2)


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return Article.objects.published().select_related("category").only(
            "slug", "updated_at", "publish_at", "category__path"
        ).order_by("-publish_at", "-pk")

    def lastmod(self, article):
        return article.updated_at


class CategorySitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Category.objects.annotate(
            last_published=Max("articles__publish_at", filter=Q(articles__in=Article.objects.published()))
        ).order_by("path")

    def lastmod(self, category):
        return category.last_published


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
