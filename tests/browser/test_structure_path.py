"""An editor records an organisation's identifiers and a change to its structure, grades a story's link to it,
and a reader sees them on the organisation's page, its chart and the story's JSON-LD."""

import json
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest

from articles.models import Article, ArticleOrganization, Category, Listing, Organization, StructureFact
from articles.models.entities import lei_checks
from tests.browser.test_editor_path import PASSWORD, pick_autocomplete, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def with_check_digits(base18):
    """A LEI made of 18 characters and the two check digits ISO 17442 gives them."""
    number = int("".join(str(int(c, 36)) for c in base18 + "00"))
    return f"{base18}{98 - number % 97:02d}"


def json_ld(page, kind):
    found = [json.loads(text) for text in page.locator("script[type='application/ld+json']").all_text_contents()]
    return [item for item in found if item.get("@type") == kind]


def test_editor_records_identifiers_structure_and_grades_and_readers_see_them(
    seed_entities, page, live_server, django_user_model, screenshot
):
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    news = Category.objects.create(name="Logistics")
    story = Article.objects.create(title="Cainiao is founded", standfirst="A logistics arm.", body="Cainiao starts.",
                                   category=news, status=Article.Status.PUBLISHED,
                                   publish_at=datetime(2020, 1, 1, tzinfo=dt_timezone.utc))
    lei = with_check_digits("529900CAINIAO00000")
    assert lei_checks(lei)

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    submit(page, "input[type=submit]")

    cainiao = Organization.objects.get(slug="cainiao")
    page.goto(f"{live_server.url}/admin/articles/organization/{cainiao.pk}/change/")
    page.fill("#id_wikidata_id", "Q5017456")
    page.fill("#id_lei", lei[:-1] + str((int(lei[-1]) + 1) % 10))  # a typing error first
    submit(page, "input[name=_continue]")
    assert "check digits" in page.locator(".field-lei .errorlist").inner_text()
    page.fill("#id_lei", lei)
    page.fill("#id_listings-0-ticker", "cnio")
    page.fill("#id_listings-0-exchange", "hkex")
    page.fill("#id_structure_facts-0-date", "2013-05-28")
    page.select_option("#id_structure_facts-0-kind", "created")
    pick_autocomplete(page, "id_structure_facts-0-parent", "Alibaba Group")
    page.fill("#id_structure_facts-0-note", "Set up with logistics partners.")
    pick_autocomplete(page, "id_structure_facts-0-source", "Cainiao is founded")
    submit(page, "input[name=_continue]")
    assert page.locator(".messagelist .success").is_visible(), page.locator(".errornote, .errorlist").all_inner_texts()
    cainiao.refresh_from_db()
    assert (cainiao.wikidata_id, cainiao.lei, cainiao.founded.isoformat()) == ("Q5017456", lei, "2013-05-28")
    assert Listing.objects.filter(organization=cainiao, ticker="CNIO", exchange="HKEX").exists()
    assert StructureFact.objects.get(organization=cainiao).source == story

    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.locator("#organization_links-group .add-row a").click()
    pick_autocomplete(page, "id_organization_links-0-organization", "Cainiao")
    page.select_option("#id_organization_links-0-grade", "about")
    submit(page, "input[name=_continue]")
    assert page.locator(".messagelist .success").is_visible(), page.locator(".errorlist").all_inner_texts()
    assert ArticleOrganization.objects.get(article=story).grade == "about"
    assert "Cainiao" in page.locator("#cited_structure_facts-group").inner_text()  # the facts this story reports

    reader = page.context.browser.new_context().new_page()
    reader.goto(f"{live_server.url}/organisations/cainiao/")
    assert "CNIO (HKEX)" in reader.locator("dl.identifiers").inner_text()
    timeline = reader.locator("ol.timeline li").first
    assert "created" in timeline.inner_text()
    assert timeline.locator(".source a").inner_text() == "Cainiao is founded"
    (org,) = json_ld(reader, "Corporation")
    assert org["sameAs"] == ["https://www.wikidata.org/wiki/Q5017456"] and org["tickerSymbol"] == ["HKEX CNIO"]
    about = reader.locator("h2", has_text="Stories about Cainiao")
    assert about.is_visible()
    reader.goto(live_server.url + story.get_absolute_url())
    (article,) = json_ld(reader, "NewsArticle")
    assert [(e["name"], e["sameAs"]) for e in article["about"]] == [("Cainiao", ["https://www.wikidata.org/wiki/Q5017456"])]

    reader.goto(f"{live_server.url}/organisations/big-taobao/?on=2022-01-01")
    chart = reader.locator("figure.org-chart-figure svg")
    assert chart.locator("a").count() >= 6
    box = chart.locator("a", has_text="User Operation and Development Center")
    assert "Xuande" in box.text_content()
    with reader.expect_navigation():
        box.locator("rect").click()
    assert reader.url.endswith("/organisations/user-operation-development-center/")
    reader.goto(f"{live_server.url}/organisations/big-taobao/?on=2022-01-01")
    page.goto(reader.url)
    screenshot("big-taobao-chart-2022-01-01")
    reader.context.close()
