"""Crash safety under load: kills the server with SIGKILL at random moments while writers record captures.

The database must already hold the demo jurisdiction (`diversion demo seed`). Each round starts
`diversion serve --port P`, waits for /healthz, lets N writers record offline captures through
POST /api/v1/captures (each a new person, a contact, a DAST-10 screening and the officer's decision, with its
own Idempotency-Key that is also the person's family name), and after a random delay kills the server with
SIGKILL. A capture counts as acknowledged only once the client has its 2xx answer; acknowledged keys are
appended to a log that is fsynced at once. After each restart about half of the captures that were in flight
at the kill are sent again with the same key and body: the answer must name the same records and nothing may
be written twice. The others are left alone: each may or may not have been recorded, but never in part.

Every `--check-every` rounds and at the end, with the server stopped, the database is read directly (sqlite3
or psql): every acknowledged key must be there exactly once and whole (person, contact, screening, stored
answer, and one audit entry for each record created), no key may be recorded twice or in part, and
`diversion audit verify` must pass.

Usage (scripts/crash-test runs it):
  build/venv/bin/python Tests/resilience/crash_writers.py --binary .build/debug/diversion \
      --database-url sqlite:///tmp/x/d.sqlite --workdir /tmp/x --kills 100 --label sqlite [--psql PATH]
Prints one line per check and a summary; exits 1 on any lost, duplicated or partial write, a failed audit
verification, or a server that does not come back.
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

PASSWORD = "demo"
OFFICER = "officer"
DAST10 = [True, False, False, False, True, False, False, False, False, False]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Tally:
    """What the writers saw; guarded by `lock`."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    acknowledged: int = 0
    acknowledged_on_retry: int = 0
    replayed: int = 0
    retried: int = 0
    rejected: dict = field(default_factory=dict)  # key -> "status: body" for non-2xx answers
    rejected_retries: int = 0
    connection_errors: int = 0
    unauthorised: int = 0
    in_flight: set = field(default_factory=set)
    abandoned: set = field(default_factory=set)


class CrashRun:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.run_id = args.run_id or uuid.uuid4().hex[:8]
        self.prefix = f"crash-{self.run_id}-"
        self.workdir = Path(args.workdir)
        self.ack_path = self.workdir / f"acknowledged-{args.label}.log"
        self.ack_file = open(self.ack_path, "a", encoding="utf-8")
        self.server_log = open(self.workdir / f"server-{args.label}.log", "ab")
        self.tally = Tally()
        self.counter = 0
        self.counter_lock = threading.Lock()
        self.retry_queue: list[str] = []
        self.tokens: list[str] = []
        self.port = 0
        self.server: subprocess.Popen | None = None
        # Captures happen an hour before the run starts: never in the future, the same in every retried body.
        self.occurred_at = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z")
        self.failures: list[str] = []
        self.last: dict = {}  # the figures of the latest check
        self.env = {**os.environ, "DATABASE_URL": args.database_url, "LOG_LEVEL": "warning"}

    # --- the server --------------------------------------------------------------------------

    def start_server(self) -> None:
        self.port = free_port()
        try:
            self.server = subprocess.Popen(
                [self.args.binary, "serve", "--port", str(self.port)], cwd=self.workdir, env=self.env,
                stdout=self.server_log, stderr=self.server_log, stdin=subprocess.DEVNULL,
            )
        except OSError as error:
            raise RuntimeError(f"the server could not be started: {error}") from error
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"the server exited with {self.server.returncode} while starting")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not answer /healthz within 60 s")

    def kill_server(self) -> None:
        if self.server and self.server.poll() is None:
            os.kill(self.server.pid, signal.SIGKILL)
        if self.server:
            self.server.wait()
        self.server = None

    # --- requests ----------------------------------------------------------------------------

    def body(self, key: str) -> bytes:
        """The capture for `key`, the same bytes every time it is sent."""
        capture = {
            "person": {"givenName": "Crash", "familyName": key, "birthDate": "1990-02-03", "sex": "female"},
            "contact": {
                "occurredAt": self.occurred_at, "region": "R1",
                "offences": [{"category": "possession_personal_use"}],
                "seizures": [{"substance": "cannabis_herb", "quantity": 4.5, "unit": "g"}],
            },
            "screening": {"instrument": "dast10", "answers": DAST10},
            "decision": {"decision": "divert"},
        }
        return json.dumps(capture, sort_keys=True).encode()

    def token(self) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("POST", "/api/v1/auth/token", json.dumps({"username": OFFICER, "password": PASSWORD}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        text = response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"no token for {OFFICER}: {response.status} {text[:200]!r}")
        return json.loads(text)["token"]

    def next_key(self) -> tuple[str, bool]:
        """A key to send: one in flight at the last kill that was picked for a retry, else a new one."""
        with self.counter_lock:
            if self.retry_queue:
                return self.retry_queue.pop(), True
            self.counter += 1
            return f"{self.prefix}{self.counter:07d}", False

    def acknowledge(self, key: str, answer: dict, retry: bool, replayed: bool) -> None:
        line = json.dumps({"key": key, "contact": answer["contact"]["id"], "person": answer["personId"]})
        with self.tally.lock:
            self.ack_file.write(line + "\n")
            self.ack_file.flush()
            os.fsync(self.ack_file.fileno())
            self.tally.acknowledged += 1
            self.tally.acknowledged_on_retry += retry
            self.tally.replayed += replayed
            self.tally.in_flight.discard(key)

    def writer(self, index: int, stop: threading.Event) -> None:
        token = self.tokens[index]
        conn: http.client.HTTPConnection | None = None
        while not stop.is_set():
            key, retry = self.next_key()
            with self.tally.lock:
                self.tally.in_flight.add(key)
                self.tally.sent += 1
                self.tally.retried += retry
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("POST", "/api/v1/captures", self.body(key), {
                    "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key,
                })
                response = conn.getresponse()
                text = response.read()
            except (OSError, http.client.HTTPException):
                # The key stays in flight: it may or may not have been recorded.
                if conn is not None:
                    conn.close()
                conn = None
                with self.tally.lock:
                    self.tally.connection_errors += 1
                if not stop.is_set():
                    time.sleep(0.02)
                continue
            if 200 <= response.status < 300:
                self.acknowledge(key, json.loads(text), retry, response.getheader("Idempotent-Replayed") == "true")
            else:
                with self.tally.lock:
                    self.tally.in_flight.discard(key)
                    self.tally.rejected[key] = f"{response.status}: {text[:300].decode(errors='replace')}"
                    self.tally.unauthorised += response.status == 401
                    self.tally.rejected_retries += retry
        if conn is not None:
            conn.close()

    # --- one round ---------------------------------------------------------------------------

    def round(self) -> None:
        self.start_server()
        if not self.tokens:
            # Taken once: tokens acknowledged before the first kill must keep working after every restart.
            self.tokens = [self.token() for _ in range(self.args.writers)]
        with self.tally.lock:
            pending = sorted(self.tally.in_flight)
            self.tally.in_flight = set()
        self.rng.shuffle(pending)
        half = len(pending) // 2 + len(pending) % 2 * self.rng.randint(0, 1)
        with self.counter_lock:
            self.retry_queue = pending[:half]
        with self.tally.lock:
            self.tally.abandoned.update(pending[half:])
        stop = threading.Event()
        writers = [threading.Thread(target=self.writer, args=(i, stop), daemon=True) for i in range(self.args.writers)]
        for w in writers:
            w.start()
        time.sleep(self.rng.uniform(self.args.min_delay, self.args.max_delay))
        self.kill_server()
        stop.set()
        for w in writers:
            w.join(timeout=60)
        with self.counter_lock:
            # Retries not sent before the kill wait for the next round.
            with self.tally.lock:
                self.tally.in_flight.update(self.retry_queue)
            self.retry_queue = []

    # --- the checks --------------------------------------------------------------------------

    def query(self, sql: str) -> list[tuple]:
        url = self.args.database_url
        if url.startswith("sqlite:"):
            path = url[len("sqlite://"):]
            db = sqlite3.connect(path, timeout=30)
            try:
                return [tuple(str(v) if v is not None else "" for v in row) for row in db.execute(sql)]
            finally:
                db.close()
        out = subprocess.run([self.args.psql, url, "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             capture_output=True, text=True, check=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def check(self, rounds: int) -> bool:
        """Reads the database with the server stopped; returns whether everything holds."""
        like = f"'{self.prefix}%'"
        ours = f"(SELECT person_id FROM person_identities WHERE family_name LIKE {like})"
        uid = "lower(CAST({} AS TEXT))".format
        persons: dict[str, list[str]] = {}
        for key, person in self.query(f"SELECT family_name, {uid('person_id')} FROM person_identities WHERE family_name LIKE {like}"):
            persons.setdefault(key, []).append(person)
        contacts: dict[str, list[str]] = {}
        for person, contact in self.query(f"SELECT {uid('person_id')}, {uid('id')} FROM contacts WHERE person_id IN {ours}"):
            contacts.setdefault(person, []).append(contact)
        screenings = dict(self.query(f"SELECT {uid('person_id')}, count(*) FROM screenings WHERE person_id IN {ours} GROUP BY person_id"))
        stored = dict(self.query(f"SELECT key, count(*) FROM idempotency_records WHERE key LIKE {like} GROUP BY key"))
        audits: dict[tuple[str, str], int] = {}
        for person, kind, n in self.query(
            f"SELECT {uid('person_id')}, resource_type, count(*) FROM audit_entries WHERE action = 'create' "
            f"AND {uid('person_id')} IN (SELECT {uid('person_id')} FROM person_identities WHERE family_name LIKE {like}) "
            f"GROUP BY {uid('person_id')}, resource_type"
        ):
            audits[(person, kind)] = int(n)
        # Entries about people who are not on record would be audit without its write.
        known = {p for (p,) in self.query(f"SELECT {uid('id')} FROM persons")}
        orphan_audits = [p for (p,) in self.query(
            f"SELECT DISTINCT {uid('person_id')} FROM audit_entries WHERE action = 'create' AND resource_type = 'person' AND person_id IS NOT NULL"
        ) if p not in known]

        def state(key: str) -> str:
            people = persons.get(key, [])
            if not people and key not in stored:
                return "absent"
            if len(people) > 1 or int(stored.get(key, 0)) > 1:
                return "duplicated"
            if len(people) != 1 or key not in stored:
                return "partial"
            p = people[0]
            counts = [len(contacts.get(p, [])), int(screenings.get(p, 0))] + [audits.get((p, k), 0) for k in ("person", "contact", "screening")]
            if any(n > 1 for n in counts):
                return "duplicated"
            return "whole" if all(n == 1 for n in counts) else "partial"

        acked = [json.loads(line) for line in self.ack_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        acked_keys = [a["key"] for a in acked]
        all_keys = set(persons) | set(stored) | set(acked_keys)
        states = {k: state(k) for k in all_keys}
        missing = [k for k in acked_keys if states[k] == "absent"]
        mismatched = [a["key"] for a in acked if states[a["key"]] == "whole"
                      and (persons[a["key"]] != [a["person"]] or contacts.get(a["person"]) != [a["contact"]])]
        duplicated = sorted(k for k, s in states.items() if s == "duplicated")
        partial = sorted(k for k, s in states.items() if s == "partial")
        twice_acked = len(acked_keys) - len(set(acked_keys))
        with self.tally.lock:
            abandoned = set(self.tally.abandoned) | set(self.tally.in_flight)
        abandoned -= set(acked_keys)
        abandoned_present = sum(1 for k in abandoned if states.get(k) == "whole")
        verify = subprocess.run([self.args.binary, "audit", "verify"], cwd=self.workdir, env=self.env, capture_output=True, text=True)
        verdict = (verify.stdout + verify.stderr).strip().splitlines()
        verdict_line = verdict[-1] if verdict else f"exit {verify.returncode}"
        found = sum(1 for k in set(acked_keys) if states[k] == "whole")
        problems = []
        if missing: problems.append(f"{len(missing)} acknowledged missing, e.g. {missing[:3]}")
        if mismatched: problems.append(f"{len(mismatched)} acknowledged with other ids than answered, e.g. {mismatched[:3]}")
        if duplicated: problems.append(f"{len(duplicated)} keys recorded more than once, e.g. {duplicated[:3]}")
        if partial: problems.append(f"{len(partial)} keys recorded in part, e.g. {partial[:3]}")
        if twice_acked: problems.append(f"{twice_acked} keys acknowledged twice")
        if orphan_audits: problems.append(f"{len(orphan_audits)} audit entries about people not on record, e.g. {orphan_audits[:3]}")
        if verify.returncode != 0: problems.append(f"audit verify failed: {verdict_line}")
        if self.tally.unauthorised: problems.append(f"{self.tally.unauthorised} answers 401: an acknowledged token was lost")
        if self.tally.rejected_retries: problems.append(f"{self.tally.rejected_retries} retries with the same key and body were refused")
        ok = not problems
        print(f"{'ok' if ok else 'not ok'} - {self.args.label} after {rounds} kills: {len(set(acked_keys))} acknowledged, {found} found whole, "
              f"{len(missing)} missing, {len(duplicated)} duplicated, {len(partial)} partial; in flight at a kill and not sent again "
              f"{len(abandoned)} ({abandoned_present} recorded whole, {len(abandoned) - abandoned_present} not at all); {verdict_line}", flush=True)
        for p in problems:
            print(f"#   {p}", flush=True)
        self.last = {
            "acknowledged": len(set(acked_keys)), "found": found, "missing": len(missing) + len(mismatched),
            "duplicates": len(duplicated) + twice_acked, "partial": len(partial) + len(orphan_audits),
            "audit": verdict_line, "audit_ok": verify.returncode == 0,
        }
        if not ok:
            self.failures += problems
        return ok

    def journal_mode(self) -> str:
        if not self.args.database_url.startswith("sqlite:"):
            return ", ".join(f"{n}={v}" for n, v in self.query(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name"))
        return f"journal_mode={self.query('PRAGMA journal_mode')[0][0]}"

    def run(self) -> int:
        started = time.monotonic()
        rounds = 0
        try:
            for rounds in range(1, self.args.kills + 1):
                self.round()
                if rounds % self.args.check_every == 0 and rounds != self.args.kills:
                    self.check(rounds)
            self.check(rounds)
        except (RuntimeError, OSError, sqlite3.Error, subprocess.CalledProcessError) as error:
            self.kill_server()
            self.failures.append(f"round {rounds}: {error}")
            print(f"not ok - {self.args.label}: round {rounds}: {error}; server log: {self.server_log.name}", flush=True)
            tail = Path(self.server_log.name).read_bytes()[-3000:].decode(errors="replace")
            print("\n".join("#   " + line for line in tail.splitlines()[-20:]), flush=True)
        finally:
            self.kill_server()
        elapsed = time.monotonic() - started
        t = self.tally
        last = self.last
        try:
            settings = self.journal_mode()
        except (OSError, sqlite3.Error, subprocess.CalledProcessError) as error:
            settings = f"settings unread: {error}"
        rejected = sorted(set(v.split(":")[0] for v in t.rejected.values()))
        print(f"# {self.args.label}: {rounds} kills in {elapsed:.0f} s ({elapsed / max(rounds, 1):.1f} s each), {self.args.writers} writers, "
              f"{t.sent} captures sent, {t.acknowledged} acknowledged ({t.acknowledged_on_retry} on a retry after a restart, "
              f"{t.replayed} of them replayed: recorded before the kill, answer lost), {len(t.rejected)} refused {rejected}, "
              f"{t.connection_errors} connection errors; {settings}", flush=True)
        for key, why in list(t.rejected.items())[:5]:
            print(f"#   refused {key}: {why}", flush=True)
        summary = {"engine": self.args.label, "kills": rounds, "elapsed_s": round(elapsed, 1), **last,
                   "refused": len(t.rejected), "ok": not self.failures}
        (self.workdir / f"summary-{self.args.label}.json").write_text(json.dumps(summary) + "\n")
        return 0 if not self.failures else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the diversion executable")
    parser.add_argument("--database-url", required=True, help="sqlite:///absolute/path or postgres://…, seeded with the demo")
    parser.add_argument("--workdir", required=True, help="where the server runs and the logs go")
    parser.add_argument("--label", default="sqlite")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--min-delay", type=float, default=0.2, help="seconds of load before a kill, at least")
    parser.add_argument("--max-delay", type=float, default=3.0, help="seconds of load before a kill, at most")
    parser.add_argument("--check-every", type=int, default=10, help="read the database back every so many kills")
    parser.add_argument("--psql", default="psql")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random delays and retry picks")
    parser.add_argument("--run-id", default=None, help="the keys' prefix; with --kills 0, checks an earlier run again")
    args = parser.parse_args()
    # Stopped from outside, the run still kills the server it started (`run` ends in `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return CrashRun(args).run()


if __name__ == "__main__":
    sys.exit(main())
