"""Soak test: many users at once for a long time against a running demo server; no errors, memory flat.

Each virtual user is a thread with its own keep-alive connection and its own bearer token: one sign-in per user, at
most --login-concurrency (4) at a time, as people signing in at the start of a shift would (each sign-in checks a
bcrypt hash of cost 12, which is what paces them). A user starts work as soon as it has signed in; the timed run of
--seconds starts when the last one has, so every user is at work all through it. Errors of the sign-in ramp count
too. With --sign-in role the users of a role share one token (six sign-ins in all), for short runs on slow builds. Each user repeats the work of its role with a think time of 0.1 to 0.5 s between requests:
  officer     finds a person by name, records a contact (eligibility evaluated and audited), records a screening
              (ASSIST, or CRAFFT under 18), asks for the services that fit and refers to one of them; every eighth
              round records an offline capture with an Idempotency-Key instead, sent again with the same key a third
              of the time, which must answer the same contact with `Idempotent-Replayed: true`;
  supervisor  reads a person's measures and a measure's compliance record, records a report to the officer,
              sends a batch of pings for the demo participant's device (at her home) and reads the open alerts;
  provider    reads the service's referral worklist and moves a referral one step along (received, accepted,
              intake scheduled, attended, engaged, completed), then reads it;
  analyst     reads the indicator catalogue and one indicator cut by a dimension;
  judge and prosecutor find a person and read the person's cases and measures.
Every answer must be the one expected (2xx with the right status). The only other accepted answer is 409 on a
referral event: two provider users may move the same referral at once, and the second is told it has moved.
Any other status, a timeout (--timeout) or a connection error is an error.

Memory: with --pid, the server's resident memory (VmRSS in /proc/PID/status) is read every --sample-every seconds.
The first 20 % of the timed run, and at least its first minute, is a warm-up (caches, connection pools and the
allocator's arenas fill; on a debug build that takes a minute whatever the length of the run). The growth is
the median of the samples over the last 20 % of the run less their median over the 20 % after the warm-up (medians
of windows, not a fitted line: the allocator grows in steps, and a line through one step overstates it by up to half).
Memory is flat when the growth is at most max(10 % of the level after the warm-up, 16 MB): in a 10-minute run at
300 requests per second, a leak of 200 bytes per request would add 20 MB between those windows. The trend after the
warm-up (a least squares line, in MB per hour) is printed beside it.

Usage (scripts/soak runs it):
  build/venv/bin/python Tests/resilience/soak.py --base-url http://127.0.0.1:PORT --pid SERVER_PID \
      --seconds 600 --users 200 --label sqlite [--summary build/soak/summary-sqlite.json]
Prints per-endpoint counts, p50/p95/p99 and errors, requests per second and the memory figures; exits 1 on any
error, a server that stopped, or memory growth beyond the criterion.
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlparse

PASSWORD = "demo"
# Users per role out of every 20: most of the traffic is officers on the street and supervision officers.
ROLE_WEIGHTS = [("officer", 8), ("supervisor", 4), ("provider", 3), ("analyst", 2), ("judge", 2), ("prosecutor", 1)]
FAMILY_NAMES = ["Silva", "Novák", "García", "Costa", "Haddad", "Dvořák", "Hernández", "Pereira", "Mensah", "Kowalski",
                "Santos", "Ramírez", "Ivanova", "Okafor", "Moreau", "Ribeiro"]
GIVEN_NAMES = ["Ana", "Maria", "Sofia", "Amina", "João", "Luis", "Pavel", "Karim", "Alex", "Noor"]
DEVICE = "DEMO-GPS-0001"
HOME = (38.7223, -9.1393)  # the demo participant's curfew address: pings there open no alert
NEXT_EVENT = {  # the referral's status -> the event a provider records next
    "sent": "received", "received": "accepted", "accepted": "intake_scheduled",
    "intake_scheduled": "intake_attended", "intake_attended": "engaged", "engaged": "completed",
}
DAST10 = [True, False, False, False, True, False, False, False, False, False]
MAX_ERROR_SAMPLES = 20


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def percentile(values: list, p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * p + 0.999999) - 1))]


class Failure(Exception):
    """A request that did not answer as expected; already counted."""


class Stats:
    """Every request's latency and outcome by endpoint; shared by all users."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict = {}
        self.errors: dict = {}
        self.expected: dict = {}  # accepted non-2xx outcomes, such as a referral moved by someone else
        self.samples: list = []
        self.checks = 0  # replays and ping batches whose content was checked

    def begin_window(self) -> tuple:
        """Starts the timed run: the figures so far (the sign-in ramp) are set aside; errors keep counting.
        Answers the requests and errors of the ramp."""
        with self.lock:
            ramp = (sum(len(v) for v in self.latencies.values()), sum(self.errors.values()))
            self.latencies = {}
            self.expected = {}
            self.checks = 0
            return ramp

    def record(self, name: str, seconds: float, error: str | None = None, expected: bool = False) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(seconds)
            if expected:
                self.expected[name] = self.expected.get(name, 0) + 1
            if error is not None:
                self.errors[name] = self.errors.get(name, 0) + 1
                if len(self.samples) < MAX_ERROR_SAMPLES:
                    self.samples.append(f"{name}: {error}")

    def fail(self, name: str, error: str) -> None:
        """An answer whose status was right but whose content was not."""
        with self.lock:
            self.errors[name] = self.errors.get(name, 0) + 1
            if len(self.samples) < MAX_ERROR_SAMPLES:
                self.samples.append(f"{name}: {error}")

    def total_errors(self) -> int:
        with self.lock:
            return sum(self.errors.values())


class Connection:
    """One keep-alive HTTP/1.1 connection with a bearer token; reconnects after a connection error."""

    def __init__(self, host: str, port: int, timeout: float, stats: Stats) -> None:
        self.host, self.port, self.timeout, self.stats = host, port, timeout, stats
        self.conn: http.client.HTTPConnection | None = None
        self.token: str | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method: str, path: str, name: str, body=None, expect: int = 200, headers: dict | None = None,
             also: tuple = ()) -> tuple:
        """(status, decoded JSON or None, response headers); raises Failure on anything but `expect` or `also`."""
        sent = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        started = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=data, headers=sent)
            response = self.conn.getresponse()
            raw = response.read()
            status = response.status
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            if answer_headers.get("connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.stats.record(name, time.monotonic() - started, f"{type(error).__name__}: {error}")
            raise Failure(name) from error
        seconds = time.monotonic() - started
        if status != expect and status not in also:
            self.stats.record(name, seconds, f"{status} {raw[:300].decode(errors='replace')}")
            raise Failure(name)
        self.stats.record(name, seconds, expected=status in also)
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        return status, decoded, answer_headers


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        parsed = urlparse(args.base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.stats = Stats()
        self.stop = threading.Event()
        self.login_gate = threading.Semaphore(args.login_concurrency)
        self.people: list = []  # persons on record: {id, familyName, birthDate, ...}
        self.measures: list = []  # active measures: (personId, measureId, start)
        self.indicators: list = []  # (code, dimensions that are not periods)
        self.rss: list = []  # (seconds since the start, kB)
        self.signed_in = 0
        self.all_signed_at: float | None = None
        self.window_start = 0.0
        self.role_tokens: dict = {}  # with --sign-in role: the one token each role's users share
        self.role_lock = threading.Lock()
        self.started = time.monotonic()
        self.signed_lock = threading.Lock()
        self.server_gone = False

    # --- setup: what the users will work on -------------------------------------------------

    def connection(self) -> Connection:
        return Connection(self.host, self.port, self.args.timeout, self.stats)

    def sign_in(self, conn: Connection, username: str) -> None:
        with self.login_gate:
            if self.stop.is_set():
                raise Failure("stopped before signing in")
            _, body, _ = conn.call("POST", "/api/v1/auth/token", "POST /api/v1/auth/token",
                                   {"username": username, "password": PASSWORD})
        conn.token = body["token"]

    def set_up(self) -> None:
        officer, supervisor, analyst = self.connection(), self.connection(), self.connection()
        self.sign_in(officer, "officer")
        self.sign_in(supervisor, "supervisor")
        self.sign_in(analyst, "analyst")
        seen = set()
        for family in FAMILY_NAMES:
            _, body, _ = officer.call("GET", f"/api/v1/persons?q={quote(family)}&limit=50", "setup: person search")
            for person in body["items"]:
                if person["id"] not in seen:
                    seen.add(person["id"])
                    self.people.append(person)
        today = datetime.now(timezone.utc).date()
        for person in self.people:
            _, body, _ = supervisor.call("GET", f"/api/v1/measures?personId={person['id']}", "setup: measures")
            for measure in body["items"]:
                if measure["status"] == "active" and measure["start"] <= today.isoformat():
                    self.measures.append((person["id"], measure["id"], measure["start"]))
        # The demo has one person under supervision; the supervision officers need a caseload. A prosecutor opens a
        # case and a judge orders probation starting today (the UTC date is never after today in Lisbon). Spread over
        # many measures, each one's compliance record grows at the pace of a real caseload, not hundreds a minute.
        prosecutor, judge = self.connection(), self.connection()
        self.sign_in(prosecutor, "prosecutor")
        self.sign_in(judge, "judge")
        rng = random.Random(self.args.seed)
        for person in rng.sample([p for p in self.people if not p.get("minor")], min(self.args.measures, len(self.people))):
            _, case, _ = prosecutor.call("POST", "/api/v1/cases", "setup: case", {"personId": person["id"]}, expect=201)
            _, decided, _ = judge.call("POST", f"/api/v1/cases/{case['id']}/decisions", "setup: decision", {
                "stage": "sentencing",
                "measures": [{"type": "probation", "start": today.isoformat(), "plannedEnd": (today + timedelta(days=180)).isoformat(),
                              "conditions": [{"type": "report_to_officer", "parameters": {"timesPerMonth": 4}}]}],
                "proportionality": {"gravity": "Possession for personal use.", "circumstances": "Repeated contacts.",
                                    "reasons": "Supervision in the community."},
            }, expect=201)
            self.measures.append((person["id"], decided["measures"][0]["id"], today.isoformat()))
        for conn in (prosecutor, judge):
            conn.close()
        _, body, _ = analyst.call("GET", "/api/v1/indicators", "setup: indicators")
        periods = {"month", "quarter", "year"}
        self.indicators = [(item["code"], [d for d in item["dimensions"] if d not in periods]) for item in body["items"]]
        for conn in (officer, supervisor, analyst):
            conn.close()
        if not self.people or not self.measures or not self.indicators:
            raise RuntimeError(f"the demo jurisdiction is incomplete: {len(self.people)} people, "
                               f"{len(self.measures)} active measures, {len(self.indicators)} indicators")

    # --- the roles ----------------------------------------------------------------------------

    def think(self, rng: random.Random) -> None:
        self.stop.wait(rng.uniform(self.args.think_min, self.args.think_max))

    def officer(self, conn: Connection, rng: random.Random, round_: int) -> None:
        family = rng.choice(FAMILY_NAMES)
        _, found, _ = conn.call("GET", f"/api/v1/persons?q={quote(family)}&limit=10", "GET /api/v1/persons?q=")
        person = rng.choice(found["items"]) if found["items"] else rng.choice(self.people)
        pid = person["id"]
        self.think(rng)
        contact = {
            "occurredAt": utc_now(), "region": "R1", "offences": [{"category": "possession_personal_use"}],
            "seizures": [{"substance": "cannabis_herb", "quantity": round(rng.uniform(1, 20), 1), "unit": "g"}],
        }
        if round_ % 8 == 7:
            self.capture(conn, rng, contact)
            return
        _, recorded, _ = conn.call("POST", "/api/v1/contacts", "POST /api/v1/contacts", {"personId": pid, **contact}, expect=201)
        self.think(rng)
        if person.get("minor"):
            screening = {"personId": pid, "instrument": "crafft", "answers": {
                "partA": {"alcoholDays": 2, "cannabisDays": 4, "otherDays": 0},
                "partB": [False, True, True, False, False, False]}}
        else:
            screening = {"personId": pid, "instrument": "assist", "answers": {
                "cannabis": {"q1": True, "q2": 3, "q3": 2, "q4": 1, "q5": 0, "q6": 1, "q7": 0}}}
        conn.call("POST", "/api/v1/screenings", "POST /api/v1/screenings", screening, expect=201)
        self.think(rng)
        _, suggested, _ = conn.call("POST", "/api/v1/referrals/suggestions", "POST /api/v1/referrals/suggestions",
                                    {"personId": pid, "region": "R1"})
        if not suggested["suggestions"] or rng.random() < 0.4:
            return
        self.think(rng)
        service = suggested["suggestions"][0 if rng.random() < 0.7 else rng.randrange(len(suggested["suggestions"]))]
        conn.call("POST", "/api/v1/referrals", "POST /api/v1/referrals", {
            "personId": pid, "serviceId": service["serviceId"], "contactId": recorded["id"],
            "reason": "Diverted at contact for cannabis possession; weekly use reported.", "urgency": "routine",
        }, expect=201)

    def capture(self, conn: Connection, rng: random.Random, contact: dict) -> None:
        # A person met for the first time: eligible, so the officer's decision to divert stands.
        key = str(uuid.uuid4())
        person = {"givenName": rng.choice(GIVEN_NAMES), "familyName": rng.choice(FAMILY_NAMES),
                  "birthDate": f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                  "sex": rng.choice(["female", "male"])}
        body = json.dumps({
            "person": person, "contact": contact, "screening": {"instrument": "dast10", "answers": DAST10},
            "decision": {"decision": "divert"},
        }).encode()
        name = "POST /api/v1/captures"
        _, first, _ = conn.call("POST", "/api/v1/captures", name, body, expect=201, headers={"Idempotency-Key": key})
        if rng.random() < 1 / 3:
            self.think(rng)
            _, again, headers = conn.call("POST", "/api/v1/captures", name + " (replay)", body, expect=201,
                                          headers={"Idempotency-Key": key})
            with self.stats.lock:
                self.stats.checks += 1
            if headers.get("idempotent-replayed") != "true" or again.get("contact", {}).get("id") != first["contact"]["id"]:
                self.stats.fail(name + " (replay)", f"the replay did not answer the first capture: {json.dumps(again)[:200]}")

    def supervisor(self, conn: Connection, rng: random.Random, round_: int) -> None:
        person_id, measure_id, _ = rng.choice(self.measures)
        conn.call("GET", f"/api/v1/measures?personId={person_id}", "GET /api/v1/measures?personId=")
        self.think(rng)
        conn.call("GET", f"/api/v1/measures/{measure_id}/compliance", "GET /api/v1/measures/{id}/compliance")
        self.think(rng)
        # The UTC date is never after today in Lisbon (UTC or UTC+1), and the measure started on or before it.
        conn.call("POST", f"/api/v1/measures/{measure_id}/compliance", "POST /api/v1/measures/{id}/compliance", {
            "kind": "report", "date": datetime.now(timezone.utc).date().isoformat(),
            "officer": "Supervision Officer Tomás Silva", "attendance": "attended",
        }, expect=201)
        self.think(rng)
        base = datetime.now(timezone.utc) - timedelta(seconds=30)
        pings = [{"deviceId": DEVICE, "time": (base + timedelta(milliseconds=rng.randrange(30_000))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                  "lat": HOME[0] + rng.uniform(-0.0002, 0.0002), "lon": HOME[1] + rng.uniform(-0.0002, 0.0002),
                  "accuracyMeters": rng.choice([5, 8, 12, 20])} for _ in range(rng.randint(1, 10))]
        _, result, _ = conn.call("POST", "/api/v1/monitoring/pings", "POST /api/v1/monitoring/pings", {"pings": pings})
        with self.stats.lock:
            self.stats.checks += 1
        if result["rejected"] or result["accepted"] + result["duplicates"] != len(pings):
            self.stats.fail("POST /api/v1/monitoring/pings", f"pings refused: {json.dumps(result)[:300]}")
        self.think(rng)
        conn.call("GET", "/api/v1/monitoring/alerts", "GET /api/v1/monitoring/alerts")

    def provider(self, conn: Connection, rng: random.Random, round_: int) -> None:
        _, worklist, _ = conn.call("GET", "/api/v1/referrals?side=received", "GET /api/v1/referrals?side=received")
        open_ = [r for r in worklist["items"] if r["status"] in NEXT_EVENT]
        if not open_:
            return
        referral = rng.choice(open_[:50])
        self.think(rng)
        event = {"type": NEXT_EVENT[referral["status"]]}
        if event["type"] == "intake_scheduled":
            event["scheduledFor"] = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if event["type"] == "accepted":
            event["note"] = "Assessed by phone; starts group sessions."
        # 409: another provider user moved this referral first (the worklist was read a moment ago).
        conn.call("POST", f"/api/v1/referrals/{referral['id']}/events", "POST /api/v1/referrals/{id}/events", event,
                  expect=201, also=(409,))
        self.think(rng)
        conn.call("GET", f"/api/v1/referrals/{referral['id']}", "GET /api/v1/referrals/{id}")

    def analyst(self, conn: Connection, rng: random.Random, round_: int) -> None:
        conn.call("GET", "/api/v1/indicators", "GET /api/v1/indicators")
        self.think(rng)
        code, dimensions = rng.choice(self.indicators)
        query = f"?by={rng.choice(dimensions)}" if dimensions and rng.random() < 0.8 else ""
        conn.call("GET", f"/api/v1/indicators/{code}{query}", "GET /api/v1/indicators/{code}")

    def casework(self, conn: Connection, rng: random.Random, round_: int) -> None:
        person = rng.choice(self.people)
        _, found, _ = conn.call("GET", f"/api/v1/persons?q={quote(person['familyName'])}&birthDate={person['birthDate']}&limit=5",
                                "GET /api/v1/persons?q=&birthDate=")
        if not any(p["id"] == person["id"] for p in found["items"]):
            self.stats.fail("GET /api/v1/persons?q=&birthDate=", f"the search did not find {person['id']}")
        self.think(rng)
        conn.call("GET", f"/api/v1/cases?personId={person['id']}", "GET /api/v1/cases?personId=")
        self.think(rng)
        conn.call("GET", f"/api/v1/measures?personId={person['id']}", "GET /api/v1/measures?personId=")

    # --- the run ------------------------------------------------------------------------------

    def user(self, number: int, role: str) -> None:
        rng = random.Random(self.args.seed * 1000 + number)
        conn = self.connection()
        work = {"officer": self.officer, "supervisor": self.supervisor, "provider": self.provider,
                "analyst": self.analyst, "judge": self.casework, "prosecutor": self.casework}[role]
        try:
            while conn.token is None and not self.stop.is_set():
                try:
                    if self.args.sign_in == "role":
                        with self.role_lock:
                            if role not in self.role_tokens:
                                self.sign_in(conn, role)
                                self.role_tokens[role] = conn.token
                            conn.token = self.role_tokens[role]
                    else:
                        self.sign_in(conn, role)
                except Failure:
                    self.stop.wait(1.0)
            if conn.token is None:
                return
            with self.signed_lock:
                self.signed_in += 1
                if self.signed_in == self.args.users:
                    self.all_signed_at = time.monotonic() - self.started
            round_ = 0
            while not self.stop.is_set():
                try:
                    work(conn, rng, round_)
                except Failure:
                    pass  # counted; the user goes on with the next round
                except (KeyError, TypeError, IndexError, AttributeError) as error:
                    self.stats.fail(f"{role} round", f"unexpected answer: {type(error).__name__}: {error}")
                round_ += 1
                self.think(rng)
        finally:
            conn.close()

    def sample_memory(self, started: float) -> None:
        path = f"/proc/{self.args.pid}/status"
        while True:
            try:
                with open(path, encoding="ascii") as status:
                    kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
                self.rss.append((time.monotonic() - started, kb))
            except (OSError, StopIteration, ValueError):
                self.server_gone = True
                self.stop.set()
                return
            if self.stop.wait(self.args.sample_every):
                return

    def run(self) -> int:
        args = self.args
        try:
            self.set_up()
        except (Failure, RuntimeError, KeyError, TypeError) as error:
            print(f"not ok - {args.label}: setup failed: {error}; {self.stats.samples[:3]}")
            return 1
        print(f"# {args.label}: {len(self.people)} people, {len(self.measures)} active measures, "
              f"{len(self.indicators)} indicators on record; {args.users} users for {args.seconds:.0f} s")
        roles = [role for role, weight in ROLE_WEIGHTS for _ in range(weight)]
        started = self.started = time.monotonic()
        sampler = None
        if args.pid:
            sampler = threading.Thread(target=self.sample_memory, args=(started,), daemon=True)
            sampler.start()
        threads = [threading.Thread(target=self.user, args=(n, roles[n % len(roles)]), daemon=True)
                   for n in range(args.users)]
        for thread in threads:
            thread.start()
        # Users work as soon as they have signed in; the timed run starts when the last one has.
        ramp_limit = started + args.ramp_limit
        while self.all_signed_at is None and time.monotonic() < ramp_limit and not self.stop.is_set():
            self.stop.wait(0.2)
        self.window_start = time.monotonic() - started
        ramp = self.stats.begin_window()
        print(f"#   {self.window_start:5.0f} s: {self.signed_in} of {args.users} users signed in (at most "
              f"{args.login_concurrency} at a time); {ramp[0]} requests and {ramp[1]} errors meanwhile; the timed run starts",
              flush=True)
        window = time.monotonic()
        deadline = window + args.seconds if self.all_signed_at is not None else window
        next_report = window + args.report_every
        while time.monotonic() < deadline and not self.stop.is_set():
            self.stop.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= next_report:
                next_report += args.report_every
                with self.stats.lock:
                    count = sum(len(v) for v in self.stats.latencies.values())
                    errors = sum(self.stats.errors.values())
                rss = f", server {self.rss[-1][1] / 1024:.0f} MB" if self.rss else ""
                print(f"#   {time.monotonic() - started:5.0f} s: {count} requests, {errors} errors, "
                      f"{self.signed_in} users signed in{rss}", flush=True)
        self.stop.set()
        for thread in threads:
            thread.join(args.timeout + 5)
        elapsed = time.monotonic() - window
        if sampler:
            sampler.join(5)
        return self.report(elapsed)

    # --- the figures ----------------------------------------------------------------------------

    def memory_verdict(self) -> tuple:
        """(ok, lines): the memory criterion, the level at the end of the run against the level after the warm-up."""
        if not self.rss:
            return True, ["memory: not sampled (no --pid)"]
        # Seconds since the first sample: the warm-up ends, its window ends, the last window starts.
        warm = self.window_start + max(self.args.seconds * 0.2, min(60.0, self.args.seconds * 0.5))
        window = self.args.seconds * 0.2
        early = [kb / 1024 for t, kb in self.rss if warm <= t < warm + window]
        late = [kb / 1024 for t, kb in self.rss if t >= self.window_start + self.args.seconds - window]
        after = [(t, kb / 1024) for t, kb in self.rss if t >= warm]
        start_mb = self.rss[0][1] / 1024
        peak = max(kb for _, kb in self.rss) / 1024
        end = self.rss[-1][1] / 1024
        self.memory = {"rss_start_mb": round(start_mb, 1), "rss_after_warmup_mb": None, "rss_max_mb": round(peak, 1),
                       "rss_end_mb": round(end, 1), "growth_mb": None, "allowed_mb": None, "flat": False}
        if len(early) < 2 or len(late) < 2:
            return False, [f"memory: {len(early)} samples after the warm-up and {len(late)} at the end; run longer"]
        level, final = percentile(early, 0.5), percentile(late, 0.5)
        growth = final - level
        allowed = max(0.10 * level, 16.0)
        ok = growth <= allowed
        # The trend after the warm-up, for the reader: a leak shows as a steady slope, the allocator as steps.
        n = len(after)
        mean_t, mean_m = sum(t for t, _ in after) / n, sum(m for _, m in after) / n
        var = sum((t - mean_t) ** 2 for t, _ in after)
        slope = sum((t - mean_t) * (m - mean_m) for t, m in after) / var if var else 0.0
        lines = [
            f"memory: server RSS {start_mb:.0f} MB at start, {level:.0f} MB after the warm-up, {peak:.0f} MB at most, "
            f"{end:.0f} MB at the end ({len(self.rss)} samples every {self.args.sample_every:.0f} s; trend after the "
            f"warm-up {slope * 3600:+.0f} MB/h)",
            f"memory: median over the last 20 % of the run {final:.1f} MB against {level:.1f} MB over the 20 % after the "
            f"warm-up ({warm - self.window_start:.0f} s): {growth:+.1f} MB; allowed max(10 % of {level:.0f} MB, 16 MB) = {allowed:.1f} MB: "
            + ("flat" if ok else "GROWING"),
        ]
        self.memory = {"rss_start_mb": round(start_mb, 1), "rss_after_warmup_mb": round(level, 1),
                       "rss_max_mb": round(peak, 1), "rss_end_mb": round(end, 1), "growth_mb": round(growth, 1),
                       "allowed_mb": round(allowed, 1), "trend_mb_per_h": round(slope * 3600, 1), "flat": ok}
        return ok, lines

    def report(self, elapsed: float) -> int:
        args = self.args
        stats = self.stats
        with stats.lock:
            names = sorted(stats.latencies)
            total = sum(len(stats.latencies[n]) for n in names)
            errors = sum(stats.errors.values())
            every = [s for n in names for s in stats.latencies[n]]
        print(f"{'endpoint':44} {'count':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for name in names:
            values = stats.latencies[name]
            extra = f"  ({stats.expected[name]} answered 409: moved by another user)" if stats.expected.get(name) else ""
            print(f"{name:44} {len(values):8d} {stats.errors.get(name, 0):6d} {percentile(values, 0.5) * 1000:8.1f} "
                  f"{percentile(values, 0.95) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f}{extra}")
        for name in sorted(set(stats.errors) - set(names)):
            print(f"{name:44} {0:8d} {stats.errors[name]:6d}")
        p95 = percentile(every, 0.95) * 1000
        print(f"{'all':44} {total:8d} {errors:6d} {percentile(every, 0.5) * 1000:8.1f} {p95:8.1f} "
              f"{percentile(every, 0.99) * 1000:8.1f}")
        print(f"{args.label}: {total} requests in {elapsed:.0f} s = {total / elapsed:.1f} requests/s from {args.users} users "
              f"({self.signed_in} signed in), {errors} errors; {stats.checks} replays and ping batches checked")
        for sample in stats.samples:
            print(f"  error: {sample}")
        self.memory = {"rss_start_mb": None, "rss_after_warmup_mb": None, "rss_max_mb": None, "rss_end_mb": None,
                       "growth_mb": None, "allowed_mb": None, "flat": None}
        memory_ok, lines = self.memory_verdict()
        for line in lines:
            print(f"{args.label} {line}")
        ok = errors == 0 and memory_ok and not self.server_gone and self.signed_in == args.users
        if self.server_gone:
            print(f"{args.label}: the server stopped during the run")
        if self.signed_in != args.users:
            print(f"{args.label}: only {self.signed_in} of {args.users} users signed in")
        if args.summary:
            with open(args.summary, "w", encoding="utf-8") as out:
                json.dump({"engine": args.label, "users": args.users, "seconds": round(elapsed, 1), "requests": total,
                           "requests_per_s": round(total / elapsed, 1), "p95_ms": round(p95, 1), "errors": errors,
                           **self.memory, "ok": ok, "rss": self.rss}, out)
        print(("ok" if ok else "not ok") + f" - soak {args.label}: {args.users} users, {elapsed:.0f} s")
        return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--pid", type=int, help="The server's process id, for its resident memory.")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--label", default="soak")
    parser.add_argument("--summary", help="Write the figures as JSON here.")
    parser.add_argument("--think-min", type=float, default=0.1)
    parser.add_argument("--think-max", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds before a request counts as timed out.")
    parser.add_argument("--login-concurrency", type=int, default=4, help="Sign-ins in flight at once.")
    parser.add_argument("--measures", type=int, default=200, help="Probation measures the setup orders for the supervisors.")
    parser.add_argument("--sign-in", choices=["user", "role"], default="user",
                        help="One sign-in (and token) per user, or one per role shared by its users (a quicker ramp).")
    parser.add_argument("--ramp-limit", type=float, default=300, help="Seconds all users may take to sign in.")
    parser.add_argument("--sample-every", type=float, default=5.0)
    parser.add_argument("--report-every", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", "1")))
    args = parser.parse_args()
    if args.users < 1 or args.seconds < 10:
        parser.error("--users must be at least 1 and --seconds at least 10")
    return Soak(args).run()


if __name__ == "__main__":
    sys.exit(main())
