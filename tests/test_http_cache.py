"""Purging the HTTP caches in front (NEWSROOM_HTTP_CACHE_URLS) and how long they may keep a page.

A small HTTP server in a thread stands in for Varnish here and records every
PURGE it gets; tests/test_varnish.py runs the real Varnish.
"""

import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from articles.cache import generation
from articles.cache.purge import article_keys, purge
from articles.models import Article, Person

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    def do_PURGE(self):
        self.server.purges.append(set(self.headers["xkey"].split()))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_cache(settings):
    """A stand-in cache answering PURGE on a free port, named in NEWSROOM_HTTP_CACHE_URLS."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.purges, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NEWSROOM_HTTP_CACHE_URLS = [f"http://127.0.0.1:{server.server_address[1]}"]
    generation._pending_purges.clear()  # keys of a transaction an earlier test never committed
    yield server
    server.shutdown()
    server.server_close()


def test_editing_an_article_purges_its_page_its_sections_pages_and_the_lists_once(
    make_article, http_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("Edited")
        Tag.objects.create(name="markets", slug="markets")  # a new tag purges the whole site
    http_cache.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Edited again"
        article.save()
        article.tags.add("markets")  # a second change in the same transaction: still one purge
    assert http_cache.purges == [{f"article-{article.pk}", f"section-{article.category_id}", "listing"}]


def test_a_change_no_article_names_purges_the_whole_site(make_article, http_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_article("Named", body="Dai Shan spoke.")
    http_cache.purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Person.objects.create(name="Someone New", slug="someone-new")
    assert http_cache.purges == [{"site"}]


def test_nothing_is_purged_before_the_transaction_commits(make_article, http_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_article("Not yet")
    assert http_cache.purges == []
    for callback in callbacks:
        callback()
    assert len(http_cache.purges) == 1


def test_without_caches_configured_nothing_is_sent(make_article, http_cache, settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_HTTP_CACHE_URLS = []
    with django_capture_on_commit_callbacks(execute=True):
        make_article("Quiet")
    assert http_cache.purges == []


def test_a_cache_that_is_down_is_logged_and_the_save_stands(make_article, settings, caplog, django_capture_on_commit_callbacks):
    settings.NEWSROOM_HTTP_CACHE_URLS = ["http://127.0.0.1:9"]  # nothing listens on the discard port
    with caplog.at_level(logging.ERROR, logger="articles.cache.purge"):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article("Saved anyway")
    assert Article.objects.filter(pk=article.pk).exists()
    assert "Purging" in caplog.text and "127.0.0.1:9" in caplog.text


def test_a_cache_refusing_the_purge_is_logged(http_cache, caplog):
    http_cache.status = 403
    with caplog.at_level(logging.ERROR, logger="articles.cache.purge"):
        purge(article_keys(7, 3))
    assert "answered 403" in caplog.text
    assert http_cache.purges == [{"article-7", "section-3", "listing"}]


def test_pages_tell_caches_in_front_to_keep_them_long_only_when_the_app_purges_them(make_article, settings):
    article = make_article("Kept")
    assert Client().get(article.get_absolute_url())["Surrogate-Control"] == "max-age=60"
    settings.NEWSROOM_HTTP_CACHE_URLS = ["http://127.0.0.1:9"]
    assert Client().get("/")["Surrogate-Control"] == "max-age=3600"


def test_caches_in_front_keep_a_page_no_longer_than_the_next_scheduled_change_on_a_hit_too(make_article, settings):
    settings.NEWSROOM_HTTP_CACHE_URLS = ["http://127.0.0.1:9"]
    make_article("Live")
    make_article("Soon", publish_at=timezone.now() + timedelta(seconds=30))
    client = Client()
    first = client.get("/")
    time.sleep(1.1)
    second = client.get("/")
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    first_age = int(first["Surrogate-Control"].removeprefix("max-age="))
    second_age = int(second["Surrogate-Control"].removeprefix("max-age="))
    assert 29 <= first_age <= 31
    assert first_age - 2 <= second_age <= first_age - 1  # counted down, not the stored figure
    assert f"max-age={second_age}" in second["Cache-Control"]
