"""Grades of an article's links to people and organisations: kept by the migration, proposed by the importer,
edited inline in the admin, carried in JSON-LD, and ordering the entity pages."""

import json
from pathlib import Path

import pytest

from articles.importing.link import EntityMatcher
from articles.importing.service import ImportOptions, import_files
from articles.models import Article, ArticleOrganization, ArticlePerson, Grade, Organization, Person
from tests.conftest import form_data, change_url
from tests.html import parse_html

pytestmark = pytest.mark.django_db


def json_ld(document, kind):
    found = [json.loads(s.text()) for s in document.find_all("script", type="application/ld+json")]
    return [item for item in found if item.get("@type") == kind]


def test_the_importer_grades_by_place_and_frequency():
    matcher = EntityMatcher.from_database()
    dai_shan, xuande, zhang = (Person.objects.get(slug=s).pk for s in ("dai-shan", "xuande", "zhang-yong"))
    people, organizations = matcher.grades(
        "Dai Shan reorganises Taobao\nThe three centres report to her.",
        "Xuande leads one centre. Xuande was named. Later Xuande spoke. Zhang Yong agreed. Dai Shan wrote.",
    )
    assert people == {dai_shan: Grade.ABOUT, xuande: Grade.MAJOR, zhang: Grade.MENTION}
    assert organizations[Organization.objects.get(slug="taobao").pk] == Grade.ABOUT


def test_importing_the_seed_article_stores_the_proposed_grades(settings):
    import_files([Path(settings.BASE_DIR) / "samples" / "000_c6f02d5226f12f52.txt"], ImportOptions(publish=True))
    article = Article.objects.get(title="Honey pomelo live app")
    grades = {link.organization.slug: link.grade for link in article.organization_links.select_related("organization")}
    assert grades["taobao"] == grades["tmall"] == Grade.ABOUT  # named in the standfirst
    people = {link.person.slug: link.grade for link in article.person_links.select_related("person")}
    assert people["dai-shan"] == Grade.MAJOR  # named in many paragraphs, not in the title or standfirst
    assert people["zhang-yong"] == Grade.MENTION


def test_links_made_through_the_manager_still_reach_the_search_index_and_default_to_mention(make_article):
    from articles.search import search

    article = make_article("A quiet story", body="Nothing much.")
    article.people.add(Person.objects.get(slug="xuande"))
    assert ArticlePerson.objects.get(article=article).grade == Grade.MENTION
    assert [hit.article.pk for hit in search("Xuande", 0, 10)[1]] == [article.pk]


def test_an_editor_changes_a_grade_inline_and_the_page_and_search_follow(staff_client, make_article, client):
    from articles.search import search

    article = make_article("Centres open", body="The centres opened.")
    link = ArticlePerson.objects.create(article=article, person=Person.objects.get(slug="xuande"), grade=Grade.MENTION)
    person_page = "/people/xuande/"
    before = parse_html(client.get(person_page).content)  # now cached
    assert "Centres open" not in about_titles(before)
    response = staff_client.post(change_url(article), form_data(article, **{
        "person_links-TOTAL_FORMS": "2", "person_links-INITIAL_FORMS": "1",
        "person_links-0-id": link.pk, "person_links-0-article": article.pk,
        "person_links-0-person": link.person_id, "person_links-0-grade": "about",
        "person_links-1-article": article.pk, "person_links-1-person": Person.objects.get(slug="sixin").pk,
        "person_links-1-grade": "major",
    }))
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    assert dict(ArticlePerson.objects.filter(article=article).values_list("person__slug", "grade")) == {
        "xuande": "about", "sixin": "major"}
    assert about_titles(parse_html(client.get(person_page).content)) == ["Centres open"]  # the cache went stale
    assert [hit.article.pk for hit in search("Sixin", 0, 10)[1]] == [article.pk]  # inline links are indexed


def about_titles(document):
    """Teaser titles under "Stories about ..." (up to the next h2)."""
    headings = document.find_all("h2")
    about = next(h for h in headings if h.text().startswith("Stories about"))
    teasers = about.parent.children[about.parent.children.index(about) + 1]
    return [h.text() for h in teasers.find_all("h3")]


def test_entity_pages_list_stories_about_before_mentions(client, make_article):
    about = make_article("All about Dai Shan")
    mention = make_article("Dai Shan in passing")
    dai_shan = Person.objects.get(slug="dai-shan")
    ArticlePerson.objects.create(article=about, person=dai_shan, grade=Grade.ABOUT)
    ArticlePerson.objects.create(article=mention, person=dai_shan, grade=Grade.MENTION)
    document = parse_html(client.get("/people/dai-shan/").content)
    headings = [h.text() for h in document.find_all("h2")]
    assert headings.index("Stories about Dai Shan") < headings.index("Also mentioned in")
    assert about_titles(document) == ["All about Dai Shan"]
    titles = [h.text() for h in document.find_all("h3")]
    assert titles == ["All about Dai Shan", "Dai Shan in passing"]


def test_article_json_ld_has_about_and_mentions_with_urls_and_identifiers(client, make_article):
    article = make_article("Alibaba results")
    ArticleOrganization.objects.create(article=article, organization=Organization.objects.get(slug="alibaba-group"),
                                       grade=Grade.ABOUT)
    ArticlePerson.objects.create(article=article, person=Person.objects.get(slug="zhang-yong"), grade=Grade.MAJOR)
    ArticlePerson.objects.create(article=article, person=Person.objects.get(slug="lu-su"), grade=Grade.MENTION)
    (data,) = json_ld(parse_html(client.get(article.get_absolute_url()).content), "NewsArticle")
    assert data["about"] == [{"@type": "Organization", "name": "Alibaba Group",
                              "url": "http://testserver/organisations/alibaba-group/",
                              "sameAs": ["https://www.wikidata.org/wiki/Q1359568"], "leiCode": "5493001NTNQJDH60PM02"}]
    assert [(m["name"], m["url"]) for m in data["mentions"]] == [
        ("Lu Su", "http://testserver/people/lu-su/"), ("Zhang Yong", "http://testserver/people/zhang-yong/")]


def test_an_organisation_has_rss_and_atom_feeds_of_published_stories(client, make_article):
    import xml.etree.ElementTree as ET

    live = make_article("Cainiao opens hubs")
    draft = make_article("Cainiao draft", status=Article.Status.DRAFT)
    cainiao = Organization.objects.get(slug="cainiao")
    live.organizations.add(cainiao)
    draft.organizations.add(cainiao)
    rss = ET.fromstring(client.get("/feed/organisations/cainiao/").content)
    assert [i.findtext("title") for i in rss.iter("item")] == ["Cainiao opens hubs"]
    atom = ET.fromstring(client.get("/feed/atom/organisations/cainiao/").content)
    assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in atom.iter("{http://www.w3.org/2005/Atom}entry")] == ["Cainiao opens hubs"]
    document = parse_html(client.get("/organisations/cainiao/").content)
    assert "/feed/organisations/cainiao/" in {l.attrs.get("href") for l in document.find_all("link", rel="alternate")}
    assert client.get("/feed/organisations/no-such-org/").status_code == 404


def test_the_article_admin_lists_the_structure_facts_it_is_cited_for(staff_client, settings):
    import_files([Path(settings.BASE_DIR) / "samples" / "000_c6f02d5226f12f52.txt"], ImportOptions(publish=True))
    article = Article.objects.get(title="Honey pomelo live app")
    document = parse_html(staff_client.get(change_url(article)).content)
    group = document.find("div", id="cited_structure_facts-group")
    text = group.text()
    assert "User Operation and Development Center" in text and "Tmall Business Group" in text
    assert group.find("input", type="checkbox") is None  # read only: nothing to delete
    assert "Xuande" in document.find("div", id="cited_roles-group").text()


def test_a_link_written_without_a_grade_as_the_previous_release_did_is_a_mention(make_article):
    from django.db import connection

    article = make_article()
    person = Person.objects.get(slug="jia-luo")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO articles_article_people (article_id, person_id) VALUES (%s, %s)", [article.pk, person.pk])
    assert ArticlePerson.objects.get(article=article).grade == Grade.MENTION
