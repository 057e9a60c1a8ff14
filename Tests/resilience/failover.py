"""Failover under write load: no acknowledged write may be lost or recorded twice.

Several writers record offline captures (POST /api/v1/captures) through the load balancer, each capture of a
new person whose family name is a marker chosen here, under its own Idempotency-Key. A capture that fails is
sent again with the same key and body until it is answered 2xx, as a device's queue does, so the server must
record it once however often it arrives. Every 2xx is appended to acked.log and fsynced before the writer
moves on: that file, not memory, is what is checked at the end.

After --before seconds the primary's machine "dies": its Patroni process, its postmaster and every child of
the postmaster get SIGKILL at once. The recovery time runs from that moment to the first 2xx of a capture
sent after it. The load goes on --after seconds on the new primary, then the new primary is read directly
(not through the balancer): every acknowledged marker must have exactly one person and one contact, and no
marker sent at all may have more than one.

Started by scripts/ha-test, which builds the cluster; by hand:
  PGPASSWORD=... build/venv/bin/python Tests/resilience/failover.py --base-url http://127.0.0.1:PORT \
    --patroni pg1=127.0.0.1:8008,pg2=...,pg3=... --work DIR --psql /usr/lib/postgresql/15/bin/psql
DIR/<name>/patroni.pid and DIR/<name>/data/postmaster.pid name the processes of member <name>.
Prints the figures and "ok - ..." / "not ok - ..." lines; exits 1 if recovery took longer than --limit
seconds or any acknowledged write is missing or doubled.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

PASSWORD = "demo"


def post(url: str, body: dict, headers: dict, timeout: float) -> tuple[int, dict | None]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"null")
        except ValueError:
            return error.code, None


def get_json(url: str, timeout: float = 2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def letters(n: int, width: int = 7) -> str:
    """A number as lowercase letters: names accept letters only."""
    return "".join(chr(97 + (n // 26 ** i) % 26) for i in range(width))


class AckLog:
    """Appends one JSON line per acknowledged write and fsyncs it before the writer goes on."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, record: dict) -> None:
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        with self.lock:
            os.write(self.fd, line)
            os.fsync(self.fd)

    def read(self) -> list[dict]:
        with open(self.path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


class Load:
    def __init__(self, args, token: str, run: str, acks: AckLog) -> None:
        self.args, self.token, self.run, self.acks = args, token, run, acks
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent_markers: set[str] = set()
        self.failures = 0
        self.refused: list[str] = []
        self.first_ack_after: dict[float, float] = {}

    def writer(self, index: int) -> None:
        rng = random.Random(f"{self.run}-{index}")
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"ha-{self.run}-{index}-{n}"
            family = "Ha" + letters(rng.getrandbits(40))
            occurred = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = {
                "person": {"givenName": "Ana", "familyName": family, "birthDate": "1990-02-03", "sex": "female"},
                "contact": {"occurredAt": occurred, "region": "R1", "offences": [{"category": "possession_personal_use"}],
                            "seizures": [{"substance": "cannabis_herb", "quantity": 4.5, "unit": "g"}]},
            }
            with self.lock:
                self.sent_markers.add(family)
            # The same capture again, same key and body, until it is acknowledged (or the run ends).
            while not self.stop.is_set():
                sent = time.time()
                try:
                    status, answer = post(self.args.base_url + "/api/v1/captures", body,
                                          {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}, self.args.timeout)
                except (OSError, ValueError):
                    status, answer = 0, None
                if 200 <= status < 300 and isinstance(answer, dict):
                    self.acks.write({"key": key, "family": family, "contact": answer["contact"]["id"],
                                     "person": answer["personId"], "sent": sent, "acked": time.time(), "writer": index})
                    break
                if 400 <= status < 500 and status not in (408, 429):
                    with self.lock:
                        self.refused.append(f"{key}: {status} {answer}")
                    break
                with self.lock:
                    self.failures += 1
                time.sleep(0.1)


def cluster(members: dict[str, str]) -> dict:
    for address in members.values():
        try:
            return get_json(f"http://{address}/cluster")
        except (OSError, ValueError):
            continue
    raise RuntimeError("no Patroni member answers")


def leader(members: dict[str, str]) -> dict | None:
    for m in cluster(members)["members"]:
        if m["role"] == "leader" and m.get("state") == "running":
            return m
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                # The command may hold spaces; the parent id follows the closing parenthesis.
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def kill_machine(work: str, name: str) -> tuple[float, list[int]]:
    """SIGKILL to the member's Patroni, postmaster and the postmaster's children, as close together as can be."""
    with open(os.path.join(work, name, "patroni.pid"), encoding="utf-8") as f:
        patroni = int(f.read().split()[0])
    with open(os.path.join(work, name, "data", "postmaster.pid"), encoding="utf-8") as f:
        postmaster = int(f.readline())
    for pid, name_part in ((patroni, "patroni"), (postmaster, "postgres")):
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if name_part.encode() not in f.read():
                raise RuntimeError(f"process {pid} is not {name_part}")
    victims = [patroni, postmaster] + children(postmaster)
    moment = time.time()
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return moment, victims


def psql(args, host: str, port: int, sql: str) -> list[list[str]]:
    # The statement goes on standard input: a list of thousands of ids is longer than a command line may be.
    out = subprocess.run([args.psql, "-h", host, "-p", str(port), "-U", args.db_user, "-d", args.database,
                          "-v", "ON_ERROR_STOP=1", "-qAtF", "\t"],
                         input=sql, capture_output=True, text=True, timeout=60, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--patroni", required=True, help="name=host:port,... of every Patroni REST API")
    parser.add_argument("--work", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--db-user", default="postgres")
    parser.add_argument("--database", default="diversion")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--before", type=float, default=15)
    parser.add_argument("--after", type=float, default=20)
    parser.add_argument("--limit", type=float, default=30, help="longest acceptable recovery, seconds")
    parser.add_argument("--timeout", type=float, default=10, help="per request, seconds")
    parser.add_argument("--instances", default="", help="base URLs of every app instance, comma-separated, each probed directly at the end")
    args = parser.parse_args()
    members = dict(item.split("=", 1) for item in args.patroni.split(","))

    status, answer = post(args.base_url + "/api/v1/auth/token", {"username": "officer", "password": PASSWORD}, {}, 10)
    if status != 200 or not isinstance(answer, dict):
        print(f"not ok - officer token: {status} {answer}")
        return 1
    run = letters(int(time.time() * 10), 6)
    acks = AckLog(os.path.join(args.work, "acked.log"))
    load = Load(args, answer["token"], run, acks)
    threads = [threading.Thread(target=load.writer, args=(i,), daemon=True) for i in range(args.writers)]
    for t in threads:
        t.start()

    time.sleep(args.before)
    old = leader(members)
    if old is None:
        print("not ok - no running leader before the kill")
        load.stop.set()
        return 1
    kill_time, victims = kill_machine(args.work, old["name"])
    print(f"killed {old['name']} (primary on port {old['port']}): SIGKILL to Patroni, postmaster and {len(victims) - 2} children")

    # Recovered: the first acknowledgement of a capture sent after the kill.
    recovered_at = None
    deadline = kill_time + args.limit + 60
    while time.time() < deadline:
        later = [a for a in acks.read() if a["sent"] >= kill_time]
        if later:
            recovered_at = min(a["acked"] for a in later)
            break
        time.sleep(0.2)
    if recovered_at is not None:
        time.sleep(args.after)
    load.stop.set()
    for t in threads:
        t.join(args.timeout + 5)

    new = None
    for _ in range(40):
        try:
            new = leader(members)
        except RuntimeError:
            new = None
        if new:
            break
        time.sleep(0.5)
    records = acks.read()
    checks: list[tuple[bool, str]] = []
    recovery = None if recovered_at is None else recovered_at - kill_time
    before = sum(1 for a in records if a["acked"] < kill_time)
    during = sum(1 for a in records if kill_time <= a["acked"] < (recovered_at or float("inf")))
    after = sum(1 for a in records if recovered_at is not None and a["acked"] >= recovered_at)
    print(f"time to recover: {'never (gave up after %.0f s)' % (deadline - kill_time) if recovery is None else '%.1f s' % recovery}")
    print(f"writes acknowledged: {len(records)} ({before} before the kill, {during} during the failover, {after} after)")
    print(f"captures sent again after a failure: {load.failures}; refused (4xx): {len(load.refused)}")
    for r in load.refused[:5]:
        print(f"  refused {r}")
    if new is None:
        print("not ok - no new primary")
        return 1
    print(f"new primary: {new['name']} (timeline {new.get('timeline', '?')})")

    keys = [a["key"] for a in records]
    if len(set(keys)) != len(keys):
        checks.append((False, "each key acknowledged once in the log"))
    markers = sorted(load.sent_markers)
    host, port = new["host"], int(new["port"])
    found_contacts = {row[0] for row in psql(args, host, port,
                      "SELECT id FROM contacts WHERE id IN (%s)" % ",".join(f"'{a['contact']}'" for a in records))} if records else set()
    per_marker: dict[str, tuple[int, int]] = {}
    for chunk in range(0, len(markers), 2000):
        part = markers[chunk:chunk + 2000]
        for family, persons, contacts in psql(args, host, port,
                "SELECT i.family_name, count(DISTINCT i.person_id), count(c.id) FROM person_identities i "
                "LEFT JOIN contacts c ON c.person_id = i.person_id WHERE i.family_name IN (%s) GROUP BY i.family_name"
                % ",".join(f"'{m}'" for m in part)):
            per_marker[family] = (int(persons), int(contacts))
    stored_keys = {row[0]: int(row[1]) for row in psql(args, host, port,
                   f"SELECT key, count(*) FROM idempotency_records WHERE key LIKE 'ha-{run}-%' GROUP BY key")}
    lost = [a for a in records if a["contact"] not in found_contacts or per_marker.get(a["family"]) is None or a["key"] not in stored_keys]
    doubled = [m for m, (persons, contacts) in per_marker.items() if persons > 1 or contacts > 1]
    unacked_present = len([m for m in per_marker if m not in {a["family"] for a in records}])
    print(f"acknowledged writes found on the new primary: {len(records) - len(lost)}; lost: {len(lost)}; recorded twice: {len(doubled)}")
    print(f"captures sent but never acknowledged that the new primary has anyway: {unacked_present}")
    for a in lost[:5]:
        print(f"  lost {a}")
    for m in doubled[:5]:
        print(f"  twice {m}: {per_marker[m]}")
    # Through the balancer one healthy instance can hide another that no longer writes: each is asked directly.
    for index, base in enumerate(filter(None, args.instances.split(","))):
        key = f"ha-{run}-probe-{index}"
        family = "Hb" + letters(random.getrandbits(40))
        body = {"person": {"givenName": "Ana", "familyName": family, "birthDate": "1990-02-03", "sex": "female"},
                "contact": {"occurredAt": (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "region": "R1", "offences": [{"category": "possession_personal_use"}],
                            "seizures": [{"substance": "cannabis_herb", "quantity": 4.5, "unit": "g"}]}}
        started = time.time()
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                health = response.status
        except urllib.error.HTTPError as error:
            health = error.code
        except OSError:
            health = 0
        try:
            status, _ = post(base + "/api/v1/captures", body, {"Authorization": f"Bearer {load.token}", "Idempotency-Key": key}, 15)
        except (OSError, ValueError) as error:
            status = f"no answer ({type(error).__name__})"
        print(f"instance {base}: /healthz {health}, a capture sent to it directly: {status} after {time.time() - started:.1f} s")
        checks.append((status == 201, f"instance {base} records a capture after the failover"))
    checks.append((new["name"] != old["name"], f"a different node leads now ({old['name']} -> {new['name']})"))
    checks.append((before > 0, "writes were acknowledged before the kill"))
    checks.append((after > 0, "writes were acknowledged after the failover"))
    checks.append((recovery is not None and recovery <= args.limit, f"writes succeed again within {args.limit:.0f} s"))
    checks.append((not lost, "every acknowledged write is on the new primary"))
    checks.append((not doubled, "no capture is recorded twice"))
    checks.append((not load.refused, "no capture was refused"))
    for good, text in checks:
        print(("ok - " if good else "not ok - ") + text)
    return 0 if all(good for good, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
