"""The read API under /api/v1/: only what readers may see, keyset pages, filters, formats, caching, errors."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Correction, Organization, Person, Role
from tests.html import parse_html


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def walk(client, url):
    """Every item of a list, following ``next``; also returns the ``next`` URLs seen."""
    items, nexts = [], []
    while url:
        body = get_json(client, url)
        items.extend(body["results"])
        url = body["next"]
        if url:
            nexts.append(url)
            url = url.removeprefix("http://testserver")
    return items, nexts


def test_a_draft_a_scheduled_and_an_expired_id_answer_exactly_like_a_missing_one(client, make_article):
    now = timezone.now()
    hidden = [
        make_article(status=Article.Status.DRAFT),
        make_article(publish_at=now + timedelta(hours=1)),
        make_article(publish_at=now - timedelta(days=2), unpublish_at=now - timedelta(days=1)),
    ]
    missing = client.get("/api/v1/articles/999999/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    for article in hidden:
        for suffix in ("", "ninjs/"):
            response = client.get(f"/api/v1/articles/{article.pk}/{suffix}")
            assert (response.status_code, response.content) == (404, missing.content)
    listed = {item["id"] for item in walk(client, "/api/v1/articles/")[0]}
    assert listed.isdisjoint(a.pk for a in hidden)


def test_lists_page_by_an_opaque_cursor_in_a_stable_order_with_no_offset(client, make_article):
    made = [make_article() for _ in range(7)]
    items, nexts = walk(client, "/api/v1/articles/?limit=3")
    expected = sorted(made, key=lambda a: (a.publish_at, a.pk), reverse=True)
    assert [i["id"] for i in items] == [a.pk for a in expected]
    assert len(nexts) == 2
    for url in nexts:
        query = parse_qs(urlsplit(url).query)
        assert set(query) == {"limit", "cursor"} and "offset" not in url and "page" not in url


def test_two_articles_published_at_the_same_moment_are_both_listed_once_across_pages(client, make_article):
    moment = timezone.now() - timedelta(minutes=5)
    made = [make_article(publish_at=moment) for _ in range(5)]
    items, _ = walk(client, "/api/v1/articles/?limit=2")
    assert sorted(i["id"] for i in items) == sorted(a.pk for a in made)
    assert len(items) == 5


@pytest.mark.parametrize("query, problem", [
    ("limit=101", "limit"), ("limit=0", "limit"), ("limit=abc", "limit"),
    ("cursor=not-a-cursor", "cursor"), ("cursor=WzFd", "cursor"),
    ("updated_since=yesterday", "updated_since"), ("language=xx", "language"),
])
def test_bad_parameters_answer_400_in_json_naming_the_parameter(client, make_article, query, problem):
    make_article()
    body = get_json(client, f"/api/v1/articles/?{query}", status=400)
    assert problem in body["detail"]


def test_limit_takes_up_to_100(client, make_article):
    for _ in range(3):
        make_article()
    assert len(get_json(client, "/api/v1/articles/?limit=100")["results"]) == 3
    assert len(get_json(client, "/api/v1/articles/?limit=1")["results"]) == 1


def test_filters_narrow_by_section_subtree_tag_person_organisation_and_language(client, make_article, make_category):
    top = make_category("Business")
    sub = make_category("Logistics", parent=top)
    other = make_category("Sport")
    person = Person.objects.create(name="Api Person", slug="api-person")
    organisation = Organization.objects.create(name="Api Org", slug="api-org")
    in_sub = make_article(category=sub, language="zh")
    in_top = make_article(category=top)
    elsewhere = make_article(category=other)
    in_sub.tags.add("Freight")
    in_top.people.add(person)
    elsewhere.organizations.add(organisation)

    def ids(query):
        return {i["id"] for i in walk(client, f"/api/v1/articles/?{query}")[0]}

    assert ids("category=business") == {in_sub.pk, in_top.pk}
    assert ids("category=business/logistics") == {in_sub.pk}
    assert ids("category=nowhere") == set()
    assert ids("tag=freight") == {in_sub.pk}
    assert ids("person=api-person") == {in_top.pk}
    assert ids("organisation=api-org") == {elsewhere.pk}
    assert ids("language=zh") == {in_sub.pk}
    assert ids("language=en") == {in_top.pk, elsewhere.pk}


def test_a_section_holding_only_drafts_filters_to_nothing(client, make_article, make_category):
    secret = make_category("Merger talks")
    make_article(category=secret, status=Article.Status.DRAFT)
    assert get_json(client, "/api/v1/articles/?category=merger-talks")["results"] == []
    assert "merger-talks" not in str(get_json(client, "/api/v1/categories/"))


def test_updated_since_takes_iso_times_with_a_zone_even_when_the_plus_arrived_as_a_space(client, make_article):
    old = make_article()
    Article.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3),
                                             publish_at=timezone.now() - timedelta(days=3))
    fresh = make_article()
    since = (timezone.now() - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(480))
    for value in (since.isoformat().replace("+", "%2B"), since.isoformat(), since.strftime("%Y-%m-%dT%H:%M:%S+0800")):
        assert {i["id"] for i in walk(client, f"/api/v1/articles/?updated_since={value}")[0]} == {fresh.pk}


def test_detail_gives_body_as_sanitised_html_and_text_names_tags_category_path_and_corrections(
        client, make_article, make_category):
    sub = make_category("Platforms", parent=make_category("E-commerce"))
    article = make_article(category=sub, body="<h2>Heading</h2><p>Text <b>bold</b></p><script>alert(1)</script>",
                           byline="Staff")
    article.tags.add("Retail")
    person = Person.objects.create(name="Api Person", slug="api-person")
    organisation = Organization.objects.create(name="Api Org", slug="api-org")
    article.people.add(person)
    article.organizations.add(organisation)
    Correction.objects.create(article=article, text="The figure was 3, not 4.")
    body = get_json(client, f"/api/v1/articles/{article.pk}/")
    assert "<script" not in body["body_html"]
    assert parse_html(body["body_html"]).find("h2").text() == "Heading"
    assert body["body_text"] == "Heading\n\nText bold"
    assert [c["path"] for c in body["category_path"]] == ["e-commerce", "e-commerce/platforms"]
    assert body["canonical_url"] == f"http://testserver/e-commerce/platforms/{article.slug}/"
    assert body["tags"] == [{"slug": "retail", "name": "Retail"}]
    assert [p["slug"] for p in body["people"]] == ["api-person"]
    assert [o["slug"] for o in body["organisations"]] == ["api-org"]
    assert [c["text"] for c in body["corrections"]] == ["The figure was 3, not 4."]
    assert body["byline"] == "Staff" and body["lead_image"] is None


def test_ninjs_carries_the_article_in_ninjs_2_fields(client, make_article):
    article = make_article(title="Tmall reorganises", standfirst="Three centres.", byline="Staff")
    article.tags.add("Retail")
    item = get_json(client, f"/api/v1/articles/{article.pk}/ninjs/")
    assert item["standard"]["name"] == "ninjs" and item["standard"]["version"] == "2.0"
    assert item["uri"] == f"http://testserver/dietary-recipes/{article.slug}/"
    assert item["headlines"] == [{"role": "main", "value": "Tmall reorganises"}]
    assert item["descriptions"][0]["value"] == "Three centres."
    assert {b["contenttype"] for b in item["bodies"]} == {"text/html", "text/plain"}
    assert item["by"] == "Staff" and item["type"] == "text" and item["pubstatus"] == "usable"
    assert {"name": "Retail", "rel": "tag", "literal": "retail"} in item["subjects"]
    # ninjs 2.0 names every property: nothing outside its list appears.
    ninjs_properties = {
        "uri", "type", "representationtype", "profile", "version", "firstcreated", "versioncreated",
        "contentcreated", "embargoed", "pubstatus", "urgency", "copyrightholder", "copyrightnotice", "usageterms",
        "ednote", "language", "descriptions", "bodies", "headlines", "people", "organisations", "places",
        "subjects", "events", "objects", "infosources", "title", "by", "slugline", "located", "renditions",
        "associations", "altids", "trustindicators", "standard", "genres", "rightsinfo",
    }
    assert set(item) <= ninjs_properties


def test_people_and_organisations_come_with_roles_units_and_parents(client, db):
    parent = Organization.objects.create(name="Api Group", slug="api-group")
    unit = Organization.objects.create(name="Api Unit", slug="api-unit", parent=parent)
    person = Person.objects.create(name="Api Head", slug="api-head")
    Role.objects.create(person=person, organization=unit, title="Head")
    org = get_json(client, "/api/v1/organisations/api-unit/")
    assert org["parent"]["slug"] == "api-group" and org["roles"][0]["person"]["slug"] == "api-head"
    assert [u["slug"] for u in get_json(client, "/api/v1/organisations/api-group/")["units"]] == ["api-unit"]
    assert get_json(client, "/api/v1/people/api-head/")["roles"][0]["organisation"]["slug"] == "api-unit"
    people, _ = walk(client, "/api/v1/people/?limit=7")
    assert "api-head" in {p["slug"] for p in people}
    organisations, _ = walk(client, "/api/v1/organisations/?limit=7")
    assert {"api-group", "api-unit"} <= {o["slug"] for o in organisations}
    get_json(client, "/api/v1/people/nobody-at-all/", status=404)


def test_tags_and_corrections_list_only_what_published_articles_carry(client, make_article):
    live = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    live.tags.add("Open")
    draft.tags.add("Secret plan")
    Correction.objects.create(article=live, text="Seen")
    Correction.objects.create(article=draft, text="Unseen")
    assert [t["slug"] for t in walk(client, "/api/v1/tags/")[0]] == ["open"]
    assert [c["text"] for c in walk(client, "/api/v1/corrections/")[0]] == ["Seen"]


def queries_for(client, url):
    from django.core.cache import cache

    cache.clear()  # the same cold start both times (the public sections are cached per content generation)
    with CaptureQueriesContext(connection) as captured:
        get_json(client, url)
    return len(captured)


@pytest.mark.parametrize("url", [
    "/api/v1/articles/?limit=100", "/api/v1/articles/?limit=100&category=dietary-recipes",
    "/api/v1/tags/?limit=100", "/api/v1/people/?limit=100", "/api/v1/organisations/?limit=100",
    "/api/v1/corrections/?limit=100", "/api/v1/articles/takedowns/?limit=100", "/api/v1/categories/",
])
def test_each_list_runs_the_same_number_of_queries_for_3_or_30_items(
        client, make_article, make_category, section, url, settings):
    settings.NEWSROOM_PAGE_CACHE = False

    def add(n):
        for i in range(n):
            article = make_article(category=make_category(f"Api section {i}-{n}", parent=section))
            article.tags.add(f"tag-{n}-{i}", f"other-{n}-{i}")
            article.people.add(Person.objects.create(name=f"P {n} {i}", slug=f"api-p-{n}-{i}"))
            org = Organization.objects.create(name=f"O {n} {i}", slug=f"api-o-{n}-{i}")
            Role.objects.create(person=article.people.first(), organization=org, title="Chair")
            Correction.objects.create(article=article, text=f"c {i}")
            make_article(status=Article.Status.DRAFT)

    add(3)
    few = queries_for(client, url)
    add(27)
    from django.core.cache import cache

    cache.clear()  # the sections readers see are kept per content generation, which commits raise (none here)
    assert len(get_json(client, url)["results"]) >= (30 if "categories" not in url else 1)
    assert queries_for(client, url) == few


def test_the_openapi_schema_validates_and_documents_every_list_filter(client, db):
    from openapi_spec_validator import validate

    schema = get_json(client, "/api/v1/schema/")
    validate(schema)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert {"category", "tag", "person", "organisation", "language", "updated_since", "limit", "cursor"} <= parameters


def test_every_query_parameter_of_the_api_is_part_of_the_page_cache_key(client, db):
    """The page cache drops parameters its key does not name; an API filter it dropped would be ignored."""
    from django.urls import resolve

    from articles.cache.keys import QUERY_PARAMETERS

    schema = get_json(client, "/api/v1/schema/")
    for path, operations in schema["paths"].items():
        names = {p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"}
        if names:
            view = resolve(path.replace("{article_id}", "1").replace("{slug}", "x")).view_name
            assert names == set(QUERY_PARAMETERS[view]), path


def test_the_reference_page_runs_under_the_sites_policy_with_assets_from_static_files(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    document = parse_html(response.content.decode())
    scripts = document.find_all("script")
    assert scripts
    for script in scripts:  # inline scripts would be blocked: only data blocks, and files of our own origin
        if script.attrs.get("src"):
            assert script.attrs["src"].startswith("/static/")
        else:
            assert script.attrs.get("type") == "application/json"
    for link in document.find_all("link"):
        assert link.attrs["href"].startswith("/static/")
    for script in scripts:
        if script.attrs.get("src"):
            assert client.get(script.attrs["src"]).status_code == 200


def test_repeat_reads_are_cached_answer_304_and_go_stale_when_content_changes(client, make_article):
    article = make_article(title="First title")
    url = f"/api/v1/articles/{article.pk}/"
    first = client.get(url)
    again = client.get(url)
    assert (first["X-Cache"], again["X-Cache"]) == ("MISS", "HIT")
    assert first["ETag"] and first["Last-Modified"] and "public" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    from django.test import TestCase  # noqa: F401  (on_commit runs with the test's captureOnCommitCallbacks)

    with TestCase.captureOnCommitCallbacks(execute=True):
        article.title = "Second title"
        article.save()
    changed = client.get(url)
    assert changed["X-Cache"] == "MISS" and changed.json()["title"] == "Second title"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_filtered_list_is_cached_apart_from_the_unfiltered_one(client, make_article):
    article = make_article(language="zh")
    make_article()
    assert len(get_json(client, "/api/v1/articles/")["results"]) == 2
    assert [i["id"] for i in get_json(client, "/api/v1/articles/?language=zh")["results"]] == [article.pk]


def test_errors_are_json_never_html(client, make_article, monkeypatch):
    article = make_article()
    assert "detail" in get_json(client, "/api/v1/no-such-thing/", status=404)
    assert "detail" in get_json(client, "/api/nothing-here", status=404)
    assert "detail" in get_json(client, "/api/", status=404)
    from articles import representation

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(representation, "article_detail", broken)
    body = get_json(client, f"/api/v1/articles/{article.pk}/", status=500)
    assert "boom" not in body["detail"]


def test_a_sync_client_ends_with_exactly_the_public_set(client, make_article, settings):
    """Full sync, then incremental syncs after a publish, an edit, a takedown, an expiry and a delete."""
    from django.test import TestCase

    from articles.publishing import workflow

    settings.NEWSROOM_PAGE_CACHE = False  # the client reads its own writes at once, as with a fresh cache
    kept = {}

    def sync(since):
        started = timezone.now()
        query = f"?updated_since={since.isoformat().replace('+', '%2B')}" if since else ""
        for item in walk(client, f"/api/v1/articles/{query}&limit=2" if query else "/api/v1/articles/?limit=2")[0]:
            kept[item["id"]] = item["title"]
        gone = f"?since={since.isoformat().replace('+', '%2B')}" if since else ""
        for item in walk(client, f"/api/v1/articles/takedowns/{gone}")[0]:
            kept.pop(item["id"], None)
        return started

    def public():
        return dict(Article.objects.published().values_list("pk", "title"))

    live = [make_article() for _ in range(5)]
    draft = make_article(status=Article.Status.DRAFT, title="Draft to publish")
    expiring = make_article(unpublish_at=timezone.now() + timedelta(seconds=2))
    mark = sync(None)
    assert kept == public()

    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.publish([draft], None)
    live[0].title = "Edited title"
    live[0].save()
    workflow.unpublish([live[1]], None)
    Article.objects.filter(pk=expiring.pk).update(unpublish_at=timezone.now())
    live[2].delete()
    mark = sync(mark)
    assert kept == public()
    assert kept[live[0].pk] == "Edited title" and draft.pk in kept
    assert live[1].pk not in kept and live[2].pk not in kept and expiring.pk not in kept
    sync(mark)
    assert kept == public()


def test_chinese_slugs_come_back_as_valid_percent_encoded_urls(client, make_article, make_category):
    section = make_category("电商")
    article = make_article(category=section, title="大淘宝三大中心正式运转")
    article.tags.add("淘宝")
    item = get_json(client, f"/api/v1/articles/{article.pk}/ninjs/")
    category_uri = next(s["uri"] for s in item["subjects"] if s["rel"] == "category")
    assert category_uri == "http://testserver/%E7%94%B5%E5%95%86/"
    assert client.get(category_uri.removeprefix("http://testserver")).status_code == 200
    tag = get_json(client, "/api/v1/tags/")["results"][0]
    assert tag["canonical_url"] == "http://testserver/tag/%E6%B7%98%E5%AE%9D/"
    assert client.get(tag["canonical_url"].removeprefix("http://testserver")).status_code == 200
    assert item["uri"].isascii()


@pytest.mark.parametrize("identifier", ["9988", "baba", "5493001NTNQJDH60PM02", "q1359568"])
def test_organisations_are_found_by_ticker_lei_or_wikidata_id_and_carry_them(client, db, identifier):
    found = get_json(client, f"/api/v1/organisations/?identifier={identifier}")["results"]
    assert [o["slug"] for o in found] == ["alibaba-group"]
    (alibaba,) = found
    assert (alibaba["wikidata_id"], alibaba["lei"]) == ("Q1359568", "5493001NTNQJDH60PM02")
    assert {(l["exchange"], l["ticker"]) for l in alibaba["listings"]} == {("HKEX", "9988"), ("NYSE", "BABA")}
    assert get_json(client, "/api/v1/organisations/?identifier=NOPE")["results"] == []
