"""Identifiers of organisations and people: validation, pages, JSON-LD, admin search, public search by ticker."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article, Listing, Organization, Person
from articles.models.entities import lei_checks
from tests.html import parse_html

pytestmark = pytest.mark.django_db


def json_ld(document, kind):
    import json

    found = [json.loads(s.text()) for s in document.find_all("script", type="application/ld+json")]
    return [item for item in found if item.get("@type") == kind]


@pytest.mark.parametrize("lei", ["5493001NTNQJDH60PM02", "5493001KJTIIGC8Y1R12", "7LTWFZYICNSX8D621K86"])
def test_real_leis_pass_the_iso_17442_check(lei):
    assert lei_checks(lei)


@pytest.mark.parametrize("lei", ["5493001NTNQJDH60PM03", "5493001NTNQJDH60PM0", "5493001ntnqjdh60pm02x", "ABCDEFGHIJKLMNOPQRST"])
def test_a_mistyped_lei_fails_the_check(lei):
    assert not lei_checks(lei)


def test_the_model_refuses_a_bad_lei_and_a_bad_wikidata_id_naming_the_problem():
    org = Organization(name="Example", slug="example", lei="5493001NTNQJDH60PM03", wikidata_id="1359568")
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "check digits" in " ".join(error.value.message_dict["lei"])
    assert "Q followed by digits" in " ".join(error.value.message_dict["wikidata_id"])
    person = Person(name="X", slug="x", wikidata_id="q42")
    person.full_clean()  # lower case is put right, not refused
    assert person.wikidata_id == "Q42"


def test_alibaba_ships_with_its_identifiers():
    alibaba = Organization.objects.get(slug="alibaba-group")
    assert (alibaba.wikidata_id, alibaba.lei) == ("Q1359568", "5493001NTNQJDH60PM02")
    assert lei_checks(alibaba.lei)
    assert {(listing.ticker, listing.exchange) for listing in alibaba.listings.all()} == {("9988", "HKEX"), ("BABA", "NYSE")}


def test_the_organisation_page_shows_identifiers_and_carries_them_in_json_ld(client):
    document = parse_html(client.get("/organisations/alibaba-group/").content)
    identifiers = document.find("dl", class_="identifiers").text()
    assert "9988 (HKEX)" in identifiers and "BABA (NYSE)" in identifiers and "5493001NTNQJDH60PM02" in identifiers
    (data,) = json_ld(document, "Corporation")
    assert data["sameAs"] == ["https://www.wikidata.org/wiki/Q1359568"]
    assert sorted(data["tickerSymbol"]) == ["HKEX 9988", "NYSE BABA"]
    assert data["leiCode"] == "5493001NTNQJDH60PM02"
    assert data["url"] == "http://testserver/organisations/alibaba-group/"


def test_the_person_page_carries_the_wikidata_id(client):
    Person.objects.filter(slug="zhang-yong").update(wikidata_id="Q5351346")
    document = parse_html(client.get("/people/zhang-yong/").content)
    (data,) = json_ld(document, "Person")
    assert data["sameAs"] == ["https://www.wikidata.org/wiki/Q5351346"]
    assert document.find("a", href="https://www.wikidata.org/wiki/Q5351346").text() == "Q5351346"


@pytest.mark.parametrize("query", ["9988", "BABA", "baba", "Q1359568"])
def test_search_finds_alibaba_by_ticker_with_its_stories(client, make_article, query):
    story = make_article("Alibaba's quarter")
    story.organizations.add(Organization.objects.get(slug="alibaba-group"))
    draft = make_article("Unannounced Alibaba deal", status=Article.Status.DRAFT)
    draft.organizations.add(Organization.objects.get(slug="alibaba-group"))
    document = parse_html(client.get("/search/", {"q": query}).content)
    section = document.find("section", class_="search-organizations")
    assert [a.attrs["href"] for a in section.find_all("a")][:1] == ["/organisations/alibaba-group/"]
    assert [a.text() for a in section.find("ul", class_="organization-stories").find_all("a")] == ["Alibaba's quarter"]


def test_a_query_naming_no_organisation_shows_no_organisation_block(client):
    document = parse_html(client.get("/search/", {"q": "9989"}).content)
    assert document.find("section", class_="search-organizations") is None


def test_admin_search_finds_organisations_by_ticker_and_lei(staff_client):
    for query in ("BABA", "5493001NTNQJDH60PM02", "Q1359568"):
        document = parse_html(staff_client.get("/admin/articles/organization/", {"q": query}).content)
        names = [a.text() for a in document.find("table", id="result_list").find_all("a") if "/change/" in a.attrs.get("href", "")]
        assert names == ["Alibaba Group"], query


def test_admin_refuses_a_bad_lei_with_the_reason(staff_client):
    org = Organization.objects.get(slug="cainiao")
    response = staff_client.post(f"/admin/articles/organization/{org.pk}/change/", {
        "name": org.name, "slug": org.slug, "parent": org.parent_id, "description": "", "founded": "", "dissolved": "",
        "wikidata_id": "", "lei": "5493001NTNQJDH60PM03",
        **{f"{prefix}-{k}": v for prefix in ("aliases", "listings", "structure_facts", "roles")
           for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))},
    })
    assert response.status_code == 200
    assert "check digits" in parse_html(response.content).find("ul", class_="errorlist").text()


def test_a_ticker_is_unique_per_exchange():
    alibaba = Organization.objects.get(slug="alibaba-group")
    with pytest.raises(ValidationError):
        Listing(organization=Organization.objects.get(slug="cainiao"), ticker="baba", exchange="nyse").full_clean()
    assert Listing.objects.filter(organization=alibaba).count() == 2
