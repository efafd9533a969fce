"""An editor's first day: log in, make a subsection, write and illustrate an article, preview, publish, read it."""

import io

import pytest
from django.test import Client
from PIL import Image

from articles.models import Article, Category

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct-horse-battery-staple"


def pick_autocomplete(page, field, text):
    """Choose an option in one of the admin's autocomplete (select2) widgets."""
    page.locator(f"#{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option--highlighted", has_text=text).click()


def submit(page, selector):
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_editor_writes_previews_and_publishes_an_article_in_a_new_subcategory(
    browser, page, live_server, django_user_model, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    Category.objects.create(name="Dietary recipes")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    submit(page, "input[type=submit]")
    assert page.locator("#site-name").is_visible()

    page.goto(f"{live_server.url}/admin/articles/category/add/")
    page.locator("#id_name").press_sequentially("Live streaming")
    assert page.input_value("#id_slug") == "live-streaming"  # prefilled as the editor types
    pick_autocomplete(page, "id_parent", "Dietary recipes")
    submit(page, "input[name=_save]")
    assert Category.objects.get(name="Live streaming").path == "dietary-recipes/live-streaming"

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Taobao Live sets rules for food anchors")
    page.fill("#id_standfirst", "Anchors who sell food must show licences on screen.")
    page.fill("#id_body", "First paragraph.\n\nSecond paragraph about Dai Shan.")
    pick_autocomplete(page, "id_category", "Live streaming")
    image = tmp_path / "anchor.jpg"
    image.write_bytes(jpeg_bytes())
    page.set_input_files("#id_lead_image", str(image))
    page.fill("#id_lead_image_alt", "A presenter holding a food licence to the camera")
    page.fill("#id_lead_image_caption", "Licences must now be shown on screen.")
    page.fill("#id_new_tags", "food safety, Taobao Live")
    page.locator("#person_links-group .add-row a").click()  # the people in the story, each with a grade
    pick_autocomplete(page, "id_person_links-0-person", "Dai Shan")
    screenshot("admin-article-form")
    submit(page, "input[name=_continue]")  # saved as a draft
    assert page.locator(".messagelist .success").is_visible(), page.content()[:2000]

    # Preview: the signed link shows the draft to someone with no account, marked as a preview.
    preview_link = page.locator("a.share-preview").get_attribute("href")
    guest = browser.new_context()
    guest_page = guest.new_page()
    guest_page.goto(live_server.url + preview_link)
    assert guest_page.locator("h1").inner_text() == "Taobao Live sets rules for food anchors"
    assert guest_page.locator(".preview-banner").is_visible()
    guest.close()
    assert Client().get(Article.objects.get().get_absolute_url()).status_code == 404  # not public yet

    page.select_option("#id_status", "published")
    submit(page, "input[name=_save]")
    assert page.locator(".messagelist .success").is_visible(), page.content()[:2000]

    article = Article.objects.get()
    assert article.is_live and article.lead_image
    assert {t.name for t in article.tags.all()} == {"food safety", "Taobao Live"}

    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.click(f"text={article.title}")
    assert page.url == live_server.url + "/dietary-recipes/live-streaming/taobao-live-sets-rules-for-food-anchors/"
    crumbs = page.locator("nav[aria-label=Breadcrumb] li").all_inner_texts()
    assert [c.strip() for c in crumbs] == ["Recipe Complete Network", "Dietary recipes", "Live streaming", article.title]
    assert page.locator("figure.lead-image img").get_attribute("alt") == "A presenter holding a food licence to the camera"
    # The browser picks a WebP rendition that fits the column (672 CSS px at 1x: the 800 px one).
    chosen = page.evaluate("(() => { const i = document.querySelector('figure.lead-image img'); return [i.currentSrc, i.complete, i.naturalWidth]; })()")
    assert "/renditions/" in chosen[0] and chosen[0].endswith("-800.webp"), chosen
    assert chosen[1] and chosen[2] > 0
    screenshot("public-article")

    page.goto(live_server.url + "/dietary-recipes/live-streaming/")
    assert page.locator("article.teaser h3").all_inner_texts() == [article.title]
