#!/usr/bin/env bash
# Backups while the server serves: the demo jurisdiction, written to through the API by several clients at once, is
# backed up, restored into a fresh database, and the restored one holds exactly what the manifest says and its audit
# chain verifies. SQLite always; PostgreSQL too when PG_URL names a server whose user may create databases
# (scripts/test exports one).
#   Tests/cli/backup_test.sh path/to/diversion
set -uo pipefail
CHECKS="$(cd "$(dirname "$0")" && pwd)/checks.sh"
# Checks pipe into grep without -q (see cli_test.sh): under pipefail an early-closing grep can fail a check that held.
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$(mktemp -d /tmp/diversion-backup.XXXXXX)
export LOG_LEVEL=warning
WRITERS=4
server_pid=""
writer_pids=()
pg_databases=()
passed=0; failed=0
. "$CHECKS"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
stop_writers() {
  touch "$WORK/stop"
  for pid in "${writer_pids[@]}"; do wait "$pid" 2>/dev/null; done
  writer_pids=()
}
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""; fi
}
cleanup() {
  stop_writers
  stop_server
  for db in "${pg_databases[@]}"; do "$PSQL" "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

answered() { cat "$WORK"/writes.* 2>/dev/null | grep -c '^201$'; }
# One client: new people, one after another, until told to stop; each answer's status on its own line.
writer() { # base URL, token, number
  local n=0
  while [ ! -e "$WORK/stop" ]; do
    n=$((n + 1))
    curl -s -o /dev/null -w '%{http_code}\n' -XPOST "$1/api/v1/persons" -H "Authorization: Bearer $2" -H 'content-type: application/json' \
      -d "{\"givenName\":\"Writer$3\",\"familyName\":\"During Backup $n\",\"birthDate\":\"1990-01-0$(( n % 9 + 1 ))\",\"sex\":\"female\"}" >>"$WORK/writes.$3"
  done
}
# Every table of the manifest counted again in the restored database, apart from the command that restored it.
counts_match() { # engine (sqlite|postgres), manifest, database (file or URL)
  python3 - "$@" <<'PY'
import json, subprocess, sys
engine, manifest, database = sys.argv[1:4]
expected = {t["table"]: t["rows"] for t in json.load(open(manifest))["tables"]}
if engine == "sqlite":
    import sqlite3
    c = sqlite3.connect(database)
    names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    actual = {n: c.execute('SELECT COUNT(*) FROM "%s"' % n).fetchone()[0] for n in names}
else:
    psql = sys.argv[4]
    names = subprocess.run([psql, database, "-At", "-c", "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"],
                           check=True, capture_output=True, text=True).stdout.split()
    query = " UNION ALL ".join("SELECT '%s', COUNT(*) FROM \"%s\"" % (n, n) for n in names)
    out = subprocess.run([psql, database, "-At", "-F", " ", "-c", query], check=True, capture_output=True, text=True).stdout
    actual = {line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line.strip()}
wrong = {t: (expected.get(t), actual.get(t)) for t in set(expected) | set(actual) if expected.get(t) != actual.get(t)}
if wrong: print("differs (manifest, restored):", wrong)
sys.exit(1 if wrong or len(expected) < 30 else 0)
PY
}
manifest_value() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"m": d}))' "$1" "$2"; }

# The whole scenario on one engine: seed, serve, write while backing up, restore, compare.
scenario() { # engine, source DATABASE_URL, target DATABASE_URL, backup path, live person count command, restored database (file or URL)
  local engine=$1 source=$2 target=$3 backup=$4
  echo "# $engine"
  rm -f "$WORK"/writes.* "$WORK/stop"
  DATABASE_URL="$source" "$BIN" demo seed >"$WORK/seed.log" 2>&1; check "$engine: the demo jurisdiction is seeded" $?
  local port; port=$(free_port)
  DATABASE_URL="$source" "$BIN" serve --port "$port" >"$WORK/server-$engine.log" 2>&1 &
  server_pid=$!
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  local token
  token=$(curl -s -XPOST "$base/api/v1/auth/token" -H 'content-type: application/json' -d '{"username":"officer","password":"demo"}' \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])' 2>/dev/null)
  [ -n "$token" ]; check "$engine: the server is up and the demo officer signs in" $?
  for i in $(seq 1 "$WRITERS"); do writer "$base" "$token" "$i" & writer_pids+=($!); done
  for _ in $(seq 1 100); do [ "$(answered)" -ge 20 ] && break; sleep 0.1; done
  local before after
  before=$(answered)
  DATABASE_URL="$source" "$BIN" backup --to "$backup" >"$WORK/backup-$engine.out" 2>"$WORK/backup-$engine.err"; local status=$?
  after=$(answered)
  sleep 0.5
  stop_writers
  cat "$WORK/backup-$engine.out" "$WORK/backup-$engine.err"
  [ "$status" -eq 0 ] && [ -s "$backup" ] && [ -s "$backup.manifest.json" ] && [ "$(stat -c %a "$backup")" = 600 ]
  check "$engine: backup writes the backup (readable by its owner only) and its manifest while the server serves" $?
  [ "$after" -gt "$before" ]; check "$engine: writes were answered while the backup ran ($((after - before)) of $(answered))" $?
  ! cat "$WORK"/writes.* | grep -v '^201$' >/dev/null; check "$engine: every write was answered 201, none failed during the backup" $?
  grep -E >/dev/null "^Audit chain: [0-9]+ entries, head [0-9]+ [0-9a-f]{16}…, verified.$" "$WORK/backup-$engine.out"; check "$engine: the backup reports the audit chain's length and head" $?
  [ "$(manifest_value "$backup.manifest.json" 'm["kind"]')" = "$engine" ] \
    && [ "$(manifest_value "$backup.manifest.json" 'm["audit"]["entries"] == m["audit"]["headSequence"] and m["audit"]["intact"]')" = True ] \
    && [ "$(manifest_value "$backup.manifest.json" 'len(m["migrations"]) > 30')" = True ]
  check "$engine: the manifest names the engine, the migrations and an intact chain" $?
  stop_server
  local snapshot_persons
  snapshot_persons=$(manifest_value "$backup.manifest.json" '[t["rows"] for t in m["tables"] if t["table"] == "persons"][0]')
  [ "$snapshot_persons" -lt "$($5)" ]; check "$engine: the backup is a snapshot: the live database has $(( $($5) - snapshot_persons )) people more" $?

  DATABASE_URL="$target" "$BIN" restore --from "$backup" >"$WORK/restore-$engine.out" 2>"$WORK/restore-$engine.err"; status=$?
  [ "$status" -eq 0 ] && ! grep >/dev/null MISMATCH "$WORK/restore-$engine.out" && grep >/dev/null "^TABLE  *IN BACKUP  *RESTORED  *OK" "$WORK/restore-$engine.out" \
    && grep >/dev/null "^audit chain verifies  *yes  *yes  *ok" "$WORK/restore-$engine.out"
  check "$engine: restore into a fresh database prints the table with every line ok" $?
  [ "$status" -eq 0 ] || cat "$WORK/restore-$engine.out" "$WORK/restore-$engine.err"
  counts_match "$engine" "$backup.manifest.json" "$6" "${PSQL:-}"; check "$engine: every table of the restored database has the manifest's row count" $?
  DATABASE_URL="$target" "$BIN" audit verify >"$WORK/out" 2>&1 \
    && grep >/dev/null "audit chain intact: $(manifest_value "$backup.manifest.json" 'm["audit"]["entries"]') entries verified" "$WORK/out"
  check "$engine: audit verify passes on the restored database with the manifest's length" $?
  DATABASE_URL="$source" "$BIN" audit verify >/dev/null 2>&1; check "$engine: the live chain still verifies after writes during the backup" $?
  DATABASE_URL="$source" one_line_error "$BIN" restore --from "$backup" && grep -q "is not empty" "$WORK/err"
  check "$engine: a restore into a database that holds data is refused in one line" $?
}

# --- SQLite ------------------------------------------------------------------------------
sqlite_count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM persons").fetchone()[0])' "$WORK/live.sqlite"; }
start=$(date +%s.%N)
scenario sqlite "sqlite://$WORK/live.sqlite" "sqlite://$WORK/restored.sqlite" "$WORK/backup.sqlite" sqlite_count "$WORK/restored.sqlite"
echo "# sqlite: $(python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$start" "$(date +%s.%N)") s"

DATABASE_URL="sqlite://$WORK/restored.sqlite" "$BIN" restore --from "$WORK/backup.sqlite" --replace >"$WORK/out" 2>&1 && ! grep >/dev/null MISMATCH "$WORK/out"
check "sqlite: --replace overwrites a stopped SQLite file and checks it again" $?
one_line_error "$BIN" backup --to "$WORK/backup.sqlite" && grep -q "exists already" "$WORK/err"; check "a backup never overwrites another" $?
DATABASE_URL="sqlite://$WORK/live.sqlite" one_line_error "$BIN" backup --to "$WORK/no/such/folder/b.sqlite" && grep -q "does not exist" "$WORK/err"
check "a backup into a missing folder is one line naming it" $?
mkdir "$WORK/readonly" && chmod 555 "$WORK/readonly"
if [ "$(id -u)" -ne 0 ]; then
  DATABASE_URL="sqlite://$WORK/live.sqlite" one_line_error "$BIN" backup --to "$WORK/readonly/b.sqlite" && grep -q "cannot write" "$WORK/err"
  check "a backup into a folder this user may not write is one line" $?
fi
DATABASE_URL="sqlite://$WORK/live.sqlite" one_line_error "$BIN" backup --to /proc/b.sqlite && grep -q "cannot write to /proc" "$WORK/err"
check "a backup where nothing can be written is one line" $?
cp "$WORK/backup.sqlite" "$WORK/orphan.sqlite"
DATABASE_URL="sqlite://$WORK/fresh.sqlite" one_line_error "$BIN" restore --from "$WORK/orphan.sqlite" && grep -q "no manifest" "$WORK/err"
check "a backup without its manifest is refused" $?
DATABASE_URL="sqlite://$WORK/nothing-here.sqlite" one_line_error "$BIN" backup --to "$WORK/b2.sqlite" && grep -q "no SQLite database" "$WORK/err" \
  && [ ! -e "$WORK/nothing-here.sqlite" ]
check "a backup of a database that does not exist is refused without creating it" $?

# --- PostgreSQL --------------------------------------------------------------------------
if [ -n "${PG_URL:-}" ]; then
  PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
  base=${PG_URL%%\?*}; query=${PG_URL#"$base"}
  src_db="backup_src_$$"; dst_db="backup_dst_$$"
  pg_databases=("$src_db" "$dst_db")
  "$PSQL" "$PG_URL" -qc "CREATE DATABASE $src_db" && "$PSQL" "$PG_URL" -qc "CREATE DATABASE $dst_db"; check "postgres: two new databases" $?
  SRC_URL="${base%/*}/$src_db$query"; DST_URL="${base%/*}/$dst_db$query"
  pg_count() { "$PSQL" "$SRC_URL" -Atc "SELECT COUNT(*) FROM persons"; }
  start=$(date +%s.%N)
  scenario postgres "$SRC_URL" "$DST_URL" "$WORK/backup.dump" pg_count "$DST_URL"
  echo "# postgres: $(python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$start" "$(date +%s.%N)") s"
  DATABASE_URL="$DST_URL" one_line_error "$BIN" restore --from "$WORK/backup.sqlite" && grep -q "SQLite backup but DATABASE_URL names PostgreSQL" "$WORK/err"
  check "postgres: an SQLite backup is refused for a PostgreSQL database" $?
else
  echo "# postgres: skipped (PG_URL is not set)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
