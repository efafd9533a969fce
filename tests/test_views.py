from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Organization, Person
from tests.html import breadcrumb_names, json_ld, parse_html

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>{{ 7|add:1 }}{% now "Y" %}'


def article_titles(response):
    document = parse_html(response.content)
    return [h.text() for h in document.find_all("h3")] + [h.text() for h in document.find_all("h2") if h.find("a") and h.find("a").attrs["href"].count("/") > 2]


@pytest.fixture
def hidden_articles(make_article):
    """One article in each state a reader must not see, all mentioning Dai Shan and tagged 'secret'."""
    now = timezone.now()
    articles = [
        make_article("Draft story", status=Article.Status.DRAFT),
        make_article("Scheduled story", publish_at=now + timedelta(days=1)),
        make_article("Expired story", unpublish_at=now - timedelta(minutes=1)),
    ]
    dai_shan = Person.objects.get(slug="dai-shan")
    taobao = Organization.objects.get(slug="taobao")
    for article in articles:
        article.tags.add("secret")
        article.people.add(dai_shan)
        article.organizations.add(taobao)
    return articles


PUBLIC_LISTS = ["/", "/dietary-recipes/", "/tag/secret/", "/people/dai-shan/", "/organisations/taobao/"]


@pytest.mark.parametrize("url", PUBLIC_LISTS)
def test_unpublished_articles_appear_on_no_public_list(client, make_article, hidden_articles, url):
    visible = make_article("Visible story")
    visible.tags.add("secret")
    visible.people.add(Person.objects.get(slug="dai-shan"))
    visible.organizations.add(Organization.objects.get(slug="taobao"))
    response = client.get(url)
    assert response.status_code == 200
    links = {a.attrs.get("href") for a in parse_html(response.content).find_all("a")}
    assert visible.get_absolute_url() in links
    for hidden in hidden_articles:
        assert hidden.get_absolute_url() not in links, hidden.title
        assert hidden.title.encode() not in response.content


def test_unpublished_articles_are_404_to_readers(client, hidden_articles):
    for article in hidden_articles:
        assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_see_unpublished_articles_as_marked_noindex_previews(staff_client, hidden_articles):
    for article in hidden_articles:
        response = staff_client.get(article.get_absolute_url())
        assert response.status_code == 200
        document = parse_html(response.content)
        assert document.find("div", class_="preview-banner") is not None
        assert document.find("meta", name="robots").attrs["content"].startswith("noindex")
        assert "no-store" in response["Cache-Control"]


def test_live_article_has_no_preview_banner_for_staff(staff_client, make_article):
    document = parse_html(staff_client.get(make_article().get_absolute_url()).content)
    assert document.find("div", class_="preview-banner") is None
    assert document.find("meta", name="robots") is None


def test_sample_article_breadcrumbs_in_html_and_json_ld(client, make_article):
    article = make_article("Honey pomelo live app")
    response = client.get(article.get_absolute_url())
    document = parse_html(response.content)
    assert breadcrumb_names(document) == ["Recipe Complete Network", "Dietary recipes", "Honey pomelo live app"]
    items = document.find("nav", aria_label="Breadcrumb").find("ol").find_all("li")
    assert [li.find("a").attrs.get("aria-current") for li in items] == [None, None, "page"]
    assert items[1].find("a").attrs["href"] == "/dietary-recipes/"
    (trail,) = json_ld(document, "BreadcrumbList")
    assert [(i["position"], i["name"], i["item"]) for i in trail["itemListElement"]] == [
        (1, "Recipe Complete Network", "http://testserver/"),
        (2, "Dietary recipes", "http://testserver/dietary-recipes/"),
        (3, "Honey pomelo live app", "http://testserver/dietary-recipes/honey-pomelo-live-app/"),
    ]


def test_site_name_is_a_setting(client, make_article, settings):
    settings.NEWSROOM_SITE_NAME = "Business Daily"
    document = parse_html(client.get(make_article().get_absolute_url()).content)
    assert breadcrumb_names(document)[0] == "Business Daily"


def test_nested_category_breadcrumbs_list_every_ancestor(client, make_category, make_article):
    business = make_category("Business")
    ecommerce = make_category("E-commerce", parent=business)
    live = make_category("Live streaming", parent=ecommerce)
    article = make_article("Taobao Live sets rules", category=live)
    assert article.get_absolute_url() == "/business/e-commerce/live-streaming/taobao-live-sets-rules/"
    document = parse_html(client.get(article.get_absolute_url()).content)
    assert breadcrumb_names(document) == ["Recipe Complete Network", "Business", "E-commerce", "Live streaming", "Taobao Live sets rules"]
    category_page = parse_html(client.get("/business/e-commerce/").content)
    assert breadcrumb_names(category_page) == ["Recipe Complete Network", "Business", "E-commerce"]


def test_category_page_lists_subcategory_articles_and_subcategories(client, make_category, make_article):
    business = make_category("Business")
    ecommerce = make_category("E-commerce", parent=business)
    article = make_article("Inside e-commerce", category=ecommerce)
    document = parse_html(client.get("/business/").content)
    links = {a.attrs["href"] for a in document.find_all("a")}
    assert article.get_absolute_url() in links
    assert {a.text() for a in document.find("nav", class_="subsections").find_all("a")} == {"E-commerce"}


def test_article_under_an_old_category_path_redirects_permanently(client, make_article, make_category):
    article = make_article("Moved story")
    response = client.get(f"/somewhere-else/{article.slug}/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_chinese_slugs_work_in_urls(client, make_category, make_article):
    category = make_category("电商")
    article = make_article("淘宝天猫全面融合", category=category, language="zh")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    document = parse_html(response.content)
    assert document.find("html").attrs["lang"] == "zh"
    assert breadcrumb_names(document)[1:] == ["电商", "淘宝天猫全面融合"]


def test_article_body_paragraphs_are_escaped_p_elements(client, make_article):
    article = make_article(title=HOSTILE, standfirst=HOSTILE, body=f"{HOSTILE}\n\nSecond </p><p>paragraph")
    response = client.get(article.get_absolute_url())
    document = parse_html(response.content)
    assert document.find("h1").text() == HOSTILE
    body = document.find("div", class_="body")
    assert [p.text() for p in body.find_all("p")] == [HOSTILE, "Second </p><p>paragraph"]
    # Nothing hostile became markup: the only scripts are the inert JSON-LD ones.
    assert all(s.attrs.get("type") == "application/ld+json" for s in document.find_all("script"))
    assert not any("onerror" in el.attrs for el in document.find_all())
    assert document.find("img") is None
    (trail,) = json_ld(document, "BreadcrumbList")
    assert trail["itemListElement"][-1]["name"] == HOSTILE


@pytest.mark.parametrize("url", ["/", "/dietary-recipes/", "/tag/alibaba/", "/people/dai-shan/", "/organisations/taobao/", "/people/"])
def test_hostile_titles_are_escaped_on_lists(client, make_article, url):
    article = make_article(title="</script><script>alert(1)</script>")
    article.tags.add("alibaba")
    article.people.add(Person.objects.get(slug="dai-shan"))
    article.organizations.add(Organization.objects.get(slug="taobao"))
    document = parse_html(client.get(url).content)
    assert all(s.attrs.get("type") == "application/ld+json" for s in document.find_all("script"))


def test_json_ld_cannot_be_broken_out_of(client, make_article):
    article = make_article(title="</script><script>alert(1)</script>")
    content = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in content
    document = parse_html(content)
    (trail,) = json_ld(document, "BreadcrumbList")
    assert trail["itemListElement"][-1]["name"] == "</script><script>alert(1)</script>"


def query_count(client, url):
    """Queries for one uncached view of the page (the page cache's own two included)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/", "/dietary-recipes/", "/business/", "/tag/alibaba/", "/people/", "/people/dai-shan/", "/organisations/", "/organisations/taobao/", "ARTICLE"],
)
def test_pages_run_a_fixed_number_of_queries(client, make_article, make_category, url):
    business = make_category("Business")
    sub = make_category("E-commerce", parent=business)
    dai_shan, taobao = Person.objects.get(slug="dai-shan"), Organization.objects.get(slug="taobao")

    def add(count):
        for i in range(count):
            article = make_article(category=sub if i % 2 else None)
            article.tags.add("alibaba", f"tag-{i}")
            article.people.add(dai_shan, *Person.objects.all()[:3])
            article.organizations.add(taobao)

    add(3)
    target = url if url != "ARTICLE" else Article.objects.first().get_absolute_url()
    few = query_count(client, target)
    add(25)
    make_category("Finance")
    target = url if url != "ARTICLE" else Article.objects.first().get_absolute_url()
    many = query_count(client, target)
    assert few == many, f"{url}: {few} queries with 3 articles, {many} with 28"
    # An organisation's page also reads its whole structure (units, facts, roles) and its listings.
    assert many <= (12 if url.startswith("/organisations/taobao") else 10)


@pytest.mark.parametrize("page", ["0", "-1", "99999", "abc", "1e3", "9" * 40])
def test_bad_page_numbers_are_404_not_errors(client, make_article, page):
    make_article()
    assert client.get("/dietary-recipes/", {"page": page}).status_code == 404


def test_pagination_splits_category_pages(client, make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 5
    for _ in range(12):
        make_article()
    first = parse_html(client.get("/dietary-recipes/").content)
    third = parse_html(client.get("/dietary-recipes/?page=3").content)
    assert len(first.find_all("article", class_="teaser")) == 5
    assert len(third.find_all("article", class_="teaser")) == 2
    assert first.find("a", rel="next").attrs["href"] == "?page=2"


def test_the_first_page_of_a_list_reads_its_rows_at_once_in_the_same_order_as_deeper_pages(client, make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 5
    made = [make_article(f"Story {i}", publish_at=timezone.now() - timedelta(hours=i)) for i in range(10)]

    def page(number):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            document = parse_html(client.get("/dietary-recipes/", {"page": number}).content)
        return [t.find("h3").text() for t in document.find_all("article", class_="teaser")], len(queries)

    (first, first_queries), (second, second_queries) = page(1), page(2)
    assert first + second == [a.title for a in made]  # newest first, across the two pages
    assert first_queries == second_queries - 1  # no separate look-up of the first page's ids


def test_home_lists_newest_first_with_sections(client, make_article, make_category):
    older = make_article("Older", publish_at=timezone.now() - timedelta(days=2))
    newer = make_article("Newer", publish_at=timezone.now() - timedelta(hours=1))
    finance = make_category("Finance")
    in_finance = make_article("Earnings", category=finance)
    document = parse_html(client.get("/").content)
    lead = document.find("section", class_="lead-story")
    assert lead.find("h2").text() == in_finance.title or lead.find("h2").text() == newer.title
    sections = {s.find("h2").text(): [h.text() for h in s.find_all("h3")] for s in document.find_all("section", class_="section-block")}
    assert sections["Dietary recipes"] == ["Newer", "Older"]
    assert sections["Finance"] == ["Earnings"]
    assert older.title in [h.text() for h in document.find("section", class_="latest").find_all("h3")]


def test_home_finds_quiet_sections_latest_beyond_the_recent_window(client, make_article, make_category, monkeypatch):
    import articles.views

    monkeypatch.setattr(articles.views, "RECENT_WINDOW", 4)
    energy, autos = make_category("Energy"), make_category("Autos")
    make_article("Old energy story", category=energy, publish_at=timezone.now() - timedelta(days=30))
    make_article("Older energy story", category=energy, publish_at=timezone.now() - timedelta(days=40))
    make_article("Old autos story", category=autos, publish_at=timezone.now() - timedelta(days=50))
    busy = [make_article(f"Recipe {i}", publish_at=timezone.now() - timedelta(hours=i)) for i in range(1, 7)]
    document = parse_html(client.get("/").content)
    sections = {s.find("h2").text(): [h.text() for h in s.find_all("h3")] for s in document.find_all("section", class_="section-block")}
    assert sections == {
        "Dietary recipes": [a.title for a in busy[:3]],
        "Energy": ["Old energy story", "Older energy story"],
        "Autos": ["Old autos story"],
    }
    with_quiet_sections = query_count(client, "/")
    monkeypatch.setattr(articles.views, "RECENT_WINDOW", 1000)
    assert query_count(client, "/") == with_quiet_sections - 1  # one query for all quiet sections together


def test_person_page_shows_roles_and_mentions(client, make_article):
    article = make_article("Dai Shan reorganises Taobao")
    article.people.add(Person.objects.get(slug="dai-shan"))
    document = parse_html(client.get("/people/dai-shan/").content)
    assert document.find("h1").text() == "Dai Shan"
    assert "China Digital Commerce" in document.find("ul", class_="roles").text()
    assert [h.text() for h in document.find_all("h3")] == ["Dai Shan reorganises Taobao"]
    assert breadcrumb_names(document) == ["Recipe Complete Network", "People", "Dai Shan"]


def test_organisation_page_shows_units_roles_and_trail(client):
    document = parse_html(client.get("/organisations/big-taobao/").content)
    units = {li.find("a").text() for li in document.find("nav", class_="org-units").find_all("li")}
    assert {"Industrial Operation and Development Center", "Platform Strategy and Operation Center", "User Operation and Development Center"} <= units
    assert breadcrumb_names(document) == ["Recipe Complete Network", "Organisations", "Alibaba Group", "China Digital Commerce", "Big Taobao"]
    assert "Lu Su" in {a.text() for a in document.find_all("a")}


def test_pages_have_title_description_and_lang(client, make_article):
    article = make_article("Headline", standfirst="A one-sentence summary.")
    document = parse_html(client.get(article.get_absolute_url()).content)
    assert document.find("title").text() == "Headline | Recipe Complete Network"
    assert document.find("meta", name="description").attrs["content"] == "A one-sentence summary."
    assert document.find("html").attrs["lang"] == "en"
    assert document.find("link", rel="canonical").attrs["href"] == "http://testserver" + article.get_absolute_url()


def test_unknown_pages_get_the_site_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert parse_html(response.content).find("h1").text() == "Page not found"


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_staff_without_the_view_permission_read_no_drafts(client, django_user_model, hidden_articles):
    from django.contrib.auth.models import Permission

    nobody = django_user_model.objects.create_user("intern", password="a-long-pass-phrase", is_staff=True)
    client.force_login(nobody)
    for article in hidden_articles:
        assert client.get(article.get_absolute_url()).status_code == 404
    nobody.user_permissions.add(Permission.objects.get(codename="view_article"))
    nobody = django_user_model.objects.get(pk=nobody.pk)  # permissions are cached on the user object
    client.force_login(nobody)
    assert client.get(hidden_articles[0].get_absolute_url()).status_code == 200


def test_a_tag_used_only_by_drafts_has_no_public_page_or_feed(client, hidden_articles):
    for url in ("/tag/secret/", "/feed/tag/secret/", "/feed/atom/tag/secret/"):
        response = client.get(url)
        assert response.status_code == 404, url


def test_a_section_holding_only_drafts_is_named_on_no_public_page(client, make_article, make_category):
    secret = make_category("Merger talks")
    make_article("Draft deal", category=secret, status=Article.Status.DRAFT)
    make_article("Visible story")
    for url in ("/", "/dietary-recipes/", "/people/", "/sitemap-categories.xml", "/feed/"):
        response = client.get(url)
        assert response.status_code == 200 and b"Merger talks" not in response.content, url
        assert b"merger-talks" not in response.content, url
    for url in ("/merger-talks/", "/feed/category/merger-talks/"):
        assert client.get(url).status_code == 404, url
