#!/usr/bin/env bash
# Checks the evidence commands as an administrator uses them: a historical import is all or nothing and loads
# every row exactly once, and the generated data set replaces only itself.
#   Tests/cli/evidence_test.sh path/to/diversion
set -uo pipefail
CHECKS="$(cd "$(dirname "$0")" && pwd)/checks.sh"
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/diversion-evidence.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export LOG_LEVEL=warning
export DATABASE_URL="sqlite://$WORK/evidence.sqlite"
passed=0; failed=0
. "$CHECKS"
q() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/evidence.sqlite" "$1"; }
# Every fact row in key order, so "unchanged" means unchanged to the byte.
snapshot() { python3 -c '
import sqlite3,sys,hashlib
c=sqlite3.connect(sys.argv[1]); h=hashlib.sha256()
for t,k in (("evidence_contacts","contact_key"),("evidence_tests","contact_key, test_day"),("evidence_refreshes","source"),("audit_entries","seq")):
    for row in c.execute("SELECT * FROM %s ORDER BY %s" % (t,k)): h.update(repr(row).encode())
print(h.hexdigest())' "$WORK/evidence.sqlite"; }
EXAMPLE="$ROOT/docs/historical-contacts-example.csv"
POLICIES="$(cd "$(dirname "$BIN")" && pwd)/diversion_DiversionApp.resources/Resources/Policies"

"$BIN" migrate >/dev/null 2>&1
"$BIN" import contacts "$EXAMPLE" >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 1 ] && grep -q "^error: no policy is active" "$WORK/err"; check "an import without an active policy is refused" $?
"$BIN" policy activate "$POLICIES/demo.yaml" >/dev/null

# The documented example imports completely, once, with an audit entry and the refresh noted.
audit_before=$(q "SELECT COUNT(*) FROM audit_entries")
"$BIN" import contacts "$EXAMPLE" >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 0 ] && grep -q "^Imported 5 contacts from .*historical-contacts-example.csv." "$WORK/out" \
  && grep -Eq "^Database write: [0-9.]+ s, ([0-9]+|-) rows per second." "$WORK/out" && grep -q "^Historical contacts on record: 5." "$WORK/out"
check "the documented example imports its 5 contacts and reports the rate" $?
[ "$(q "SELECT COUNT(*) FROM evidence_contacts WHERE source = 'historical'")" -eq 5 ] \
  && [ "$(q "SELECT COUNT(DISTINCT contact_key) FROM evidence_contacts WHERE contact_key IN ('H:A-1001','H:A-1002','H:A-1003','H:A-1004','H:B,2024/77')")" -eq 5 ]
check "every row of the example is in the fact table exactly once" $?
[ "$(q "SELECT next_contact_day - occurred_day FROM evidence_contacts WHERE contact_key = 'H:A-1001'")" -eq 262 ]
check "the person's second contact is linked as the follow-up of the first" $?
[ "$(q "SELECT contacts FROM evidence_refreshes WHERE source = 'historical'")" -eq 5 ]; check "the import notes the historical source's refresh" $?
[ "$(q "SELECT COUNT(*) FROM audit_entries")" -eq $((audit_before + 1)) ] \
  && [ "$(q "SELECT COUNT(*) FROM audit_entries WHERE resource_type = 'evidence' AND resource_id = 'historical' AND action = 'create'")" -eq 1 ]
check "the import writes one audit entry" $?

# The same file again: every contact is already there, so nothing changes.
before=$(snapshot)
"$BIN" import contacts "$EXAMPLE" >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 1 ] && grep -q "historical-contacts-example.csv: line 2, reference: 'A-1001' was imported before; import with --replace" "$WORK/err" \
  && grep -q "^error: 5 problems in .*; nothing was imported" "$WORK/err"
check "importing the same contacts again is refused, line by line" $?
[ "$(snapshot)" = "$before" ]; check "the refused import changed nothing" $?

# A file with bad lines: every problem is listed with its line, and the database is left exactly as it was.
python3 - "$WORK/many.csv" "$WORK/bad.csv" <<'PY'
import sys, random
random.seed(5)
header = "reference,person,contact_date,sex,age,region,offence,substance,quantity,diverted,referral,intake_date"
rows = []
for i in range(1, 301):
    day = 1 + i % 28
    rows.append(f"R-{i},P-{i % 120},2024-{1 + i % 12:02d}-{day:02d},{random.choice(['male','female'])},{18 + i % 40},R{1 + i % 6},"
                f"possession_personal_use,cannabis_herb,{1 + i % 30},{'yes' if i % 3 else 'no'},{'engaged' if i % 3 else 'none'},"
                f"{f'2024-{1 + i % 12:02d}-{day:02d}' if i % 3 else ''}")
open(sys.argv[1], "w").write(header + "\r\n" + "\r\n".join(rows) + "\r\n")
bad = list(rows)
bad[16] = "R-17,P-17,2024-13-01,male,35,R6,possession_personal_use,cannabis_herb,18,yes,engaged,2024-06-18"
bad[40] = bad[40].replace(",R", ",North East", 1)
bad[99] = bad[2]
open(sys.argv[2], "w").write(header + "\n" + "\n".join(bad) + "\n")
PY
before=$(snapshot)
"$BIN" import contacts --replace "$WORK/bad.csv" >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 1 ] && grep -q "bad.csv: line 18, contact_date: '2024-13-01' is not a date; write YYYY-MM-DD." "$WORK/err" \
  && grep -q "bad.csv: line 42, region: A region code is up to 40 letters, digits, - or _." "$WORK/err" \
  && grep -q "bad.csv: line 101, reference: 'R-3' is used again; line 4 already has it" "$WORK/err" \
  && grep -q "^error: 3 problems in .*bad.csv; nothing was imported" "$WORK/err" && [ ! -s "$WORK/out" ]
check "a file with bad lines exits 1 naming each line and column" $?
[ "$(snapshot)" = "$before" ]; check "a failing file leaves the database unchanged, even with --replace" $?

# --replace loads a new file in place of the earlier import, each row exactly once.
"$BIN" import contacts --replace "$WORK/many.csv" >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 0 ] && grep -q "^Imported 300 contacts from .*many.csv; 5 earlier historical contacts removed first." "$WORK/out"
check "--replace imports the 300 contacts of a CRLF file and says what it removed" $?
[ "$(q "SELECT COUNT(*) FROM evidence_contacts WHERE source = 'historical'")" -eq 300 ] \
  && [ "$(q "SELECT COUNT(DISTINCT contact_key) FROM evidence_contacts WHERE source = 'historical' AND contact_key LIKE 'H:R-%'")" -eq 300 ] \
  && [ "$(q "SELECT COUNT(*) FROM evidence_contacts WHERE contact_key LIKE 'H:A-%'")" -eq 0 ]
check "after --replace the table holds exactly the new file's rows" $?
[ "$(q "SELECT COUNT(*) FROM audit_entries WHERE resource_type = 'evidence' AND action = 'update' AND purpose LIKE '%replacing 5 earlier%'")" -eq 1 ]
check "the replacement is audited with what it replaced" $?

# The generated data set: same seed, same rows; it never touches the historical ones.
"$BIN" evidence generate --contacts 2000 --seed 7 --end 2025-12-31 >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 0 ] && grep -Eq "^Generated 2000 contacts and [0-9]+ drug tests ending 2025-12-31 \(seed 7\) in [0-9.]+ s: ([0-9]+|-) contacts, ([0-9]+|-) rows per second." "$WORK/out" \
  && grep -Eq "^Database write: [0-9.]+ s, ([0-9]+|-) contacts, ([0-9]+|-) rows per second." "$WORK/out"
check "evidence generate reports generation and database write rates separately" $?
first=$(q "SELECT group_concat(contact_key || ':' || occurred_day || ':' || diverted, ',') FROM (SELECT * FROM evidence_contacts WHERE source = 'generated' ORDER BY contact_key)")
"$BIN" evidence generate --contacts 2000 --seed 7 --end 2025-12-31 >/dev/null 2>&1
[ "$(q "SELECT COUNT(*) FROM evidence_contacts WHERE source = 'generated'")" -eq 2000 ] \
  && [ "$(q "SELECT group_concat(contact_key || ':' || occurred_day || ':' || diverted, ',') FROM (SELECT * FROM evidence_contacts WHERE source = 'generated' ORDER BY contact_key)")" = "$first" ]
check "generating again with the same seed replaces the rows with the same ones" $?
[ "$(q "SELECT COUNT(*) FROM evidence_contacts WHERE source = 'historical'")" -eq 300 ]; check "generation leaves the historical contacts alone" $?
"$BIN" evidence generate --end 2025-02-30 >"$WORK/out" 2>"$WORK/err"; [ $? -ne 0 ] && grep -q "2025-02-30" "$WORK/err"
check "an impossible --end date is refused" $?
"$BIN" evidence refresh | grep >/dev/null "^Recorded evidence rebuilt: 0 contacts and 0 drug tests"; check "evidence refresh rebuilds the recorded facts" $?
"$BIN" audit verify | grep >/dev/null "audit chain intact"; check "the audit chain is intact after imports and generation" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
