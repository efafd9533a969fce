"""Who may change what readers see (articles/publishing/rules.py), proved on every path a Writer can reach."""

import io

import pytest
import reversion
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from reversion.models import Version
from taggit.models import Tag

from articles.richtext import plain_text
from articles.models import Article, Category, Correction, Organization, OrganizationAlias, Person, PersonAlias, Role
from tests.conftest import form_data
from tests.html import parse_html

pytestmark = pytest.mark.django_db

LIVE_TEXT = "Live body: what readers see."


@pytest.fixture
def newsroom(member, section):
    """An editor, a writer, and a live article with a draft revision in its history, and a deleted live one."""
    editor, writer = member("Editor"), member("Writer")
    with reversion.create_revision():
        live = Article.objects.create(title="Live story", standfirst="Live.", body="Draft body: an early version.",
                                      category=section, source_name="live.txt")
    with reversion.create_revision():
        live.status, live.body = Article.Status.PUBLISHED, LIVE_TEXT
        live.version += 1
        live.save()
    with reversion.create_revision():
        gone = Article.objects.create(title="Withdrawn story", standfirst="Gone.", body="Gone.", category=section,
                                      status=Article.Status.PUBLISHED)
    gone.delete()
    Correction.objects.create(article=live, text="A correction readers see.")
    live.tags.add("exclusive")
    return editor, writer, live


def public_state():
    """Everything the rule protects: every published article as stored, and the category tree."""
    articles = list(
        Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk").values_list(
            "pk", "title", "standfirst", "body", "status", "publish_at", "unpublish_at", "category_id", "slug",
            "pending_changes", "pending_publish_at", "byline",
        )
    )
    corrections = list(Correction.objects.order_by("pk").values_list("pk", "text", "article_id"))
    categories = list(Category.objects.order_by("pk").values_list("pk", "name", "slug", "path", "parent_id"))
    return articles, corrections, categories


# Each admin URL name, and what to fill its arguments with (objects made by the newsroom fixture).
def url_arguments(name, live, objects):
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            action, obj = name[len(prefix):], objects.get(model._meta.model_name) or model._default_manager.first()
            if obj is None:
                return [1] if action not in ("changelist", "add", "recoverlist", "import") else []
            break
    else:
        action, obj = name, None
    if action == "revision":
        draft_version = Version.objects.get_for_object(live).order_by("pk").first()
        return [live.pk, draft_version.pk]
    if action == "recover":
        return [Version.objects.get_deleted(Article).first().pk]
    if action in ("changelist", "add", "recoverlist", "import"):
        return []
    if obj is not None:
        return [obj.pk]
    if name == "view_on_site":
        from django.contrib.contenttypes.models import ContentType

        return [ContentType.objects.get_for_model(Article).pk, live.pk]
    if name == "app_list":
        return ["articles"]
    return []


def admin_url_names():
    """Every named URL under /admin/, found by walking the URL configuration (new views are walked too)."""
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace == "admin":
                names.append(pattern.name)

    walk(get_resolver().url_patterns, None)
    return sorted(set(names))


def hostile_post(live, section):
    """What a Writer might post anywhere: the live article rewritten and unpublished, a new top-level category."""
    return {
        **form_data(live, title="Rewritten by a writer", body="Rewritten.", status="draft", unpublish_at_0="2000-01-01",
                    unpublish_at_1="00:00:00", keep_live_version="", pending_publish_at_0="", pending_publish_at_1=""),
        "name": "Writers' section", "slug": "writers-section", "parent": "", "description": "", "ordering": "0",
        "post": "yes", "files": SimpleUploadedFile("live.txt", b"Title: Rewritten\nCategory: Writers' section\n\nRewritten.\n"),
        "category": section.pk,
    }


def test_no_admin_url_or_action_a_writer_can_reach_changes_a_live_article_or_the_category_tree(newsroom, section, settings):
    editor, writer, live = newsroom
    settings.NEWSROOM_PAGE_CACHE = False
    objects = {
        "article": live, "category": section, "person": Person.objects.first(), "organization": Organization.objects.first(),
        "role": Role.objects.first(), "tag": Tag.objects.first(), "user": writer.user, "group": writer.user.groups.first(),
        "personalias": PersonAlias.objects.first(), "organizationalias": OrganizationAlias.objects.first(),
    }
    before = public_state()
    reached = []
    for name in admin_url_names():
        if name in ("logout",):
            continue
        try:
            url = reverse(f"admin:{name}", args=url_arguments(name, live, objects))
        except NoReverseMatch:  # a view of the whole model (taggit's merge-tags, say)
            url = reverse(f"admin:{name}")
        for method in ("get", "post"):
            writer.force_login(writer.user)  # a view that logs out must not end the walk early
            data = hostile_post(live, section) if method == "post" else None
            response = getattr(writer, method)(url, data)
            assert response.status_code < 500, (url, method, response.status_code)
            reached.append((name, method, response.status_code))
            assert public_state() == before, f"{method.upper()} {url} changed what readers see"
    # Every action of every model, on every object, confirmed.
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for action in ("publish", "unpublish", "publish_pending", "revoke_previews", "delete_selected"):
            writer.force_login(writer.user)
            pks = list(model.objects.values_list("pk", flat=True))
            response = writer.post(changelist, {"action": action, "_selected_action": pks, "post": "yes", "index": 0})
            assert response.status_code < 500
            assert public_state() == before, f"action {action} on {opts.model_name} changed what readers see"
    # The walk really reached the dangerous views, as a Writer who may open them.
    statuses = {(name, method): status for name, method, status in reached}
    assert statuses[("articles_article_import", "get")] == 200
    assert statuses[("articles_article_history", "get")] == 200
    assert statuses[("articles_article_change", "get")] == 200  # read-only: a Writer may view it


def test_writer_restoring_a_draft_revision_of_a_live_article_is_refused(newsroom):
    _, writer, live = newsroom
    draft_version = Version.objects.get_for_object(live).order_by("pk").first()
    assert draft_version.field_dict["status"] == "draft"
    url = reverse("admin:articles_article_revision", args=[live.pk, draft_version.pk])
    response = writer.post(url, form_data(live, status="draft", body="Draft body: an early version."))
    assert response.status_code == 403
    live.refresh_from_db()
    assert (live.status, plain_text(live.body)) == ("published", LIVE_TEXT)


def test_editor_restoring_a_revision_counts_the_version_on_from_the_stored_one(newsroom):
    editor, _, live = newsroom
    stored_version = Article.objects.get(pk=live.pk).version
    draft_version = Version.objects.get_for_object(live).order_by("pk").first()
    url = reverse("admin:articles_article_revision", args=[live.pk, draft_version.pk])
    shown = parse_html(editor.get(url).content).find("input", name="base_version").attrs["value"]
    assert int(shown) == stored_version  # the form to review is based on the stored version, not the old one
    key = Article.objects.get(pk=live.pk).preview_key
    form = form_data(live, status="draft", body="Draft body: an early version.", base_version=shown)
    assert editor.post(url, form).status_code == 302
    live.refresh_from_db()
    assert plain_text(live.body) == "Draft body: an early version." and live.version == stored_version + 1
    assert live.preview_key != key  # unpublished by the restore: earlier links are revoked, not revived


def test_writer_recovering_a_deleted_live_article_is_refused(newsroom):
    _, writer, _ = newsroom
    deleted = Version.objects.get_deleted(Article).first()
    assert writer.post(reverse("admin:articles_article_recover", args=[deleted.pk]), {}).status_code == 403
    assert not Article.objects.filter(title="Withdrawn story").exists()


def import_page(client, *files, category="News"):
    return client.post("/admin/articles/article/import/", {"files": list(files), "category": category})


def report_rows(response):
    from tests.html import parse_html

    body = parse_html(response.content).find("table", id="import-report").find("tbody")
    return [[td.text() for td in tr.find_all("td")][:3] for tr in body.find_all("tr")]


def test_writer_upload_named_like_a_live_articles_source_does_not_replace_it(newsroom, section):
    _, writer, live = newsroom
    upload = SimpleUploadedFile("live.txt", f"Title: Replaced\nCategory: {section.name}\n\nReplaced text.\n".encode())
    rows = report_rows(import_page(writer, upload))
    assert rows == [["failed", "live.txt", "“Live story” is published; only an editor may change it."]]
    live.refresh_from_db()
    assert (live.title, plain_text(live.body)) == ("Live story", LIVE_TEXT)


def test_writer_upload_may_update_a_draft_it_names(member, section):
    writer = member("Writer")
    draft = Article.objects.create(title="Draft", standfirst="S.", body="Old.", category=section, source_name="draft.txt")
    upload = SimpleUploadedFile("draft.txt", f"Title: Draft, updated\nCategory: {section.name}\n\nNew text.\n".encode())
    assert report_rows(import_page(writer, upload))[0][0] == "updated"
    draft.refresh_from_db()
    assert (plain_text(draft.body), draft.status) == ("New text.", "draft")


def test_writer_upload_cannot_create_categories(member, section):
    writer = member("Writer")
    new_top = SimpleUploadedFile("a.txt", b"Title: A\nCategory: Leaks / Merger talks\n\nText.\n")
    known = SimpleUploadedFile("b.txt", f"Title: B\nCategory: {section.name}\n\nText.\n".encode())
    rows = report_rows(import_page(writer, new_top, known))
    assert rows[0] == ["failed", "a.txt", "there is no category “Leaks / Merger talks”, and only an editor may create one"]
    assert rows[1][:2] == ["created", "b.txt"]
    assert list(Category.objects.values_list("name", flat=True)) == [section.name]


def test_import_command_with_a_writer_follows_the_same_rule(newsroom, section, tmp_path):
    _, writer, live = newsroom
    (tmp_path / "live.txt").write_text(f"Title: Replaced\nCategory: {section.name}\n\nReplaced.\n")
    (tmp_path / "new.txt").write_text("Title: New\nCategory: Brand new\n\nText.\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), "--user", writer.user.username, stdout=io.StringIO(), stderr=err)
    assert "only an editor may change it" in err.getvalue() and "only an editor may create one" in err.getvalue()
    live.refresh_from_db()
    assert plain_text(live.body) == LIVE_TEXT and not Category.objects.filter(name="Brand new").exists()


def test_editor_upload_replaces_a_live_article_and_creates_categories(newsroom, section):
    editor, _, live = newsroom
    upload = SimpleUploadedFile("live.txt", b"Title: Replaced\nCategory: New desk\n\nReplaced text.\n")
    assert report_rows(import_page(editor, upload))[0][0] == "updated"
    live.refresh_from_db()
    assert plain_text(live.body) == "Replaced text." and live.category.name == "New desk"


def test_bulk_delete_of_a_live_article_needs_the_publish_permission(member, make_article, django_user_model):
    from django.contrib.auth.models import Permission

    deleter = member("Writer", "deleter")
    deleter.user.user_permissions.add(Permission.objects.get(codename="delete_article"))
    live, draft = make_article("Live"), make_article("Draft", status=Article.Status.DRAFT)
    deleter.post("/admin/articles/article/", {"action": "delete_selected", "_selected_action": [live.pk, draft.pk], "post": "yes"})
    assert Article.objects.filter(pk=live.pk).exists()


def test_admin_import_refuses_an_upload_over_the_total_limit_before_keeping_it(member, section, settings):
    settings.NEWSROOM_MAX_IMPORT_UPLOAD_BYTES = 1000
    editor = member("Editor")
    big = SimpleUploadedFile("big.txt", b"Title: Big\n\n" + b"word " * 400)
    small = SimpleUploadedFile("small.txt", b"Title: Small\n\nText.\n")
    response = import_page(editor, small, big)
    from tests.html import parse_html

    errors = parse_html(response.content).find("ul", class_="errorlist").text()
    assert "the files together may be at most" in errors
    assert not Article.objects.exists()
