"""Hostile text in every field, through the ORM, the admin and the importer: nothing becomes live markup.

And the leak matrix: no unpublished article on any public surface.
"""

from xml.etree import ElementTree

import pytest
from django.test import Client

from articles.importing.service import ImportOptions, import_files
from articles.models import Article
from tests import content
from tests.conftest import NO_CORRECTIONS
from tests.content import STATES, SURFACES
from tests.html import assert_inert, parse_html
from tests.payloads import LONG, NUL, PAYLOADS

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(db, tmp_path, settings):
    """One published article per payload, with the payload in every field readers can see."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return content.hostile_articles()


def test_article_pages_are_inert(client, hostile):
    for article in hostile + [Article.objects.get(slug="long")]:
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        document = assert_inert(response.content)
        assert document.find("h1").text() == article.title.strip()  # shown, as text


def test_template_payloads_are_shown_not_run(client, hostile):
    article = next(a for a in hostile if a.standfirst == "{{ 7|add:1 }}")
    document = parse_html(client.get(article.get_absolute_url()).content)
    assert document.find("p", class_="standfirst").text() == "{{ 7|add:1 }}"


def test_lists_tags_people_organisations_are_inert(client, hostile):
    urls = ["/", "/people/", "/organisations/", "/corrections/"]
    for article in hostile[:15]:
        urls += [article.category.get_absolute_url(), article.people.get().get_absolute_url(),
                 article.organizations.get().get_absolute_url(), f"/tag/{article.tags.get().slug}/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content)


def test_search_results_are_inert(client, hostile):
    for query in ["hostile", "script alert", "<script>", "淘宝", "javascript"]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        document = assert_inert(response.content)
        assert all(m.text() for m in document.find_all("mark"))


def test_feeds_and_sitemaps_stay_well_formed(client, hostile):
    for url in ["/feed/", "/feed/atom/", f"/feed/category/{hostile[0].category.path}/", "/sitemap.xml",
                "/sitemap-articles.xml", "/sitemap-people.xml", "/sitemap-news.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        ElementTree.fromstring(response.content)  # raises if a payload broke the XML
    titles = {item.findtext("title") for item in ElementTree.fromstring(client.get("/feed/").content).iter("item")}
    assert {a.title for a in hostile[:20]} <= titles


def test_admin_lists_and_forms_are_inert(staff_client, hostile):
    for url in ["/admin/articles/article/", "/admin/articles/person/", "/admin/articles/organization/",
                "/admin/articles/category/", "/admin/taggit/tag/"]:
        assert_inert(staff_client.get(url).content, admin=True)
    for article in hostile[:10]:
        assert_inert(staff_client.get(f"/admin/articles/article/{article.pk}/change/").content, admin=True)
        assert_inert(staff_client.get(f"/admin/articles/article/{article.pk}/compare/").content, admin=True)


def test_payloads_through_the_admin_round_trip_as_text(staff_client, section):
    for i, payload in enumerate(PAYLOADS[:12] + [LONG[:300]]):
        response = staff_client.post("/admin/articles/article/add/", {
            "title": payload[:300], "slug": f"admin-{i}", "standfirst": payload, "body": payload, "category": section.pk,
            "byline": payload[:300], "language": "en", "status": "published", "publish_at_0": "", "publish_at_1": "",
            "unpublish_at_0": "", "unpublish_at_1": "",
            **NO_CORRECTIONS, "new_tags": payload[:90].replace(",", " "),
        })
        assert response.status_code == 302, payload
        article = Article.objects.get(slug=f"admin-{i}")
        assert article.standfirst == payload
        assert_inert(Client().get(article.get_absolute_url()).content)


def test_null_bytes_are_refused_by_the_admin(staff_client, section):
    response = staff_client.post("/admin/articles/article/add/", {
        "title": NUL, "slug": "nul", "standfirst": "s", "body": "b", "category": section.pk, "byline": "", "language": "en",
        "status": "draft", "publish_at_0": "", "publish_at_1": "", "unpublish_at_0": "", "unpublish_at_1": "",
        **NO_CORRECTIONS, "new_tags": "",
    })
    assert response.status_code == 200
    assert "Null characters are not allowed" in parse_html(response.content).find("ul", class_="errorlist").text()
    assert not Article.objects.filter(slug="nul").exists()


def test_payloads_through_the_importer_are_text(client, tmp_path):
    for i, payload in enumerate(PAYLOADS + [NUL]):
        safe_tag = payload.replace(",", " ")[:90]
        (tmp_path / f"{i:03d}.txt").write_text(
            f"Title: {payload} imported{i}\nCategory: News / {payload[:50]}\nTags: {safe_tag}\nByline: {payload[:200]}\n"
            f"Summary: {payload}\n\n{payload}\n\nSecond paragraph.\n", encoding="utf-8")
    report = import_files([tmp_path], ImportOptions(publish=True))
    assert report.count("failed") == 0, [r.line() for r in report.results if r.outcome == "failed"]
    for article in Article.objects.all():
        assert "\x00" not in article.title + article.body
        assert_inert(client.get(article.get_absolute_url()).content)


# The leak matrix ---------------------------------------------------------------------

@pytest.fixture
def matrix(db):
    return content.leak_matrix()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("surface", SURFACES)
def test_nothing_unpublished_reaches_any_public_surface(client, matrix, state, surface):
    live, hidden = matrix
    article = hidden[state]
    if surface == "DETAIL":
        assert client.get(article.get_absolute_url()).status_code == 404
        return
    url = live.get_absolute_url() if surface == "RELATED" else surface
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.content.decode()
    assert article.title not in content and article.slug not in content
    if surface == "RELATED":
        assert "Another visible story" in content, "the related list is shown"
    else:
        assert live.title in content or live.get_absolute_url() in content, "the surface lists the live article"
