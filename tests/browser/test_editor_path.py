"""An editor's first day: log in, make a subsection, write and illustrate an article, preview, publish, read it."""

import io
from xml.etree import ElementTree

import pytest
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from PIL import Image as Picture

from articles.models import Article, Category, Image
from tests.html import parse_html

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


def editor_button(page, title):
    page.locator(f".prose-menubar button[title='{title}']").first.click()


def dialog_submit(page, text):
    page.locator("dialog[open] button", has_text=text).last.click()


def write_rich_body(page):
    """Type a story in the body's editor as a person would: a paragraph with a link, a subheading, a quote,
    a list, a table and a figure chosen from the library through "Browse…"."""
    editor = page.locator(".field-body .ProseMirror:visible").first
    editor.click()
    page.keyboard.type("Anchors must follow the market regulator")
    page.keyboard.down("Shift")
    for _ in range(len("the market regulator")):
        page.keyboard.press("ArrowLeft")
    page.keyboard.up("Shift")
    editor_button(page, "insert link")
    page.fill("dialog[open] input[name=href]", "https://www.samr.gov.cn/")
    dialog_submit(page, "Update")
    page.keyboard.press("End")
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    page.keyboard.type("## What changes")
    page.keyboard.press("Enter")
    page.keyboard.type("The rules take effect in June.")
    page.keyboard.press("Enter")
    page.keyboard.type("> We will check every stream.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("- Licence on screen")
    page.keyboard.press("Enter")
    page.keyboard.type("Name of the seller")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraph about Dai Shan and the seller rules.")
    page.keyboard.press("Enter")
    editor_button(page, "figure")
    with page.expect_popup() as opened:
        page.locator("dialog[open] button", has_text="Browse").click()
    picker = opened.value
    picker.wait_for_load_state()
    picker.fill("#picker-q", "chart")
    with picker.expect_navigation():
        picker.press("#picker-q", "Enter")
    # Choosing closes the picker's window (the editor's file-picker protocol): the click must not wait
    # for a page that is gone, and a close that lands inside the click is the expected outcome.
    with picker.expect_event("close"):
        try:
            picker.locator("button[data-pick-url]").first.click(no_wait_after=True)
        except PlaywrightError as error:  # "Target page, context or browser has been closed"
            if "closed" not in str(error):
                raise
    assert page.input_value("dialog[open] input[name=altText]") == "Bar chart of food-licence checks by month"
    dialog_submit(page, "Insert")
    editor.press("Control+End")
    editor_button(page, "Insert table")
    page.fill("dialog[open] input[name=rows]", "2")
    page.fill("dialog[open] input[name=cols]", "2")
    page.select_option("dialog[open] select[name=withHeaderRow]", "Yes")
    dialog_submit(page, "Insert Table")
    for n, text in enumerate(("Month", "Checks", "May", "1,204")):
        if n:
            page.keyboard.press("Tab")  # to the next cell (Tab in the last one would add a row)
        page.keyboard.type(text)


def jpeg_bytes():
    buffer = io.BytesIO()
    Picture.new("RGB", (1200, 675), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_editor_writes_previews_and_publishes_an_article_in_a_new_subcategory(
    seed_entities, browser, page, live_server, django_user_model, screenshot, tmp_path, settings
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

    # Two pictures into the media library: the lead image, and a chart for the body.
    for name, alt, caption in (("anchor.jpg", "A presenter holding a food licence to the camera",
                                "Licences must now be shown on screen."),
                               ("chart.jpg", "Bar chart of food-licence checks by month", "Checks by month")):
        page.goto(f"{live_server.url}/admin/articles/image/add/")
        image = tmp_path / name
        image.write_bytes(jpeg_bytes())
        page.set_input_files("#id_file", str(image))
        page.fill("#id_alt", alt)
        page.fill("#id_caption", caption)
        page.fill("#id_credit", "Newsroom graphics")
        submit(page, "input[name=_save]")
        assert page.locator(".messagelist .success").is_visible(), page.content()[:2000]

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Taobao Live sets rules for food anchors")
    page.fill("#id_standfirst", "Anchors who sell food must show licences on screen.")
    write_rich_body(page)
    pick_autocomplete(page, "id_category", "Live streaming")
    pick_autocomplete(page, "id_lead_image", "A presenter holding")
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
    assert article.is_live and article.lead_image.alt == "A presenter holding a food licence to the camera"
    chart = Image.objects.get(alt__startswith="Bar chart")
    stored = parse_html(f"<html><body>{article.body}</body></html>".encode()).find("body")
    assert [child.tag for child in stored.children if hasattr(child, "tag")] == [
        "p", "h2", "p", "blockquote", "ul", "p", "figure", "table"]
    assert stored.find("figure").attrs == {"data-image-id": str(chart.pk)}
    assert stored.find("a").attrs == {"href": "https://www.samr.gov.cn/"}
    assert [cell.text() for cell in stored.find("table").find_all() if cell.tag in ("th", "td")] == ["Month", "Checks", "May", "1,204"]
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
    body = page.locator("div.body")
    assert body.locator("h2").inner_text() == "What changes"
    assert body.locator("h2").get_attribute("id") == "what-changes"
    assert body.locator("a").get_attribute("rel") == "noopener"
    assert body.locator("ul li").all_inner_texts() == ["Licence on screen", "Name of the seller"]
    assert body.locator(".table-scroll table th").count() == 2
    inline = body.locator("figure.inline-figure img")
    assert inline.get_attribute("alt") == "Bar chart of food-licence checks by month"
    assert inline.get_attribute("loading") == "lazy" and inline.get_attribute("width") == "1200"
    screenshot("public-article")
    page.locator("figure.inline-figure").scroll_into_view_if_needed()
    screenshot("public-article-figure")
    # The feed carries the figure with absolute addresses; search finds the story by a word of its body.
    feed = ElementTree.fromstring(Client().get("/feed/").content)
    encoded = next(feed.iter("{http://purl.org/rss/1.0/modules/content/}encoded")).text
    figure = parse_html(f"<html><body>{encoded}</body></html>".encode()).find("figure")
    assert figure.find("img").attrs["src"].startswith("http://testserver/media/renditions/")
    found = parse_html(Client().get("/search/?q=seller").content)
    assert article.title in [h.text() for h in found.find_all("h2")]

    page.goto(live_server.url + "/dietary-recipes/live-streaming/")
    assert page.locator("article.teaser h3").all_inner_texts() == [article.title]
