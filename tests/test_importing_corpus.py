"""Every sample file imports exactly as samples/README.md and expected.json say."""

import json
from pathlib import Path

import pytest

from articles.importing import ImportOptions, import_files
from articles.models import Article, Category, CategoryTree

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture
def imported(db):
    report = import_files([SAMPLES], ImportOptions(publish=True))
    assert report.summary() == f"created {len(EXPECTED)}, updated 0, unchanged 0, failed 0", [r.line() for r in report.results]
    return {Path(r.path).name: Article.objects.get(pk=r.article_id) for r in report.results}


@pytest.mark.parametrize("expected", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_sample_imports_as_described(imported, expected):
    article = imported[expected["file"]]
    assert article.title == expected["title"]
    assert article.standfirst == expected["standfirst"]
    assert [c.name for c in [*CategoryTree().ancestors(article.category), article.category]] == expected["category_path"]
    assert len(article.paragraphs) == expected["paragraphs"]
    assert expected["phrase"] in article.body
    assert {p.name for p in article.people.all()} == set(expected["people"])
    for artefact in expected["mt_artifacts"]:
        assert artefact in article.quality_flags
    assert "doubtful-encoding" not in article.quality_flags
    if expected["format"] == "header":
        assert sorted(article.tags.values_list("name", flat=True)) == sorted(expected["tags"])
        assert article.byline == expected["byline"]
        assert article.publish_at.date().isoformat() == expected["date"]


def test_category_tree_after_importing_everything(imported):
    tree = {c.full_name: set(c.articles.values_list("source_name", flat=True)) for c in Category.objects.all()}
    assert tree["Logistics"] == {"016-taocaicai-north-stations.txt"}
    assert tree["Business > Logistics"] == {"021-wire-cainiao-county-crlf.txt"}
    assert tree["电商 > 平台"] == {"031-zh-gb18030.txt"}
    assert len(tree["Dietary recipes"]) == 6
    assert set(tree) == {
        "Dietary recipes", "Logistics", "Logistics > Cross-border", "Finance", "Finance > Earnings",
        "Technology", "Technology > Cloud and AI", "Business", "Business > E-commerce",
        "Business > E-commerce > Live streaming", "Business > Logistics", "电商", "电商 > 平台",
    }


def test_gb18030_keeps_characters_outside_gb2312(imported):
    article = imported["031-zh-gb18030.txt"]
    assert "𠮷野家" in article.standfirst
    assert article.byline == "本网记者 王镕"
    assert article.language == "zh"


def test_seed_article_links_its_entities(imported):
    seed = imported["000_c6f02d5226f12f52.txt"]
    assert {"Big Taobao", "Alimama", "Taote", "1688"} <= {o.name for o in seed.organizations.all()}
    assert seed.paragraphs[-1] == "According to the popular saying on the internet, spell it."


def test_second_run_changes_nothing(imported):
    report = import_files([SAMPLES], ImportOptions(publish=True))
    assert report.summary() == f"created 0, updated 0, unchanged {len(EXPECTED)}, failed 0"
    assert Article.objects.count() == len(EXPECTED)


def test_imported_articles_are_searchable(imported):
    from articles.search import search

    total, hits = search("戴珊", 0, 20)
    assert {h.article.source_name for h in hits} == {"030-zh-utf8.txt", "031-zh-gb18030.txt"}
    total, hits = search("Liege Budapest", 0, 20)
    assert [h.article.source_name for h in hits] == ["011-cainiao-europe-hubs.txt"]
