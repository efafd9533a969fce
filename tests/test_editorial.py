"""Roles, revisions, no lost edits, corrections, previews, the admin import page, the audit trail."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles.richtext import plain_text
from articles.publishing.previews import preview_url
from articles.publishing.revisions import word_diff
from articles.models import Article, Category, Correction
from tests.conftest import NO_CORRECTIONS, PASSWORD, change_url, form_data  # noqa: F401
from tests.html import json_ld, parse_html

pytestmark = pytest.mark.django_db


# Roles ---------------------------------------------------------------------

def test_groups_exist_with_their_permissions():
    writer, editor, admin = (Group.objects.get(name=n) for n in ("Writer", "Editor", "Admin"))
    codes = lambda g: set(g.permissions.values_list("codename", flat=True))  # noqa: E731
    assert {"add_article", "change_article"} <= codes(writer) and "publish_article" not in codes(writer)
    assert "delete_article" not in codes(writer)
    assert {"publish_article", "delete_article", "change_category"} <= codes(editor) and "add_user" not in codes(editor)
    assert {"add_user", "change_group", "publish_article"} <= codes(admin)


def test_writer_creates_drafts_but_the_server_ignores_a_published_status(member, section):
    writer = member("Writer")
    article = Article(title="Writer's story", slug="writers-story", standfirst="s", body="b", category=section)
    response = writer.post("/admin/articles/article/add/", form_data(article, status="published", base_version=""))
    assert response.status_code == 302
    stored = Article.objects.get(slug="writers-story")
    assert stored.status == Article.Status.DRAFT


def test_writer_cannot_change_or_delete_a_published_article(member, make_article):
    writer = member("Writer")
    live = make_article("Live story")
    assert writer.post(change_url(live), form_data(live, title="Vandalised")).status_code == 403
    assert writer.post(f"/admin/articles/article/{live.pk}/delete/", {"post": "yes"}).status_code == 403
    live.refresh_from_db()
    assert live.title == "Live story"


def test_writer_cannot_publish_through_the_action(member, make_article):
    writer = member("Writer")
    draft = make_article("Draft", status=Article.Status.DRAFT)
    writer.post("/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_publishes_schedules_and_deletes(member, make_article):
    editor = member("Editor")
    draft = make_article("Draft", status=Article.Status.DRAFT)
    later = timezone.now() + timedelta(days=1)
    response = editor.post(change_url(draft), form_data(draft, status="published", publish_at_0=later.strftime("%Y-%m-%d"),
                                                         publish_at_1=later.strftime("%H:%M:%S")))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled
    assert editor.post(f"/admin/articles/article/{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_import_command_publish_needs_the_users_permission(tmp_path, django_user_model):
    writer = django_user_model.objects.create_user("wendy", password=PASSWORD)
    writer.groups.add(Group.objects.get(name="Writer"))
    Category.objects.create(name="News")  # Writers may not create categories
    (tmp_path / "a.txt").write_text("Title: T\nCategory: News\n\nBody.\n")
    with pytest.raises(CommandError, match="may not publish"):
        call_command("import_articles", str(tmp_path), "--publish", "--user", "wendy", stdout=io.StringIO())
    assert Article.objects.count() == 0
    call_command("import_articles", str(tmp_path), "--user", "wendy", stdout=io.StringIO())
    assert Article.objects.get().status == Article.Status.DRAFT


# No lost edits ---------------------------------------------------------------

def test_second_editor_is_refused_with_what_changed_and_keeps_their_text(member, make_article):
    first, second = member("Editor", "ann"), member("Editor", "bob")
    article = make_article("Original headline", body="Original body.")
    form_a, form_b = form_data(article), form_data(article)  # both opened version 1

    assert first.post(change_url(article), {**form_a, "title": "First editor's headline"}).status_code == 302
    response = second.post(change_url(article), {**form_b, "body": "Second editor's careful rewrite."})
    assert response.status_code == 200
    document = parse_html(response.content)
    error = document.find("ul", class_="errorlist").text()
    assert "saved by ann" in error and "while you were editing" in error
    assert "Title" in error.split(":", 1)[1]  # named among the fields that differ
    assert document.find("textarea", name="body").text() == "Second editor's careful rewrite."
    article.refresh_from_db()
    assert (article.title, plain_text(article.body)) == ("First editor's headline", "Original body.")

    # Saving again from the refreshed form keeps the second editor's text, knowingly.
    base = document.find("input", name="base_version").attrs["value"]
    response = second.post(change_url(article), {**form_b, "body": "Second editor's careful rewrite.", "title": article.title, "base_version": base})
    assert response.status_code == 302
    article.refresh_from_db()
    assert plain_text(article.body) == "Second editor's careful rewrite." and article.version == 3


def test_an_import_update_refuses_a_stale_editor_form(member, tmp_path):
    from articles.importing.service import ImportOptions, import_files

    editor = member("Editor")
    path = tmp_path / "wire.txt"
    path.write_text("Title: Wire story\nCategory: News\n\nFirst version.\n")
    import_files([tmp_path], ImportOptions())
    article = Article.objects.get()
    stale = form_data(article, body="The editor's rewrite.")
    path.write_text("Title: Wire story\nCategory: News\n\nSecond version from the wire.\n")
    import_files([tmp_path], ImportOptions())
    response = editor.post(change_url(article), stale)
    assert response.status_code == 200
    assert "Body" in parse_html(response.content).find("ul", class_="errorlist").text()
    article.refresh_from_db()
    assert plain_text(article.body) == "Second version from the wire."


# Revisions -------------------------------------------------------------------

def test_every_save_keeps_a_revision_and_a_restore_is_a_new_one(member, make_article):
    editor = member("Editor")
    article = make_article("Version one", body="Alpha beta gamma.")
    editor.post(change_url(article), form_data(article, title="Version two", body="Alpha delta gamma."))
    article.refresh_from_db()
    editor.post(change_url(article), form_data(article, title="Version three"))
    versions = list(Version.objects.get_for_object(article))
    assert len(versions) == 2
    oldest = versions[-1]
    compare = parse_html(editor.get(f"/admin/articles/article/{article.pk}/compare/", {"a": oldest.pk, "b": versions[0].pk}).content)
    rows = {tr.find("th").text(): tr for tr in compare.find("table", class_="compare").find("tbody").find_all("tr")}
    assert "changed" in rows["Title"].attrs["class"] and "same" in rows["Byline"].attrs["class"]
    # Restore the first revision through reversion's revision view (a form to review, then save).
    response = editor.get(f"/admin/articles/article/{article.pk}/history/{oldest.pk}/")
    assert response.status_code == 200
    shown_version = parse_html(response.content).find("input", name="base_version").attrs["value"]
    restore = form_data(article, title="Version two", body="Alpha delta gamma.", base_version=shown_version)
    response = editor.post(f"/admin/articles/article/{article.pk}/history/{oldest.pk}/", restore)
    assert response.status_code == 302
    assert Version.objects.get_for_object(article).count() == 3


def test_word_diff_marks_words_and_escapes():
    html = word_diff("Dai Shan <b>leads</b> Taobao", "Dai Shan now leads <i>Tmall</i>")
    assert "<del>" in html and "<ins>" in html
    assert "&lt;i&gt;Tmall&lt;/i&gt;" in html and "<i>" not in html


def test_imports_and_publishes_are_in_the_history(member, make_article, tmp_path):
    from articles.importing.service import ImportOptions, import_files

    editor = member("Editor")
    (tmp_path / "a.txt").write_text("Title: Wire story\nCategory: News\n\nBody.\n")
    import_files([tmp_path], ImportOptions())
    article = Article.objects.get()
    editor.post("/admin/articles/article/", {"action": "publish", "_selected_action": [article.pk]})
    history = parse_html(editor.get(f"/admin/articles/article/{article.pk}/history/").content).text()
    assert "Imported" in history and "Published." in history


# Corrections -------------------------------------------------------------------

def test_corrections_show_on_the_article_page_feed_json_ld_and_corrections_page(client, make_article):
    article = make_article("Revenue story")
    Correction.objects.create(article=article, text="An earlier version gave revenue in dollars; it is in yuan.")
    document = parse_html(client.get(article.get_absolute_url()).content)
    assert "in yuan" in document.find("aside", class_="corrections").text()
    (data,) = json_ld(document, "NewsArticle")
    assert data["correction"][0]["text"].endswith("it is in yuan.")
    page = parse_html(client.get("/corrections/").content)
    assert [a.text() for a in page.find("ol", class_="corrections-list").find_all("a")] == ["Revenue story"]
    assert "in yuan" in client.get("/feed/").content.decode()


def test_corrections_of_unpublished_articles_stay_hidden(client, make_article):
    draft = make_article("Draft story", status=Article.Status.DRAFT)
    Correction.objects.create(article=draft, text="Secret correction.")
    assert "Secret correction" not in client.get("/corrections/").content.decode()


# Previews ----------------------------------------------------------------------

def test_preview_link_shows_one_draft_to_anyone_until_it_expires(client, make_article, settings):
    draft = make_article("Embargoed story", status=Article.Status.DRAFT)
    other = make_article("Other draft", status=Article.Status.DRAFT)
    url = preview_url(draft)
    response = client.get(url)
    assert response.status_code == 200
    document = parse_html(response.content)
    assert document.find("h1").text() == "Embargoed story"
    assert document.find("div", class_="preview-banner") is not None
    assert response["X-Robots-Tag"] == "noindex" and "no-store" in response["Cache-Control"]
    forged = url.replace(str(draft.pk), str(other.pk), 1)
    assert client.get(forged).status_code == 404
    settings.NEWSROOM_PREVIEW_MAX_AGE = -1
    assert client.get(url).status_code == 404


def test_preview_tokens_cannot_be_made_without_the_secret(client, make_article):
    draft = make_article("Embargoed", status=Article.Status.DRAFT)
    token = signing.TimestampSigner(key="not-the-secret", salt="newsroom.preview").sign(str(draft.pk))
    assert client.get(f"/preview/{token}/").status_code == 404


# Admin import page -----------------------------------------------------------------

def test_admin_import_page_uses_the_import_service(member):
    editor = member("Editor")
    good = SimpleUploadedFile("wire.txt", b"Title: Uploaded story\nCategory: Business / Wire\n\nBody.\n")
    empty = SimpleUploadedFile("empty.txt", b"")
    response = editor.post("/admin/articles/article/import/", {"files": [good, empty], "category": "News", "publish": "on"})
    assert response.status_code == 200
    document = parse_html(response.content)
    rows = [[td.text() for td in tr.find_all("td")] for tr in document.find("table", id="import-report").find("tbody").find_all("tr")]
    assert rows[0][:3] == ["failed", "empty.txt", "the file is empty or holds only whitespace"]
    assert rows[1][:3] == ["created", "wire.txt", "Uploaded story"]
    assert document.find("p", id="import-summary").text() == "created 1, updated 0, unchanged 0, failed 1"
    assert Article.objects.get().is_live


def test_writers_may_import_drafts_but_not_publish(member):
    Category.objects.create(name="News")  # Writers may not create categories
    writer = member("Writer")
    upload = SimpleUploadedFile("wire.txt", b"Title: Story\nCategory: News\n\nBody.\n")
    assert writer.post("/admin/articles/article/import/", {"files": [upload], "category": "News", "publish": "on"}).status_code == 403
    upload = SimpleUploadedFile("wire.txt", b"Title: Story\nCategory: News\n\nBody.\n")
    assert writer.post("/admin/articles/article/import/", {"files": [upload], "category": "News"}).status_code == 200
    assert Article.objects.get().status == Article.Status.DRAFT


def test_share_preview_link_is_on_the_change_form(member, make_article):
    editor = member("Editor")
    draft = make_article("Draft", status=Article.Status.DRAFT)
    document = parse_html(editor.get(change_url(draft)).content)
    link = document.find("a", class_="share-preview").attrs["href"]
    assert link.startswith("/preview/") and Client().get(link).status_code == 200
    assert json.dumps(link)


def test_bulk_imported_versions_read_like_reversions_own(tmp_path):
    """The importer writes versions itself for speed; reversion must read them exactly as its own."""
    import reversion as rev

    from articles.importing.service import ImportOptions, import_files

    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Title: Story {i}\nCategory: News\nTags: a, b\n\nBody {i} mentions Dai Shan.\n")
    import_files([tmp_path], ImportOptions())
    article = Article.objects.get(title="Story 1")
    (bulk,) = Version.objects.get_for_object(article)
    with rev.create_revision():
        article.save()
    own = Version.objects.get_for_object(article).first()
    assert own.pk != bulk.pk
    ignore = {"updated_at", "created_at", "version"}
    assert {k: v for k, v in bulk.field_dict.items() if k not in ignore} == {k: v for k, v in own.field_dict.items() if k not in ignore}
    assert own.field_dict["version"] == bulk.field_dict["version"] + 1  # every save raises the version
    bulk.revision.revert()  # restoring an imported version works


# Changing what is live ----------------------------------------------------------------

def test_reworking_a_live_article_keeps_readers_on_the_live_version_until_published(member, make_article, django_capture_on_commit_callbacks):
    editor = member("Editor")
    reader = Client()
    live = make_article("Live headline", body="Live body.")
    response = editor.post(change_url(live), form_data(live, title="Reworked headline", body="Reworked body.", keep_live_version="on"))
    assert response.status_code == 302
    live.refresh_from_db()
    assert (live.title, live.pending_changes["title"]) == ("Live headline", "Reworked headline")
    assert parse_html(reader.get(live.get_absolute_url()).content).find("h1").text() == "Live headline"
    # The editor's form shows the pending text; the preview link shows it too.
    form = parse_html(editor.get(change_url(live)).content)
    assert form.find("input", name="title").attrs["value"] == "Reworked headline"
    assert parse_html(reader.get(preview_url(live)).content).find("h1").text() == "Reworked headline"
    assert "changes pending" in editor.get("/admin/articles/article/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # so the page cache hears of it
        editor.post("/admin/articles/article/", {"action": "publish_pending", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert (live.title, plain_text(live.body), live.pending_changes) == ("Reworked headline", "Reworked body.", None)
    assert parse_html(reader.get(live.get_absolute_url()).content).find("h1").text() == "Reworked headline"
    from articles.search import search

    assert [h.article.pk for h in search("reworked", 0, 5)[1]] == [live.pk]


def test_scheduled_pending_changes_go_live_by_themselves(member, make_article, monkeypatch, django_capture_on_commit_callbacks):
    from articles.middleware import SchedulerMiddleware

    editor, reader = member("Editor"), Client()
    live = make_article("Live headline", body="Live body.")
    soon = timezone.now() + timedelta(hours=1)
    response = editor.post(change_url(live), form_data(
        live, title="Scheduled rework", keep_live_version="on",
        pending_publish_at_0=soon.strftime("%Y-%m-%d"), pending_publish_at_1=soon.strftime("%H:%M:%S"),
    ))
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.pending_publish_at is not None and live.title == "Live headline"
    assert parse_html(reader.get(live.get_absolute_url()).content).find("h1").text() == "Live headline"

    # Its time comes (moved into the past here rather than waiting an hour).
    Article.objects.filter(pk=live.pk).update(pending_publish_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(SchedulerMiddleware, "next_check", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        reader.get("/")  # any reader's request publishes what is due
    page = parse_html(reader.get(live.get_absolute_url()).content)
    assert page.find("h1").text() == "Scheduled rework"
    live.refresh_from_db()
    assert (live.pending_changes, live.pending_publish_at) == (None, None)
    assert "Published pending changes at their scheduled time." in [v.revision.get_comment() for v in Version.objects.get_for_object(live)]


def test_preview_links_stop_working_once_the_article_is_published_or_taken_down(member, make_article):
    editor = member("Editor")
    draft = make_article("Embargoed", status=Article.Status.DRAFT)
    draft_link = preview_url(draft)
    assert Client().get(draft_link).status_code == 200
    editor.post("/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]})
    assert Client().get(draft_link).status_code == 404
    draft.refresh_from_db()
    editor.post("/admin/articles/article/", {"action": "unpublish", "_selected_action": [draft.pk]})
    assert Client().get(draft_link).status_code == 404  # back to draft: still not the old link


def test_an_old_draft_link_does_not_show_a_live_articles_unreleased_changes(member, make_article):
    editor = member("Editor")
    draft = make_article("Story", status=Article.Status.DRAFT)
    old_link = preview_url(draft)
    editor.post("/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    editor.post(change_url(draft), form_data(draft, title="Unreleased rework", keep_live_version="on"))
    assert Client().get(old_link).status_code == 404
    draft.refresh_from_db()
    pending_link = preview_url(draft)  # a link made for the rework says so
    banner = parse_html(Client().get(pending_link).content).find("div", class_="preview-banner").text()
    assert "not yet published" in banner and "live version" in banner


def test_a_preview_link_of_an_article_taken_down_by_its_unpublish_time_stops_working(make_article):
    scheduled = make_article("Embargoed", publish_at=timezone.now() + timedelta(hours=1))
    link = preview_url(scheduled)
    assert Client().get(link).status_code == 200
    Article.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() - timedelta(hours=2),
                                                     unpublish_at=timezone.now() - timedelta(hours=1))
    assert Client().get(link).status_code == 404


def test_preview_links_can_be_revoked_from_the_change_form(member, make_article):
    editor = member("Editor")
    draft = make_article("Leaky draft", status=Article.Status.DRAFT)
    link = preview_url(draft)
    form = parse_html(editor.get(change_url(draft)).content)
    button = form.find("button", name="_revoke_previews")
    assert button is not None
    response = editor.post(button.attrs["formaction"], form_data(draft))
    assert response.status_code == 302
    assert Client().get(link).status_code == 404
    draft.refresh_from_db()
    assert Client().get(preview_url(draft)).status_code == 200  # a new link works


def test_compare_shows_who_a_revision_names_and_how_centrally(member, make_article):
    import reversion

    from articles.models import ArticlePerson, Grade, Person

    editor = member("Editor")
    article = make_article("Graded")
    link = ArticlePerson.objects.create(article=article, person=Person.objects.get(slug="dai-shan"), grade=Grade.MENTION)
    with reversion.create_revision():
        article.save()
    link.grade = Grade.ABOUT
    link.save()
    ArticlePerson.objects.create(article=article, person=Person.objects.get(slug="zhang-yong"))
    with reversion.create_revision():
        article.save()
    newest, oldest = list(Version.objects.get_for_object(article))[:2]
    page = parse_html(editor.get(f"/admin/articles/article/{article.pk}/compare/", {"a": oldest.pk, "b": newest.pk}).content)
    rows = {tr.find("th").text(): tr for tr in page.find("table", class_="compare").find("tbody").find_all("tr")}
    diff = rows["People"].find("td", class_="diff")
    assert "changed" in rows["People"].attrs["class"]
    assert "Zhang Yong" in " ".join(i.text() for i in diff.find_all("ins"))
    assert "about" in " ".join(i.text() for i in diff.find_all("ins"))
    assert "same" in rows["Organisations"].attrs["class"]
