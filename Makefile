# Newsroom: `make run` serves the site with the sample content; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/newsroom

VARNISH_PORT ?= 6081
VARNISH_ADMIN_PORT ?= 6082

.PHONY: install run serve-varnish test test-postgres check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

staticfiles/staticfiles.json: $(STAMP) $(shell find static -type f)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: install staticfiles/staticfiles.json
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_articles samples --publish
	$(BIN)/python manage.py ensure_admin
	@echo "Serving http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	NEWSROOM_BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py newsroom.wsgi

# The site behind Varnish (deploy/varnish.vcl): readers on http://127.0.0.1:$(VARNISH_PORT)/, gunicorn on
# 127.0.0.1:$(PORT), purged by the app after every change. Needs Debian's varnish and varnish-modules.
serve-varnish: install staticfiles/staticfiles.json
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_articles samples --publish
	$(BIN)/python manage.py ensure_admin
	mkdir -p data/varnish
	sed 's/\.port = "8000";/.port = "$(PORT)";/' deploy/varnish.vcl > data/varnish/varnish.vcl
	varnishd -j none -n $(CURDIR)/data/varnish -a 127.0.0.1:$(VARNISH_PORT) -T 127.0.0.1:$(VARNISH_ADMIN_PORT) \
		-f $(CURDIR)/data/varnish/varnish.vcl -s malloc,256m -P $(CURDIR)/data/varnish/varnishd.pid
	@echo "Serving http://127.0.0.1:$(VARNISH_PORT)/ through Varnish (admin: http://127.0.0.1:$(VARNISH_PORT)/admin/)"
	trap 'kill $$(cat data/varnish/varnishd.pid)' EXIT INT TERM; \
		NEWSROOM_HTTP_CACHE_URLS=http://127.0.0.1:$(VARNISH_PORT) NEWSROOM_BIND=127.0.0.1:$(PORT) \
		$(BIN)/gunicorn -c gunicorn.conf.py newsroom.wsgi

test: install staticfiles/staticfiles.json
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# The same suite against PostgreSQL (a server must answer at POSTGRES_URL; .ci/run starts one).
test-postgres: install staticfiles/staticfiles.json
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -p no:cacheprovider

check: install
	$(BIN)/python manage.py check --deploy

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
