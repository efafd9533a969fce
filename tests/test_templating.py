"""The Jinja2 helpers of the reader's pages write what Django's template filters wrote."""

from datetime import date, datetime, timezone as dt_timezone

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import timezone

from articles.templating import format_date, pluralize, truncatechars


@pytest.mark.parametrize("fmt", ["c", "j F Y", "F Y", "j F Y, H:i T", "Y"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_dates_read_as_djangos_date_filter_wrote_them(fmt, zone):
    value = datetime(2026, 1, 5, 23, 30, 15, 123456, tzinfo=dt_timezone.utc)
    with timezone.override(zone):
        # Django's date filter gets aware values in the current time zone.
        assert format_date(value, fmt) == django_date(timezone.localtime(value), fmt)


def test_plain_dates_and_missing_values():
    assert format_date(date(2024, 3, 1), "F Y") == "March 2024"
    assert format_date(None, "j F Y") == ""


def test_truncation_and_plurals_match_djangos_filters():
    assert truncatechars("Taobao Tmall organisational structure", 12) == "Taobao Tmal…"
    assert [pluralize(n) for n in (0, 1, 2)] == ["s", "", "s"]
