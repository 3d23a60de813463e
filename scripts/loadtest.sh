#!/usr/bin/env bash
# Load test (issue 8): staff users against gunicorn and PostgreSQL on this machine.
#
#   scripts/loadtest.sh                      fresh database, demo scale 1, 50 users for 2 minutes
#   scripts/loadtest.sh --reuse              keep the database of the last run (skip migrate + demo)
#   scripts/loadtest.sh --workers 4 --worker-class gthread --threads 4 --users 50 --time 2m
#
# Steps: (re)create the scratch database qiaolian_load on the PostgreSQL server of $LOAD_PG_URL
# (default postgres://postgres@127.0.0.1:5432; the database is dropped and made again, nothing
# else is touched), `qiaolian migrate`, `qiaolian demo-data --scale 1`, API tokens and search terms
# for locust (tests/load/prepare.py), `qiaolian serve` (gunicorn + the background worker) on
# 127.0.0.1:$PORT with DEBUG off, then locust headless, then the summary (tests/load/summary.py).
# The server is stopped on any exit (trap). Results: $OUT (default var/loadtest/): locust's CSV
# files, the server's log, summary.txt and summary.md. Exit code: 0 when every request succeeded
# and the aggregate p95 is under the target, 1 otherwise. See docs/performance.md, "Load test".
#
# Settings: the development settings module with DEBUG=false (no QIAOLIAN_ENV=production: that
# sets Secure cookies, which a plain-HTTP client on 127.0.0.1 does not send back, and the HTTPS
# redirect). Everything that costs time per request is the same as in production: the same
# middleware, templates (cached loader), PostgreSQL with persistent connections, gunicorn.
# Two-factor enforcement is switched off for the test (QIAOLIAN_2FA_ENFORCED_ROLES=""), so that
# the district admin account can sign in with the password form like the other roles.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

USERS=50
SPAWN_RATE=10
RUN_TIME=2m
WORKERS=4
WORKER_CLASS=sync
THREADS=1
PORT=${LOAD_PORT:-8765}
SCALE=1
REUSE=0
OUT=${LOAD_OUT:-$ROOT/var/loadtest}
TARGET_P95_MS=${LOAD_TARGET_P95_MS:-500}
PG_URL=${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${LOAD_DB:-qiaolian_load}

while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS=$2; shift 2 ;;
    --spawn-rate) SPAWN_RATE=$2; shift 2 ;;
    --time) RUN_TIME=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --worker-class) WORKER_CLASS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "loadtest: unknown option $1" >&2; exit 2 ;;
  esac
done

PY=$ROOT/.venv/bin/python
QL=$ROOT/.venv/bin/qiaolian
LOCUST=$ROOT/.venv/bin/locust
mkdir -p "$OUT"

export DATABASE_URL=$PG_URL/$DB
export DJANGO_SETTINGS_MODULE=qiaolian.settings
export DEBUG=false
export QIAOLIAN_2FA_ENFORCED_ROLES=""
export LOG_LEVEL=WARNING
unset QIAOLIAN_ENV

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true  # `qiaolian serve` stops gunicorn and the worker
    for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

log() { printf '%s loadtest: %s\n' "$(date +%H:%M:%S)" "$*"; }

if ss -ltn 2>/dev/null | grep -q "127.0.0.1:$PORT "; then
  echo "loadtest: port $PORT is in use (another run?); choose one with --port" >&2
  exit 2
fi

if [ "$REUSE" = 0 ]; then
  log "recreating database $DB"
  "$PY" - "$PG_URL" "$DB" <<'EOF'
import sys, psycopg
url, db = sys.argv[1], sys.argv[2]
with psycopg.connect(f"{url}/postgres", autocommit=True) as c:
    c.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    c.execute(f'CREATE DATABASE "{db}"')
EOF
  start=$(date +%s)
  "$QL" migrate >"$OUT/migrate.log" 2>&1 || { tail -20 "$OUT/migrate.log"; exit 1; }
  log "migrated in $(( $(date +%s) - start )) s"
  start=$(date +%s)
  "$QL" demo-data --scale "$SCALE" >"$OUT/demo.log" 2>&1 || { tail -20 "$OUT/demo.log"; exit 1; }
  log "demo data (scale $SCALE) in $(( $(date +%s) - start )) s"
  "$QL" manage shell -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
fi

"$PY" tests/load/prepare.py "$OUT/fixture.json"

log "starting qiaolian serve: $WORKERS $WORKER_CLASS workers x $THREADS threads on 127.0.0.1:$PORT"
GUNICORN_CMD_ARGS="--worker-class $WORKER_CLASS --threads $THREADS --timeout 60 --keep-alive 5" \
  "$QL" serve --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
# Ready when every worker has loaded the application: a few /healthz in a row answer quickly.
"$PY" - "$PORT" "$SERVER_PID" <<'EOF' || { echo "loadtest: the server did not start:" >&2; tail -30 "$OUT/server.log" >&2; exit 1; }
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        for _ in range(8):
            t = time.monotonic()
            assert urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
            assert time.monotonic() - t < 0.5
        sys.exit(0)
    except Exception:
        time.sleep(0.5)
sys.exit(1)
EOF
log "server ready"

{ echo "start: $(date -Is)"; echo "uptime before: $(uptime)"; } >"$OUT/machine.txt"
# The measured work phase lasts RUN_TIME from the moment the last user has signed in (see
# tests/load/locustfile.py); locust's own limit only guards against a sign-in that never ends.
case "$RUN_TIME" in
  *m) WORK_SECONDS=$(( ${RUN_TIME%m} * 60 )) ;;
  *s) WORK_SECONDS=${RUN_TIME%s} ;;
  *) WORK_SECONDS=$RUN_TIME ;;
esac
rm -f "$OUT"/locust_*.csv "$OUT"/locust_signin.json
log "locust: $USERS users, spawn rate $SPAWN_RATE/s, sign-in, then $WORK_SECONDS s of work"
rc=0
LOAD_FIXTURE=$OUT/fixture.json LOAD_WORK_SECONDS=$WORK_SECONDS LOAD_SIGNIN_CSV=$OUT/locust_signin \
  "$LOCUST" -f tests/load/locustfile.py --headless \
  -u "$USERS" -r "$SPAWN_RATE" -t "$(( WORK_SECONDS + 600 ))s" --host "http://127.0.0.1:$PORT" \
  --csv "$OUT/locust" --csv-full-history --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || rc=$?
echo "uptime after: $(uptime)" >>"$OUT/machine.txt"
stop_server

config="$USERS users, ${RUN_TIME}, gunicorn $WORKERS $WORKER_CLASS workers x $THREADS threads"
"$PY" tests/load/summary.py "$OUT" --config "$config" --target-p95-ms "$TARGET_P95_MS" || rc=$?
cat "$OUT/machine.txt"
if grep -q "Traceback\|ERROR" "$OUT/server.log"; then
  echo "loadtest: the server log has errors: $OUT/server.log" >&2
  rc=1
fi
exit "$rc"
