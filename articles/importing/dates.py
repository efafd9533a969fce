"""The Date header of wire copy, in the forms agencies and scrapers write, to an aware datetime.

python-dateutil does the reading (``dateutil.parser.parse``); this module
only decides what dateutil must not guess:

* **Which number is the day.** ``06/01/2022`` is 6 January in London and
  1 June in New York. A date whose day and month are both numbers and whose
  year comes last is read only in the order the run was given
  (``--date-order day-first`` or ``month-first``), and refused without it; a
  value that does not fit the order given (``13/01/2022`` as month-first) is
  refused, never turned round. A date that starts with its year
  (``2022-1-6``, ``2022/01/06``, ``2022年1月6日``) is always year, month, day.
* **A two-digit year.** ``06 Jan 22`` could be 6 January 2022 or 22 January
  2006: it is read only when a weekday written with it fits one of the two
  (``Thu, 06 Jan 22``), and refused otherwise.
* **A wrong weekday.** ``Thu, 07 Jan 2022`` names a Thursday, but that day
  was a Friday: one of the two is wrong, and the value is refused.
* **A missing part.** ``6 January`` or ``January 2022`` has no year or no day,
  and dateutil would fill it in from today: such a value is refused. A value
  with no time is midnight.
* **The zone.** No zone: the newsroom's (``NEWSROOM_TIME_ZONE`` or
  ``--timezone``). An offset (``Z``, ``+08:00``, ``+0800``, ``UTC+8``) is
  used as written; ``UTC+8`` means eight hours ahead of UTC, as people mean
  it, not dateutil's POSIX reading (eight hours behind). A zone abbreviation
  is read when the tz database gives it one offset that year (``HKT``,
  ``JST``, ``EST``), or when it is what the newsroom's own zone calls itself
  at that time. ``CST`` (China +08:00, US Central -06:00, Cuba -05:00),
  ``IST`` and ``PST`` are therefore read only in a newsroom whose zone uses
  them (``Asia/Shanghai`` reads ``CST`` as +08:00), and refused elsewhere.

Chinese dates (``2022年1月6日 09:30``, ``9时30分``) are read through a
dateutil ``parserinfo`` that skips 年 月 日 号 and knows 时 点 分 秒;
full-width digits and colons are folded (NFKC) first.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import parser as dateutil_parser

from .errors import ImportFailure

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)
EXAMPLES = "2022-01-06, 2022-01-06 09:30 +08:00, 6 January 2022, Thu, 06 Jan 2022 09:30:00 +0800 or 2022年1月6日 09:30"

# Two defaults that differ in the year, the month and the day: a part dateutil filled in
# from the default differs between the two readings. The first is midnight: a date with no time.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_UTC_NAMES = {"UTC", "GMT", "UT", "Z"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Day and month both as numbers, then a number year ("06/01/2022", "6.1.2022", "Thu, 06-01-22"): the one form
# whose order is a convention rather than a fact. It only tells which values need --date-order; dateutil reads them.
_DAY_MONTH_FIRST = re.compile(r"^(?:[^\W\d_]+\.?,?\s+)?(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*\d{2,4}(?!\d)")


class _ParserInfo(dateutil_parser.parserinfo):
    """dateutil's English words, plus the characters Chinese dates and times are written with."""

    JUMP = [*dateutil_parser.parserinfo.JUMP, "年", "月", "日", "号"]
    HMS = [
        (*dateutil_parser.parserinfo.HMS[0], "时", "点"),
        (*dateutil_parser.parserinfo.HMS[1], "分"),
        (*dateutil_parser.parserinfo.HMS[2], "秒"),
    ]


_PARSERINFO = _ParserInfo(dayfirst=False, yearfirst=True)


@dataclass(frozen=True)
class DateReading:
    """How one run reads dates: the newsroom's zone (an IANA name) and the order of numeric days and months."""

    zone: str = "UTC"
    order: str | None = None

    def __post_init__(self):
        if self.order not in (None, *DATE_ORDERS):
            raise ValueError(f"date order {self.order!r} is not one of {', '.join(DATE_ORDERS)}")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.zone!r} is not a time zone name such as Asia/Shanghai or UTC") from None

    @property
    def tzinfo(self):
        return ZoneInfo(self.zone)


def parse_date(value: str, reading: DateReading = DateReading()) -> datetime:
    """The aware datetime a Date header means, to the second; ImportFailure naming the value otherwise."""
    text = _normalise(value)
    if not text:
        raise ImportFailure("Date is empty")
    numbers = _DAY_MONTH_FIRST.match(text)
    if numbers and reading.order is None:
        raise ImportFailure(
            f"Date {value!r} gives day and month as numbers ({_both_readings(*map(int, numbers.groups()))}): "
            "pass --date-order day-first or --date-order month-first"
        )
    zone = _Zone()
    dayfirst = bool(numbers) and reading.order == DAY_FIRST

    def read(default, yearfirst=False):
        return dateutil_parser.parse(text, parserinfo=_PARSERINFO, default=default, dayfirst=dayfirst,
                                     yearfirst=yearfirst, tzinfos=zone)

    try:
        first, second = read(_DEFAULTS[0]), read(_DEFAULTS[1])
        # A two-digit year that could stand first or last ("06 Jan 22", "22年1月6日"): dateutil would pick one.
        year_first = None if numbers else read(_DEFAULTS[0], yearfirst=True)
    except (ValueError, OverflowError):
        raise ImportFailure(f"Date {value!r} is not a date this importer can read (such as {EXAMPLES})") from None
    missing = [part for part in ("year", "month", "day") if getattr(first, part) != getattr(second, part)]
    if missing:
        raise ImportFailure(f"Date {value!r} has no {' and no '.join(missing)}")
    words = text.replace(",", " ").split()
    named_day = _PARSERINFO.weekday(words[0].rstrip(".")) if words else None
    if year_first is not None and year_first.date() != first.date():
        fitting = [candidate for candidate in (first, year_first) if candidate.weekday() == named_day]
        if len(fitting) != 1:  # the weekday, when there is one, tells which ("Thu, 06 Jan 22")
            raise ImportFailure(
                f"Date {value!r} could be {first.day} {first:%B %Y} or {year_first.day} {year_first:%B %Y}: "
                "write the year in full"
            )
        first = fitting[0]
    if numbers:
        a, b = map(int, numbers.groups())
        if (first.day, first.month) != ((a, b) if reading.order == DAY_FIRST else (b, a)):
            raise ImportFailure(f"Date {value!r} is not a {reading.order} date (as --date-order says)")
    if named_day is not None and named_day != first.weekday():
        raise ImportFailure(
            f"Date {value!r} names a {WEEKDAYS[named_day]}, but {first.day} {first:%B %Y} is a {WEEKDAYS[first.weekday()]}"
        )
    naive = first.replace(microsecond=0)  # with no time given, midnight (the first default's)
    try:
        aware = naive.replace(tzinfo=zone.resolve(naive, reading.tzinfo))
    except _ZoneRefused as exc:
        raise ImportFailure(f"Date {value!r}: {exc}") from None
    if not _exists(aware):
        raise ImportFailure(f"Date {value!r} does not exist in {reading.zone} (the clocks went forward past it)")
    return aware


def _normalise(value):
    """Full-width digits and colons to ASCII; "UTC+8" to "+8", so dateutil reads the offset as written."""
    text = unicodedata.normalize("NFKC", value).strip()
    for name in ("UTC", "GMT"):
        for sign in "+-":
            text = text.replace(f"{name}{sign}", sign).replace(f"{name} {sign}", sign)
    return text


def _both_readings(a, b):
    """How "a/b" reads in each order: "6 January day-first, 1 June month-first"."""
    return ", ".join(
        f"{f'{day} {datetime(2000, month, 1):%B}' if 1 <= month <= 12 and 1 <= day <= 31 else 'no date'} {order}"
        for order, (day, month) in ((DAY_FIRST, (a, b)), (MONTH_FIRST, (b, a)))
    )


def _exists(aware):
    """False for a wall-clock time its zone skipped (a spring-forward gap)."""
    there = aware.astimezone(timezone.utc).astimezone(aware.tzinfo)
    return there.replace(tzinfo=None) == aware.replace(tzinfo=None)


class _ZoneRefused(Exception):
    pass


class _Zone:
    """dateutil's ``tzinfos``: it keeps the zone name and offset the value gave (None for each it did not)
    and answers "no zone", so the zone is decided by ``resolve`` once the date is known."""

    name = offset = None

    def __call__(self, name, offset):
        self.name, self.offset = name, offset
        return None

    def resolve(self, naive, own):
        """The tzinfo for the parsed wall-clock time ``naive``; ``own`` is the newsroom's zone."""
        name, offset = self.name, self.offset
        if name is None and offset is None:
            return own
        if name is not None and name.upper() in _UTC_NAMES and not offset:
            return timezone.utc
        if name is None:
            return timezone(timedelta(seconds=offset))
        # What the newsroom's zone calls itself this year: CST in Asia/Shanghai, CST and CDT in America/Chicago.
        own_names = {}
        for month in (1, 7):
            moment = datetime(naive.year, month, 15, 12, tzinfo=own)
            own_names.setdefault(moment.tzname(), moment.utcoffset())
        known = abbreviations(naive.year).get(name, set())
        if offset is not None:  # "+0800 (CST)": the offset as written, if the name may go with it
            if known and timedelta(seconds=offset) not in known | {own_names.get(name)}:
                raise _ZoneRefused(f"the zone {name} and the offset written with it disagree")
            return timezone(timedelta(seconds=offset))
        offsets = {own_names[name]} if name in own_names else known
        if name in own_names and naive.replace(tzinfo=own).tzname() == name:
            return own
        if len(offsets) == 1:
            return timezone(next(iter(offsets)), name)
        if offsets:
            listed = ", ".join(_offset_text(o) for o in sorted(offsets))
            raise _ZoneRefused(
                f"the zone {name} is ambiguous ({listed}): write the offset (such as +08:00), "
                f"or import with --timezone set to the zone that calls itself {name}"
            )
        raise _ZoneRefused(f"the zone {name!r} is not one this importer knows: write the offset (such as +08:00)")


def _offset_text(offset):
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"


@lru_cache(maxsize=4)
def abbreviations(year):
    """{abbreviation: {offsets}} over every zone of the tz database in January and July of ``year``."""
    found = {}
    for key in available_timezones():
        try:
            zone = ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        for month in (1, 7):
            moment = datetime(year, month, 15, 12, tzinfo=zone)
            name = moment.tzname()
            if name and name[0].isalpha():
                found.setdefault(name, set()).add(moment.utcoffset())
    return found
