from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, Organization, Person, SearchEntry
from articles.search import index_articles, search
from articles.search.text import index_text, query_terms
from tests.html import parse_html

from tests.conftest import NO_CORRECTIONS  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(make_article):
    def make(*args, **kwargs):
        article = make_article(*args, **kwargs)
        with transaction.atomic():
            index_articles([article])
        return article

    return make


def result_titles(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return [h.text() for h in parse_html(response.content).find("ol", class_="search-results").find_all("h2")]


def test_cjk_runs_are_indexed_as_bigrams_and_traditional_is_folded():
    assert index_text("淘寶天貓 Tmall").split() == ["淘宝", "宝天", "天猫", "tmall"]
    assert query_terms('淘宝 "AND" NEAR(x) *') == ["淘宝", "and", "near", "x"]


def test_title_matches_rank_first(client, indexed):
    indexed("A story about markets", body="Cainiao is mentioned once in the body.")
    indexed("Cainiao opens hubs", body="Logistics news.")
    assert result_titles(client, "cainiao") == ["Cainiao opens hubs", "A story about markets"]


def test_two_character_chinese_query_finds_text_without_spaces(client, indexed):
    indexed("淘宝天猫全面融合", body="淘宝天猫迎来新一轮组织架构调整。", language="zh")
    indexed("Unrelated", body="Nothing here.")
    assert result_titles(client, "淘宝") == ["淘宝天猫全面融合"]
    assert result_titles(client, "組織架構") == ["淘宝天猫全面融合"]  # traditional query
    assert result_titles(client, "淘") == ["淘宝天猫全面融合"]  # one character


def test_tags_standfirst_and_people_are_searched(client, indexed):
    from articles.models import Person

    article = indexed("Plain title", standfirst="A standfirst about anchors.", body="Body.")
    article.tags.add("food safety")
    article.people.add(Person.objects.get(slug="daofang"))
    with transaction.atomic():
        index_articles([article])
    assert result_titles(client, "anchors") == ["Plain title"]
    assert result_titles(client, "food safety") == ["Plain title"]
    assert result_titles(client, "Daofang") == ["Plain title"]


def test_unpublished_articles_are_never_found(client, indexed):
    now = timezone.now()
    indexed("Secret draft merger", status=Article.Status.DRAFT)
    indexed("Secret scheduled merger", publish_at=now + timedelta(hours=1))
    indexed("Secret expired merger", unpublish_at=now - timedelta(minutes=1))
    indexed("Public merger")
    assert result_titles(client, "merger") == ["Public merger"]


def test_passage_is_highlighted_and_escaped(client, indexed):
    indexed("Hostile", body="Before <script>alert(1)</script> the Cainiao hub opened & more.")
    document = parse_html(client.get("/search/", {"q": "cainiao"}).content)
    passage = document.find("p", class_="passage")
    assert [m.text() for m in passage.find_all("mark")] == ["Cainiao"]
    assert "<script>alert(1)</script>" in passage.text()
    assert document.find("ol", class_="search-results").find("script") is None


@pytest.mark.parametrize(
    "query",
    ['"', '""', "NEAR(a b)", "a AND OR NOT b", "*", "cai*", "title:x", "'; DROP TABLE articles_article; --", "x" * 2000, "^a", "(", "-", "\x00", "😀 𠮷"],
)
def test_hostile_queries_never_fail(client, indexed, query):
    indexed("Cainiao opens hubs")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert Article.objects.count() == 1


def test_results_are_paginated(client, indexed, settings):
    settings.NEWSROOM_PAGE_SIZE = 3
    for i in range(7):
        indexed(f"Cainiao story {i}")
    assert len(result_titles(client, "cainiao")) == 3
    assert len(result_titles(client, "cainiao", page=3)) == 1
    assert client.get("/search/", {"q": "cainiao", "page": 4}).status_code == 404


def test_deleted_articles_leave_the_index(indexed):
    article = indexed("Cainiao opens hubs")
    assert search("cainiao", 0, 10)[0] == 1
    article.delete()
    assert search("cainiao", 0, 10) == (0, [])


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_deleting_articles_with_people_and_organisations_leaves_no_search_entry_behind(indexed, how):
    """Their graded links go first, and each link's removal re-indexed the article still being deleted: on
    PostgreSQL that wrote a search row for an article gone by the commit, which the commit then refused."""
    articles = [indexed(f"Cainiao story {i}") for i in range(2)]
    for article in articles:
        article.people.add(Person.objects.get(slug="dai-shan"))
        article.organizations.add(Organization.objects.get(slug="taobao"))
    if how == "instance":
        articles[0].delete()
    else:
        Article.objects.filter(pk__in=[a.pk for a in articles]).delete()
    connection.check_constraints()  # what the commit checks (PostgreSQL defers the foreign keys to it)
    left = 1 if how == "instance" else 0
    assert search("cainiao", 0, 10)[0] == left
    assert SearchEntry.objects.count() == (left if connection.vendor == "postgresql" else 0)


def test_admin_save_updates_the_index(staff_client, indexed):
    article = indexed("Old headline")
    response = staff_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        {
            "title": "Fresh headline about Taote", "slug": article.slug, "standfirst": "s", "body": "b",
            "category": article.category.pk, "byline": "", "language": "en", "status": "published",
            "publish_at_0": article.publish_at.strftime("%Y-%m-%d"), "publish_at_1": article.publish_at.strftime("%H:%M:%S"),
            "unpublish_at_0": "", "unpublish_at_1": "",
            **NO_CORRECTIONS, "new_tags": "",
        },
    )
    assert response.status_code == 302
    assert [hit.article.pk for hit in search("taote", 0, 10)[1]] == [article.pk]
    assert search("old", 0, 10)[0] == 0


def test_search_runs_a_fixed_number_of_queries(client, indexed, django_assert_max_num_queries):
    for i in range(15):
        indexed(f"Cainiao story {i}")
    # Eight for the results, two for the organisation the query names (Cainiao) and its latest stories.
    with django_assert_max_num_queries(10):
        client.get("/search/", {"q": "cainiao"})


def test_search_backend_matches_the_database():
    from articles.search import backend

    assert backend().__name__.endswith("postgres" if connection.vendor == "postgresql" else "sqlite")


def test_results_rank_title_matches_first_then_text_rank_then_recency(client, indexed):
    in_title = indexed("Cainiao opens hubs", standfirst="Logistics.", body="Warehouses.")
    strong = indexed("Parcel volumes", standfirst="Cainiao counts parcels.", body="Cainiao again in the body.")
    older_weak = indexed("Quarterly figures", standfirst="Figures.", body="Cainiao is mentioned once.")
    newer_weak = indexed("Yearly figures", standfirst="Figures.", body="Cainiao is mentioned once.")
    assert older_weak.pk < newer_weak.pk
    assert result_titles(client, "cainiao") == [in_title.title, strong.title, newer_weak.title, older_weak.title]


def test_an_old_title_match_ranks_first_even_beyond_the_ranked_window(client, indexed, monkeypatch):
    import articles.search

    monkeypatch.setattr(articles.search, "RANKED", 3)
    old = indexed("Cainiao opens hubs", body="Logistics.")
    for i in range(5):
        indexed(f"Story {i}", body="Cainiao in the body only.")
    titles = result_titles(client, "cainiao")
    assert titles[0] == old.title and len(titles) == 3


def test_count_is_exact_below_the_bound_and_about_beyond_it(client, indexed, monkeypatch, settings):
    import articles.search

    settings.NEWSROOM_PAGE_SIZE = 2
    for i in range(12):
        indexed(f"Cainiao story {i}")
    indexed("Unrelated story")

    def status(**params):
        cache.clear()  # the page cache would answer with the page counted under the earlier bound
        response = client.get("/search/", {"q": "cainiao", **params})
        return response.status_code, response.status_code == 200 and parse_html(response.content).find("p", role="status").text()

    monkeypatch.setattr(articles.search, "COUNTED", 20)
    assert search("cainiao", 0, 2)[0] == 12 and search("cainiao", 0, 2)[0].exact
    assert status()[1].startswith("12 results")
    monkeypatch.setattr(articles.search, "COUNTED", 5)
    monkeypatch.setattr(articles.search, "RANKED", 4)
    total = search("cainiao", 0, 2)[0]
    assert not total.exact and 10 <= total <= 14  # extrapolated from the five newest matches' ids
    assert status()[1].startswith(f"About {total} results")
    assert status(page=2)[0] == 200
    assert status(page=3)[0] == 404  # only the ranked window can be paged through


def test_the_backend_stops_at_its_bounds_however_many_articles_match(indexed):
    from articles.search import backend

    for i in range(8):
        indexed(f"Cainiao story {i}", body="Cainiao everywhere.")
    title, anywhere, counted = backend().candidates("cainiao", Article.objects.published(), 3, 5)
    assert (len(title), len(anywhere), len(counted)) == (3, 3, 5)
    newest = list(Article.objects.order_by("-pk").values_list("pk", flat=True))
    assert counted == newest[:5]  # the newest matches, in the index's order
    assert sorted(pk for pk, _ in anywhere) == sorted(newest[:3])


def test_chinese_ranks_title_matches_first(client, indexed):
    indexed("市场周报", body="淘宝天猫迎来新一轮组织架构调整。", language="zh")
    indexed("淘宝天猫全面融合", body="组织架构。", language="zh")
    assert result_titles(client, "淘宝") == ["淘宝天猫全面融合", "市场周报"]


def test_an_organisation_named_in_a_search_comes_with_its_latest_published_stories_newest_first(make_article):
    from articles.search import ORGANIZATION_STORIES, organizations_named

    taobao, tmall = Organization.objects.get(slug="taobao"), Organization.objects.get(slug="tmall")
    now = timezone.now()
    stories = [make_article(f"Taobao story {i}", publish_at=now - timedelta(hours=i)) for i in range(ORGANIZATION_STORIES + 2)]
    hidden = [make_article("Taobao draft", status=Article.Status.DRAFT),
              make_article("Taobao tomorrow", publish_at=now + timedelta(days=1))]
    for article in stories + hidden:
        article.organizations.add(taobao)
    stories[0].organizations.add(tmall)
    (hit,) = organizations_named("Taobao")
    assert hit.organization == taobao
    assert [a.title for a in hit.stories] == [a.title for a in stories[:ORGANIZATION_STORIES]]
    (other,) = organizations_named("tmall")
    assert [a.title for a in other.stories] == ["Taobao story 0"]
