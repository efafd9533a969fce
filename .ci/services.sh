# Start (installing if need be) the PostgreSQL and Redis servers the test suite talks to, and install the
# tools it runs (Chromium, wrk, Java for the HTML checker, Varnish) when they are missing.
# Sourced by .ci/run; servers this script starts are stopped again on exit.

STARTED_POSTGRES=""
STARTED_REDIS=""

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  start_postgres
  # The database the suite names (its test database is made beside it).
  createdb -h 127.0.0.1 -U postgres newsroom 2>/dev/null || true
}

start_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: installing it from Debian's packages"
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  STARTED_POSTGRES="$version"
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
  echo "PostgreSQL did not start" >&2
  return 1
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  if ! command -v redis-server >/dev/null; then
    echo "Redis is not installed: installing it from Debian's packages"
    apt_install redis-server
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  STARTED_REDIS=1
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return; sleep 1; done
  echo "Redis did not start" >&2
  return 1
}

stop_services() {
  if [ -n "$STARTED_POSTGRES" ]; then pg_ctlcluster --skip-systemctl-redirect "$STARTED_POSTGRES" main stop || true; fi
  if [ -n "$STARTED_REDIS" ]; then redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true; fi
}

ensure_wrk() {
  if command -v wrk >/dev/null; then return; fi
  echo "wrk is not installed: installing Debian's wrk for the load test"
  apt_install wrk
}

ensure_varnish() {
  if command -v varnishd >/dev/null && ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then return; fi
  echo "Varnish or its xkey module is not installed: installing Debian's varnish and varnish-modules"
  apt_install varnish varnish-modules
}

ensure_java() {
  if command -v java >/dev/null; then return; fi
  echo "Java is not installed: installing Debian's default-jre-headless for the HTML checker (vnu)"
  apt_install default-jre-headless
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  echo "Chromium is not installed: installing Debian's chromium for the browser tests"
  apt_install chromium fonts-noto-cjk
}
