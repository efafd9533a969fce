"""The page cache: hits, conditional GETs, and invalidation on every kind of change."""

import os
import socket
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles.cache.generation import seconds_until_next_change
from articles.models import Article, Category, Person
from tests.html import parse_html

from tests.conftest import NO_CORRECTIONS  # noqa: E402

pytestmark = pytest.mark.django_db


def redis_available():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def use_redis(settings):
    """Point the cache at a real Redis server (database 15), or skip outside CI when none answers."""
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis must answer on 127.0.0.1:6379 in CI (.ci/run starts it)")
        pytest.skip("no Redis server on 127.0.0.1:6379 (apt-get install redis-server)")
    settings.CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}}


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Run each test against the default local-memory cache and against a real Redis server."""
    if request.param == "redis":
        use_redis(settings)
    cache = caches["default"]
    cache.clear()
    yield request.param
    cache.clear()


def titles(response):
    return [h.text() for h in parse_html(response.content).find_all("h3")] + [
        h.text() for h in parse_html(response.content).find_all("h2") if h.find("a")
    ]


def test_second_view_is_served_from_the_cache(client, make_article, cache_backend):
    make_article("Cached story")
    first, second = client.get("/"), client.get("/")
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert first.content == second.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]


def test_conditional_gets_answer_304(client, make_article, cache_backend):
    article = make_article()
    response = client.get(article.get_absolute_url())
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH='"other"').status_code == 200
    head = client.head(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert head.status_code == 304


def test_editing_an_article_refreshes_every_cached_page(client, make_article, cache_backend, django_capture_on_commit_callbacks):
    article = make_article("Old headline")
    urls = ["/", "/dietary-recipes/", article.get_absolute_url()]
    for url in urls:
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "New headline"
        article.save()
    for url in urls:
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        assert b"New headline" in response.content and b"Old headline" not in response.content


def test_category_tag_and_person_changes_refresh_the_cache(client, make_article, section, cache_backend, django_capture_on_commit_callbacks):
    article = make_article("Story")
    client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Food and drink"
        section.save()
    assert "Food and drink" in [li.text() for li in parse_html(client.get(article.get_absolute_url()).content).find("nav", aria_label="Breadcrumb").find_all("li")]
    with django_capture_on_commit_callbacks(execute=True):
        person = Person.objects.get(slug="dai-shan")
        article.people.add(person)
        person.name = "Dai Shan (戴珊)"
        person.save()
    assert "Dai Shan (戴珊)" in client.get(article.get_absolute_url()).content.decode()


def test_admin_tag_change_refreshes_the_cache(client, staff_client, make_article, cache_backend, django_capture_on_commit_callbacks):
    article = make_article("Tagged story")
    client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            {
                "title": article.title, "slug": article.slug, "standfirst": "s", "body": "b", "category": article.category.pk,
                "byline": "", "language": "en", "status": "published",
                "publish_at_0": article.publish_at.strftime("%Y-%m-%d"), "publish_at_1": article.publish_at.strftime("%H:%M:%S"),
                "unpublish_at_0": "", "unpublish_at_1": "",
                **NO_CORRECTIONS, "new_tags": "freshly added tag",
            },
        )
    assert response.status_code == 302
    assert "freshly added tag" in client.get(article.get_absolute_url()).content.decode()


def test_import_refreshes_the_cache(client, make_article, make_category, tmp_path, cache_backend, django_capture_on_commit_callbacks):
    from articles.importing.service import ImportOptions, import_files

    make_category("News")  # exists already: the import creates no category
    client.get("/")
    (tmp_path / "a.txt").write_text("Title: Imported story\nCategory: News\n\nBody.\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_files([tmp_path], ImportOptions(publish=True))
    assert "Imported story" in titles(client.get("/"))


def test_scheduled_article_appears_when_its_time_comes_despite_the_cache(client, make_article, cache_backend):
    make_article("Already live")
    make_article("Goes live soon", publish_at=timezone.now() + timedelta(seconds=2))
    first = client.get("/")
    assert "Goes live soon" not in titles(first)
    assert int(first["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 3
    time.sleep(3)
    assert "Goes live soon" in titles(client.get("/"))


def test_next_change_counts_publish_and_unpublish_times(make_article):
    now = timezone.now()
    assert seconds_until_next_change(now) is None
    make_article(publish_at=now - timedelta(days=1), unpublish_at=now + timedelta(seconds=90))
    assert 90 <= seconds_until_next_change(now) <= 92
    make_article(publish_at=now + timedelta(seconds=30))
    assert 30 <= seconds_until_next_change(now) <= 32
    make_article(status=Article.Status.DRAFT, publish_at=now + timedelta(seconds=5))
    assert seconds_until_next_change(now) >= 30  # drafts are not scheduled


def test_staff_and_previews_bypass_the_cache(staff_client, make_article, cache_backend):
    from django.test import Client

    draft = make_article("Draft", status=Article.Status.DRAFT)
    response = staff_client.get(draft.get_absolute_url())
    assert "X-Cache" not in response
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_category_path_change_keeps_old_urls_working(client, make_article, section, django_capture_on_commit_callbacks):
    article = make_article("Moving story")
    old_article_url, old_category_url = article.get_absolute_url(), section.get_absolute_url()
    section.slug = "food"
    section.save()
    article.refresh_from_db()
    for old, new in [(old_category_url, "/food/"), (old_article_url, "/food/moving-story/")]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)
    assert Category.objects.get(pk=section.pk).get_absolute_url() == "/food/"


def test_slug_change_keeps_the_old_url_working(client, make_article):
    article = make_article("First title")
    old = article.get_absolute_url()
    article.slug = "second-title"
    article.save()
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, "/dietary-recipes/second-title/")
    assert client.get(response["Location"]).status_code == 200


def test_old_url_of_an_unpublished_article_is_404(client, make_article):
    article = make_article("First title")
    old = article.get_absolute_url()
    article.slug = "second-title"
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(old).status_code == 404


def test_redis_cache_keeps_one_client_per_connection_pool(settings):
    use_redis(settings)
    cache = caches["default"]
    cache.set("page:test", (b"<p>page</p>", [("Content-Type", "text/html")]))
    assert cache.get("page:test") == (b"<p>page</p>", [("Content-Type", "text/html")])
    client = cache._cache
    assert client.get_client("page:test") is client.get_client("other", write=True)
    cache.delete("page:test")


# What a key is made of (articles/cache/keys.py page_key) -------------------------------------

def absolute_urls(response):
    """Every absolute URL a page hands readers and crawlers: canonical, og:url, JSON-LD."""
    import json

    document = parse_html(response.content)
    urls = [link.attrs["href"] for link in document.find_all("link", rel="canonical")]
    urls += [meta.attrs["content"] for meta in document.find_all("meta", property="og:url")]
    for script in document.find_all("script", type="application/ld+json"):
        data = json.loads(script.text())
        urls += [data[key] for key in ("url",) if key in data]
        urls += [item["item"] for item in data.get("itemListElement", [])]
    return urls


def test_a_page_rendered_for_one_host_is_never_served_to_another(client, make_article, cache_backend, settings):
    settings.ALLOWED_HOSTS = ["news.example.com", "testserver"]
    article = make_article("Host story")
    poisoned = client.get(article.get_absolute_url(), HTTP_HOST="news.example.com:6666")
    assert poisoned["X-Cache"] == "MISS"
    reader = client.get(article.get_absolute_url(), HTTP_HOST="news.example.com")
    assert reader["X-Cache"] == "MISS"
    assert all(url.startswith("http://news.example.com/") for url in absolute_urls(reader)), absolute_urls(reader)


def test_with_a_site_url_every_absolute_url_names_it_whatever_the_host(client, make_article, cache_backend, settings):
    settings.ALLOWED_HOSTS = ["news.example.com", "testserver"]
    settings.NEWSROOM_SITE_URL = "https://news.example.com"
    article = make_article("Origin story")
    for host in ("news.example.com:6666", "testserver", "news.example.com"):
        response = client.get(article.get_absolute_url(), HTTP_HOST=host)
        urls = absolute_urls(response)
        assert urls and all(url.startswith("https://news.example.com/") for url in urls), (host, urls)
    robots = client.get("/robots.txt", HTTP_HOST="testserver:1").content.decode()
    assert "Sitemap: https://news.example.com/sitemap.xml" in robots
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(client.get("/feed/", HTTP_HOST="testserver:1").content)
    assert {el.text for el in feed.iter("link")} <= {"https://news.example.com/", f"https://news.example.com{article.get_absolute_url()}"}
    index = ET.fromstring(client.get("/sitemap.xml", HTTP_HOST="testserver:1").content)
    locs = [el.text for el in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith("https://news.example.com/") for loc in locs)
    section = ET.fromstring(client.get("/sitemap-articles.xml", HTTP_HOST="testserver:1").content)
    assert [el.text for el in section.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")] == [
        f"https://news.example.com{article.get_absolute_url()}"
    ]


def test_a_cache_hit_never_answers_a_host_a_miss_would_refuse(client, make_article, cache_backend):
    article = make_article("Guarded story")
    assert client.get(article.get_absolute_url())["X-Cache"] == "MISS"
    assert client.get(article.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


def test_parameters_a_page_does_not_read_neither_split_the_cache_nor_show_in_it(client, make_article, cache_backend, settings):
    settings.NEWSROOM_PAGE_SIZE = 1
    for n in range(3):
        make_article(f"Story {n}")
    first = client.get("/dietary-recipes/")
    tracked = client.get("/dietary-recipes/?utm_source=newsletter&fbclid=abc")
    assert (first["X-Cache"], tracked["X-Cache"]) == ("MISS", "HIT")
    page_two = client.get("/dietary-recipes/?utm_source=x&page=2")
    links = [a.attrs["href"] for a in parse_html(page_two.content).find_all("a") if "page=" in a.attrs.get("href", "")]
    assert links and not any("utm_source" in link for link in links)
    assert client.get("/dietary-recipes/?page=02&utm_medium=y")["X-Cache"] == "HIT"  # the same page as page=2
    assert client.get("/?page=3")["X-Cache"] == "MISS" and client.get("/")["X-Cache"] == "HIT"  # home has no pages


def test_an_article_address_with_a_page_number_redirects_to_the_article(client, make_article):
    article = make_article("One page")
    response = client.get(article.get_absolute_url() + "?page=7")
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())


def test_a_made_up_session_cookie_is_a_reader_and_gets_the_cached_page(client, make_article, cache_backend):
    make_article("Cookie story")
    assert client.get("/")["X-Cache"] == "MISS"
    client.cookies["sessionid"] = "garbage-that-is-no-session-at-all"
    assert client.get("/")["X-Cache"] == "HIT"


def test_a_logged_in_editor_bypasses_the_cache(staff_client, make_article, cache_backend):
    make_article("Editor story")
    assert "X-Cache" not in staff_client.get("/")
    assert "X-Cache" not in staff_client.get("/")


def test_renaming_a_draft_does_not_take_over_a_live_articles_old_address(client, make_article):
    live = make_article("Old name")
    old = live.get_absolute_url()
    live.slug = "new-name"
    live.save()
    draft = make_article("Squatter", status=Article.Status.DRAFT, slug="old-name")  # the freed slug
    draft.slug = "squatter"
    draft.save()  # a draft's old address was never public: nothing to remember
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, live.get_absolute_url())


def test_pages_name_the_keys_a_cache_in_front_purges_them_by(staff_client, make_article, cache_backend):
    from django.test import Client

    client = Client()
    article = make_article("Keyed story")
    keys = ["site", f"article-{article.pk}", f"section-{article.category_id}"]
    assert client.get(article.get_absolute_url())["Surrogate-Key"].split() == keys
    assert client.get(article.get_absolute_url())["Surrogate-Key"].split() == keys  # a hit
    assert client.get("/")["Surrogate-Key"].split() == ["site", "listing"]
    assert client.get(article.category.get_absolute_url())["Surrogate-Key"].split() == ["site", "listing"]
    draft = make_article("Draft", status=Article.Status.DRAFT)
    assert "Surrogate-Key" not in staff_client.get(draft.get_absolute_url())
