#!/usr/bin/env bash
# Checks the command line as an administrator uses it: one-line errors, accounts, and the
# audit verification catching altered, removed and reordered entries.
#   Tests/cli/cli_test.sh path/to/diversion
set -uo pipefail
CHECKS="$(cd "$(dirname "$0")" && pwd)/checks.sh"
# Checks pipe into grep without -q: grep -q stops reading at the first match, and under pipefail the
# writer's SIGPIPE would fail a check that passed.
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$(mktemp -d /tmp/diversion-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export LOG_LEVEL=warning
export DATABASE_URL="sqlite://$WORK/cli.sqlite"
passed=0; failed=0
. "$CHECKS"
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$WORK/cli.sqlite" "$1"; }

DATABASE_URL="mysql://x@y/z" one_line_error "$BIN" migrate; check "a malformed DATABASE_URL is one line and a failure" $?
grep -q "mysql" "$WORK/err"; check "the malformed URL's scheme is named" $?
DATABASE_URL="postgres://u:p@127.0.0.1:1/db" one_line_error "$BIN" migrate; check "an unreachable database is one line and a failure" $?
grep -q "cannot reach the database" "$WORK/err"; check "the unreachable database is named" $?

DIVERSION_BCRYPT_COST=4 one_line_error "$BIN" migrate; check "a Bcrypt cost below 12 is refused" $?
"$BIN" migrate >/dev/null 2>&1; check "migrate creates the schema" $?
[ "$("$BIN" user list 2>/dev/null | wc -l)" -eq 1 ]; check "without --demo no account exists" $?
"$BIN" agency add --name "Central Ministry" --type administration --region HQ >/dev/null; check "agency add" $?
one_line_error "$BIN" agency add --name "Central Ministry" --type administration --region HQ; check "a duplicate agency is refused" $?
one_line_error "$BIN" agency add --name "X" --type bakery --region HQ; check "an unknown agency type is refused" $?
echo "short" | one_line_error "$BIN" user add --username first.admin --role admin --agency "Central Ministry"; check "a short password is refused" $?
echo "a long enough secret" | one_line_error "$BIN" user add --username first.admin --role officer --agency "Central Ministry"; check "a role that does not fit the agency is refused" $?
echo "a long enough secret" | "$BIN" user add --username first.admin --role admin --agency "Central Ministry" --name "First Admin" >/dev/null; check "user add reads the password from standard input" $?
"$BIN" user list | grep >/dev/null "first.admin .*admin .*Central Ministry"; check "user list shows the new account" $?
"$BIN" agency list | grep >/dev/null "Central Ministry .*administration .*HQ"; check "agency list shows the agency" $?

# Sign-ins write audit entries through the running server.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --port "$port" >"$WORK/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' -d '{"username":"first.admin","password":"a long enough secret"}')
[ "$code" = 200 ]; check "the new administrator signs in" $?
for _ in 1 2 3; do curl -s -o /dev/null -XPOST "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' -d '{"username":"first.admin","password":"wrong"}'; done
kill "$pid"; wait "$pid" 2>/dev/null
"$BIN" audit verify | grep >/dev/null "audit chain intact: 4 entries"; check "audit verify passes on an intact chain" $?

# An answered write survives kill -9 of the server.
"$BIN" agency add --name "North Police" --type police --region N1 >/dev/null
echo "another long secret" | "$BIN" user add --username north.officer --role officer --agency "North Police" >/dev/null
cp "$WORK/cli.sqlite" "$WORK/before-crash.sqlite"
"$BIN" serve --port "$port" >"$WORK/server2.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' -d '{"username":"north.officer","password":"another long secret"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
id=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/persons" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"givenName":"Rosa","familyName":"Quispe","birthDate":"1992-03-08","sex":"female"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
kill -9 "$pid"; wait "$pid" 2>/dev/null
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); n=c.execute("select count(*) from person_identities i join persons p on p.id=i.person_id where i.family_name=?",("Quispe",)).fetchone()[0]; sys.exit(0 if n==1 else 1)' "$WORK/cli.sqlite"
check "a person answered 201 is stored after kill -9 ($id)" $?
"$BIN" audit verify >/dev/null; check "the audit chain is intact after kill -9" $?

cp "$WORK/before-crash.sqlite" "$WORK/cli.sqlite"; rm -f "$WORK/cli.sqlite-wal" "$WORK/cli.sqlite-shm"
restore() { cp "$WORK/clean.sqlite" "$WORK/cli.sqlite"; rm -f "$WORK/cli.sqlite-wal" "$WORK/cli.sqlite-shm"; }
sql "PRAGMA wal_checkpoint(TRUNCATE);"; cp "$WORK/cli.sqlite" "$WORK/clean.sqlite"

! sql "UPDATE audit_entries SET username = 'someone' WHERE seq = 2;" 2>/dev/null; check "the database itself refuses to change an audit entry" $?
! sql "DELETE FROM audit_entries WHERE seq = 2;" 2>/dev/null; check "the database itself refuses to remove an audit entry" $?
# Whoever rewrites the trail must drop the guards first; the chain still shows it.
sql "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete; PRAGMA wal_checkpoint(TRUNCATE);"
cp "$WORK/cli.sqlite" "$WORK/clean.sqlite"

sql "UPDATE audit_entries SET username = 'someone' WHERE seq = 2;"
one_line_error "$BIN" audit verify && grep -q "sequence 2" "$WORK/err"; check "an altered entry fails verification naming sequence 2" $?
restore
sql "DELETE FROM audit_entries WHERE seq = 3;"
one_line_error "$BIN" audit verify && grep -q "sequence 3" "$WORK/err"; check "a removed entry fails verification naming sequence 3" $?
restore
sql "UPDATE audit_entries SET seq = -1 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 3; UPDATE audit_entries SET seq = 3 WHERE seq = -1;"
one_line_error "$BIN" audit verify && grep -q "sequence 2" "$WORK/err"; check "reordered entries fail verification naming sequence 2" $?
restore
sql "DELETE FROM audit_entries WHERE seq = 4;"
one_line_error "$BIN" audit verify && grep -q "sequence 4" "$WORK/err"; check "a removed last entry fails verification naming sequence 4" $?
restore
"$BIN" audit verify >/dev/null; check "the restored chain verifies again" $?

# Policy files: the shipped ones pass, a broken one lists each problem with its line and column.
POLICIES="$(cd "$(dirname "$BIN")" && pwd)/diversion_DiversionApp.resources/Resources/Policies"
for f in demo portugal-illustrative czechia-illustrative mexico-illustrative; do
  "$BIN" policy check "$POLICIES/$f.yaml" | grep >/dev/null "no problems"; check "policy check accepts the shipped $f policy" $?
done
printf 'jurisdiction: X\nversion: "1"\nsubstances:\n  - {code: bad, unit: kg}\n' > "$WORK/bad.yaml"
"$BIN" policy check "$WORK/bad.yaml" 2>"$WORK/err" >/dev/null; status=$?
[ "$status" -eq 1 ] && grep -q "bad.yaml:4:23: substances\[0\].unit: 'kg' is not a unit" "$WORK/err" && grep -q "problems in" "$WORK/err"
check "policy check lists each problem with line and column and fails" $?

"$BIN" policy activate "$POLICIES/demo.yaml" | grep >/dev/null "Active policy: Demo Republic version 2026.1"; check "policy activate makes the demo policy active" $?
"$BIN" policy activate "$POLICIES/mexico-illustrative.yaml" >/dev/null && "$BIN" policy list | grep >/dev/null '^\* *Mexico (illustrative)'; check "a newer activation takes over and the list marks it" $?
"$BIN" policy list | grep >/dev/null "Demo Republic"; check "earlier versions are kept" $?
sed 's/threshold: 25,/threshold: 30,/' "$POLICIES/demo.yaml" > "$WORK/changed.yaml"
one_line_error "$BIN" policy activate "$WORK/changed.yaml" && grep -q "different content" "$WORK/err"; check "changed content under a stored version is refused" $?

"$BIN" bench eligibility --seconds 0.3 | grep -E >/dev/null "eligibility evaluations: +[0-9]+ per second"; check "bench eligibility reports evaluations per second" $?
"$BIN" bench monitoring --seconds 0.3 | grep -E >/dev/null "pings checked: +[0-9]+ per second"; check "bench monitoring reports pings checked per second" $?
"$BIN" bench monitoring --seconds 0 >/dev/null 2>&1; [ $? -ne 0 ]; check "a benchmark without time is refused" $?

# Retention: expired pings go, recent ones stay, a dry run changes nothing, and the audit chain still verifies.
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/cli.sqlite" "$1"; }
sql "INSERT INTO monitoring_pings (device_id, time, latitude, longitude, accuracy_meters, received_at) VALUES
     ('EM-CLI', strftime('%s','now') - 200*86400, 38.7, -9.1, 10, strftime('%s','now') - 200*86400),
     ('EM-CLI', strftime('%s','now') - 86400, 38.7, -9.1, 10, strftime('%s','now') - 86400);"
audit_before=$(count "SELECT COUNT(*) FROM audit_entries")
"$BIN" retention run --dry-run >"$WORK/out" 2>&1 && grep -Eq "^monitoringPings +90 days +[0-9-]+ +1 " "$WORK/out" && grep -q "dry run: nothing was changed" "$WORK/out"
check "retention run --dry-run counts the expired ping" $?
[ "$(count "SELECT COUNT(*) FROM monitoring_pings WHERE device_id = 'EM-CLI'")" -eq 2 ] && [ "$(count "SELECT COUNT(*) FROM audit_entries")" -eq "$audit_before" ]
check "a dry run changes nothing, not even the audit trail" $?
"$BIN" retention run >"$WORK/out" 2>&1 && grep -Eq "^monitoringPings +90 days +[0-9-]+ +1 +deleted" "$WORK/out"
check "retention run deletes the expired ping" $?
[ "$(count "SELECT COUNT(*) FROM monitoring_pings WHERE device_id = 'EM-CLI'")" -eq 1 ]; check "the recent ping stays" $?
[ "$(count "SELECT COUNT(*) FROM audit_entries WHERE resource_type = 'retention' AND person_id IS NULL")" -eq 9 ]; check "the run is audited by counts, one entry per kind, one for idempotency answers and one for people" $?
"$BIN" audit verify | grep >/dev/null "audit chain intact"; check "audit verify passes after a retention run" $?

# The service directory in Open Referral HSDS: export, import into an empty directory, export again, byte for byte.
hsds_count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"; }
HSDS_A="sqlite://$WORK/hsds-a.sqlite"; HSDS_B="sqlite://$WORK/hsds-b.sqlite"; HSDS_C="sqlite://$WORK/hsds-c.sqlite"
DATABASE_URL="$HSDS_A" "$BIN" demo seed >/dev/null 2>&1
DATABASE_URL="$HSDS_A" "$BIN" services export --output "$WORK/demo.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d)==30 and all(s["status"]=="active" for s in d) else 1)' "$WORK/demo.json"
check "services export writes the 30 demo services as an HSDS array" $?
DATABASE_URL="$HSDS_A" "$BIN" services export | cmp -s - "$WORK/demo.json"; check "export to standard output gives the same bytes as --output" $?
# An empty directory beside the same agencies: the demo database without its services.
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$WORK/hsds-a.sqlite"
cp "$WORK/hsds-a.sqlite" "$WORK/hsds-b.sqlite"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM services"); c.commit()' "$WORK/hsds-b.sqlite"
audit_b=$(hsds_count "$WORK/hsds-b.sqlite" "SELECT COUNT(*) FROM audit_entries")
DATABASE_URL="$HSDS_B" "$BIN" services import "$WORK/demo.json" | grep >/dev/null "30 created, 0 updated, 0 unchanged"; check "services import creates the 30 services in an empty directory" $?
DATABASE_URL="$HSDS_B" "$BIN" services export | cmp -s - "$WORK/demo.json"; check "export, import, export round-trips the demo directory byte for byte" $?
[ "$(hsds_count "$WORK/hsds-b.sqlite" "SELECT COUNT(*) FROM audit_entries WHERE resource_type = 'service' AND action = 'create' AND username = 'command line'")" -eq 30 ] \
  && [ "$(hsds_count "$WORK/hsds-b.sqlite" "SELECT COUNT(*) FROM audit_entries")" -eq $((audit_b + 30)) ]
check "the import writes one audit entry per service created" $?
DATABASE_URL="$HSDS_B" "$BIN" services import "$WORK/demo.json" | grep >/dev/null "0 created, 0 updated, 30 unchanged"; check "importing the same file again changes nothing" $?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d[0]["capacities"][0]["available"]=0; json.dump(d,open(sys.argv[2],"w"))' "$WORK/demo.json" "$WORK/changed.json"
DATABASE_URL="$HSDS_B" "$BIN" services import "$WORK/changed.json" | grep >/dev/null "0 created, 1 updated, 29 unchanged"; check "a changed service is updated by id" $?
DATABASE_URL="$HSDS_B" "$BIN" audit verify >/dev/null; check "the audit chain is intact after imports" $?
# A fresh database whose agencies have other ids: services find their agency by name.
DATABASE_URL="$HSDS_C" "$BIN" migrate >/dev/null 2>&1
for r in R1 R2 R3; do
  DATABASE_URL="$HSDS_C" "$BIN" agency add --name "$r Community Treatment Centre" --type health_provider --region "$r" >/dev/null
  DATABASE_URL="$HSDS_C" "$BIN" agency add --name "$r Social Support Service" --type social_service --region "$r" >/dev/null
done
DATABASE_URL="$HSDS_C" "$BIN" services import "$WORK/demo.json" | grep >/dev/null "30 created"; check "an import into a fresh database matches agencies by name" $?
DATABASE_URL="$HSDS_C" "$BIN" services export --output "$WORK/fresh.json"
python3 -c '
import json,sys
def plain(path):
    d=json.load(open(path))
    for s in d: s.pop("organization_id"); s["organization"].pop("id")
    return d
sys.exit(0 if plain(sys.argv[1])==plain(sys.argv[2]) else 1)' "$WORK/demo.json" "$WORK/fresh.json"
check "that directory exports the same but for the agencies' own ids" $?
# A bad file: every problem named by record and path, nothing changed.
python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
d[3]["minimum_age"]=-1
d[5]["attributes"][1]["taxonomy_term"]["code"]="modality:yoga"
d[7]["service_areas"]=[]
d[8]["organization"]={"id":"00000000-0000-4000-8000-000000000000","name":"Nobody"}
d.append(dict(d[0], id="5d0c5a7e-6c55-4d0d-9a4b-0b7f5c6d7e8f", name="A new service"))
json.dump(d,open(sys.argv[2],"w"))' "$WORK/demo.json" "$WORK/bad.json"
audit_c=$(hsds_count "$WORK/hsds-c.sqlite" "SELECT COUNT(*) FROM audit_entries")
DATABASE_URL="$HSDS_C" "$BIN" services import "$WORK/bad.json" >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 1 ] && grep -q "bad.json: services\[3\].minimum_age: Give an age from 0 to 120." "$WORK/err" \
  && grep -q "bad.json: services\[5\].attributes\[1\].taxonomy_term.code: Use one of" "$WORK/err" \
  && grep -q "bad.json: services\[7\].service_areas: The region is required." "$WORK/err" \
  && grep -q "bad.json: services\[8\].organization: No agency has the id" "$WORK/err" \
  && grep -q "^error: 4 problems in .*bad.json; nothing was imported" "$WORK/err"
check "a bad file exits 1 listing every problem as FILE: services[i].path: message" $?
[ "$(hsds_count "$WORK/hsds-c.sqlite" "SELECT COUNT(*) FROM services")" -eq 30 ] && [ "$(hsds_count "$WORK/hsds-c.sqlite" "SELECT COUNT(*) FROM audit_entries")" -eq "$audit_c" ] \
  && DATABASE_URL="$HSDS_C" "$BIN" services export | cmp -s - "$WORK/fresh.json"
check "a bad file changes nothing: not the count, not a service, not the audit trail" $?
DATABASE_URL="$HSDS_C" one_line_error "$BIN" services import --agency "Nowhere" "$WORK/demo.json" && grep -q "Nowhere" "$WORK/err"; check "an unknown --agency is one line and a failure" $?

# Policy simulation: a raised threshold is named as the rule that made the difference; a bad candidate is refused by line.
SIM_DB="sqlite://$WORK/sim.sqlite"
DATABASE_URL="$SIM_DB" "$BIN" migrate >/dev/null 2>&1
DATABASE_URL="$SIM_DB" "$BIN" policy activate "$POLICIES/demo.yaml" >/dev/null
python3 -c '
import sqlite3,sys,datetime
day=(datetime.date(2026,3,1)-datetime.date(1970,1,1)).days
c=sqlite3.connect(sys.argv[1])
for i,(grams,diverted) in enumerate([(27.0,0),(28.0,0),(10.0,1)]):
    c.execute("""INSERT INTO evidence_contacts (contact_key, source, person_key, occurred_day, period_month, period_quarter, period_year,
      sex, age, region, offence, substance, seizures, circumstances, serious_convictions, stage, screened, eligible, diverted,
      referral_sent, referral_accepted, referral_engaged, incentives, sanctions)
      VALUES (?, "recorded", ?, ?, "2026-03", "2026-Q1", "2026", "female", 30, "R1", "possession_personal_use", "cannabis_herb",
      ?, 0, "", "pre_trial", 0, ?, ?, 0, 0, 0, 0, 0)""", ("sim-%d" % i, "person-%d" % i, day + i, "cannabis_herb:%s:g:" % grams, diverted, diverted))
c.commit()' "$WORK/sim.sqlite"
sed 's/threshold: 25,/threshold: 30,/; s/version: "2026.1"/version: "2026.1-raised"/' "$POLICIES/demo.yaml" > "$WORK/raised.yaml"
DATABASE_URL="$SIM_DB" "$BIN" simulate --policy "$WORK/raised.yaml" --by sex >"$WORK/out" 2>"$WORK/err"; status=$?
[ "$status" -eq 0 ] && grep -q "^  - Threshold for Cannabis herb raised from 25 g to 30 g: a withheld number of contacts became eligible." "$WORK/out" \
  && grep -Eq "^Loaded 3 contacts in [0-9.]+ s; simulated 1 policy in [0-9.]+ s \(3 contacts × policies" "$WORK/out"
check "simulate names the raised threshold as the rule that made the difference, with the timings" $?
grep -q "withheld: counts from 1 to 4" "$WORK/out" && ! grep -Eq "difference \+2" "$WORK/out"; check "simulate withholds the small counts of a tiny data set" $?
DATABASE_URL="$SIM_DB" "$BIN" simulate --policy "$WORK/raised.yaml" --json | python3 -c '
import json,sys
d=json.load(sys.stdin); r=d["reports"][0]
sys.exit(0 if d["contactPolicies"]==3 and r["rules"][0]["rule"]=="personal_use_threshold" and r["rules"][0]["subject"]=="cannabis_herb" and r["candidate"]["version"]=="2026.1-raised" else 1)'
check "simulate --json gives the rule, its substance and the candidate" $?
printf 'jurisdiction: X\nversion: "1"\nsubstances:\n  - {code: bad, unit: kg}\n' > "$WORK/bad-candidate.yaml"
DATABASE_URL="$SIM_DB" "$BIN" simulate --policy "$WORK/bad-candidate.yaml" >/dev/null 2>"$WORK/err"; status=$?
[ "$status" -eq 1 ] && grep -q "bad-candidate.yaml:4:23: substances\[0\].unit: 'kg' is not a unit" "$WORK/err" && grep -q "nothing was simulated" "$WORK/err"
check "simulate refuses a bad candidate, listing each problem with line and column" $?
"$BIN" bench simulation --contacts 20000 --policies 3 --check 500 >"$WORK/out" 2>&1 && grep -Eq "^simulation: 3 candidate policies × 20,000 contacts in [0-9.]+ s" "$WORK/out" \
  && grep -q "check: the compiled rules and the full evaluation agree" "$WORK/out"
check "bench simulation reports contacts × policies per second and the rules check" $?

# Statistical exports: UN-CTS and TDI, as CSV and JSON, small counts withheld, each export audited.
EXPORT_DB="sqlite://$WORK/export.sqlite"
DATABASE_URL="$EXPORT_DB" "$BIN" migrate >/dev/null 2>&1
DATABASE_URL="$EXPORT_DB" "$BIN" policy activate "$POLICIES/demo.yaml" >/dev/null
YEAR=$(date -u +%Y)
python3 -c '
import sqlite3,sys,datetime
year=int(sys.argv[2]); day=(datetime.date(year,1,15)-datetime.date(1970,1,1)).days
c=sqlite3.connect(sys.argv[1])
# 12 women (8 of them entering outpatient treatment for heroin), 9 national and 3 foreign men, 6 women trafficking at trial.
groups=[("w",12,"female","DRP","possession_personal_use","pre_trial",None),("m",9,"male","DRP","possession_personal_use","sentencing","probation"),
        ("f",3,"male","BR","possession_personal_use","sentencing","probation"),("t",6,"female","DRP","supply","trial","treatment_court")]
for g,n,sex,nat,offence,stage,measure in groups:
    for i in range(n):
        treated = g=="w" and i<8
        c.execute("""INSERT INTO evidence_contacts (contact_key, source, person_key, occurred_day, period_month, period_quarter, period_year,
          sex, age, region, nationality, offence, substance, seizures, circumstances, serious_convictions, stage, measure_type, screened, eligible,
          diverted, referral_sent, referral_accepted, referral_engaged, treatment_modality, intake_day, incentives, sanctions)
          VALUES (?, "historical", ?, ?, ?, ?, ?, ?, 30, "R1", ?, ?, ?, "", 0, "", ?, ?, 0, 1, 1, ?, ?, ?, ?, ?, 0, 0)""",
          ("x-%s%d" % (g,i), "p-%s%d" % (g,i), day, "%d-01" % year, "%d-Q1" % year, str(year), sex, nat, offence, "heroin" if treated else "cannabis_herb",
           stage, measure, int(treated), int(treated), int(treated), "outpatient" if treated else None, day + 10 if treated else None))
c.commit()' "$WORK/export.sqlite" "$YEAR"
audit_export=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM audit_entries").fetchone()[0])' "$WORK/export.sqlite")
DATABASE_URL="$EXPORT_DB" "$BIN" export uncts --year "$YEAR" >"$WORK/uncts.csv" 2>"$WORK/err"; status=$?
[ "$status" -eq 0 ] && head -n 1 "$WORK/uncts.csv" | grep >/dev/null "^table,iccs,sex,age_class,citizenship,measure_type,stage,persons,suppressed" \
  && grep >/dev/null "^formal_contact_by_sex,06011,female,,,,,12,false" "$WORK/uncts.csv" && grep >/dev/null "^convicted_by_sex,06011,male,,,,,12,false" "$WORK/uncts.csv"
check "export uncts writes CSV to standard output, one line per cell" $?
grep >/dev/null "^formal_contact_by_citizenship,06011,,,foreign,,,,true" "$WORK/uncts.csv" \
  && awk -F, 'NR > 1 && $8 != "" && $8 + 0 > 0 && $8 + 0 < 5 { bad = 1 } END { exit bad }' "$WORK/uncts.csv"
check "export uncts withholds the 3 foreign men and publishes no count under 5" $?
DATABASE_URL="$EXPORT_DB" "$BIN" export tdi --year "$YEAR" --format json --output "$WORK/tdi.json" | grep >/dev/null "Wrote tdi-$YEAR.json to $WORK/tdi.json: 4 tables"
check "export tdi --format json --output writes the file and says so" $?
python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
rows={(r["primary_drug"],r["sex"]):r for t in d["tables"] if t["name"]=="sex_by_drug" for r in t["rows"]}
notrec={v["name"] for v in d["variables"] if v["status"]=="not_recorded"}
sys.exit(0 if d["standard"]=="tdi" and d["year"]==int(sys.argv[2]) and d["suppression"]["threshold"]==5 and rows[("opioids","female")]["persons"]==8
         and {"route_of_administration","education","labour_status"} <= notrec else 1)' "$WORK/tdi.json" "$YEAR"
check "the TDI JSON counts the 8 women entering treatment and marks what Diversion does not record" $?
DATABASE_URL="$EXPORT_DB" one_line_error "$BIN" export uncts --year 1969 && grep -q "1970" "$WORK/err"; check "a year before 1970 is one line and a failure" $?
[ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM audit_entries WHERE resource_type = ? AND username = ?", ("statistical_export","command line")).fetchone()[0])' "$WORK/export.sqlite")" -eq 2 ] \
  && [ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM audit_entries").fetchone()[0])' "$WORK/export.sqlite")" -eq $((audit_export + 2)) ] \
  && DATABASE_URL="$EXPORT_DB" "$BIN" audit verify >/dev/null
check "each export writes one audit entry, and the refused one none" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
