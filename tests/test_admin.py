import json

import pytest
from django.contrib import admin
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Category, Organization, Person, Role
from tests.html import parse_html

from tests.conftest import NO_CORRECTIONS  # noqa: E402

pytestmark = pytest.mark.django_db

REGISTERED = [Article, Category, Person, Organization, Role, Tag]


def test_every_content_model_is_registered():
    for model in REGISTERED:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_render(staff_client, make_article, model):
    article = make_article()
    article.tags.add("alibaba")
    opts = model._meta
    assert staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    obj = model.objects.first()
    assert staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == 200


def management_form(prefix, total=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_editor_creates_a_subcategory_and_publishes_an_article(staff_client, client, section):
    response = staff_client.post(
        reverse("admin:articles_category_add"),
        {"name": "Live streaming", "slug": "live-streaming", "parent": section.pk, "description": "", "ordering": "0"},
    )
    assert response.status_code == 302, response.content
    sub = Category.objects.get(slug="live-streaming")
    assert sub.path == "dietary-recipes/live-streaming"

    Tag.objects.create(name="Taobao", slug="taobao")
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Anchors must show licences",
            "slug": "anchors-must-show-licences",
            "standfirst": "Taobao Live has new rules.",
            "body": "First.\n\nSecond.",
            "category": sub.pk,
            "byline": "Chen Lu",
            "language": "en",
            "status": "published",
            "publish_at_0": "",
            "publish_at_1": "",
            "unpublish_at_0": "",
            "unpublish_at_1": "",
            "tags": [Tag.objects.get(name="Taobao").pk],
            **NO_CORRECTIONS, "new_tags": "food safety, 淘宝",
            "person_links-TOTAL_FORMS": "1", "person_links-0-person": Person.objects.get(slug="dai-shan").pk,
            "person_links-0-grade": "about",
            "organization_links-TOTAL_FORMS": "1",
            "organization_links-0-organization": Organization.objects.get(slug="taobao-live").pk,
            "organization_links-0-grade": "mention",
        },
    )
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    article = Article.objects.get(slug="anchors-must-show-licences")
    assert article.is_live
    assert set(article.tags.values_list("name", flat=True)) == {"Taobao", "food safety", "淘宝"}
    assert [p.name for p in article.people.all()] == ["Dai Shan"]

    home = parse_html(client.get("/").content)
    assert article.get_absolute_url() in {a.attrs.get("href") for a in home.find_all("a")}
    category_page = parse_html(client.get(sub.get_absolute_url()).content)
    assert article.get_absolute_url() in {a.attrs.get("href") for a in category_page.find_all("a")}
    page = parse_html(client.get(article.get_absolute_url()).content)
    crumbs = [li.text() for li in page.find("nav", aria_label="Breadcrumb").find_all("li")]
    assert crumbs == ["Recipe Complete Network", "Dietary recipes", "Live streaming", "Anchors must show licences"]


def test_publish_and_unpublish_actions(staff_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")
    staff_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_live
    staff_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_actions_need_the_publish_permission(client, django_user_model, make_article):
    from django.contrib.auth.models import Permission

    writer = django_user_model.objects.create_user("writer", password="a-long-pass-phrase", is_staff=True)
    writer.user_permissions.add(*Permission.objects.filter(codename__in=["view_article", "change_article"]))
    client.force_login(writer)
    draft = make_article(status=Article.Status.DRAFT)
    response = client.post(reverse("admin:articles_article_changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert response.status_code in (200, 302)


def test_article_list_shows_scheduled_state_and_filters(staff_client, make_article):
    from datetime import timedelta

    from django.utils import timezone

    make_article("Future story", publish_at=timezone.now() + timedelta(days=1))
    make_article("Live story")
    response = staff_client.get(reverse("admin:articles_article_changelist"), {"state": "scheduled"})
    document = parse_html(response.content)
    rows = document.find("table", id="result_list").find("tbody").find_all("tr")
    assert len(rows) == 1
    assert "Scheduled for" in rows[0].text()


def test_article_list_filters_by_tag_and_quality_flag(staff_client, make_article):
    flagged = make_article("Flagged", quality_flags=["65438", "split-year"])
    clean = make_article("Clean")
    clean.tags.add("alibaba")
    url = reverse("admin:articles_article_changelist")
    by_flag = parse_html(staff_client.get(url, {"flag": "65438"}).content)
    assert [a.text() for a in by_flag.find("table", id="result_list").find_all("th", class_="field-title")] == ["Flagged"]
    tag = Tag.objects.get(name="alibaba")
    by_tag = parse_html(staff_client.get(url, {"tags__id__exact": tag.pk}).content)
    assert [a.text() for a in by_tag.find("table", id="result_list").find_all("th", class_="field-title")] == ["Clean"]
    assert flagged.pk != clean.pk


def test_tag_autocomplete_answers(staff_client):
    Tag.objects.create(name="Taobao", slug="taobao")
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "Tao", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in json.loads(response.content)["results"]] == ["Taobao"]


def test_category_admin_shows_full_path(staff_client, make_category):
    business = make_category("Business")
    make_category("Logistics", parent=business)
    document = parse_html(staff_client.get(reverse("admin:articles_category_changelist")).content)
    names = [td.text() for td in document.find_all("th", class_="field-full_name")]
    assert "Business > Logistics" in names


def test_person_admin_saves_aliases_and_roles(staff_client):
    org = Organization.objects.get(slug="alimama")
    data = {
        "name": "Chen Lu", "slug": "chen-lu", "job_title": "Reporter", "bio": "",
        **management_form("aliases", 1), "aliases-0-name": "陈璐",
        **management_form("roles", 1), "roles-0-organization": org.pk, "roles-0-title": "Columnist",
        "roles-0-start_date": "", "roles-0-end_date": "",
    }
    response = staff_client.post(reverse("admin:articles_person_add"), data)
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    person = Person.objects.get(slug="chen-lu")
    assert list(person.aliases.values_list("name", flat=True)) == ["陈璐"]
    assert person.roles.get().organization == org


def test_deleting_a_category_with_articles_is_refused_in_the_admin(staff_client, make_article, section):
    make_article()
    response = staff_client.post(reverse("admin:articles_category_delete", args=[section.pk]), {"post": "yes"})
    assert Category.objects.filter(pk=section.pk).exists()
    assert response.status_code == 200
    assert "Cannot delete" in parse_html(response.content).find("h1").text() or b"protected" in response.content


# The article list at scale: what each view offers stays the same, its work stays bounded.

def list_titles(document):
    table = document.find("table", id="result_list")  # absent when nothing matches
    return [th.text() for th in table.find_all("th", class_="field-title")] if table else []


def date_links(document):
    nav = document.find("nav", class_="toplinks")
    return [a.text() for a in nav.find_all("a") if "date-back" not in (a.attrs.get("class") or "")]


@pytest.mark.parametrize("few_rows", [0, 1000], ids=["probed", "read once"])
def test_date_drill_down_offers_the_years_months_and_days_that_hold_articles_without_a_scan(
    staff_client, make_article, monkeypatch, few_rows
):
    from datetime import datetime, timezone as tz

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.admin import changelist

    monkeypatch.setattr(changelist, "FEW_ROWS", few_rows)

    make_article("Spring 2022", publish_at=datetime(2022, 3, 9, 12, tzinfo=tz.utc))
    make_article("Summer 2024", publish_at=datetime(2024, 7, 5, 12, tzinfo=tz.utc))
    make_article("Late summer 2024", publish_at=datetime(2024, 8, 20, 12, tzinfo=tz.utc))
    url = reverse("admin:articles_article_changelist")
    with CaptureQueriesContext(connection) as queries:
        document = parse_html(staff_client.get(url).content)
    assert date_links(document) == ["2022", "2024"]
    # Django's own drill-down truncates every row's date (DISTINCT django_datetime_trunc / DATE_TRUNC).
    assert not [q["sql"] for q in queries.captured_queries if "trunc(" in q["sql"].lower()]
    document = parse_html(staff_client.get(url, {"publish_at__year": "2024"}).content)
    assert date_links(document) == ["July 2024", "August 2024"]
    assert list_titles(document) == ["Late summer 2024", "Summer 2024"]
    document = parse_html(staff_client.get(url, {"publish_at__year": "2024", "publish_at__month": "7"}).content)
    assert date_links(document) == ["July 5"]
    assert list_titles(document) == ["Summer 2024"]
    assert staff_client.get(url, {"publish_at__year": "20x4"}).status_code == 302  # Django's own answer to a bad lookup (?e=1)


def test_article_list_runs_the_same_queries_for_few_and_many_rows(staff_client, make_article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:articles_article_changelist")
    counts = []
    for total in (3, 12):
        while Article.objects.count() < total:
            make_article().tags.add(f"tag {Article.objects.count()}")
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_later_page_of_the_list_shows_the_next_articles_in_order(staff_client, make_article, monkeypatch):
    from articles.admin.articles import ArticleAdmin

    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)
    made = [make_article(f"Story {i}") for i in range(5)]  # each a minute older than the one before
    url = reverse("admin:articles_article_changelist")
    assert list_titles(parse_html(staff_client.get(url, {"p": 2}).content)) == [made[2].title, made[3].title]
    document = parse_html(staff_client.get(url, {"p": 3}).content)
    assert list_titles(document) == [made[4].title]
    link = document.find("table", id="result_list").find("th", class_="field-title").find("a")
    assert link.attrs["href"].split("?")[0] == reverse("admin:articles_article_change", args=[made[4].pk])


def test_list_search_uses_the_full_text_index_for_drafts_bodies_and_file_names(staff_client, make_article):
    from django.db import transaction

    from articles.search import index_articles

    draft = make_article("Quiet headline", status=Article.Status.DRAFT, body="The Cainiao hub opened.")
    imported = make_article("Imported", source_name="wire/0042.txt")
    make_article("Other")
    with transaction.atomic():
        index_articles(list(Article.objects.all()))
    url = reverse("admin:articles_article_changelist")
    assert list_titles(parse_html(staff_client.get(url, {"q": "cainiao"}).content)) == [draft.title]
    assert list_titles(parse_html(staff_client.get(url, {"q": "wire/0042.txt"}).content)) == [imported.title]
    for hostile in ['"', "NEAR(a b)", "'; DROP TABLE articles_article; --", "x" * 2000]:
        assert staff_client.get(url, {"q": hostile}).status_code == 200
    assert Article.objects.count() == 3


def test_list_search_shows_the_newest_matches_up_to_its_bound_and_says_so(staff_client, make_article, monkeypatch):
    from django.db import transaction

    import articles.admin.articles as article_admin
    from articles.search import index_articles

    monkeypatch.setattr(article_admin, "SEARCH_LIMIT", 2)
    made = [make_article(f"Cainiao {i}") for i in range(3)]
    with transaction.atomic():
        index_articles(made)
    document = parse_html(staff_client.get(reverse("admin:articles_article_changelist"), {"q": "cainiao"}).content)
    assert sorted(list_titles(document)) == sorted(a.title for a in sorted(made, key=lambda a: -a.pk)[:2])
    assert "Showing the 2 newest articles that match" in document.find("ul", class_="messagelist").text()


def test_tag_filter_offers_recent_articles_tags_and_still_filters_by_any_tag(staff_client, make_article, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from articles.admin import filters

    monkeypatch.setattr(filters, "RECENT_ARTICLES", 1)
    old = make_article("Old story", publish_at=timezone.now() - timedelta(days=30))
    old.tags.add("archive")
    make_article("New story").tags.add("fresh")
    url = reverse("admin:articles_article_changelist")

    def offered(document):
        heading = [h for h in document.find_all("summary") if "tag" in h.text().lower()]
        return [a.text() for a in heading[0].parent.find_all("a")][1:]  # after "All"

    assert offered(parse_html(staff_client.get(url).content)) == ["fresh"]
    archive = Tag.objects.get(name="archive")
    document = parse_html(staff_client.get(url, {"tags__id__exact": archive.pk}).content)
    assert "archive" in offered(document)  # the chosen tag is always shown
    assert list_titles(document) == [old.title]
    assert list_titles(parse_html(staff_client.get(url, {"tags__id__exact": "x"}).content)) == []
