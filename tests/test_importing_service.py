import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings, strategies as st

from articles.richtext import plain_text
from articles.importing import ImportOptions, import_files
from articles.importing.errors import ImportFailure
from articles.models import Article, Person
from articles.search import search

pytestmark = pytest.mark.django_db

BREADCRUMB = (
    "Current location - Recipe Complete Network - Dietary recipes - Taobao story\n"
    "Taobao story\n"
    "Dai Shan reorganises Taobao.\n"
    "\n"
    "First paragraph mentions DaiShan.\n"
    "\n"
    "Second paragraph.\n"
)
HEADER = (
    "Title: Wire story\n"
    "Category: Business / E-commerce\n"
    "Tags: Alibaba, rural e-commerce, 淘宝\n"
    "Date: 2022-01-06\n"
    "Byline: Chen Lu\n"
    "Summary: Cainiao adds centres.\n"
    "\n"
    "Body one.\n"
    "\n"
    "Body two.\n"
)


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def run(*paths, **options):
    return import_files(paths, ImportOptions(**options))


def only_result(report):
    (result,) = report.results
    return result


def test_breadcrumb_file_becomes_a_draft_by_default(tmp_path):
    result = only_result(run(write(tmp_path, "a.txt", BREADCRUMB)))
    article = Article.objects.get(pk=result.article_id)
    assert (result.outcome, article.status, article.title) == ("created", "draft", "Taobao story")
    assert article.category.path == "dietary-recipes"
    assert article.paragraphs == ["First paragraph mentions DaiShan.", "Second paragraph."]
    assert [p.name for p in article.people.all()] == ["Dai Shan"]
    assert "taobao" in set(article.organizations.values_list("slug", flat=True))


def test_publish_option_makes_articles_live(tmp_path):
    result = only_result(run(write(tmp_path, "a.txt", BREADCRUMB), publish=True))
    assert Article.objects.published().filter(pk=result.article_id).exists()


def test_header_file_with_tags_date_and_byline(tmp_path):
    article = Article.objects.get(pk=only_result(run(write(tmp_path, "w.txt", HEADER))).article_id)
    assert sorted(article.tags.values_list("name", flat=True)) == ["Alibaba", "rural e-commerce", "淘宝"]
    assert article.publish_at.date().isoformat() == "2022-01-06"
    assert (article.byline, article.standfirst, article.category.full_name) == ("Chen Lu", "Cainiao adds centres.", "Business > E-commerce")


def test_plain_file_uses_the_default_category(tmp_path):
    path = write(tmp_path, "plain.txt", "A plain headline\n\nSome body text.\n")
    article = Article.objects.get(pk=only_result(run(path, default_category="News/Wire")).article_id)
    assert (article.title, article.category.full_name, plain_text(article.body)) == ("A plain headline", "News > Wire", "Some body text.")


def test_breadcrumb_site_is_dropped_whatever_it_is(tmp_path):
    text = BREADCRUMB.replace("Recipe Complete Network", "Another Site").replace("- Dietary recipes -", "- Finance - Earnings -")
    article = Article.objects.get(pk=only_result(run(write(tmp_path, "a.txt", text))).article_id)
    assert article.category.full_name == "Finance > Earnings"


def test_line_two_is_the_title_even_when_the_breadcrumb_is_cut(tmp_path):
    text = BREADCRUMB.replace("- Taobao story\n", "- Taobao st...\n", 1)
    article = Article.objects.get(pk=only_result(run(write(tmp_path, "a.txt", text))).article_id)
    assert article.title == "Taobao story"
    assert "title-differs-from-breadcrumb" not in article.quality_flags


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("gb18030", b""), ("big5", b""), ("cp1252", b"")],
)
def test_encodings_decode_without_loss(tmp_path, encoding, bom):
    if encoding == "big5":
        text = "Current location - Site - 電商 - 張勇談淘寶\n張勇談淘寶\n阿里巴巴集團董事會主席張勇表示，淘寶和天貓將全面融合。\n\n張勇說，這次調整的重點是用戶體驗和客戶價值，而不是規模增長。\n"
    elif encoding == "cp1252":
        text = BREADCRUMB.replace("Second paragraph.", "Caf\u00e9 owners\u2019 \u201cquotes\u201d \u2014 and na\u00efve r\u00e9sum\u00e9s.")
    elif encoding == "gb18030":
        text = "Title: 大淘宝\nCategory: 电商\n\n日本连锁餐饮品牌𠮷野家参与，记者王镕报道，戴珊负责。\n"
    else:
        text = BREADCRUMB + "Chinese: 淘宝 𠮷\n"
    result = only_result(run(write(tmp_path, "e.txt", bom + text.encode(encoding))))
    assert result.outcome == "created", result.line()
    article = Article.objects.get(pk=result.article_id)
    body_lines = [line for line in text.split("\n\n", 1)[1].split("\n") if line and ":" not in line[:9]]
    for line in body_lines:
        assert line.strip() in plain_text(article.body)
    if encoding == "big5":
        assert [p.name for p in article.people.all()] == ["Zhang Yong"]
        assert article.language == "zh"
    assert "doubtful-encoding" not in article.quality_flags


def test_forced_encoding_is_used_when_not_utf8(tmp_path):
    text = "Plain title\n\nCaf\u00e9 cr\u00e8me.\n"
    article = Article.objects.get(pk=only_result(run(write(tmp_path, "x.txt", text, "latin-1"), encoding="latin-1")).article_id)
    assert plain_text(article.body) == "Caf\u00e9 cr\u00e8me."


def test_text_is_tidied(tmp_path):
    text = "Title: Tidy\r\nCategory: News\r\n\r\nCafe\u0301  with\ttabs\u0007 and \u202eoverride.\r\n\r\nCafe\u0301  with\ttabs\u0007 and \u202eoverride.\r\n\r\nLast.\r"
    article = Article.objects.get(pk=only_result(run(write(tmp_path, "t.txt", text))).article_id)
    assert article.paragraphs == ["Caf\u00e9 with tabs and override.", "Last."]


def test_hard_wrapped_paragraphs_are_joined(tmp_path):
    text = "Title: Wrapped\nCategory: News\n\nThe first line of a paragraph\nthat goes on here.\n\n中文第一行\n中文第二行\n"
    article = Article.objects.get(pk=only_result(run(write(tmp_path, "w.txt", text))).article_id)
    assert article.paragraphs == ["The first line of a paragraph that goes on here.", "中文第一行中文第二行"]


BAD_INPUTS = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\t\n \r\n", "empty"),
    "binary.txt": (bytes(range(256)) * 4, "binary"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
    "jpeg.txt": (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "JPEG image"),
    "no-body.txt": (b"Current location - Site - News - Title\nTitle\nStandfirst.\n", "no body"),
    "bad-utf16.txt": (b"\xff\xfe" + b"\x00\xd8", "utf-16-le"),
    "bad-date.txt": (b"Title: T\nDate: 6 January\n\nBody.\n", "Date"),
    "long-title.txt": (("x" * 400 + "\n\nbody").encode(), "limit is 300"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_clear_error_and_the_run_goes_on(tmp_path, name):
    content, reason = BAD_INPUTS[name]
    bad = write(tmp_path, name, content)
    good = write(tmp_path, "zz-good.txt", BREADCRUMB)
    report = run(bad, good)
    failed, created = report.results
    assert failed.outcome == "failed" and reason in failed.message, failed.message
    assert created.outcome == "created"
    assert report.summary() == "created 1, updated 0, unchanged 0, failed 1"
    assert Article.objects.count() == 1


def test_oversized_and_unreadable_paths_fail_cleanly(tmp_path):
    big = write(tmp_path, "big.txt", BREADCRUMB * 10)
    report = run(big, tmp_path / "missing.txt", max_size=100)
    assert [r.outcome for r in report.results] == ["failed", "failed"]
    assert "over the limit of 100" in report.results[0].message
    assert "cannot read" in report.results[1].message


def test_changed_file_updates_its_article_and_keeps_editorial_changes(tmp_path, library_image):
    path = write(tmp_path, "a.txt", HEADER)
    article = Article.objects.get(pk=only_result(run(path)).article_id)
    article.lead_image = library_image("The editor's picture")
    article.people.add(Person.objects.get(slug="lu-su"))
    article.status = Article.Status.PUBLISHED
    article.save()
    write(tmp_path, "a.txt", HEADER.replace("Body two.", "Body two, corrected."))
    result = only_result(run(path))
    article.refresh_from_db()
    assert (result.outcome, result.article_id) == ("updated", article.pk)
    assert article.paragraphs[-1] == "Body two, corrected."
    assert article.lead_image.alt == "The editor's picture"
    assert article.status == Article.Status.PUBLISHED
    assert "Lu Su" in {p.name for p in article.people.all()}
    assert Article.objects.count() == 1


def test_same_title_from_another_file_gets_its_own_slug(tmp_path):
    first = only_result(run(write(tmp_path, "a.txt", BREADCRUMB)))
    second = only_result(run(write(tmp_path, "b.txt", BREADCRUMB + "\nA different ending.\n")))
    slugs = sorted(Article.objects.values_list("slug", flat=True))
    assert slugs == ["taobao-story", "taobao-story-2"]
    assert first.article_id != second.article_id


def test_dry_run_writes_nothing(tmp_path):
    report = run(write(tmp_path, "a.txt", BREADCRUMB), write(tmp_path, "b.txt", b""), dry_run=True)
    assert report.summary() == "created 1, updated 0, unchanged 0, failed 1"
    assert Article.objects.count() == 0


def test_a_failure_inside_the_transaction_leaves_nothing(tmp_path, monkeypatch):
    from articles.importing.link import EntityMatcher

    def explode(*args, **kwargs):
        raise ImportFailure("linking failed")

    monkeypatch.setattr(EntityMatcher, "grades", explode)
    report = run(write(tmp_path, "a.txt", HEADER))
    assert report.results[0].outcome == "failed"
    assert Article.objects.count() == 0
    from articles.models import Category

    assert not Category.objects.filter(name="E-commerce").exists()


def test_interrupt_keeps_finished_files_and_rolls_back_the_current_one(tmp_path, monkeypatch):
    from articles.importing.link import EntityMatcher

    for i in range(3):
        write(tmp_path, f"{i}.txt", BREADCRUMB.replace("Taobao story", f"Story {i}"))
    real_grades = EntityMatcher.grades
    calls = []

    def interrupt_on_second(self, lead, body, **kwargs):
        calls.append(lead)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_grades(self, lead, body, **kwargs)

    monkeypatch.setattr(EntityMatcher, "grades", interrupt_on_second)
    report = import_files([tmp_path], ImportOptions(), batch_size=1)
    assert report.interrupted and not report.ok
    assert list(Article.objects.values_list("title", flat=True)) == ["Story 0"]
    monkeypatch.setattr(EntityMatcher, "grades", real_grades)
    again = run(tmp_path)
    assert again.summary() == "created 2, updated 0, unchanged 1, failed 0"
    assert Article.objects.count() == 3


def test_interrupt_during_a_write_rolls_the_batch_back(tmp_path, monkeypatch):
    from articles.importing import write as write_stage

    for i in range(3):
        write(tmp_path, f"{i}.txt", BREADCRUMB.replace("Taobao story", f"Story {i}"))

    def interrupt(documents, new=False):
        raise KeyboardInterrupt

    monkeypatch.setattr(write_stage, "search_backend", lambda: type("B", (), {"store": staticmethod(interrupt)}))
    report = run(tmp_path)
    assert report.interrupted
    assert Article.objects.count() == 0
    monkeypatch.undo()
    assert run(tmp_path).summary() == "created 3, updated 0, unchanged 0, failed 0"


def test_batches_fall_back_to_one_file_at_a_time_on_a_conflict(tmp_path, monkeypatch):
    from django.db import IntegrityError

    from articles.importing.write import BatchWriter

    for i in range(3):
        write(tmp_path, f"{i}.txt", BREADCRUMB.replace("Taobao story", f"Story {i}"))

    def conflict(self, items):
        raise IntegrityError("slug taken meanwhile")

    monkeypatch.setattr(BatchWriter, "bulk_create", conflict)
    report = run(tmp_path)
    assert report.summary() == "created 3, updated 0, unchanged 0, failed 0"
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Story 0", "Story 1", "Story 2"]
    assert search("story", 0, 10)[0] == 0  # drafts: indexed, but not shown to readers
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["story-0", "story-1", "story-2"]


def test_identical_files_in_one_run_make_one_article(tmp_path):
    write(tmp_path, "a.txt", BREADCRUMB)
    write(tmp_path, "b.txt", BREADCRUMB)
    assert run(tmp_path).summary() == "created 1, updated 0, unchanged 1, failed 0"


def test_identical_files_in_consecutive_batches_stay_on_the_fast_path(tmp_path, monkeypatch):
    from articles.importing.write import BatchWriter

    write(tmp_path, "a.txt", BREADCRUMB)
    write(tmp_path, "b.txt", BREADCRUMB)

    def refuse(self, item):
        raise AssertionError(f"{item.display} went file by file")

    monkeypatch.setattr(BatchWriter, "write_one", refuse)
    created, unchanged = import_files([tmp_path], ImportOptions(), batch_size=1).results
    assert (created.outcome, unchanged.outcome) == ("created", "unchanged")
    assert unchanged.article_id == created.article_id
    assert Article.objects.count() == 1


def test_checksum_is_unique_in_the_database(tmp_path):
    from django.db import IntegrityError, transaction

    article = Article.objects.get(pk=only_result(run(write(tmp_path, "a.txt", BREADCRUMB))).article_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="Copy", slug="copy", standfirst="s", body="b", category=article.category,
                               source_checksum=article.source_checksum, source_name="other.txt")


def test_command_reports_per_file_and_ends_with_the_summary(tmp_path):
    write(tmp_path, "a.txt", BREADCRUMB)
    write(tmp_path, "b.txt", b"")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exit_info:
        call_command("import_articles", str(tmp_path), stdout=out, stderr=err)
    assert exit_info.value.returncode == 1
    assert out.getvalue().strip().splitlines()[-1] == "created 1, updated 0, unchanged 0, failed 1"
    assert "b.txt: the file is empty" in err.getvalue()
    out = io.StringIO()
    write(tmp_path, "b.txt", HEADER)
    call_command("import_articles", str(tmp_path), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip().splitlines()[-1] == "created 1, updated 0, unchanged 1, failed 0"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_command_shows_a_counter_on_a_terminal_instead_of_lines(tmp_path):
    write(tmp_path, "a.txt", BREADCRUMB)
    out, err = Terminal(), Terminal()
    call_command("import_articles", str(tmp_path), stdout=out, stderr=err)
    assert out.getvalue().strip().splitlines() == ["created 1, updated 0, unchanged 0, failed 0"]
    assert err.getvalue().startswith("\rimported 1 file(s): ") and err.getvalue().endswith("\r")


def test_the_counter_is_not_written_in_the_error_colour():
    from django.core.management.base import OutputWrapper

    from articles.importing import FileResult
    from articles.management.commands.import_articles import Progress

    stderr = OutputWrapper(Terminal())
    stderr.style_func = lambda text: f"<error>{text}</error>"
    Progress(stderr).step(FileResult("a.txt", "created"))
    assert stderr.getvalue() == f"\rimported 1 file(s): {'a.txt':<60}"


def test_command_is_quiet_at_verbosity_zero(tmp_path):
    write(tmp_path, "a.txt", BREADCRUMB)
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), verbosity=0, stdout=out)
    assert out.getvalue().strip().splitlines() == ["created 1, updated 0, unchanged 0, failed 0"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.one_of(
    st.binary(max_size=600),
    st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.builds(lambda head, body: (head + "\n" + body).encode("utf-8", "surrogatepass"),
              st.sampled_from(["Current location - A - B - C\nC\nS.\n", "Title: T\nCategory: X\n", "Title:\n", "Current location\n"]),
              st.text(max_size=200)),
))
def test_arbitrary_bytes_give_an_article_or_a_clean_error(tmp_path, data):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    result = only_result(run(path))
    assert result.outcome in {"created", "updated", "unchanged", "failed"}
    if result.outcome == "failed":
        assert result.message and "\n" not in result.message
    else:
        assert Article.objects.filter(pk=result.article_id).exists()


# Text shaped to stress parse's paragraphs: every kind of space and line break, markup, CJK.
BODY_PIECES = [*"ab \t\n\r\xa0\u3000\u2028\x85\x0b\x0c\x1c\x00\u200e<>&淘寶", "\n\n", "\n \n", "\r\n", "  ", "<p>", "&amp;"]


@settings(max_examples=300, deadline=None)
@given(st.builds(
    lambda head, body: head + "\n" + body,
    st.sampled_from(["Current location - A - B - C\nC\nS.\n", "Title: T\nCategory: X\n", "Plain title\n"]),
    st.one_of(st.text(max_size=200), st.lists(st.sampled_from(BODY_PIECES), max_size=40).map("".join)),
))
def test_a_parsed_body_is_what_the_writing_shortcuts_take_it_for(text):
    """prepare() takes parse's body as clean paragraphs: its HTML, search text and folded text are made from it directly."""
    from articles import richtext
    from articles.importing.parse import parse
    from articles.importing.text import clean_text

    try:
        body = parse(clean_text(text)).body
    except ImportFailure:
        return
    assert richtext.text_paragraphs(body) == body.split("\n\n")
    assert richtext.text_to_plain(body) == body
    assert " ".join(body.split()) == " ".join(body.split("\n\n"))


def test_one_core_is_left_to_the_writing_process():
    from articles.importing.pool import WORKERS, worker_count

    assert [worker_count(cpus) for cpus in (1, 2, 3, 64)] == [0, 1, min(WORKERS, 2), WORKERS]


def test_files_prepared_in_worker_processes_are_stored_as_those_prepared_here(tmp_path, monkeypatch):
    """What the workers hand back (the body as HTML and as search text, the links) makes the same articles."""
    from articles.importing import pool, service

    def import_as(word, parallel):
        folder = tmp_path / word
        folder.mkdir()
        for i in range(5):
            write(folder, f"{word}-{i}.txt", BREADCRUMB.replace("Taobao story", f"{word} {i}").replace("Second", f"Second {word} <{i}> &"))
        monkeypatch.setattr(service, "PARALLEL_FROM", 2 if parallel else 10**6)
        assert run(folder, publish=True).summary() == "created 5, updated 0, unchanged 0, failed 0"
        return sorted(
            (a.title.replace(word, "X"), a.body.replace(word, "X"), sorted(a.people.values_list("name", flat=True)),
             search(f"{word} {a.title[-1]}", 0, 1)[0])
            for a in Article.objects.filter(title__startswith=word)
        )

    monkeypatch.setattr(pool, "worker_count", lambda cpus=None: 1)
    pools = []
    monkeypatch.setattr(pool.Preparer, "close", lambda self, close=pool.Preparer.close: (pools.append(self.pool), close(self)))
    in_workers = import_as("Story", parallel=True)
    assert pools[-1] is not None  # the files went through a worker process
    here = import_as("Tale", parallel=False)
    assert pools[-1] is None
    assert in_workers == here
    assert in_workers[0][1].count("X &lt;0&gt; &amp;") == 1 and "Dai Shan" in in_workers[0][2] and in_workers[0][3] == 1


def test_every_space_but_the_space_itself_is_unprintable():
    """clean_text passes a printable line with single inner spaces as it is: no other space can hide in it."""
    import sys

    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert " " in spaces and "\xa0" in spaces and "\u3000" in spaces
    assert [c for c in spaces if c.isprintable()] == [" "]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(BODY_PIECES), max_size=40).map("".join)))
def test_clean_text_collapses_spaces_as_splitting_every_line_does(text):
    import unicodedata

    from articles.importing.text import UNWANTED, clean_text

    def split_every_line(line):
        line = " ".join(line.split())
        return line if line.isprintable() else " ".join(UNWANTED.sub("", line).split())

    lines = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    assert clean_text(text) == "\n".join(split_every_line(line) for line in lines)


def test_prepare_gives_the_body_as_html_and_as_search_text():
    from articles import richtext
    from articles.importing.link import EntityMatcher
    from articles.importing.prepare import prepare
    from articles.importing.sources import Source, load

    raw = BREADCRUMB.replace("Second paragraph.", "Second <b>paragraph</b> & Taobao\n  Taobao   and Taobao.").encode()
    loaded = load(Source("a.txt", "a.txt", data=raw), 0, 10**6)
    matcher = EntityMatcher([("Taobao", ("organization", 1)), ("Dai Shan", ("person", 2))])
    prepared = prepare(loaded, matcher)
    body = prepared.parsed.body
    assert prepared.body_html == richtext.text_to_html(body)
    assert "&lt;b&gt;paragraph&lt;/b&gt; &amp; Taobao Taobao and Taobao.</p>" in prepared.body_html
    assert prepared.body_text == richtext.plain_text(prepared.body_html)
    assert (prepared.people, prepared.organizations) == matcher.grades("Taobao story\nDai Shan reorganises Taobao.", body)
    assert prepared.organizations == {1: "about"} and prepared.people == {2: "about"}


@pytest.mark.django_db(transaction=True)
def test_a_big_import_leaves_the_search_index_merged_and_the_tables_vacuumed(tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's GIN pending list; SQLite's FTS5 index has none")
    for i in range(120):
        write(tmp_path, f"{i:03d}.txt", HEADER.replace("Wire story", f"Wire story {i}").replace("Body one.", f"Cainiao county {i}."))
    report = run(tmp_path, publish=True)
    assert report.count("created") == 120
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('articles_search_pg_document'::regclass)")
        assert cursor.fetchone()[0] == 0  # nothing left to merge
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'articles_article'")
        assert cursor.fetchone()[0] > 0  # counts can read the covering index alone
    assert search("cainiao county", 0, 5)[0] == 120
