"""The media library: figures in bodies expanded from library images, the editor's round trip, where an image
is used, who may change it, and the picker."""

import json
import warnings
from xml.etree import ElementTree

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.db import connection
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import library, richtext
from articles.models import Article, Image, ImageUse, Person
from tests.conftest import change_url, form_data
from tests.html import parse_html

pytestmark = pytest.mark.django_db


def figure(image, caption=""):
    return f'<figure data-image-id="{image.pk}">' + (f"<figcaption>{caption}</figcaption>" if caption else "") + "</figure>"


def body_figures(client, article):
    return parse_html(client.get(article.get_absolute_url()).content).find("div", class_="body").find_all("figure")


def test_a_figure_in_the_body_reads_as_the_library_image_with_renditions_caption_and_credit(
    client, make_article, library_image
):
    chart = library_image("Revenue by quarter", size=(1600, 900), caption="Library caption", credit="Graphics desk")
    map_ = library_image("Map of the new centres", size=(1200, 1200), caption="Where they are")
    article = make_article("Figures", body="<p>Intro.</p>" + figure(chart, "Revenue, <em>in billions</em>") + figure(map_))
    first, second = body_figures(client, article)
    img = first.find("img")
    assert (img.attrs["alt"], img.attrs["width"], img.attrs["height"]) == ("Revenue by quarter", "1600", "900")
    assert "loading" not in img.attrs  # no lead image: the first figure may be above the fold
    assert second.find("img").attrs["loading"] == "lazy"
    srcset = first.find("source", type="image/webp").attrs["srcset"]
    assert [part.split()[-1] for part in srcset.split(", ")] == ["400w", "800w", "1600w"]
    assert first.find("figcaption").text() == "Revenue, in billions Graphics desk"  # the story's caption wins
    assert first.find("figcaption").find("em").text() == "in billions"
    assert second.find("figcaption").text() == "Where they are"  # else the library's


def test_a_figure_naming_no_library_image_is_left_out(client, make_article, library_image):
    kept = library_image("Kept")
    article = make_article("Gone", body=f'<p>Text.</p><figure data-image-id="999999"><figcaption>x</figcaption></figure>{figure(kept)}')
    assert [f.find("img").attrs["alt"] for f in body_figures(client, article)] == ["Kept"]


def test_the_article_page_runs_the_same_queries_for_one_figure_or_eight(client, make_article, library_image):
    images = [library_image(f"Picture {n}", size=(500, 400)) for n in range(8)]
    one = make_article("One figure", body="<p>a</p>" + figure(images[0]))
    eight = make_article("Eight figures", body="<p>a</p>" + "".join(figure(image) for image in images))
    counts = []
    for article in (one, eight):
        client.get(article.get_absolute_url())  # warm the site's per-generation caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.get_absolute_url(), HTTP_CACHE_CONTROL="no-cache")
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(body_figures(client, eight)) == 8
    assert counts[0] == counts[1], counts


def test_feeds_carry_figures_with_absolute_addresses_and_one_image_query(client, make_article, library_image):
    image = library_image("Harbour")
    for n in range(3):
        make_article(f"Story {n}", body=f"<p>Story {n}.</p>" + figure(image, f"Caption {n}"))
    with CaptureQueriesContext(connection) as queries:
        rss = ElementTree.fromstring(client.get("/feed/").content)
    image_queries = [q for q in queries.captured_queries if 'FROM "articles_image"' in q["sql"]]
    assert len(image_queries) == 1
    encoded = [e.text for e in rss.iter("{http://purl.org/rss/1.0/modules/content/}encoded")]
    document = parse_html(f"<html><body>{encoded[0]}</body></html>".encode())
    img = document.find("figure").find("img")
    assert img.attrs["src"].startswith("http://testserver/media/renditions/")
    assert all(part.startswith("http://testserver/") for part in img.attrs["srcset"].split(", "))


def test_json_ld_names_the_lead_image_in_three_ratios(client, make_article, library_image):
    import json

    article = make_article("Lead", lead_image=library_image("Campus", size=(2400, 1600)))
    page = parse_html(client.get(article.get_absolute_url()).content)
    (data,) = [json.loads(s.text()) for s in page.find_all("script", type="application/ld+json")
               if json.loads(s.text())["@type"] == "NewsArticle"]
    crops = article.lead_image.renditions["crops"]
    assert data["image"] == [f"http://testserver{crops[r]['url']}" for r in ("16:9", "4:3", "1:1")]


def test_the_editor_figure_is_stored_as_a_reference_to_the_library_image(staff_client, make_article, library_image):
    image = library_image("Chart")
    article = make_article("Edited", status=Article.Status.DRAFT)
    preview = f"/admin/articles/image/{image.pk}/preview/"
    body = (f'<p>Text.</p><figure class="figure"><img src="{preview}" alt="Chart"><figcaption class="figure-caption">'
            f'Our chart</figcaption></figure><figure><img src="https://tracker.example/pixel.gif"></figure>'
            f'<p><img src="{preview}" onerror="alert(1)"></p>')
    response = staff_client.post(change_url(article), form_data(article, body=body))
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    article.refresh_from_db()
    assert article.body == f'<p>Text.</p><figure data-image-id="{image.pk}"><figcaption>Our chart</figcaption></figure>'
    assert set(ImageUse.objects.filter(article=article).values_list("image_id", "kind")) == {(image.pk, "body")}
    # And back into the editor: the figure holds the image's preview again.
    editor = parse_html(staff_client.get(change_url(article)).content).find("textarea", name="body").text()
    shown = parse_html(f"<html><body>{editor}</body></html>".encode()).find("figure")
    assert shown.find("img").attrs["src"] == preview and shown.find("figcaption").text() == "Our chart"


def test_the_preview_address_leads_to_a_rendition_for_staff_only(staff_client, library_image):
    image = library_image("Chart")
    response = staff_client.get(f"/admin/articles/image/{image.pk}/preview/")
    assert response.status_code == 302 and response["Location"] == image.renditions["fallback"][0][0]
    assert Client().get(f"/admin/articles/image/{image.pk}/preview/").status_code == 302  # to the login page
    assert "/admin/login/" in Client().get(f"/admin/articles/image/{image.pk}/preview/")["Location"]


def test_the_library_says_where_an_image_is_used_and_refuses_to_delete_it(staff_client, make_article, library_image):
    used, unused = library_image("Used"), library_image("Unused")
    make_article("Lead", lead_image=used)
    make_article("Body", body="<p>x</p>" + figure(used))
    person = Person.objects.get(slug="dai-shan")
    person.photo = used
    person.save()
    changelist = parse_html(staff_client.get("/admin/articles/image/").content)
    used_in = {row.find("td", class_="field-alt").text() if row.find("td", class_="field-alt") else
               row.find("th", class_="field-alt").text(): row.find("td", class_="field-used_in").text()
               for row in changelist.find("table", id="result_list").find("tbody").find_all("tr")}
    assert used_in == {"Used": "2 articles", "Unused": "not used"}
    usage = parse_html(staff_client.get(f"/admin/articles/image/{used.pk}/change/").content).find("div", class_="field-usage")
    assert "Used in 2 articles and 1 person" in usage.text()
    response = staff_client.post(f"/admin/articles/image/{used.pk}/delete/", {"post": "yes"})
    assert Image.objects.filter(pk=used.pk).exists()
    assert "protected" in parse_html(response.content).find("div", id="content").text().lower()
    with pytest.raises(ProtectedError):
        used.delete()
    staff_client.post(f"/admin/articles/image/{unused.pk}/delete/", {"post": "yes"})
    assert not Image.objects.filter(pk=unused.pk).exists()


def test_the_library_filters_images_in_use(staff_client, make_article, library_image):
    used, unused = library_image("Used"), library_image("Unused")
    make_article("Lead", lead_image=used)
    for value, expected in (("used", ["Used"]), ("unused", ["Unused"])):
        page = parse_html(staff_client.get(f"/admin/articles/image/?use={value}").content)
        rows = page.find("table", id="result_list").find("tbody").find_all("tr")
        assert [row.find(class_="field-alt").text() for row in rows] == expected


def test_a_writer_cannot_change_an_image_readers_see(member, make_article, library_image):
    shown, draft_only = library_image("Shown"), library_image("Draft only")
    make_article("Live", lead_image=shown)
    make_article("Draft", lead_image=draft_only, status=Article.Status.DRAFT)
    writer = member("Writer")
    for image, allowed in ((shown, False), (draft_only, True)):
        response = writer.post(f"/admin/articles/image/{image.pk}/change/", {
            "alt": "Changed by a writer", "caption": "", "credit": "", "focal_x": "0.1", "focal_y": "0.1"})
        image.refresh_from_db()
        assert (image.alt == "Changed by a writer") is allowed, (image, response.status_code)


def test_the_picker_finds_images_by_their_words_and_hands_back_the_preview(staff_client, library_image):
    library_image("Harbour at dusk", caption="Ningbo")
    library_image("Chart of revenue", credit="Graphics desk")
    page = parse_html(staff_client.get("/admin/articles/image/pick/?CKEditorFuncNum=-1&q=graphics").content)
    choices = [button for button in page.find_all("button") if "data-pick-url" in button.attrs]
    assert [b.attrs["data-alt"] for b in choices] == ["Chart of revenue"]
    image = Image.objects.get(alt="Chart of revenue")
    assert choices[0].attrs["data-pick-url"] == f"/admin/articles/image/{image.pk}/preview/"
    assert page.find("div", id="content-main").attrs["data-callback"] == "-1"


def test_changing_a_library_image_reaches_the_cached_page(client, make_article, library_image, staff_client):
    image = library_image("Before")
    article = make_article("Cached", lead_image=image)
    client.get(article.get_absolute_url())
    staff_client.post(f"/admin/articles/image/{image.pk}/change/", {
        "alt": "After", "caption": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5"})
    page = parse_html(client.get(article.get_absolute_url()).content)
    assert page.find("figure", class_="lead-image").find("img").attrs["alt"] == "After"


def test_figure_ids_and_rendering_ignore_figures_without_a_number():
    body = richtext.clean('<figure data-image-id="12"></figure><figure data-image-id="x1"></figure><p>t</p>')
    assert richtext.figure_ids(body) == {12}
    assert library.body_html(Article(body=body), {}) == "<p>t</p>"


def test_compare_names_the_lead_images_by_their_alt_text(member, make_article, library_image):
    from reversion.models import Version

    editor = member("Editor")
    first, second = library_image("Quay at dawn"), library_image("Warehouse roof")
    article = make_article("Pictures", lead_image=first)
    editor.post(change_url(article), form_data(article, title="Pictures, again", lead_image=first.pk))
    article.refresh_from_db()
    editor.post(change_url(article), form_data(article, lead_image=second.pk))
    oldest, newest = list(Version.objects.get_for_object(article))[-1], Version.objects.get_for_object(article).first()
    page = parse_html(editor.get(f"/admin/articles/article/{article.pk}/compare/", {"a": oldest.pk, "b": newest.pk}).content)
    rows = {tr.find("th").text(): tr for tr in page.find("table", class_="compare").find("tbody").find_all("tr")}
    diff = rows["Lead image"].find("td", class_="diff")
    removed = " ".join(d.text() for d in diff.find_all("del"))
    added = " ".join(i.text() for i in diff.find_all("ins"))
    assert ("Quay" in removed and "dawn" in removed) and ("Warehouse" in added and "roof" in added), (removed, added)


def test_the_api_gives_a_body_with_its_figures_expanded_and_absolute(client, make_article, library_image):
    image = library_image("Chart of revenue")
    article = make_article("API figure", body="<p>Text.</p>" + figure(image, "Revenue"))
    data = client.get(f"/api/v1/articles/{article.pk}/").json()
    body = parse_html(f"<html><body>{data['body_html']}</body></html>".encode())
    img = body.find("figure").find("img")
    assert img.attrs["alt"] == "Chart of revenue" and img.attrs["src"].startswith("http://testserver/media/")
    assert "data-image-id" not in data["body_html"]


def test_the_lead_image_autocomplete_lists_the_newest_images_first_in_a_stable_order(staff_client, library_image):
    older, newer = library_image("Harbour at dawn"), library_image("Harbour at dusk")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)  # pages of an unordered list can repeat or skip rows
        response = staff_client.get("/admin/autocomplete/", {
            "term": "Harbour", "app_label": "articles", "model_name": "article", "field_name": "lead_image"})
    assert response.status_code == 200
    assert [row["id"] for row in json.loads(response.content)["results"]] == [str(newer.pk), str(older.pk)]
