import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from articles.models import Article, Category

_counter = itertools.count(1)
PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def make_category(db):
    def make(name, parent=None, **fields):
        return Category.objects.create(name=name, parent=parent, **fields)

    return make


@pytest.fixture
def section(make_category):
    return make_category("Dietary recipes")


@pytest.fixture
def make_article(db, section):
    """An article; published and live a minute ago unless told otherwise."""

    def make(title=None, *, category=None, status=Article.Status.PUBLISHED, publish_at=None, **fields):
        n = next(_counter)
        if publish_at is None and status == Article.Status.PUBLISHED:
            publish_at = timezone.now() - timedelta(minutes=n)
        return Article.objects.create(
            title=title or f"Article {n}",
            standfirst=fields.pop("standfirst", f"Standfirst {n}."),
            body=fields.pop("body", f"First paragraph {n}.\n\nSecond paragraph {n}."),
            category=category or section,
            status=status,
            publish_at=publish_at,
            **fields,
        )

    return make


def picture_upload(size=(1200, 800), fmt="JPEG", name="photo.jpg", colour="white", mode="RGB"):
    """An upload of a plain picture, as a browser sends one."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new(mode, size, colour).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def library_image(db, settings, tmp_path):
    """Add an image to the media library (files in a temporary MEDIA_ROOT), renditions made."""
    from articles import library

    settings.MEDIA_ROOT = str(tmp_path / "media")

    def add(alt="A harbour at dusk", size=(1200, 800), **fields):
        return library.add_image(picture_upload(size, name=fields.pop("name", "photo.jpg")), alt=alt, **fields)

    return add


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "a-long-pass-phrase")
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty cache (pages cached by one test must not leak into the next)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The article change form's inlines (corrections, graded people and organisations, facts it is cited for),
# with no rows: admin POSTs need their management forms.
NO_CORRECTIONS = {
    f"{prefix}-{name}": value
    for prefix in ("corrections", "person_links", "organization_links", "cited_structure_facts", "cited_roles")
    for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))
}


@pytest.fixture(autouse=True)
def no_periodic_pending_check(monkeypatch):
    """The every-few-seconds check for due pending changes would add a query to whichever request
    happens to come after the interval; tests that count queries must not depend on the clock.
    Tests of that check set it back to 0."""
    from articles.middleware import SchedulerMiddleware

    monkeypatch.setattr(SchedulerMiddleware, "next_check", float("inf"))


@pytest.fixture
def member(django_user_model):
    """A logged-in client for a new staff user in one of the roles (Writer, Editor, Admin)."""

    def make(role, name=None):
        user = django_user_model.objects.create_user(name or role.lower(), password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


def form_data(article, **changes):
    data = {
        "title": article.title, "slug": article.slug, "standfirst": article.standfirst, "body": article.body,
        "category": article.category_id, "byline": article.byline, "language": article.language, "status": article.status,
        "publish_at_0": article.publish_at.strftime("%Y-%m-%d") if article.publish_at else "",
        "publish_at_1": article.publish_at.strftime("%H:%M:%S") if article.publish_at else "",
        "unpublish_at_0": "", "unpublish_at_1": "",
        "new_tags": "", "base_version": article.version, **NO_CORRECTIONS,
    }
    data.update(changes)
    return data


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"
