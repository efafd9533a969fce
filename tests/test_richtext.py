"""articles/richtext.py: the body's allow-list on every write path, and every page that shows a body stays inert."""

import json
from xml.etree import ElementTree

import pytest
import reversion
from hypothesis import given, settings as hypothesis_settings, strategies as st
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from reversion.models import Version

from articles import richtext
from articles.models import Article
from articles.publishing.previews import preview_url
from tests.conftest import form_data
from tests.html import parse_html
from tests.payloads import PAYLOADS
from tests.html import assert_inert

pytestmark = pytest.mark.django_db

# Mutation XSS: markup that reads differently once a browser re-parses it.
MUTATIONS = [
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<a href=\"jav&#x09;ascript:alert(1)\">tab</a>",
    "<a href=\"&#106;avascript:alert(1)\">entity</a>",
    "<a href=\" javascript:alert(1)\">space</a>",
    "<a href=\"java\nscript:alert(1)\">newline</a>",
    "<a href=\"//evil.example/x\">protocol-relative</a>",
    "<a href=\"https://a.example\">outer<a href=\"https://b.example\">inner</a></a>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<p><img src=x onerror=alert(1)></p>",
    "<figure data-image-id=\"1\" onclick=\"alert(1)\"><img src=x onerror=alert(1)><figcaption>c</figcaption></figure>",
    "<table><tr><td style=\"background:url(javascript:alert(1))\">cell</td></tr></table>",
    "<h2 onmouseover=alert(1)>Heading</h2><p>text</p>",
    "<template><script>alert(1)</script></template>",
]
HOSTILE_BODIES = ["<p>" + payload + "</p>" for payload in PAYLOADS + MUTATIONS] + MUTATIONS
EVERY_ELEMENT = (
    '<h2>Results</h2><p>The <strong>filing</strong> is <em>here</em>: <a href="https://www.sec.gov/x">SEC</a>, '
    '<a href="/business/">our desk</a>, <a href="mailto:desk@example.com">mail</a>.<br>Next line.</p>'
    "<h3>Centres</h3><ul><li>Xuande</li><li>Chuixue</li></ul><ol><li>One</li></ol>"
    "<blockquote><p>We will move faster.</p></blockquote>"
    "<table><thead><tr><th>Quarter</th><th>Revenue</th></tr></thead><tbody><tr><td>Q3</td><td>207</td></tr></tbody></table>"
)


@pytest.mark.parametrize("intake", [None, lambda src: None], ids=["stored", "from-the-editor"])
def test_no_attribute_outside_the_allow_list_survives_not_even_title_or_lang(intake):
    given = '<p title="t" lang="en" dir="rtl"><a href="https://a.example/" title="x" target="_blank">a</a></p>'
    assert richtext.clean(given, image_id_for=intake) == '<p><a href="https://a.example/">a</a></p>'


def test_the_allowed_structure_survives_as_it_is():
    assert richtext.clean(EVERY_ELEMENT) == EVERY_ELEMENT


@pytest.mark.parametrize("body", MUTATIONS)
def test_mutation_xss_comes_out_inert(body):
    for given in (body, "<p>" + body + "</p>"):  # as text, and as HTML
        document = assert_inert(f"<html><body>{richtext.render(richtext.clean(given))}</body></html>")
        elements = document.find_all()
        assert {e.tag for e in elements} <= {"html", "body"} | richtext.TAGS | {"div"}, {e.tag for e in elements}
        for element in elements:
            assert set(element.attrs) <= {"href", "data-image-id", "id", "rel", "class", "role", "aria-label", "tabindex"}
            href = element.attrs.get("href", "")
            assert not href or href.startswith(("https://a.example", "https://b.example")), href


def test_plain_text_stays_literal_text():
    assert richtext.clean("Revenue <b>rose</b> 5 * 3\n\nSecond.") == "<p>Revenue &lt;b&gt;rose&lt;/b&gt; 5 * 3</p><p>Second.</p>"


# Text that is hard on an escape-and-parse round trip: markup, entities, every kind of line break and space.
TRICKY_PIECES = [*"ab <>&;#\n\r\t\xa0\u3000\x00\x0b\x0c\x1c\x85\u2028\"'/=!-淘", "&amp;", "&#65;", "&lt", "<p>", "</p>",
                 "<br>", "<!--", "-->", "<script>", "</", "<?", "<![CDATA[", "]]>", "\r\n", "\n\n", " \n \n"]


@hypothesis_settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(TRICKY_PIECES), max_size=30).map("".join)))
def test_text_to_plain_is_the_plain_text_of_text_to_html(text):
    assert richtext.text_to_plain(text) == richtext.plain_text(richtext.text_to_html(text))


def test_readers_get_heading_anchors_scrolling_tables_and_safe_external_links():
    document = parse_html(f"<html><body>{richtext.render(EVERY_ELEMENT, site_host='news.example')}</body></html>")
    assert [h.attrs.get("id") for h in document.find_all("h2") + document.find_all("h3")] == ["results", "centres"]
    assert document.find("div", class_="table-scroll").find("table") is not None
    rels = {a.attrs["href"]: a.attrs.get("rel") for a in document.find_all("a")}
    assert rels == {"https://www.sec.gov/x": "noopener", "/business/": None, "mailto:desk@example.com": None}


def test_search_indexes_the_text_not_the_markup():
    text = richtext.plain_text(EVERY_ELEMENT)
    assert "filing" in text and "Xuande" in text and "strong" not in text and "href" not in text


def pages_showing(article, client):
    """Every page a body shows on, as (name, HTML document)."""
    yield "article", client.get(article.get_absolute_url()).content
    for feed in ("/feed/", "/feed/atom/"):
        tree = ElementTree.fromstring(client.get(feed).content)
        for element in tree.iter():
            if element.tag.endswith("encoded") or element.tag.endswith("}content"):
                yield feed, f"<html><body>{element.text or ''}</body></html>".encode()


def test_hostile_bodies_through_the_admin_form_are_inert_everywhere(staff_client, section):
    for i, body in enumerate(HOSTILE_BODIES):
        data = form_data(Article(title=f"Hostile {i}", slug=f"hostile-{i}", standfirst="S.", body=body, category=section,
                                 status="published", language="en"), base_version="")
        response = staff_client.post("/admin/articles/article/add/", data)
        if not richtext.plain_text(richtext.clean(body)).strip():
            # Nothing of it is allowed: the form says so, and nothing is saved.
            assert response.status_code == 200, body
            assert "no text the newsroom keeps" in parse_html(response.content).find("ul", class_="errorlist").text()
            assert not Article.objects.filter(slug=f"hostile-{i}").exists()
            continue
        assert response.status_code == 302, body
        article = Article.objects.get(slug=f"hostile-{i}")
        assert article.body == richtext.clean(article.body)  # stored clean
    client = Client()
    for article in Article.objects.all():
        for name, content in pages_showing(article, client):
            assert_inert(content)


def test_hostile_bodies_through_the_orm_pending_changes_and_preview_are_inert(member, make_article):
    editor = member("Editor")
    live = make_article("Live")
    change = f"/admin/articles/article/{live.pk}/change/"
    response = editor.post(change, form_data(live, body="<p>Rework. " + "".join(MUTATIONS) + "</p>", keep_live_version="on"))
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.pending_changes["body"] == richtext.clean(live.pending_changes["body"])
    assert_inert(Client().get(preview_url(live)).content)
    editor.post("/admin/articles/article/", {"action": "publish_pending", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert_inert(Client().get(live.get_absolute_url()).content)
    orm = make_article("ORM", body="<p>" + MUTATIONS[0] + MUTATIONS[1] + "</p>")
    assert "onerror" not in orm.body
    assert_inert(Client().get(orm.get_absolute_url()).content)


def test_a_hostile_revision_is_cleaned_when_it_is_restored(staff_client, make_article):
    article = make_article("Restored")
    with reversion.create_revision():
        article.save()
    version = Version.objects.get_for_object(article).first()
    data = json.loads(version.serialized_data)
    data[0]["fields"]["body"] = "<p>Old text. " + "".join(MUTATIONS) + "</p>"  # a revision written before the allow-list, or tampered with
    version.serialized_data = json.dumps(data)
    version.save()
    url = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    shown = parse_html(staff_client.get(url).content).find("input", name="base_version").attrs["value"]
    response = staff_client.post(url, form_data(article, body=data[0]["fields"]["body"], base_version=shown))
    assert response.status_code == 302
    article.refresh_from_db()
    assert "onerror" not in article.body and "javascript" not in article.body.lower()
    assert_inert(Client().get(article.get_absolute_url()).content)
    assert ContentType.objects.get_for_model(Article)  # the revision machinery ran on the real model


def test_a_body_of_every_element_reads_right_on_the_page_and_in_the_feed(client, make_article):
    article = make_article("Every element", body=EVERY_ELEMENT)
    body = parse_html(client.get(article.get_absolute_url()).content).find("div", class_="body")
    assert [node.tag for node in body.children if hasattr(node, "tag")] == ["h2", "p", "h3", "ul", "ol", "blockquote", "div"]
    rss = ElementTree.fromstring(client.get("/feed/").content)
    encoded = rss.find(".//{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert "<table>" in encoded and 'href="http://testserver/business/"' in encoded
    (data,) = [json.loads(s.text()) for s in parse_html(client.get(article.get_absolute_url()).content).find_all(
        "script", type="application/ld+json") if json.loads(s.text())["@type"] == "NewsArticle"]
    assert "<" not in data.get("articleBody", "") and "Xuande" in data.get("articleBody", "")
