"""Organisations through time: the seed's chart at two dates, the SVG, the timeline and its sources, query counts."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Organization, Person, Role, StructureFact
from articles.orgchart import Structure, link_pending_citations, sync_from_facts
from articles.orgchart_svg import chart_svg
from tests.html import parse_html

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
SEED_CHECKSUM = "1266f82b395c055185cf3edf9dad66a30253dfab7d3b28c6d3309c2327be0a97"


def chart_units(document):
    """{unit name: [its own heads' names]} of the nested list's first level (sub-units' heads not included)."""
    top = document.find("nav", class_="org-units").find("ul")
    units = {}
    for li in (child for child in top.children if child.tag == "li"):
        own = [child for child in li.children if child.tag == "span" and "heads" in child.attrs.get("class", "")]
        units[li.find("a").text()] = [a.text() for a in own[0].find_all("a")] if own else []
    return units


def test_big_taobao_on_30_november_2021_has_the_two_business_groups(client):
    document = parse_html(client.get("/organisations/big-taobao/?on=2021-11-30").content)
    units = chart_units(document)
    assert {"Taobao Business Group", "Tmall Business Group"} <= units.keys()
    assert not units.keys() & {"User Operation and Development Center", "Industrial Operation and Development Center",
                               "Platform Strategy and Operation Center"}


def test_big_taobao_on_1_january_2022_has_the_three_centres_with_their_heads(client):
    document = parse_html(client.get("/organisations/big-taobao/?on=2022-01-01").content)
    units = chart_units(document)
    assert units["User Operation and Development Center"] == ["Xuande"]
    assert units["Industrial Operation and Development Center"] == ["Chuixue"]
    assert units["Platform Strategy and Operation Center"] == ["Sixin"]
    assert units["Alimama"] == ["Jia Luo"]
    assert not units.keys() & {"Taobao Business Group", "Tmall Business Group"}
    # Taobao Live and Guangguang left Big Taobao's Taobao to report to Dai Shan.
    assert not {"Taobao Live", "Guangguang"} & {a.text() for a in document.find("nav", class_="org-units").find_all("a")}


def test_taobao_live_and_guangguang_report_to_dai_shan_after_the_reorganisation():
    structure = Structure.load()
    cdc = Organization.objects.get(slug="china-digital-commerce")
    after = structure.chart(cdc, date(2022, 1, 1))
    assert [role.person.name for role in after.heads] == ["Dai Shan"]
    assert {"Big Taobao", "Taobao Live", "Guangguang"} <= {u.organization.name for u in after.units}
    heads = {u.organization.name: [r.person.name for r in u.heads] for u in after.units}
    assert heads["Taobao Live"] == ["Daofang"] and heads["Guangguang"] == ["Qiancheng"]
    taobao = Organization.objects.get(slug="taobao")
    assert {"Taobao Live", "Guangguang"} == {u.organization.name for u in structure.chart(taobao, date(2021, 11, 30)).units}
    assert structure.chart(taobao, date(2022, 1, 1)).units == []


def test_lu_su_is_big_taobaos_cto_and_the_seed_reuses_the_seed_rows():
    lu_su = Person.objects.get(slug="lu-su")
    assert Role.objects.get(person=lu_su, organization__slug="big-taobao").title == "Chief Technology Officer"
    assert Person.objects.filter(name="Xuande").count() == 1
    assert Organization.objects.filter(name="Big Taobao").count() == 1
    assert not Role.objects.filter(person__slug="qiancheng", organization__slug="taobao").exists()


def test_the_seed_facts_cite_the_seed_article_once_it_is_imported(settings):
    from pathlib import Path

    from articles.importing.service import ImportOptions, import_files

    assert not StructureFact.objects.filter(source__isnull=False).exists()  # not imported yet: waiting by checksum
    assert StructureFact.objects.filter(source_checksum=SEED_CHECKSUM).count() == 10
    import_files([Path(settings.BASE_DIR) / "samples" / "000_c6f02d5226f12f52.txt"], ImportOptions(publish=True))
    seed = Article.objects.get(source_checksum=SEED_CHECKSUM)
    assert StructureFact.objects.filter(source=seed).count() == 10
    assert Role.objects.filter(source=seed, person__slug="xuande").exists()


def test_the_timeline_is_newest_first_and_names_only_published_sources(client, make_article):
    draft = make_article("Secret reshuffle draft", status=Article.Status.DRAFT)
    live = make_article("Taobao's groups merge")
    big_taobao = Organization.objects.get(slug="big-taobao")
    StructureFact.objects.filter(organization__slug="taobao-business-group").update(source=live)
    StructureFact.objects.create(organization=Organization.objects.get(slug="alimama"), kind="moved", date=date(2023, 3, 1),
                                 parent=big_taobao, previous_parent=big_taobao, source=draft, note="Planned.")
    document = parse_html(client.get("/organisations/big-taobao/").content)
    items = document.find("ol", class_="timeline").find_all("li")
    days = [date.fromisoformat(li.find("time").attrs["datetime"]) for li in items]
    assert days == sorted(days, reverse=True) and days[0] == date(2023, 3, 1)
    linked = {a.text() for li in items for a in li.find_all("a")}
    assert "Taobao's groups merge" in linked
    assert "Secret reshuffle draft" not in document.text() and draft.get_absolute_url() not in str(client.get("/organisations/big-taobao/").content)


def make_tree(root, width, depth):
    """``width`` units under each unit, ``depth`` levels, each with a head, moved once."""
    level = [root]
    for d in range(depth):
        nxt = []
        for parent in level:
            for i in range(width):
                unit = Organization.objects.create(name=f"{parent.name}-{i}", slug=f"{parent.slug}-{i}", parent=parent)
                person = Person.objects.create(name=f"Head of {unit.name}", slug=f"head-{unit.slug}")
                Role.objects.create(person=person, organization=unit, title="Head", head=True, start_date=date(2020, 1, 1))
                StructureFact.objects.create(organization=unit, kind="created", date=date(2019, 1, 1), parent=parent)
                nxt.append(unit)
        level = nxt


def count_queries(client, url):
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_organisation_page_runs_the_same_queries_for_small_and_large_trees(client):
    small = Organization.objects.create(name="Small", slug="small")
    large = Organization.objects.create(name="Large", slug="large")
    make_tree(small, 1, 1)
    make_tree(large, 4, 2)  # 20 units, 20 heads, 20 facts
    small_count = count_queries(client, "/organisations/small/?on=2021-01-01")
    large_count = count_queries(client, "/organisations/large/?on=2021-01-01")
    assert small_count == large_count
    document = parse_html(client.get("/organisations/large/?on=2021-01-01").content)
    assert len(document.find("nav", class_="org-units").find_all("li")) == 20
    assert len(document.find_all("rect")) == 21


def test_a_bad_date_is_a_400_that_says_what_to_send(client):
    response = client.get("/organisations/big-taobao/?on=2021-13-45")
    assert response.status_code == 400
    alert = parse_html(response.content).find("p", role="alert").text()
    assert "2021-13-45" in alert and "?on=YYYY-MM-DD" in alert
    assert client.get("/organisations/big-taobao/?on=20211130").status_code == 400
    assert client.get("/organisations/big-taobao/?on=%3Cscript%3E").status_code == 400
    assert b"<script>" not in client.get("/organisations/big-taobao/?on=%3Cscript%3E").content


def test_the_chart_date_is_part_of_the_cached_pages_key(client):
    first = parse_html(client.get("/organisations/big-taobao/?on=2021-11-30").content)
    second = parse_html(client.get("/organisations/big-taobao/?on=2022-01-01").content)
    assert "Taobao Business Group" in chart_units(first) and "Taobao Business Group" not in chart_units(second)
    assert client.get("/organisations/big-taobao/?on=2021-11-30&utm_source=x").content == client.get(
        "/organisations/big-taobao/?on=2021-11-30").content


def test_the_svg_is_well_formed_links_each_box_and_escapes_names():
    root = Organization.objects.create(name="Root <&> \"Co\"", slug="root-co")
    Organization.objects.create(name="Unit </svg><script>", slug="unit-x", parent=root)
    chart = Structure.load().chart(root, date.today())
    svg = ET.fromstring(str(chart_svg(chart, "Chart of <Root>")))
    assert svg.tag == f"{SVG}svg"
    assert svg.find(f"{SVG}title").text == "Chart of <Root>"
    links = svg.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["/organisations/root-co/", "/organisations/unit-x/"]
    assert [a.find(f"{SVG}text").text for a in links] == ['Root <&> "Co"', "Unit </svg><script>"]


def test_a_unit_moved_later_keeps_its_old_parent_in_the_history():
    a = Organization.objects.create(name="A", slug="a")
    b = Organization.objects.create(name="B", slug="b")
    unit = Organization.objects.create(name="U", slug="u", parent=a)
    StructureFact.objects.create(organization=unit, kind="moved", date=date(2022, 6, 1), parent=b, previous_parent=a)
    assert sync_from_facts(unit) == ["parent"]
    unit.refresh_from_db()
    assert unit.parent == b
    structure = Structure.load()
    assert structure.parent_on(unit.pk, date(2022, 5, 31)) == a.pk
    assert structure.parent_on(unit.pk, date(2022, 6, 1)) == b.pk


def test_a_fact_must_say_where_a_unit_moved():
    unit = Organization.objects.get(slug="alimama")
    with pytest.raises(ValidationError) as error:
        StructureFact(organization=unit, kind="moved", date=date(2022, 1, 1)).full_clean()
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        StructureFact(organization=unit, kind="created", date=date(2022, 1, 1), parent=unit).full_clean()


def test_pending_citations_link_nothing_without_their_article():
    assert link_pending_citations() == 0


def test_reapplying_the_shipped_entities_file_keeps_the_seed_structure():
    from django.core.management import call_command

    before = (Role.objects.count(), Organization.objects.count(), set(Role.objects.filter(head=True).values_list("pk", flat=True)))
    call_command("load_entities", verbosity=0)
    assert (Role.objects.count(), Organization.objects.count(), set(Role.objects.filter(head=True).values_list("pk", flat=True))) == before
    assert Role.objects.get(person__slug="qiancheng").organization.slug == "guangguang"


def organization_form(org, **changes):
    data = {"name": org.name, "slug": org.slug, "parent": org.parent_id or "", "description": org.description,
            "founded": "", "dissolved": "", "wikidata_id": org.wikidata_id, "lei": org.lei}
    for prefix in ("aliases", "listings", "structure_facts", "roles"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(changes)
    return data


def test_an_editor_records_a_move_inline_and_the_current_parent_follows(member):
    editor = member("Editor")
    cainiao = Organization.objects.get(slug="cainiao")
    cdc = Organization.objects.get(slug="china-digital-commerce")
    response = editor.post(f"/admin/articles/organization/{cainiao.pk}/change/", organization_form(cainiao, **{
        "structure_facts-TOTAL_FORMS": "1", "structure_facts-0-date": "2022-03-01", "structure_facts-0-kind": "moved",
        "structure_facts-0-parent": cdc.pk, "structure_facts-0-previous_parent": cainiao.parent_id,
        "listings-TOTAL_FORMS": "1", "listings-0-ticker": "cn1", "listings-0-exchange": "hkex",
    }))
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    cainiao.refresh_from_db()
    assert cainiao.parent == cdc
    assert cainiao.listings.get().ticker == "CN1"
    assert Structure.load().parent_on(cainiao.pk, date(2022, 2, 28)) == Organization.objects.get(slug="alibaba-group").pk


def test_a_writer_sees_structure_facts_but_cannot_add_them(member):
    writer = member("Writer")
    assert writer.user.has_perm("articles.view_structurefact")
    assert not writer.user.has_perm("articles.add_structurefact")
    assert member("Editor", "editor2").user.has_perm("articles.add_structurefact")
