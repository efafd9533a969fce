"""The Jinja2 helpers of the reader's pages write what Django's template filters wrote."""

from datetime import date, datetime, timezone as dt_timezone

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import timezone

from articles.templating import format_date, machine_time, pluralize, truncatechars


@pytest.mark.parametrize("fmt", ["c", "j F Y", "F Y", "j F Y, H:i T", "Y"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_dates_read_as_djangos_date_filter_wrote_them(fmt, zone):
    value = datetime(2026, 1, 5, 23, 30, 15, 123456, tzinfo=dt_timezone.utc)
    with timezone.override(zone):
        # Django's date filter gets aware values in the current time zone; "c" is to the second (below).
        expected = django_date(timezone.localtime(value).replace(microsecond=0 if fmt == "c" else value.microsecond), fmt)
        assert format_date(value, fmt) == expected


@pytest.mark.parametrize("zone, expected", [
    ("UTC", "2026-12-01T07:05:02+00:00"),
    ("Asia/Shanghai", "2026-12-01T15:05:02+08:00"),
    ("America/New_York", "2026-12-01T02:05:02-05:00"),
])
def test_machine_times_are_written_to_the_second(zone, expected):
    # HTML's <time datetime> allows one to three digits of a fraction; Python's isoformat writes six.
    value = datetime(2026, 12, 1, 7, 5, 2, 159515, tzinfo=dt_timezone.utc)
    with timezone.override(zone):
        assert format_date(value, "c") == expected
    assert machine_time(value) == "2026-12-01T07:05:02+00:00"
    assert machine_time(datetime(2026, 12, 1, 7, 5, 2)) == "2026-12-01T07:05:02"
    assert machine_time(date(2026, 12, 1)) == "2026-12-01"
    assert machine_time(None) is None


def test_plain_dates_and_missing_values():
    assert format_date(date(2024, 3, 1), "F Y") == "March 2024"
    assert format_date(None, "j F Y") == ""


def test_truncation_and_plurals_match_djangos_filters():
    assert truncatechars("Taobao Tmall organisational structure", 12) == "Taobao Tmal…"
    assert [pluralize(n) for n in (0, 1, 2)] == ["s", "", "s"]


@pytest.mark.django_db
def test_the_json_ld_article_body_follows_every_edit_of_the_body(client, make_article, settings):
    from tests.html import json_ld, parse_html

    settings.NEWSROOM_PAGE_CACHE = False
    article = make_article("Kept text", body="<p>First <b>version</b>.</p><p>More.</p>")

    def article_body():
        return json_ld(parse_html(client.get(article.get_absolute_url()).content), "NewsArticle")[0]["articleBody"]

    assert article_body() == "First version.\n\nMore."
    assert article_body() == "First version.\n\nMore."
    article.body = "<p>Second version.</p>"
    article.save()
    assert article_body() == "Second version."
