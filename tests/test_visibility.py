"""articles/publishing/visibility.py: which sections readers may see, kept until content changes or a change falls due."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Category
from articles.publishing.visibility import category_tree, live_category_ids

pytestmark = pytest.mark.django_db


def test_the_live_sections_are_kept_until_the_content_changes(make_article, make_category, django_assert_num_queries,
                                                               django_capture_on_commit_callbacks):
    desk = make_category("Desk")
    make_article(category=desk)
    with django_capture_on_commit_callbacks(execute=True):
        quiet = make_category("Quiet")
    assert live_category_ids() == {desk.pk}
    with django_assert_num_queries(1):  # the generation only
        assert live_category_ids() == {desk.pk}
    with django_capture_on_commit_callbacks(execute=True):
        make_article(category=quiet)
    assert live_category_ids() == {desk.pk, quiet.pk}


def test_the_live_sections_are_kept_no_longer_than_until_the_next_scheduled_change(make_article, make_category, monkeypatch):
    make_article(category=make_category("Embargoed"), publish_at=timezone.now() + timedelta(seconds=90))
    kept = {}
    real_set = cache.set
    monkeypatch.setattr(cache, "set", lambda key, value, timeout: kept.update({key: timeout}) or real_set(key, value, timeout))
    assert category_tree().sections == []
    assert sorted(key.split(":")[0] for key in kept) == ["category-tree", "live-categories"]
    for timeout in kept.values():  # the ids and the tree made of them
        assert 90 <= timeout <= 92  # the section appears when its article goes live, with no edit in between


def test_the_category_tree_is_read_once_per_content_generation(make_article, make_category, settings, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.NEWSROOM_PAGE_CACHE = False  # every page renders
    make_article(category=make_category("Desk"))
    client = Client()
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/desk/")
    assert not [q for q in queries if 'FROM "articles_category"' in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        make_category("Newer desk")
        make_article(category=Category.objects.get(name="Newer desk"))
    assert "Newer desk" in client.get("/").content.decode()  # a new generation: the tree is read again
