"""A reader's visit in a real browser: front page, a section, an article, search in Chinese, feeds in the head."""

import pytest

from articles.models import Person
from articles.search import index_articles

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_reader_browses_and_searches(page, live_server, make_article, make_category, screenshot):
    business = make_category("Business")
    ecommerce = make_category("E-commerce", parent=business)
    chinese = make_article("淘宝天猫全面融合", category=ecommerce, language="zh",
                           standfirst="淘宝天猫组织架构调整，新设三大中心。", body="淘宝和天猫在后台全面融合。\n\n戴珊负责。")
    english = make_article("Alibaba names Dai Shan head of China digital commerce", category=ecommerce,
                           body="Dai Shan will lead Taobao and Tmall.\n\nZhang Yong wrote to staff.")
    # Transactional tests flush the shipped entities, so make sure this one exists.
    dai_shan, _ = Person.objects.get_or_create(slug="dai-shan", defaults={"name": "Dai Shan"})
    english.people.add(dai_shan)
    index_articles([chinese, english])

    page.goto(live_server.url + "/")
    feeds = page.locator("link[rel=alternate]").evaluate_all("links => links.map(l => l.type)")
    assert set(feeds) == {"application/rss+xml", "application/atom+xml"}
    with page.expect_navigation():
        page.click("nav.sections >> text=Business")
    assert page.locator("h1").inner_text() == "Business"
    with page.expect_navigation():
        page.click(f"text={english.title}")
    assert [c.strip() for c in page.locator("nav[aria-label=Breadcrumb] li").all_inner_texts()] == [
        "Recipe Complete Network", "Business", "E-commerce", english.title,
    ]
    assert page.locator(".article-aside >> text=Dai Shan").is_visible()
    screenshot("reader-article")

    page.fill("header .search-form input[name=q]", "淘宝")
    with page.expect_navigation():
        page.press("header .search-form input[name=q]", "Enter")
    assert page.locator(".search-results h2").all_inner_texts() == [chinese.title]
    assert page.locator(".search-results mark").first.inner_text() == "淘宝"
    screenshot("reader-search")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(live_server.url + english.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("reader-article-phone")
