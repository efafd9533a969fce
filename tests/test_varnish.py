"""Newsroom behind a real Varnish (deploy/varnish.vcl, xkey from Debian's varnish-modules).

A site with the samples runs in gunicorn on a free port with Varnish in front;
an editor logs in and publishes through the admin (through Varnish, as
editors do), and readers read through Varnish. What an editor publishes or
takes down, and what a schedule makes go live or leave, reaches readers within
a second; cookies and query strings neither split nor poison the cache; a
logged-in editor and preview links always reach the app.

Skipped with a reason outside CI when Varnish or its xkey module is missing;
in CI (.ci/run installs them) that is a failure.
"""

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pytest

from articles.cache.keys import QUERY_PARAMETERS
from tests.content import STATES, SURFACES
from tests.html import assert_inert, parse_html

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish.vcl"
PASSWORD = "a-long-varnish-pass-phrase"
pytestmark = pytest.mark.slow


def varnish_missing():
    if not shutil.which("varnishd"):
        return "Varnish is not installed (apt-get install varnish varnish-modules)"
    if not list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")):
        return "Varnish's xkey module is not installed (apt-get install varnish-modules)"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answers(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


class Site:
    def __init__(self, tmp):
        self.env = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp / "data"), "NEWSROOM_LOG_LEVEL": "WARNING",
                    "NEWSROOM_ADMIN_PASSWORD": PASSWORD, "DJANGO_DEBUG": ""}
        self.env.pop("DATABASE_URL", None)
        self.app_port, self.varnish_port, self.admin_port = free_port(), free_port(), free_port()
        self.app = f"http://127.0.0.1:{self.app_port}"
        self.varnish = f"http://127.0.0.1:{self.varnish_port}"
        self.env["NEWSROOM_HTTP_CACHE_URLS"] = self.varnish
        self.tmp = tmp
        self.processes = []

    def manage(self, *args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                              capture_output=True, text=True, timeout=600).stdout

    def shell(self, code):
        return self.manage("shell", "-v0", "-c", code).strip()

    def start(self):
        self.manage("migrate", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("import_articles", str(ROOT / "samples"), "--publish", "-v0")
        self.manage("ensure_admin")
        self.processes.append(subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=ROOT, env={**self.env, "NEWSROOM_BIND": f"127.0.0.1:{self.app_port}", "WEB_CONCURRENCY": "2",
                           "GUNICORN_ACCESS_LOG": "/dev/null"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_until_answers(self.app + "/healthz")
        vcl = self.tmp / "varnish.vcl"
        vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{self.app_port}";'))
        self.processes.append(subprocess.Popen(
            ["varnishd", "-F", "-j", "none", "-n", str(self.tmp / "varnish"), "-a", f"127.0.0.1:{self.varnish_port}",
             "-T", f"127.0.0.1:{self.admin_port}", "-f", str(vcl), "-s", "malloc,64m"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_until_answers(self.varnish + "/healthz")

    def stop(self):
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = varnish_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: .ci/run installs it (ensure_varnish)")
        pytest.skip(missing)
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the Varnish tests run once per CI run, on SQLite (make test): they test the VCL, not the database")
    site = Site(tmp_path_factory.mktemp("varnish"))
    try:
        site.start()
        yield site
    finally:
        site.stop()


def get(url, headers=None, opener=None):
    """(status, headers, text) of a GET; redirects are not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = opener or urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def teaser_titles(html):
    return [heading.find("a").text() for teaser in parse_html(html).find_all("article", class_="teaser")
            for heading in teaser.children if heading.tag in ("h2", "h3")]


def within_a_second(check):
    """Poll ``check`` every 50 ms for one second; True as soon as it holds."""
    deadline = time.monotonic() + 1.0
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def make_article(site, title, **fields):
    """Create an article in the sample section "Dietary recipes" from a shell; returns (pk, path, publish time)."""
    extra = ", ".join(f"{name}={value}" for name, value in fields.items())
    out = site.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from articles.models import Article, Category\n"
        f"a = Article.objects.create(title={title!r}, standfirst='Standfirst.', body='Body text.', "
        f"category=Category.objects.get(slug='dietary-recipes'), {extra})\n"
        "print(a.pk, a.get_absolute_url(), a.publish_at.timestamp() if a.publish_at else 0)"
    )
    pk, path, publish_at = out.split()
    return int(pk), path, float(publish_at)


def editor(site):
    """An opener logged in as the admin through Varnish, and a function that POSTs an admin action with it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def token():
        return next(c.value for c in jar if c.name == "csrftoken")

    login = opener.open(site.varnish + "/admin/login/", timeout=10).read().decode()
    assert "csrfmiddlewaretoken" in login
    data = urllib.parse.urlencode({"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token(),
                                   "next": "/admin/"}).encode()
    assert "Log out" in opener.open(site.varnish + "/admin/login/?next=/admin/", data, timeout=10).read().decode()

    def action(name, pk):
        data = urllib.parse.urlencode({"action": name, "_selected_action": pk, "index": 0,
                                       "csrfmiddlewaretoken": token()}).encode()
        with opener.open(site.varnish + "/admin/articles/article/", data, timeout=10) as response:
            assert response.status == 200

    return opener, action


def test_what_an_editor_publishes_reaches_readers_through_varnish_within_a_second(site):
    pk, path, _ = make_article(site, "Published through the admin", status="'draft'")
    assert get(site.varnish + path)[0] == 404
    get(site.varnish + "/")
    status, headers, home = get(site.varnish + "/")
    assert headers["X-Http-Cache"] == "HIT" and "Published through the admin" not in teaser_titles(home)
    _, action = editor(site)
    action("publish", pk)
    assert within_a_second(lambda: get(site.varnish + path)[0] == 200)
    assert within_a_second(lambda: "Published through the admin" in teaser_titles(get(site.varnish + "/")[2]))


def test_a_takedown_through_the_admin_leaves_varnish_within_a_second(site):
    pk, path, _ = make_article(site, "Taken down", status="'published'", publish_at="timezone.now()")
    for _ in range(2):
        status, headers, _ = get(site.varnish + path)
    assert (status, headers["X-Http-Cache"]) == (200, "HIT")
    section = path.rsplit("/", 2)[0] + "/"
    get(site.varnish + section)
    assert "Taken down" in teaser_titles(get(site.varnish + section)[2])
    _, action = editor(site)
    action("unpublish", pk)
    assert within_a_second(lambda: get(site.varnish + path)[0] == 404)
    assert within_a_second(lambda: "Taken down" not in teaser_titles(get(site.varnish + section)[2]))


def test_an_edit_purges_only_the_pages_that_show_the_article(site):
    pk, path, _ = make_article(site, "Edited story", status="'published'", publish_at="timezone.now()")
    elsewhere = "/business/e-commerce/"  # an article page of another section stays cached
    other = re.search(r'<h3><a href="([^"]+)"', get(site.varnish + elsewhere)[2]).group(1)
    for url in (path, other, other):
        headers = get(site.varnish + url)[1]
    assert headers["X-Http-Cache"] == "HIT"
    site.shell(f"from articles.models import Article\na = Article.objects.get(pk={pk})\na.title = 'Edited story, new title'\na.save()")
    assert within_a_second(lambda: "Edited story, new title" in get(site.varnish + path)[2])
    assert get(site.varnish + other)[1]["X-Http-Cache"] == "HIT"


def test_a_scheduled_article_goes_live_and_leaves_through_varnish_within_a_second(site):
    pk, path, goes_live = make_article(site, "Scheduled for now", status="'published'",
                            publish_at="timezone.now() + timedelta(seconds=6)",
                            unpublish_at="timezone.now() + timedelta(seconds=12)")
    get(site.varnish + "/")
    status, headers, home = get(site.varnish + "/")
    assert headers["X-Http-Cache"] == "HIT" and "Scheduled for now" not in teaser_titles(home)
    assert get(site.varnish + path)[0] == 404
    time.sleep(max(0, goes_live - time.time()))
    assert within_a_second(lambda: "Scheduled for now" in teaser_titles(get(site.varnish + "/")[2]))
    assert within_a_second(lambda: get(site.varnish + path)[0] == 200)
    get(site.varnish + path)
    assert get(site.varnish + path)[1]["X-Http-Cache"] == "HIT"
    time.sleep(max(0, goes_live + 6 - time.time()))
    assert within_a_second(lambda: get(site.varnish + path)[0] == 404)
    assert within_a_second(lambda: "Scheduled for now" not in teaser_titles(get(site.varnish + "/")[2]))


def test_cookies_and_query_strings_neither_split_nor_poison_the_cache(site):
    base = site.varnish + "/dietary-recipes/"
    get(base + "?utm_source=first")
    variants = [
        ({}, "?utm_source=mail&x=%3Cscript%3E"),
        ({"Cookie": "csrftoken=abc; theme=dark"}, ""),
        ({"Cookie": "sessionidx=1"}, "?fbclid=1"),
    ]
    for headers, query in variants:
        status, response_headers, html = get(base + query, headers)
        assert (status, response_headers["X-Http-Cache"]) == (200, "HIT"), (headers, query)
        assert "Set-Cookie" not in response_headers
        assert "<script>" not in html and "utm_source" not in html and "fbclid" not in html
    # The parameters a page reads are still its own: page 2 is not page 1, and the last value counts, as in Django.
    assert get(site.varnish + "/search/?q=taobao&utm=1")[0] == 200
    first = get(site.varnish + "/search/?q=taobao")
    assert first[1]["X-Http-Cache"] == "HIT"
    assert get(site.varnish + "/search/?q=tmall")[1]["X-Http-Cache"] == "MISS"
    assert get(site.varnish + "/search/?q=tmall&q=taobao")[2] == first[2]
    # A host the app refuses is neither cached nor able to change what others get.
    assert get(site.varnish + "/dietary-recipes/", {"Host": "evil.example"})[0] == 400
    status, headers, html = get(base)
    assert status == 200 and "evil.example" not in html


def test_a_logged_in_editor_and_preview_links_bypass_varnish(site):
    pk, path, _ = make_article(site, "Editor's draft", status="'draft'")
    opener, _ = editor(site)
    for _ in range(2):
        with opener.open(site.varnish + path, timeout=10) as response:
            html = response.read().decode()
            assert response.headers["X-Http-Cache"] == "MISS"
    assert "Editor's draft" in html  # the editor sees the draft as a preview
    with opener.open(site.varnish + "/", timeout=10) as response:
        assert response.headers["X-Http-Cache"] == "MISS"
    assert get(site.varnish + path)[0] == 404  # readers never get what the editor was shown
    token = site.shell(f"from articles.publishing.previews import preview_url\nfrom articles.models import Article\n"
                       f"print(preview_url(Article.objects.get(pk={pk})))").rsplit("/", 2)[-2]
    for _ in range(2):
        status, headers, html = get(site.varnish + f"/preview/{token}/")
        assert (status, headers["X-Http-Cache"]) == (200, "MISS")
    assert "Editor's draft" in html


def vcl_rules():
    """[(path regex, parameters kept)] in the order deploy/varnish.vcl's newsroom_query tries them."""
    body = re.search(r"sub newsroom_query \{(.*?)\n\}", VCL.read_text(), re.S).group(1)
    rules = []
    for match in re.finditer(r'if \(req\.url ~ "([^"]+)"\) \{(.*?)\}', body, re.S):
        rules.append((match.group(1).replace("\\\\", "\\"), tuple(sorted(re.findall(r"call keep_(\w+);", match.group(2))))))
    return rules


def test_the_vcl_keeps_exactly_the_query_parameters_each_page_reads():
    from django.urls import get_resolver, reverse

    samples = {"path": ["business"], "tag": ["x"], "person": ["x"], "organization": ["x"], "preview": ["t"],
               "sitemap_section": ["articles"], "category_feed": ["x"], "category_feed_atom": ["x"], "tag_feed": ["x"],
               "tag_feed_atom": ["x"], "person_feed": ["x"], "person_feed_atom": ["x"],
               "organization_feed": ["x"], "organization_feed_atom": ["x"]}
    rules = vcl_rules()
    assert rules, "no rules found in newsroom_query"
    checked = 0
    for name in get_resolver("articles.urls").reverse_dict:
        if not isinstance(name, str) or name == "preview":  # preview links are never cached (vcl_recv)
            continue
        path = reverse(f"articles:{name}", args=samples.get(name, []))
        kept = next((params for pattern, params in rules if re.search(pattern, path)), ())
        assert kept == tuple(sorted(QUERY_PARAMETERS.get(f"articles:{name}", ()))), (name, path, kept)
        checked += 1
    assert checked >= 20


def test_a_hit_does_not_repeat_the_request_id_of_the_request_that_rendered_it(site):
    _, path, _ = make_article(site, "Request ids through Varnish", status="'published'", publish_at="timezone.now()")
    _, missed, _ = get(site.varnish + path)
    _, hit, _ = get(site.varnish + path)
    assert missed["X-Http-Cache"] == "MISS" and missed["X-Request-ID"]
    assert hit["X-Http-Cache"] == "HIT" and "X-Request-ID" not in hit and hit["X-Varnish"]


# The leak matrix and the hostile text, read through Varnish: a cached copy must hide and escape what the app does.

def shell_json(site, code):
    """What a snippet run in the site's shell prints as its last line, read as JSON."""
    return json.loads(site.shell("import json\n" + code).splitlines()[-1])


@pytest.fixture(scope="module")
def matrix(site):
    return shell_json(site, (
        "from tests.content import leak_matrix\n"
        "live, hidden = leak_matrix()\n"
        "print(json.dumps({'live': [live.title, live.get_absolute_url()],"
        " **{state: [a.title, a.slug, a.get_absolute_url()] for state, a in hidden.items()}}))"
    ))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("surface", SURFACES)
def test_nothing_unpublished_reaches_any_public_surface_through_varnish(site, matrix, state, surface):
    live_title, live_url = matrix["live"]
    title, slug, url = matrix[state]
    if surface == "DETAIL":
        assert [get(site.varnish + url)[0] for _ in range(2)] == [404, 404]
        return
    target = live_url if surface == "RELATED" else surface
    for text in read_twice(site, target):  # the read that may fill the cache, and the one served from it
        assert title not in text and slug not in text, target
        assert live_title in text or live_url in text, "the surface lists the live article"


@pytest.fixture(scope="module")
def hostile(site):
    return shell_json(site, (
        "from tests.content import hostile_articles\n"
        "print(json.dumps([{'url': a.get_absolute_url(), 'title': a.title, 'lists': [a.category.get_absolute_url(),"
        " a.people.get().get_absolute_url(), a.organizations.get().get_absolute_url(), '/tag/%s/' % a.tags.get().slug]}"
        " for a in hostile_articles()]))"
    ))


def read_twice(site, path):
    """The page's text through Varnish twice: the read that may fill the cache, and a hit served from it."""
    texts = []
    for _ in range(2):
        status, headers, text = get(site.varnish + path)
        assert status == 200, path
        texts.append(text)
    assert headers["X-Http-Cache"] == "HIT", path
    return texts


def test_hostile_text_stays_inert_on_every_page_served_from_varnish(site, hostile):
    for article in hostile:
        for text in read_twice(site, article["url"]):
            assert assert_inert(text).find("h1").text() == article["title"].strip()
    lists = ["/", "/people/", "/organisations/", "/corrections/"] + [url for a in hostile[:15] for url in a["lists"]]
    queries = ["hostile", "script alert", "<script>", "淘宝", "javascript"]
    for path in lists + ["/search/?" + urllib.parse.urlencode({"q": query}) for query in queries]:
        for text in read_twice(site, path):
            assert_inert(text)
    for path in ["/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"]:
        for text in read_twice(site, path):
            ElementTree.fromstring(text)  # raises if a payload broke the XML
