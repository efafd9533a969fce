import re
from datetime import timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.models import Article, Correction, Person
from tests.html import json_ld, parse_html

pytestmark = pytest.mark.django_db

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return ElementTree.fromstring(response.content)


@pytest.fixture
def articles(make_article, make_category):
    now = timezone.now()
    finance = make_category("Finance")
    earnings = make_category("Earnings", parent=finance)
    live = make_article("Alibaba revenue <growth> slows", category=earnings, byline="Chen Lu",
                        standfirst="Growth & margins.", publish_at=now - timedelta(hours=3))
    live.tags.add("alibaba")
    live.people.add(Person.objects.get(slug="dai-shan"))
    hidden = [
        make_article("Draft story", category=earnings, status=Article.Status.DRAFT),
        make_article("Scheduled story", category=earnings, publish_at=now + timedelta(hours=2)),
        make_article("Expired story", category=earnings, unpublish_at=now - timedelta(minutes=1)),
    ]
    for article in hidden:
        article.tags.add("alibaba")
        article.people.add(Person.objects.get(slug="dai-shan"))
    old = make_article("Last week's story", category=earnings, publish_at=now - timedelta(days=5))
    return live, hidden, old


FEEDS = ["/feed/", "/feed/category/finance/", "/feed/category/finance/earnings/", "/feed/tag/alibaba/", "/feed/people/dai-shan/"]


@pytest.mark.parametrize("url", FEEDS)
def test_rss_feeds_list_only_published_articles_with_absolute_links(client, articles, url):
    live, hidden, old = articles
    channel = xml(client, url).find("channel")
    items = channel.findall("item")
    titles = [i.findtext("title") for i in items]
    assert titles[0] == "Alibaba revenue <growth> slows"
    assert not set(titles) & {a.title for a in hidden}
    first = items[0]
    assert first.findtext("link") == "http://testserver" + live.get_absolute_url()
    assert first.findtext("description") == "Growth & margins."
    assert "Earnings" in [c.text for c in first.findall("category")]


@pytest.mark.parametrize("url", [u.replace("/feed/", "/feed/atom/", 1) for u in FEEDS])
def test_atom_feeds_have_dates_and_links(client, articles, url):
    live, hidden, _ = articles
    root = xml(client, url)
    entries = root.findall("atom:entry", NS)
    assert entries[0].findtext("atom:title", namespaces=NS) == live.title
    assert entries[0].find("atom:link", NS).attrib["href"] == "http://testserver" + live.get_absolute_url()
    published = entries[0].findtext("atom:published", namespaces=NS)
    assert published.startswith(live.publish_at.strftime("%Y-%m-%dT%H:%M"))
    assert not {e.findtext("atom:title", namespaces=NS) for e in entries} & {a.title for a in hidden}


def test_pages_link_their_feeds_in_the_head(client, articles):
    document = parse_html(client.get("/finance/earnings/").content)
    feeds = {link.attrs["href"] for link in document.find_all("link", rel="alternate")}
    assert {"/feed/", "/feed/atom/", "/feed/category/finance/earnings/", "/feed/atom/category/finance/earnings/"} <= feeds


def test_sitemap_index_and_sections(client, articles):
    live, hidden, old = articles
    index = xml(client, "/sitemap.xml")
    sections = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert "http://testserver/sitemap-articles.xml" in sections
    urls = {}
    for section in sections:
        for url in xml(client, section.replace("http://testserver", "")).findall("sm:url", NS):
            urls[url.findtext("sm:loc", namespaces=NS)] = url.findtext("sm:lastmod", namespaces=NS)
    assert "http://testserver" + live.get_absolute_url() in urls
    assert urls["http://testserver" + live.get_absolute_url()] is not None
    assert "http://testserver/finance/earnings/" in urls
    assert "http://testserver/people/dai-shan/" in urls
    assert "http://testserver/organisations/big-taobao/" in urls
    for article in hidden:
        assert "http://testserver" + article.get_absolute_url() not in urls


def test_news_sitemap_holds_the_last_two_days_only(client, articles):
    live, hidden, old = articles
    root = xml(client, "/sitemap-news.xml")
    entries = {u.findtext("sm:loc", namespaces=NS): u for u in root.findall("sm:url", NS)}
    assert list(entries) == ["http://testserver" + live.get_absolute_url()]
    news = entries["http://testserver" + live.get_absolute_url()].find("news:news", NS)
    assert news.findtext("news:title", namespaces=NS) == live.title
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Recipe Complete Network"
    assert news.findtext("news:keywords", namespaces=NS) == "alibaba"


def test_robots_txt_points_to_the_sitemaps(client):
    response = client.get("/robots.txt")
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    assert "Disallow: /admin/" in lines


def test_article_page_has_news_article_json_ld_and_social_tags(client, articles):
    live, _, _ = articles
    document = parse_html(client.get(live.get_absolute_url()).content)
    (data,) = json_ld(document, "NewsArticle")
    url = "http://testserver" + live.get_absolute_url()
    assert data["headline"] == live.title
    assert data["mainEntityOfPage"]["@id"] == url
    assert data["datePublished"] == live.publish_at.replace(microsecond=0).isoformat()
    assert data["author"] == {"@type": "Person", "name": "Chen Lu"}
    assert data["publisher"]["name"] == "Recipe Complete Network"
    assert data["keywords"] == ["alibaba"]
    meta = {m.attrs.get("property") or m.attrs.get("name"): m.attrs["content"] for m in document.find_all("meta") if "content" in m.attrs}
    assert meta["og:title"] == live.title
    assert meta["og:url"] == url
    assert meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary"
    assert meta["article:section"] == "Earnings"
    assert document.find("link", rel="canonical").attrs["href"] == url


def test_json_ld_stays_valid_with_hostile_text(client, make_article):
    article = make_article(title='</script><script>alert("x")</script>', standfirst="\u2028 & <!-- -->", byline="</script>")
    content = client.get(article.get_absolute_url()).content.decode()
    assert content.count("</script>") == content.count("<script")
    (data,) = json_ld(parse_html(content), "NewsArticle")
    assert data["headline"] == '</script><script>alert("x")</script>'
    assert data["author"]["name"] == "</script>"


# ISO 8601 to the second: HTML's <time>, JSON-LD, sitemaps' W3C datetime. No fraction of a second.
WHOLE_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)?)?$")


def test_machine_times_are_whole_seconds_in_pages_json_ld_and_sitemaps(client, articles):
    live, _, _ = articles
    assert live.publish_at.microsecond and live.updated_at.microsecond  # the stored times have fractions
    Correction.objects.create(article=live, text="A figure was wrong.")
    document = parse_html(client.get(live.get_absolute_url()).content)
    times = [t.attrs["datetime"] for t in document.find_all("time")]
    (data,) = json_ld(document, "NewsArticle")
    times += [data["datePublished"], data["dateModified"], *(c["datePublished"] for c in data["correction"])]
    times += [m.attrs["content"] for m in document.find_all("meta") if m.attrs.get("property", "").endswith("_time")]
    for url in ("/", "/finance/earnings/", "/corrections/"):
        times += [t.attrs["datetime"] for t in parse_html(client.get(url).content).find_all("time")]
    times += [e.text for e in xml(client, "/sitemap.xml").iter(f"{{{NS['sm']}}}lastmod")]
    times += [e.text for e in xml(client, "/sitemap-news.xml").iter(f"{{{NS['news']}}}publication_date")]
    assert len(times) > 10
    assert [t for t in times if not WHOLE_SECOND.match(t)] == []


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feed_times_are_whole_seconds(client, articles, url):
    root = xml(client, url)
    rss = [parsedate_to_datetime(e.text) for e in root.iter() if e.tag in ("pubDate", "lastBuildDate")]
    atom = [e.text for e in root.iter() if e.tag in (f"{{{NS['atom']}}}published", f"{{{NS['atom']}}}updated")]
    assert rss or atom
    assert all(t.microsecond == 0 for t in rss)  # RFC 2822 has no fraction: Django writes whole seconds
    assert [t for t in atom if not WHOLE_SECOND.match(t)] == []  # Atom's isoformat() would carry microseconds
