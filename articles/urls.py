from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from . import feeds, sitemaps, views
from .sitemaps import SITEMAPS

app_name = "articles"


class UnicodeSlugConverter:
    """Letters (any script), digits, - and _: what slugify(allow_unicode=True) makes, and nothing else.

    Anything else (a NUL byte, a dot, a slash) never reaches a query: PostgreSQL would refuse a NUL.
    """

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class SlugPathConverter(UnicodeSlugConverter):
    regex = r"[-\w]+(?:/[-\w]+)*"


register_converter(UnicodeSlugConverter, "uslug")
register_converter(SlugPathConverter, "slugpath")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("corrections/", views.corrections_page, name="corrections"),
    path("preview/<str:token>/", views.preview_page, name="preview"),
    path("tag/<uslug:slug>/", views.tag_page, name="tag"),
    path("people/", views.people_index, name="people"),
    path("people/<uslug:slug>/", views.person_page, name="person"),
    path("organisations/", views.organization_index, name="organizations"),
    path("organisations/<uslug:slug>/", views.organization_page, name="organization"),
    # Feeds: RSS 2.0 and Atom, for the site and for each category, tag, person and organisation.
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("feed/category/<slugpath:path>/", feeds.CategoryFeed(), name="category_feed"),
    path("feed/atom/category/<slugpath:path>/", feeds.CategoryAtomFeed(), name="category_feed_atom"),
    path("feed/tag/<uslug:slug>/", feeds.TagFeed(), name="tag_feed"),
    path("feed/atom/tag/<uslug:slug>/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("feed/people/<uslug:slug>/", feeds.PersonFeed(), name="person_feed"),
    path("feed/atom/people/<uslug:slug>/", feeds.PersonAtomFeed(), name="person_feed_atom"),
    path("feed/organisations/<uslug:slug>/", feeds.OrganizationFeed(), name="organization_feed"),
    path("feed/atom/organisations/<uslug:slug>/", feeds.OrganizationAtomFeed(), name="organization_feed_atom"),
    # Sitemaps and robots.txt.
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap-news.xml", views.news_sitemap, name="news_sitemap"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    # Categories and articles share the slug-path space; keep this last.
    path("<slugpath:path>/", views.path_view, name="path"),
]
