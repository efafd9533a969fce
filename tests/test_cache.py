"""The page cache: hits, conditional GETs, and invalidation on every kind of change."""

import os
import socket
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles.cache import seconds_until_next_change
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
                "unpublish_at_0": "", "unpublish_at_1": "", "lead_image_alt": "", "lead_image_caption": "", "lead_image_credit": "",
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
