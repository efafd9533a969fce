"""newsroom.env: the one way the settings and the bootstrap read the environment."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom import env
from tests.test_machine import settings_from_environment

ROOT = Path(__file__).resolve().parent.parent
NAME = "NEWSROOM_TEST_VALUE"


@pytest.fixture
def given(monkeypatch):
    """Set NEWSROOM_TEST_VALUE (None: unset it) for one test."""

    def set_value(value):
        if value is None:
            monkeypatch.delenv(NAME, raising=False)
        else:
            monkeypatch.setenv(NAME, value)

    set_value(None)
    return set_value


@pytest.mark.parametrize(("value", "expected"), [(None, "fallback"), ("", ""), (" spaced ", " spaced "), ("plain", "plain")])
def test_text_is_the_value_as_given_or_the_default_when_unset(given, value, expected):
    given(value)
    assert env.text(NAME, "fallback") == expected


def test_text_defaults_to_empty_and_hands_back_a_default_of_any_type(given):
    assert env.text(NAME) == ""
    assert env.text(NAME, Path("/srv")) == Path("/srv")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" ON ", True), ("0", False), ("false", False), ("No", False), ("off", False)],
)
def test_flag_reads_the_usual_words(given, value, expected):
    given(value)
    assert env.flag(NAME, default=not expected) is expected


@pytest.mark.parametrize("value", [None, "", "   "])
def test_flag_unset_or_blank_is_the_default(given, value):
    given(value)
    assert env.flag(NAME) is False
    assert env.flag(NAME, True) is True


@pytest.mark.parametrize("value", ["maybe", "ture", "2", "enabled"])
def test_flag_refuses_a_word_it_does_not_know_naming_the_variable(given, value):
    given(value)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env.flag(NAME, True)
    assert str(excinfo.value) == f"{NAME} must be 1, true, yes or on (or 0, false, no or off), not {value!r}"


@pytest.mark.parametrize(("value", "expected"), [(None, 7), ("", 7), ("  ", 7), ("20", 20), (" 3 ", 3), ("-1", -1), ("0", 0)])
def test_integer_reads_whole_numbers_and_falls_back_when_unset_or_blank(given, value, expected):
    given(value)
    assert env.integer(NAME, 7) == expected


def test_integer_default_may_be_none_for_an_optional_value(given):
    assert env.integer(NAME, None) is None


@pytest.mark.parametrize("value", ["abc", "2.5", "1e3", "20 pages"])
def test_integer_refuses_anything_but_a_whole_number_naming_the_variable(given, value):
    given(value)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env.integer(NAME, 7)
    assert str(excinfo.value) == f"{NAME} must be a whole number, not {value!r}"


@pytest.mark.parametrize(("value", "expected"), [(None, 0.25), ("", 0.25), ("0.5", 0.5), ("2", 2.0), (" 1e-1 ", 0.1)])
def test_number_reads_decimals(given, value, expected):
    given(value)
    assert env.number(NAME, 0.25) == expected


@pytest.mark.parametrize("value", ["a quarter", "0,25", "nan", "inf"])
def test_number_refuses_what_is_not_a_finite_number_naming_the_variable(given, value):
    given(value)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env.number(NAME, 0.25)
    assert str(excinfo.value) == f"{NAME} must be a number, not {value!r}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ["a", "b"]), ("", []), ("x", ["x"]), (" x , y ,, z, ", ["x", "y", "z"]), (",", [])],
)
def test_items_split_on_commas_and_set_but_empty_is_an_empty_list(given, value, expected):
    given(value)
    assert env.items(NAME, "a,b") == expected
    assert env.items("NEWSROOM_TEST_NEVER_SET") == []


# The settings: same defaults and meanings as before they read through newsroom.env.

def test_the_settings_defaults(monkeypatch):
    for name in ("DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS", "NEWSROOM_HTTPS",
                 "NEWSROOM_HSTS_SECONDS", "NEWSROOM_PAGE_SIZE", "NEWSROOM_PAGE_CACHE", "NEWSROOM_LOGIN_FAILURE_LIMIT",
                 "NEWSROOM_LOGIN_COOLOFF_HOURS", "NEWSROOM_SQLITE_MAX_PAGES", "NEWSROOM_DATABASE_READ_ONLY",
                 "REPLICA_DATABASE_URLS", "NEWSROOM_SITE_URL", "NEWSROOM_SITE_NAME", "DATABASE_URL", "DATABASE_CONN_MAX_AGE",
                 "NEWSROOM_MAX_IMAGE_BYTES", "NEWSROOM_MAX_IMAGE_PIXELS", "NEWSROOM_PREVIEW_MAX_AGE",
                 "NEWSROOM_MAX_IMPORT_UPLOAD_BYTES", "NEWSROOM_TIME_ZONE", "NEWSROOM_LOG_FORMAT", "NEWSROOM_LOG_LEVEL",
                 "CACHE_URL", "CACHE_KEY_PREFIX", "NEWSROOM_MANIFEST_STATIC"):
        monkeypatch.delenv(name, raising=False)
    s = settings_from_environment(monkeypatch)
    assert (s.DEBUG, s.HTTPS, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS) == (False, False, False, 0)
    assert s.ALLOWED_HOSTS == ["127.0.0.1", "localhost", "testserver"] and s.CSRF_TRUSTED_ORIGINS == []
    assert (s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.NEWSROOM_PROXY_COUNT) == (5, 0.25, 1)
    assert (s.NEWSROOM_PAGE_SIZE, s.NEWSROOM_PAGE_CACHE, s.NEWSROOM_SITE_URL) == (20, True, "")
    assert s.NEWSROOM_SITE_NAME == "Recipe Complete Network"
    assert (s.NEWSROOM_MAX_IMAGE_BYTES, s.NEWSROOM_MAX_IMAGE_PIXELS) == (15 * 1024 * 1024, 40_000_000)
    assert (s.NEWSROOM_PREVIEW_MAX_AGE, s.NEWSROOM_MAX_IMPORT_UPLOAD_BYTES) == (7 * 24 * 3600, 50 * 1024 * 1024)
    assert (s.TIME_ZONE, s.LOG_FORMAT, s.LOGGING["root"]["level"]) == ("UTC", "json", "INFO")
    assert s.REPLICA_ALIASES == [] and s.DATABASES["default"]["CONN_MAX_AGE"] == 60
    init = s.DATABASES["default"]["OPTIONS"]["init_command"]
    assert "max_page_count" not in init and "query_only" not in init
    assert s.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s.STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_the_settings_read_what_the_environment_says(monkeypatch, tmp_path):
    s = settings_from_environment(
        monkeypatch, DJANGO_DEBUG="yes", NEWSROOM_HTTPS="1", NEWSROOM_SSL_REDIRECT="off", NEWSROOM_PAGE_SIZE="5",
        NEWSROOM_PAGE_CACHE="0", NEWSROOM_LOGIN_COOLOFF_HOURS="1.5", NEWSROOM_SQLITE_MAX_PAGES="0",
        NEWSROOM_DATABASE_READ_ONLY="true", DJANGO_ALLOWED_HOSTS="", NEWSROOM_SITE_URL=" https://news.example.com/ ",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", CACHE_KEY_PREFIX="",
    )
    assert (s.DEBUG, s.HTTPS, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS) == (True, True, False, 31536000)
    assert (s.NEWSROOM_PAGE_SIZE, s.NEWSROOM_PAGE_CACHE, s.AXES_COOLOFF_TIME) == (5, False, 1.5)
    assert s.ALLOWED_HOSTS == []  # set but empty: no host, not the default list
    assert s.NEWSROOM_SITE_URL == "https://news.example.com"
    assert s.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"  # DEBUG
    init = s.DATABASES["default"]["OPTIONS"]["init_command"]
    assert "PRAGMA max_page_count=0;" in init and "PRAGMA query_only=ON;" in init
    assert len(s.CACHES["default"]["KEY_PREFIX"]) == 12  # an empty prefix means the database's own


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSROOM_PAGE_SIZE", "abc", "NEWSROOM_PAGE_SIZE must be a whole number, not 'abc'"),
        ("NEWSROOM_LOGIN_COOLOFF_HOURS", "soon", "NEWSROOM_LOGIN_COOLOFF_HOURS must be a number, not 'soon'"),
        ("NEWSROOM_HTTPS", "sure", "NEWSROOM_HTTPS must be 1, true, yes or on (or 0, false, no or off), not 'sure'"),
    ],
)
def test_a_setting_that_cannot_be_read_stops_the_settings_naming_the_variable(monkeypatch, name, value, message):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        settings_from_environment(monkeypatch, **{name: value})
    assert str(excinfo.value) == message


def test_manage_py_reports_the_variable_it_cannot_read(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "NEWSROOM_DATA_DIR": str(tmp_path / "data"), "NEWSROOM_PAGE_SIZE": "abc"},
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: NEWSROOM_PAGE_SIZE must be a whole number, not 'abc'" in result.stderr


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_env_imports_nothing_from_the_project_and_the_bootstrap_not_the_settings():
    assert sorted(set(imported_modules(ROOT / "newsroom" / "env.py"))) == ["django.core.exceptions", "math", "os"]
    bootstrap = set(imported_modules(ROOT / "newsroom" / "bootstrap.py"))
    assert not {name for name in bootstrap if name.startswith(("django.conf", "newsroom.settings", "articles"))}
    code = "import sys, newsroom.bootstrap; print(sorted(m for m in ('django.conf', 'newsroom.settings') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.stdout.strip() == "[]", result.stderr
