"""Runs schemathesis over every operation of /openapi.yaml against a running server.

Fails on any 5xx or any answer that breaks the document. The whole document runs as an officer;
supervision and court operations run again as a supervision officer and as a judge, whose roles
reach past the 403 there. Sign-out revokes its token, so it runs on its own with a second
account's token after everything else.
Usage: BASE_URL=http://127.0.0.1:8080 python Tests/api/run_schemathesis.py [--max-examples N]
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance"


def token(base: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token",
        data=json.dumps({"username": username, "password": "demo"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def run(args: list[str]) -> int:
    schemathesis = str(Path(sys.executable).with_name("schemathesis"))
    command = [schemathesis, "--config-file", str(HERE / "schemathesis.toml"), "run", *args, "--checks", CHECKS, "--no-color"]
    started = time.monotonic()
    status = subprocess.call(command, timeout=900)
    print(f"schemathesis took {time.monotonic() - started:.1f} s, exit status {status}", flush=True)
    return status


def main() -> int:
    base = os.environ.get("BASE_URL", "http://127.0.0.1:8080").rstrip("/")
    examples = sys.argv[sys.argv.index("--max-examples") + 1] if "--max-examples" in sys.argv else "40"
    schema = f"{base}/openapi.yaml"
    everything = run([schema, "--exclude-path", "/api/v1/auth/logout", "-H", f"Authorization: Bearer {token(base, 'officer')}",
                      "--max-examples", examples])
    # The stateful phase follows links into operations these runs leave out, so only the other phases run here.
    supervision = run([schema, "--include-path-regex", "^/api/v1/(measures|monitoring|breaches|call-in|persons/[^/]+/call-in-code)",
                       "--phases", "examples,coverage,fuzzing", "-H", f"Authorization: Bearer {token(base, 'supervisor')}", "--max-examples", examples])
    court = run([schema, "--include-path-regex", "^/api/v1/(cases|breaches|measures/[^/]+/(report|outcome|promotion))",
                 "--phases", "examples,coverage,fuzzing", "-H", f"Authorization: Bearer {token(base, 'judge')}", "--max-examples", examples])
    logout = run([schema, "--include-path", "/api/v1/auth/logout", "--phases", "examples,coverage,fuzzing",
                  "-H", f"Authorization: Bearer {token(base, 'judge')}", "--max-examples", examples])
    failed = int(everything != 0) + int(supervision != 0) + int(court != 0) + int(logout != 0)
    print(f"{4 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
