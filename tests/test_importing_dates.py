"""Dates in wire copy: every form agencies and scrapers write, read by python-dateutil, and what is refused.

The header format is the one that carries a date (``Date:``); the breadcrumb format of scraped pages
has none (samples/README.md), so the end-to-end tests here are header files, with LF and CRLF endings.
"""

import io
from datetime import datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings as hypothesis_settings, strategies as st

from articles.importing import ImportOptions, import_files
from articles.importing.dates import DAY_FIRST, MONTH_FIRST, DateReading, parse_date
from articles.importing.errors import ImportFailure
from articles.models import Article

UTC = dt_timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHICAGO = ZoneInfo("America/Chicago")


def offset(hours, minutes=0):
    return dt_timezone(timedelta(hours=hours, minutes=minutes))


# value, newsroom zone, --date-order, what it means
READS = [
    # date only: midnight in the newsroom's zone
    ("2022-01-06", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("2022-01-06", "Asia/Shanghai", None, datetime(2022, 1, 6, tzinfo=SHANGHAI)),
    # date and time, with or without seconds, with T or a space, no zone: the newsroom's zone
    ("2022-01-06 09:30", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("2022-01-06 09:30", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022-01-06T09:30", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022-01-06 09:30:15", "UTC", None, datetime(2022, 1, 6, 9, 30, 15, tzinfo=UTC)),
    ("2022-01-06T09:30:15", "America/Chicago", None, datetime(2022, 1, 6, 9, 30, 15, tzinfo=CHICAGO)),
    ("2022-01-06T09:30:15.123456", "UTC", None, datetime(2022, 1, 6, 9, 30, 15, tzinfo=UTC)),  # to the second
    # with a zone: the zone as written, whatever the newsroom's
    ("2022-01-06T09:30Z", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("2022-01-06T09:30:00Z", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("2022-01-06 09:30 Z", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("2022-01-06T09:30+08:00", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06 09:30:00 +08:00", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06T09:30:00+0800", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06 09:30 +0800", "America/Chicago", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06 09:30 -05:00", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(-5))),
    ("2022-01-06 09:30 +05:30", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(5, 30))),
    ("2022-01-06 09:30 UTC", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("2022-01-06 09:30 GMT", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    # "UTC+8" means eight hours ahead of UTC, as people mean it (dateutil alone reads it POSIX-style, behind)
    ("2022-01-06 09:30 UTC+8", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06 09:30 UTC+08:00", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06 09:30 GMT-5", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(-5))),
    # abbreviations the tz database gives one offset
    ("2022-01-06 09:30 HKT", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("2022-01-06 09:30 JST", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(9))),
    ("2022-01-06 09:30 EST", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(-5))),
    # CST: read only where the newsroom's own zone calls itself CST
    ("2022-01-06 09:30 CST", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022-07-06 09:30 CST", "Asia/Shanghai", None, datetime(2022, 7, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022-01-06 09:30 CST", "America/Chicago", None, datetime(2022, 1, 6, 9, 30, tzinfo=CHICAGO)),
    ("2022-07-06 09:30 CST", "America/Chicago", None, datetime(2022, 7, 6, 9, 30, tzinfo=offset(-6))),  # standard time in July
    ("2022-07-06 09:30 CDT", "America/Chicago", None, datetime(2022, 7, 6, 9, 30, tzinfo=CHICAGO)),
    # RFC 2822, with the zone as an offset, as a name, or both
    ("Thu, 06 Jan 2022 09:30:00 +0800", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("Thu, 06 Jan 2022 09:30:00 GMT", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("Thu, 06 Jan 2022 09:30:00 +0800 (CST)", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("Thu, 6 Jan 2022 09:30 -0500", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(-5))),
    # a two-digit year: read when the weekday tells which reading is meant (RFC 822's "06 Jan 22")
    ("Thu, 06 Jan 22 09:30:00 +0800", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("Jan 6, 22", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("06/01/22", "UTC", DAY_FIRST, datetime(2022, 1, 6, tzinfo=UTC)),
    # month names
    ("6 January 2022", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("6 January 2022", "Asia/Shanghai", None, datetime(2022, 1, 6, tzinfo=SHANGHAI)),
    ("06 Jan 2022", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("January 6, 2022", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("January 6, 2022 09:30", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("Jan. 6, 2022", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("Thursday, January 6, 2022", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    # numeric day and month: only in the order the run was given
    ("06/01/2022", "UTC", DAY_FIRST, datetime(2022, 1, 6, tzinfo=UTC)),
    ("06/01/2022", "UTC", MONTH_FIRST, datetime(2022, 6, 1, tzinfo=UTC)),
    ("6/1/2022", "UTC", DAY_FIRST, datetime(2022, 1, 6, tzinfo=UTC)),
    ("06.01.2022", "UTC", DAY_FIRST, datetime(2022, 1, 6, tzinfo=UTC)),
    ("06-01-2022", "UTC", MONTH_FIRST, datetime(2022, 6, 1, tzinfo=UTC)),
    ("13/01/2022", "UTC", DAY_FIRST, datetime(2022, 1, 13, tzinfo=UTC)),
    ("01/13/2022", "UTC", MONTH_FIRST, datetime(2022, 1, 13, tzinfo=UTC)),
    ("06/01/2022 09:30", "Asia/Shanghai", DAY_FIRST, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("06/01/2022 09:30 +0800", "UTC", MONTH_FIRST, datetime(2022, 6, 1, 9, 30, tzinfo=offset(8))),
    # a date that starts with its year is year, month, day whatever the order says
    ("2022-01-06", "UTC", DAY_FIRST, datetime(2022, 1, 6, tzinfo=UTC)),
    ("2022-01-06 09:30", "UTC", MONTH_FIRST, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("2022/01/06", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("2022/1/6 09:30", "UTC", DAY_FIRST, datetime(2022, 1, 6, 9, 30, tzinfo=UTC)),
    ("6 January 2022", "UTC", MONTH_FIRST, datetime(2022, 1, 6, tzinfo=UTC)),
    # Chinese forms
    ("2022年1月6日", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("2022年1月6日", "Asia/Shanghai", DAY_FIRST, datetime(2022, 1, 6, tzinfo=SHANGHAI)),
    ("2022年01月06日", "Asia/Shanghai", None, datetime(2022, 1, 6, tzinfo=SHANGHAI)),
    ("2022年1月6日 09:30", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022年1月6日09:30", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022年1月6日 9时30分", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
    ("2022年1月6日 09:30 +08:00", "UTC", None, datetime(2022, 1, 6, 9, 30, tzinfo=offset(8))),
    ("２０２２年１月６日　０９：３０", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),  # full width
    ("2022-1-6", "UTC", None, datetime(2022, 1, 6, tzinfo=UTC)),
    ("2022-1-6", "Asia/Shanghai", MONTH_FIRST, datetime(2022, 1, 6, tzinfo=SHANGHAI)),
    ("2022-1-6 9:30", "Asia/Shanghai", None, datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)),
]


@pytest.mark.parametrize("value, zone, order, expected", READS)
def test_each_form_reads_as_the_agency_meant(value, zone, order, expected):
    got = parse_date(value, DateReading(zone, order))
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()  # the same instant, in the same offset
    assert got.microsecond == 0


# value, newsroom zone, --date-order, words the refusal must hold
REFUSALS = [
    ("06/01/2022", "UTC", None, "--date-order day-first or --date-order month-first"),
    ("06/01/2022", "UTC", None, "6 January day-first, 1 June month-first"),
    ("13/01/2022", "UTC", None, "pass --date-order"),  # even where only one order makes a date: never guessed
    ("6.1.2022 09:30", "Asia/Shanghai", None, "pass --date-order"),
    ("Thu, 06/01/2022", "UTC", None, "pass --date-order"),
    ("01/13/2022", "UTC", DAY_FIRST, "is not a day-first date"),  # dateutil would turn it round; it is refused
    ("13/01/2022", "UTC", MONTH_FIRST, "is not a month-first date"),
    ("2022-01-06 09:30 CST", "UTC", None, "the zone CST is ambiguous (-06:00, -05:00, +08:00)"),
    ("2022-01-06 09:30 CST", "Europe/London", DAY_FIRST, "--timezone"),
    ("2022-01-06 09:30 IST", "UTC", None, "the zone IST is ambiguous"),
    ("2022-01-06 09:30 PST", "UTC", None, "the zone PST is ambiguous"),
    ("2022-01-06 09:30 XYZ", "UTC", None, "the zone 'XYZ' is not one this importer knows"),
    ("Thu, 06 Jan 2022 09:30:00 +0800 (EST)", "UTC", None, "the zone EST and the offset written with it disagree"),
    ("2022-03-13 02:30", "America/Chicago", None, "does not exist in America/Chicago"),
    ("Thu, 07 Jan 2022 09:30:00 +0800", "UTC", None, "names a Thursday, but 7 January 2022 is a Friday"),
    ("Friday, January 6, 2022", "UTC", None, "names a Friday, but 6 January 2022 is a Thursday"),
    ("06 Jan 22", "UTC", None, "could be 6 January 2022 or 22 January 2006: write the year in full"),
    ("22年1月6日", "Asia/Shanghai", None, "write the year in full"),
    ("6 January", "UTC", None, "has no year"),
    ("1月6日", "Asia/Shanghai", None, "has no year"),
    ("January 2022", "UTC", None, "has no day"),
    ("2022", "UTC", None, "has no month and no day"),
    ("2022-02-30", "UTC", None, "is not a date this importer can read"),
    ("2022-13-01", "UTC", None, "is not a date this importer can read"),
    ("2022-01-06 25:00", "UTC", None, "is not a date this importer can read"),
    ("yesterday", "UTC", None, "is not a date this importer can read"),
    ("in 3 days", "UTC", None, "is not a date this importer can read"),
    ("Taobao", "UTC", None, "is not a date this importer can read"),
    ("2022-01-06 and some words", "UTC", None, "is not a date this importer can read"),
]


@pytest.mark.parametrize("value, zone, order, words", REFUSALS)
def test_what_cannot_be_read_for_certain_is_refused_naming_the_value(value, zone, order, words):
    with pytest.raises(ImportFailure) as caught:
        parse_date(value, DateReading(zone, order))
    message = str(caught.value)
    assert words in message, message
    assert repr(value) in message


def test_a_zone_or_an_order_that_is_not_one_is_refused_before_any_file():
    with pytest.raises(ValueError, match="not a time zone name"):
        DateReading("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="date order"):
        DateReading("UTC", "year-first")


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"[0-9 :/.\-+TZ年月日A-Za-z,]{0,40}", fullmatch=True))
def test_any_value_is_a_whole_second_aware_time_or_a_clear_failure(value):
    try:
        got = parse_date(value, DateReading("Asia/Shanghai", DAY_FIRST))
    except ImportFailure as exc:
        assert str(exc).startswith("Date")
    else:
        assert got.tzinfo is not None and got.utcoffset() is not None
        assert got.microsecond == 0


# ---- through the importer: header files, LF and CRLF ----


def header_file(date, title="Wire story"):
    return (
        f"Title: {title}\n"
        "Category: Business / Logistics\n"
        "Tags: Cainiao\n"
        f"Date: {date}\n"
        "Byline: Chen Lu\n"
        "Summary: Cainiao adds centres.\n"
        "\n"
        "Body one.\n"
        "\n"
        "Body two.\n"
    )


def write(tmp_path, name, text, line_ending="\n", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", line_ending).encode(encoding))
    return path


LINE_ENDINGS = pytest.mark.parametrize("line_ending", ["\n", "\r\n"], ids=["LF", "CRLF"])


@pytest.mark.django_db
@LINE_ENDINGS
@pytest.mark.parametrize("value, zone, order, expected", READS, ids=[f"{r[0]}|{r[1]}|{r[2]}" for r in READS])
def test_each_form_becomes_the_articles_publish_time(tmp_path, value, zone, order, expected, line_ending):
    path = write(tmp_path, "wire.txt", header_file(value), line_ending)
    (result,) = import_files([path], ImportOptions(time_zone=zone, date_order=order)).results
    assert result.outcome == "created", result.message
    article = Article.objects.get(pk=result.article_id)
    assert article.publish_at == expected
    local = article.publish_at.astimezone(expected.tzinfo)
    assert (local.hour, local.minute, local.second) == (expected.hour, expected.minute, expected.second)


@pytest.mark.django_db
@LINE_ENDINGS
def test_the_newsroom_zone_is_the_time_zone_setting_by_default(tmp_path, settings, line_ending):
    settings.TIME_ZONE = "Asia/Shanghai"  # NEWSROOM_TIME_ZONE
    path = write(tmp_path, "wire.txt", header_file("2022-01-06 09:30"), line_ending)
    (result,) = import_files([path]).results
    article = Article.objects.get(pk=result.article_id)
    assert article.publish_at == datetime(2022, 1, 6, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    # --timezone wins over the setting
    path = write(tmp_path, "wire2.txt", header_file("2022-01-06 09:30", "Another story"), line_ending)
    (result,) = import_files([path], ImportOptions(time_zone="Europe/London")).results
    assert Article.objects.get(pk=result.article_id).publish_at == datetime(2022, 1, 6, 9, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_chinese_dates_in_a_gb18030_wire_file(tmp_path):
    text = header_file("2022年1月7日 09:30", "大淘宝三大中心正式运转").replace("Body one.", "大淘宝新设的三大中心正式运转。")
    path = write(tmp_path, "zh.txt", text, encoding="gb18030")
    (result,) = import_files([path], ImportOptions(time_zone="Asia/Shanghai")).results
    assert result.outcome == "created", result.message
    assert Article.objects.get(pk=result.article_id).publish_at == datetime(2022, 1, 7, 9, 30, tzinfo=SHANGHAI)


@pytest.mark.django_db
@LINE_ENDINGS
def test_a_date_that_cannot_be_read_fails_its_file_and_the_rest_of_the_folder_imports(tmp_path, line_ending):
    write(tmp_path, "a-bad.txt", header_file("sometime in January", "Bad"), line_ending)
    write(tmp_path, "b-slashed.txt", header_file("06/01/2022 09:30", "Slashed"), line_ending)
    write(tmp_path, "c-cst.txt", header_file("2022-01-06 09:30 CST", "Ambiguous zone"), line_ending)
    write(tmp_path, "d-good.txt", header_file("Thu, 06 Jan 2022 09:30:00 +0800", "Good"), line_ending)
    report = import_files([tmp_path])
    bad, slashed, cst, good = report.results
    assert bad.outcome == "failed" and "'sometime in January' is not a date this importer can read" in bad.message
    assert slashed.outcome == "failed" and "pass --date-order" in slashed.message
    assert cst.outcome == "failed" and "CST is ambiguous" in cst.message
    assert good.outcome == "created"
    assert report.summary() == "created 1, updated 0, unchanged 0, failed 3"
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]


@pytest.mark.django_db
@LINE_ENDINGS
def test_reimporting_an_unchanged_file_with_a_time_does_nothing(tmp_path, line_ending):
    path = write(tmp_path, "wire.txt", header_file("2022-01-06 09:30 +08:00"), line_ending)
    (first,) = import_files([path], ImportOptions(time_zone="Asia/Shanghai")).results
    article = Article.objects.get(pk=first.article_id)
    version, updated_at = article.version, article.updated_at
    for options in (ImportOptions(time_zone="Asia/Shanghai"), ImportOptions(time_zone="America/Chicago", date_order=DAY_FIRST)):
        (again,) = import_files([path], options).results
        assert (again.outcome, again.article_id) == ("unchanged", article.pk)
    article.refresh_from_db()
    assert (article.version, article.updated_at) == (version, updated_at)
    assert article.publish_at == datetime(2022, 1, 6, 1, 30, tzinfo=UTC)
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_date_updates_the_publish_time_to_the_minute(tmp_path):
    path = write(tmp_path, "wire.txt", header_file("2022-01-06"))
    (first,) = import_files([path]).results
    write(tmp_path, "wire.txt", header_file("2022-01-06 17:45"))
    (second,) = import_files([path], ImportOptions(time_zone="Asia/Shanghai")).results
    assert (second.outcome, second.article_id) == ("updated", first.article_id)
    assert Article.objects.get().publish_at == datetime(2022, 1, 6, 17, 45, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_publish_keeps_the_files_time(tmp_path):
    path = write(tmp_path, "wire.txt", header_file("2022-01-06 09:30:59 +08:00"))
    (result,) = import_files([path], ImportOptions(publish=True)).results
    article = Article.objects.get(pk=result.article_id)
    assert article.publish_at == datetime(2022, 1, 6, 1, 30, 59, tzinfo=UTC)
    assert Article.objects.published().filter(pk=article.pk).exists()


# ---- the command's options ----


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db
def test_command_date_order_and_timezone_reach_the_importer(tmp_path):
    path = write(tmp_path, "wire.txt", header_file("06/01/2022 09:30"))
    out, err, error = command(path)
    assert error and "pass --date-order" in err and "failed 1" in out
    out, err, error = command(path, "--date-order", "day-first", "--timezone", "Asia/Shanghai")
    assert error is None and out.strip().endswith("created 1, updated 0, unchanged 0, failed 0")
    assert Article.objects.get().publish_at == datetime(2022, 1, 6, 9, 30, tzinfo=SHANGHAI)
    out, err, error = command(path, "--date-order", "day-first", "--timezone", "Asia/Shanghai")
    assert error is None and "unchanged 1" in out


@pytest.mark.django_db
def test_command_month_first(tmp_path):
    path = write(tmp_path, "wire.txt", header_file("06/01/2022"))
    out, err, error = command(path, "--date-order", "month-first")
    assert error is None, err
    assert Article.objects.get().publish_at == datetime(2022, 6, 1, tzinfo=UTC)


@pytest.mark.django_db
def test_command_refuses_a_zone_or_order_that_is_not_one(tmp_path):
    path = write(tmp_path, "wire.txt", header_file("2022-01-06"))
    _, _, error = command(path, "--timezone", "Mars/Olympus_Mons")
    assert error == "--timezone 'Mars/Olympus_Mons' is not a time zone name such as Asia/Shanghai or UTC"
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_articles", str(path), "--date-order", "year-first", stdout=io.StringIO())
    assert not Article.objects.exists()


def test_the_admin_import_page_reads_slashed_dates_in_the_order_the_editor_chose(member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles.models import Article

    editor = member("Editor")
    upload = SimpleUploadedFile("wire.txt", b"Title: Slashed\nCategory: News\nDate: 06/01/2022 09:30\n\nBody.\n")
    response = editor.post("/admin/articles/article/import/", {"files": [upload], "category": "News", "date_order": "day-first"})
    assert response.status_code == 200
    published = Article.objects.get(title="Slashed").publish_at
    assert (published.month, published.day) == (1, 6)
