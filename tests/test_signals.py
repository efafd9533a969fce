"""articles/signals.py: a change to any model readers see, made through the admin, reaches the cached pages."""

import pytest
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Category, Correction, OldPath, Organization, Person, Role
from tests.html import parse_html

pytestmark = pytest.mark.django_db


def form_of(client, url):
    """The fields of the admin form at ``url`` as a browser would post them back unchanged."""
    document = parse_html(client.get(url).content)
    (form,) = [form for form in document.find_all("form") if form.attrs.get("id", "").endswith("_form")]
    data = {}
    for field in form.find_all("input"):
        kind, name = field.attrs.get("type", "text"), field.attrs.get("name")
        if not name or kind in ("submit", "button", "file") or (kind == "checkbox" and "checked" not in field.attrs):
            continue
        data.setdefault(name, []).append(field.attrs.get("value", "on" if kind == "checkbox" else ""))
    for field in form.find_all("textarea"):
        data[field.attrs["name"]] = [field.text()]
    for field in form.find_all("select"):
        data[field.attrs["name"]] = [option.attrs.get("value", "") for option in field.find_all("option") if "selected" in option.attrs]
    return {name: values if len(values) != 1 else values[0] for name, values in data.items()}


@pytest.fixture
def world(make_article, section):
    article = make_article("Platform story")
    dai_shan, taobao = Person.objects.get(slug="dai-shan"), Organization.objects.get(slug="taobao")
    article.people.add(dai_shan)
    article.organizations.add(taobao)
    article.tags.add("platforms")
    Role.objects.create(person=dai_shan, organization=taobao, title="Chair")
    return article, dai_shan, taobao


def admin_change(model, obj):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


# (what is changed, the admin page and field, the new value, the reader's page that must show it)
CHANGES = {
    "article": lambda w: (admin_change(Article, w[0]), {"title": "Platform story, revised"}, w[0].get_absolute_url()),
    "category": lambda w: (admin_change(Category, w[0].category), {"name": "Food and drink"}, w[0].get_absolute_url()),
    "person": lambda w: (admin_change(Person, w[1]), {"name": "Dai Shan (戴珊)"}, w[0].get_absolute_url()),
    "organization": lambda w: (admin_change(Organization, w[2]), {"name": "Taobao Group"}, w[0].get_absolute_url()),
    "role": lambda w: (admin_change(Role, Role.objects.get(title="Chair")), {"title": "Chief executive"},
                       w[2].get_absolute_url()),
    "tag": lambda w: (admin_change(Tag, Tag.objects.get(name="platforms")), {"name": "online platforms"}, w[0].get_absolute_url()),
}


@pytest.mark.parametrize("model", sorted(CHANGES))
def test_a_change_through_the_admin_reaches_the_cached_page(staff_client, world, model, django_capture_on_commit_callbacks):
    reader = Client()
    url, changes, page = CHANGES[model](world)
    reader.get(page)
    assert reader.get(page)["X-Cache"] == "HIT"
    data = {**form_of(staff_client, url), **changes}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)
    assert response.status_code == 302, [e.text() for e in parse_html(response.content).find_all("ul", class_="errorlist")]
    fresh = reader.get(page)
    assert fresh["X-Cache"] == "MISS"
    assert next(iter(changes.values())) in fresh.content.decode()


def test_a_correction_added_on_the_article_form_reaches_the_cached_page(staff_client, world, django_capture_on_commit_callbacks):
    article = world[0]
    reader = Client()
    reader.get(article.get_absolute_url())
    url = admin_change(Article, article)
    data = {**form_of(staff_client, url), "corrections-TOTAL_FORMS": "1", "corrections-0-text": "The chair was misnamed.",
            "corrections-0-published_at_0": "2026-01-02", "corrections-0-published_at_1": "10:00:00"}
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, data).status_code == 302
    assert Correction.objects.filter(article=article).exists()
    assert "The chair was misnamed." in reader.get(article.get_absolute_url()).content.decode()


def test_an_old_address_added_through_the_admin_answers_at_once(staff_client, world, django_capture_on_commit_callbacks):
    article = world[0]
    reader = Client()
    reader.get("/")
    assert reader.get("/")["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:articles_oldpath_add"), {"path": "old-desk/platform-story", "article": article.pk})
    assert response.status_code == 302
    assert OldPath.objects.filter(path="old-desk/platform-story").exists()
    assert reader.get("/")["X-Cache"] == "MISS"  # the generation moved on
    moved = reader.get("/old-desk/platform-story/")
    assert (moved.status_code, moved["Location"]) == (301, article.get_absolute_url())


def test_deleting_through_the_admin_reaches_the_cached_page(staff_client, world, django_capture_on_commit_callbacks):
    taobao = world[2]
    reader = Client()
    role = Role.objects.get(title="Chair")
    reader.get(taobao.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:articles_role_delete", args=[role.pk]), {"post": "yes"})
    page = reader.get(taobao.get_absolute_url())
    assert page["X-Cache"] == "MISS" and "Chair" not in page.content.decode()


def test_a_role_changed_outside_the_admin_reaches_the_cached_page(world, django_capture_on_commit_callbacks):
    """load_entities and the shell save roles without the admin: the receivers hear them all the same."""
    taobao = world[2]
    reader = Client()
    reader.get(taobao.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        role = Role.objects.get(title="Chair")
        role.title = "Honorary chair"
        role.save()
    page = reader.get(taobao.get_absolute_url())
    assert page["X-Cache"] == "MISS" and "Honorary chair" in page.content.decode()
