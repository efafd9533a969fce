"""Bad requests and admin login throttling."""

import pytest

from tests.html import parse_html

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR="203.0.113.9")


def test_login_is_throttled_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "e@example.com", "the-right-pass-phrase")
    for _ in range(4):
        response = login(client, "editor", "wrong")
        assert response.status_code == 200
    assert login(client, "editor", "wrong").status_code == 429
    # Even the right password is refused while locked.
    assert login(client, "editor", "the-right-pass-phrase").status_code == 429


def test_login_messages_do_not_reveal_which_usernames_exist(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "e@example.com", "the-right-pass-phrase")

    def message(username):
        document = parse_html(login(client, username, "wrong").content)
        return document.find("p", class_="errornote").text()

    assert message("editor") == message("nobody-by-this-name")


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 3000 + "/",
        "/dietary-recipes/" + "x" * 600 + "/",
        "/../../etc/passwd/",
        "/dietary-recipes/%2e%2e/%2e%2e/",
        "/dietary-recipes/a%2Fb/",
        "/tag/" + "%E6%B7%98" * 200 + "/",
        "/people/%00/",
        "/search/?q=%00",
        "/search/?q=" + "%FF" * 100,
        "/?page=1&page=2&" + "x=1&" * 500,
        "/feed/category/../../admin/",
        "/sitemap-unknown.xml",
        "/organisations/..%2f..%2f/",
    ],
)
def test_odd_urls_get_4xx_or_content_never_500(client, make_article, path):
    make_article()
    response = client.get(path)
    assert response.status_code < 500, path
    assert client.head(path).status_code < 500
