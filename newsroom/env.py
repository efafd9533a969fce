"""Read settings from environment variables, one way everywhere, with errors that name the variable.

Used by newsroom/settings.py and newsroom/bootstrap.py. The bootstrap runs before
Django is configured, so this module imports nothing from the project and
nothing that needs Django's settings.

Text and lists take a value that is set but empty as it is (an empty list is a
real answer: no replicas, no trusted origins). Flags and numbers take an unset
or blank value as their default, and refuse a value they cannot read rather
than guess: NEWSROOM_PAGE_SIZE=abc stops the start with
"NEWSROOM_PAGE_SIZE must be a whole number, not 'abc'".
"""

import math
import os

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def text(name, default=""):
    """The variable's value as it is (not stripped), or default when it is not set."""
    return os.environ.get(name, default)


def flag(name, default=False):
    """True for 1/true/yes/on, False for 0/false/no/off (any case), default when unset or blank."""
    value = _given(name)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1, true, yes or on (or 0, false, no or off), not {os.environ[name]!r}")


def integer(name, default):
    """A whole number such as 20 or -1; default (which may be None) when unset or blank."""
    value = _given(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {os.environ[name]!r}") from None


def number(name, default):
    """A finite number such as 0.25 or 3; default when unset or blank."""
    value = _given(name)
    if value is None:
        return default
    try:
        result = float(value)
    except ValueError:
        result = math.nan
    if not math.isfinite(result):
        raise ImproperlyConfigured(f"{name} must be a number, not {os.environ[name]!r}")
    return result


def items(name, default=""):
    """A comma-separated list, each item stripped and empty ones left out; default (a string) when unset."""
    return [item.strip() for item in text(name, default).split(",") if item.strip()]


def _given(name):
    """The variable's value stripped, or None when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None
