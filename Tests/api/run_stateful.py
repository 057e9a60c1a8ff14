"""Runs schemathesis' stateful phase over /openapi.yaml until at least 10,000 requests were sent.

The state machine follows the document's links (create a person, then read, change, screen, refer, open
a case for them; list measures, then test, record compliance, file breaches...), one role at a time so
each role's operations reach past the 403. Every request is counted from the HAR report schemathesis
writes, not assumed from the settings; rounds repeat until the count reaches the target.
Fails on fewer requests than the target, any 5xx, or any answer that breaks the document.

Stateful calls change records (outcomes end measures, call-in codes rotate), so by default the run
starts its own server on a free port and a throwaway SQLite file: the shared demo data stays as the
browser suites expect it.
Usage: python Tests/api/run_stateful.py --server .build/debug/diversion [--requests 10000]
       BASE_URL=http://127.0.0.1:8080 python Tests/api/run_stateful.py   (an already running server)
"""
import argparse
import collections
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from run_schemathesis import CHECKS, token

HERE = Path(__file__).resolve().parent
# Each round runs every role once over the operations its grants reach, so chains are not cut short by
# a 403, with this many scenarios; rounds repeat until the request count is reached.
PEOPLE = "createPerson searchPersons getPerson getPersonDetails"
REFERRALS = "listReferrals getReferral recordReferralEvent exportReferralAsFHIR readReferralTask"
MEASURES = "listMeasures getMeasure getTestingPlan listTestResults getCompliance listResponses getProgressReport"
ROLES = {
    "officer": (150, f"{PEOPLE} changePersonDetails scoreScreening recordScreening getScreening createContact listContacts "
                     f"getContact decideContact recordCapture getService readHealthcareService suggestServices "
                     f"createReferral {REFERRALS} evaluateEligibility"),
    "judge": (110, f"{PEOPLE} openCase listCases getCase decideOnCase {MEASURES} recordMeasureOutcome promoteMeasure "
                   f"suggestResponses recordResponse listBreaches getBreach decideBreach listMonitoringAlerts "
                   f"recordCourtOrder listCourtOrders listConsents listDisclosures suggestServices createReferral {REFERRALS}"),
    "supervisor": (110, f"{PEOPLE} listCases getCase {MEASURES} recordMeasureOutcome promoteMeasure recordTestResult "
                        f"recordComplianceEntry suggestResponses recordResponse fileBreach listBreaches getBreach "
                        f"listMonitoringDevices listMonitoringAlerts acknowledgeMonitoringAlert issueCallInCode "
                        f"listConsents listCourtOrders listDisclosures"),
    "provider": (90, f"{PEOPLE} scoreScreening recordScreening getScreening getService readHealthcareService "
                     f"updateServiceCapacity {REFERRALS} {MEASURES} recordTestResult recordComplianceEntry "
                     f"issueCallInCode recordConsent listConsents revokeConsent listCourtOrders listDisclosures"),
    "admin": (25, "createService getService replaceService updateServiceCapacity readHealthcareService"),
}
# Two runs at once: schemathesis is single-threaded and the server answers on the other core.
PARALLEL = 2
MAX_ROUNDS = 12
MAX_STEPS = 12
# STATEFUL_KEEP_HAR=folder keeps every run's HAR file there, to read what the chains did.
KEEP = Path(os.environ["STATEFUL_KEEP_HAR"]) if os.environ.get("STATEFUL_KEEP_HAR") else None


def config(folder: Path) -> Path:
    """The suite's settings with longer scenarios, so chains reach past create-then-read."""
    path = folder / "schemathesis.toml"
    if not path.exists():
        path.write_text((HERE / "schemathesis.toml").read_text() + f"\n[phases.stateful]\nmax-steps = {MAX_STEPS}\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{folder}/stateful.sqlite", LOG_LEVEL="warning",
               DIVERSION_CALL_IN_ATTEMPTS="1000000")
    log = open(folder / "server.log", "w")
    server = subprocess.Popen([binary, "serve", "--demo", "--port", str(port)], cwd=folder, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    # Seeding the demo goes through the participant's month day by day; give it up to three minutes.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return server, base
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"the server did not start; see {folder / 'server.log'}")


def run_role(base: str, role: str, examples: int, operations: str, report: Path) -> tuple[int, list[dict], dict, str]:
    """One stateful run as `role`: schemathesis' exit status, the HAR entries, the JSON run report and the output."""
    schemathesis = str(Path(sys.executable).with_name("schemathesis"))
    har, summary = report / f"{role}.har.json", report / f"{role}.report.json"
    command = [schemathesis, "--config-file", str(config(report)), "run", f"{base}/openapi.yaml",
               "--phases", "stateful", "--include-operation-id-regex", f"^({'|'.join(operations.split())})$",
               "-H", f"Authorization: Bearer {token(base, role)}", "--max-examples", str(examples),
               "--checks", CHECKS, "--no-color", "--report", "har,json", "--report-har-path", str(har),
               "--report-json-path", str(summary)]
    result = subprocess.run(command, timeout=600, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    status = result.returncode
    # A green run only says how far the chains reached; a red one shows everything schemathesis found.
    output = result.stdout if status != 0 else " ".join(
        " ".join(line.split()) for line in result.stdout.splitlines() if "API Links:" in line or "Scenarios:" in line)
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    findings = json.loads(summary.read_text()) if summary.exists() else {}
    summary.unlink(missing_ok=True)
    if KEEP:
        har.replace(KEEP / f"{role}.{time.monotonic_ns()}.har.json")
    else:
        har.unlink(missing_ok=True)
    return status, entries, findings, output


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", help="the diversion binary to start on its own database")
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="diversion-stateful.") as folder:
        server = None
        if args.server:
            server, base = start_server(str(Path(args.server).resolve()), Path(folder))
            print(f"server on its own database at {base} (ready after {time.monotonic() - started:.1f} s)", flush=True)
        else:
            base = os.environ.get("BASE_URL", "http://127.0.0.1:8080").rstrip("/")
        try:
            return drive(base, args.requests, Path(folder), started)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)


def drive(base: str, target: int, report: Path, started: float) -> int:
    statuses: collections.Counter = collections.Counter()
    methods: collections.Counter = collections.Counter()
    server_errors: list[str] = []
    failed_runs: list[str] = []
    test_cases = failures = errors = 0
    for round_number in range(1, MAX_ROUNDS + 1):
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            runs = {role: pool.submit(run_role, base, role, examples, operations, report)
                    for role, (examples, operations) in ROLES.items()}
            for role, run in runs.items():
                status, entries, findings, output = run.result()
                if status != 0 or not findings:
                    failed_runs.append(f"round {round_number} as {role}")
                # Failed checks: 5xx, and answers whose status, content type, headers or body break the document.
                test_cases += findings.get("test_cases", {}).get("generated", 0)
                failures += len(findings.get("failures", []))
                errors += len(findings.get("errors", []))
                for entry in entries:
                    code = entry["response"]["status"]
                    statuses[code] += 1
                    methods[entry["request"]["method"]] += 1
                    if code >= 500:
                        server_errors.append(f"{code} {entry['request']['method']} {entry['request']['url']}")
                print(f"round {round_number} as {role}: {len(entries)} requests, exit status {status}; {output}", flush=True)
        if sum(statuses.values()) >= target:
            break
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    print(f"\nrequests sent: {total} (target {target}) in {elapsed:.1f} s")
    print("by method: " + ", ".join(f"{m} {n}" for m, n in sorted(methods.items())))
    print("status codes: " + ", ".join(f"{code} {count}" for code, count in sorted(statuses.items())))
    print(f"test cases checked: {test_cases}; failed checks (5xx or breaking the document): {failures}; errors: {errors}")
    for error in server_errors[:20]:
        print(f"server error: {error}")
    problems = []
    if total < target:
        problems.append(f"only {total} requests were sent")
    if server_errors:
        problems.append(f"{len(server_errors)} answers were 5xx")
    if failed_runs:
        problems.append("schemathesis reported failures or errors in " + ", ".join(failed_runs))
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    # A stopped run still stops its server and removes its folder: SIGTERM unwinds through the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
