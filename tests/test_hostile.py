"""Hostile text in every field, through the ORM, the admin and the importer: nothing becomes live markup.

And the leak matrix: no unpublished article on any public surface.
"""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from articles.importing.service import ImportOptions, import_files
from articles.models import Article, Category, Correction, Organization, OrganizationAlias, Person, PersonAlias
from articles.search import index_articles
from tests.conftest import NO_CORRECTIONS
from tests.html import parse_html
from tests.payloads import LONG, NUL, PAYLOADS

pytestmark = pytest.mark.django_db
DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "base", "style", "details", "frame", "frameset"}


def assert_inert(content, *, admin=False):
    """Parse a page; fail if any payload turned into an element, a handler, a script or a javascript: URL."""
    document = parse_html(content)
    assert len(document.find_all("body")) == 1
    for element in document.find_all():
        # The admin has its own inline SVG icons and <details> fieldsets (their attributes are checked below).
        assert element.tag not in DANGEROUS_TAGS or (admin and element.tag in ("svg", "symbol", "details")), element.tag
        assert "autofocus" not in element.attrs or admin, element.tag
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            if name in ("href", "src", "action", "data", "formaction") and value:
                assert not value.strip().lower().startswith(("javascript:", "data:text")), (element.tag, value)
        if element.tag == "script":
            # Only JSON-LD (inert data) and the admin's own external scripts.
            src = element.attrs.get("src") or ""
            ours = src.startswith("/static/") or (admin and src == "/admin/jsi18n/")
            # The admin's rich-text editor also loads its modules through an import map (JSON, allowed by its CSP hash).
            admin_data = admin and element.attrs.get("type") in ("application/json", "importmap")
            assert element.attrs.get("type") == "application/ld+json" or ours or admin_data, element.attrs
            if element.attrs.get("type") in ("application/ld+json", "importmap"):
                json.loads(element.text())
        if element.tag == "meta":
            assert "http-equiv" not in element.attrs
        if element.tag == "link":
            assert "evil.example" not in element.attrs.get("href", "")
    return document


@pytest.fixture
def hostile(db, tmp_path, settings):
    """One published article per payload, with the payload in every field readers can see."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    import io

    from articles import library

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, "PNG")
    articles = []
    for i, payload in enumerate(PAYLOADS):
        category = Category.objects.create(name=f"{payload} {i}"[:200], slug=f"c{i}")
        person = Person.objects.create(name=payload[:200], slug=f"p{i}", job_title=payload, bio=payload)
        PersonAlias.objects.create(person=person, name=payload[:200])
        org = Organization.objects.create(name=payload[:200], slug=f"o{i}", description=payload)
        OrganizationAlias.objects.create(organization=org, name=payload[:200])
        article = Article.objects.create(
            title=f"{payload} hostile{i}"[:300], slug=f"a{i}", standfirst=payload, body=f"{payload}\n\nhostile {payload}",
            category=category, byline=payload[:300], status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(minutes=i + 1),
        )
        article.lead_image = library.add_image(
            SimpleUploadedFile(f"p{i}.png", buffer.getvalue()), alt=payload[:300], caption=payload[:500], credit=payload[:300],
        )
        article.save()
        article.tags.add(payload[:100])
        article.people.add(person)
        article.organizations.add(org)
        Correction.objects.create(article=article, text=payload)
        articles.append(article)
    Article.objects.create(title="Long", slug="long", standfirst=LONG[:5000], body=LONG, category=category,
                           status=Article.Status.PUBLISHED, publish_at=timezone.now())
    index_articles(Article.objects.all())
    return articles


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

STATES = ["draft", "scheduled", "expired"]


@pytest.fixture
def matrix(make_article, make_category):
    now = timezone.now()
    section = make_category("Matrix")
    dai_shan, _ = Person.objects.get_or_create(slug="dai-shan", defaults={"name": "Dai Shan"})
    taobao, _ = Organization.objects.get_or_create(slug="taobao", defaults={"name": "Taobao"})
    kwargs = {
        "draft": {"status": Article.Status.DRAFT},
        "scheduled": {"publish_at": now + timedelta(hours=3)},
        "expired": {"publish_at": now - timedelta(days=1), "unpublish_at": now - timedelta(minutes=1)},
    }
    live = make_article("Visible zebra story", category=section, body="zebra")
    make_article("Another visible story", category=section)  # so the related list is not empty
    hidden = {}
    for state in STATES:
        article = make_article(f"Secret {state} zebra story", category=section, body="zebra", **kwargs[state])
        hidden[state] = article
    for article in [live, *hidden.values()]:
        article.tags.add("zebra")
        article.people.add(dai_shan)
        article.organizations.add(taobao)
        Correction.objects.create(article=article, text=f"Correction of {article.title}")
    index_articles([live, *hidden.values()])
    return live, hidden


SURFACES = [
    "/", "/matrix/", "/tag/zebra/", "/people/dai-shan/", "/organisations/taobao/", "/search/?q=zebra", "/corrections/",
    "/feed/", "/feed/atom/", "/feed/category/matrix/", "/feed/tag/zebra/", "/feed/people/dai-shan/",
    "/sitemap-articles.xml", "/sitemap-news.xml", "RELATED", "DETAIL",
]


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
