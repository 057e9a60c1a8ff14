"""Validates the FHIR R4 export of a running demo server with the fhir.resources R4 models.

Signs in as the provider and as the police officer, finds referrals through GET /api/v1/referrals,
exports each one's Bundle (GET /api/v1/fhir/ServiceRequest/{id}), its Task and its service's
HealthcareService, and parses the Bundle, every entry's resource and every other answer with the
R4 (4.0.1) models of fhir.resources 6.4. Also checks that Bundle references resolve inside the
Bundle, that fullUrls are unique, and that a Task sent back unchanged is answered 200.
Fails on any error; prints the number of resources validated by type.
Usage: python Tests/fhir/validate_fhir.py --base-url http://127.0.0.1:8080 [--per-user 12]
"""
import argparse
import collections
import datetime
import json
import re
import sys
import urllib.error
import urllib.request

import fhir.resources
from fhir.resources import get_fhir_model_class


def call(base: str, path: str, token: str | None = None, body: dict | None = None, method: str = "GET",
         content_type: str = "application/json") -> tuple[int, str, bytes]:
    headers = {"Accept": "application/fhir+json, application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = content_type
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def token(base: str, username: str) -> str:
    status, _, body = call(base, "/api/v1/auth/token", body={"username": username, "password": "demo"}, method="POST")
    if status != 200:
        raise SystemExit(f"sign-in of {username} answered {status}: {body[:200]!r}")
    return json.loads(body)["token"]


class Validator:
    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.errors: list[str] = []

    def parse(self, resource: dict, where: str) -> None:
        """Parses one resource with its R4 model; any exception is an error."""
        kind = resource.get("resourceType", "?") if isinstance(resource, dict) else "?"
        try:
            model = get_fhir_model_class(kind)
            model.parse_obj(resource)
            self.counts[kind] += 1
        except Exception as error:  # the models raise pydantic and KeyError alike
            self.errors.append(f"{where}: {kind} does not parse as FHIR R4: {error}")

    def bundle(self, bundle: dict, where: str) -> None:
        self.parse(bundle, where)
        entries = bundle.get("entry") or []
        urls = [e.get("fullUrl") for e in entries]
        if len(set(urls)) != len(urls):
            self.errors.append(f"{where}: fullUrls repeat")
        if bundle.get("type") != "collection":
            self.errors.append(f"{where}: the Bundle is of type {bundle.get('type')}, not collection")
        for i, entry in enumerate(entries):
            self.parse(entry.get("resource"), f"{where} entry[{i}]")
        for ref in re.findall(r'"reference":\s*"([^"]+)"', json.dumps(bundle)):
            if ref not in urls:
                self.errors.append(f"{where}: the reference {ref} resolves to no entry of the Bundle")


def participant(base: str, v: Validator) -> int:
    """The demo participant, whose drug tests her treatment service recorded, referred to that service: the
    service then records a consent for care coordination to itself and screens her, so her Bundle carries a named
    Patient, a Consent, a QuestionnaireResponse and drug-test Observations with their Specimens; the police
    exporting the same referral get none of the health data and no name. Returns the bundles exported."""
    officer, provider = token(base, "officer"), token(base, "provider")
    status, _, body = call(base, "/api/v1/persons?q=Marta%20Ribeiro", officer)
    people = json.loads(body).get("items", []) if status == 200 else []
    if not people:
        v.errors.append(f"the demo participant Marta Ribeiro was not found ({status})")
        return 0
    person_id = people[0]["id"]
    _, _, body = call(base, "/api/v1/referrals?side=received", provider)
    received = json.loads(body)["items"]
    if not received:
        v.errors.append("the provider has no referral, so its agency is unknown")
        return 0
    agency = received[0]["receivingAgencyId"]
    _, _, body = call(base, "/api/v1/services", officer)
    referral_id = None
    for service in (s for s in json.loads(body)["items"] if s["agencyId"] == agency):
        status, _, body = call(base, "/api/v1/referrals", officer, method="POST", body={
            "personId": person_id, "serviceId": service["id"], "reason": "Asked for treatment alongside her court programme."})
        if status == 201:
            referral_id = json.loads(body)["id"]
            break
    if referral_id is None:
        v.errors.append("the demo participant could not be referred to any service of the provider's agency")
        return 0
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    status, _, body = call(base, f"/api/v1/persons/{person_id}/consents", provider, method="POST", body={
        "recipientAgencyId": agency, "categories": ["assessment", "drug_test_results"], "purpose": "care_coordination",
        "validFrom": (now - datetime.timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
        "validUntil": (now + datetime.timedelta(days=90)).isoformat().replace("+00:00", "Z"), "method": "signed_paper"})
    if status != 201:
        v.errors.append(f"recording the care-coordination consent answered {status}: {body[:300]!r}")
    status, _, body = call(base, "/api/v1/screenings", provider, method="POST", body={
        "personId": person_id, "instrument": "assist",
        "answers": {"cannabis": {"q1": True, "q2": 4, "q3": 3, "q4": 2, "q5": 0, "q6": 1, "q7": 1}, "alcohol": {"q1": False}}})
    if status != 201:
        v.errors.append(f"the provider's screening answered {status}: {body[:300]!r}")
    exported = 0
    for username, bearer in [("provider", provider), ("officer", officer)]:
        status, _, body = call(base, f"/api/v1/fhir/ServiceRequest/{referral_id}", bearer)
        if status != 200:
            v.errors.append(f"{username}: the participant's bundle answered {status}")
            continue
        bundle = json.loads(body)
        v.bundle(bundle, f"{username} participant ServiceRequest/{referral_id}")
        exported += 1
        kinds = collections.Counter(e["resource"]["resourceType"] for e in bundle.get("entry", []))
        patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
        print(f"{username}: the participant's bundle has " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        if username == "provider":
            for kind in ["Consent", "QuestionnaireResponse", "Observation", "Specimen"]:
                if not kinds[kind]:
                    v.errors.append(f"the provider's bundle of the participant has no {kind}")
            if patient.get("name", [{}])[0].get("family") != "Ribeiro":
                v.errors.append("under the care-coordination consent the provider does not see the participant's name")
        else:
            if kinds["QuestionnaireResponse"] or kinds["Observation"] or kinds["Consent"] or "name" in patient:
                v.errors.append("the police see the participant's health data, her consents to others, or her name")
    return exported


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--per-user", type=int, default=12, help="referrals exported per user")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    print(f"fhir.resources {fhir.resources.__version__}, FHIR {fhir.resources.__fhir_version__}", flush=True)
    if fhir.resources.__fhir_version__ != "4.0.1":
        print("these are not the R4 (4.0.1) models; install Tests/fhir/requirements.txt")
        return 1
    v = Validator()
    bundles = 0
    for username, side in [("provider", "received"), ("officer", "sent")]:
        bearer = token(base, username)
        status, _, body = call(base, f"/api/v1/referrals?side={side}", bearer)
        if status != 200:
            v.errors.append(f"{username}: GET /api/v1/referrals answered {status}")
            continue
        items = json.loads(body)["items"]
        # A spread of statuses, so every Task status and business status is exported.
        by_status: dict[str, list[dict]] = collections.defaultdict(list)
        for item in items:
            by_status[item["status"]].append(item)
        chosen: list[dict] = []
        while len(chosen) < args.per_user and any(by_status.values()):
            for status_name in sorted(by_status):
                if by_status[status_name] and len(chosen) < args.per_user:
                    chosen.append(by_status[status_name].pop(0))
        print(f"{username}: {len(items)} referrals listed, exporting {len(chosen)} ({', '.join(sorted({c['status'] for c in chosen}))})")
        for referral in chosen:
            rid = referral["id"]
            where = f"{username} ServiceRequest/{rid}"
            status, content_type, body = call(base, f"/api/v1/fhir/ServiceRequest/{rid}", bearer)
            if status != 200 or not content_type.startswith("application/fhir+json"):
                v.errors.append(f"{where}: answered {status} {content_type}")
                continue
            bundle = json.loads(body)
            v.bundle(bundle, where)
            bundles += 1
            patient = next((e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == "Patient"), {})
            if username == "officer" and "name" in patient:
                v.errors.append(f"{where}: the police see the person's name")
            status, _, body = call(base, f"/api/v1/fhir/Task/{rid}", bearer)
            if status != 200:
                v.errors.append(f"{username} Task/{rid}: answered {status}")
                continue
            task = json.loads(body)
            v.parse(task, f"{username} Task/{rid}")
            if username == "provider":
                status, _, body = call(base, f"/api/v1/fhir/Task/{rid}", bearer, body=task, method="PUT", content_type="application/fhir+json")
                if status != 200:
                    v.errors.append(f"provider PUT Task/{rid} unchanged: answered {status}: {body[:300]!r}")
                else:
                    v.parse(json.loads(body), f"provider PUT Task/{rid}")
            status, _, body = call(base, f"/api/v1/fhir/HealthcareService/{referral['serviceId']}", bearer)
            if status != 200:
                v.errors.append(f"HealthcareService/{referral['serviceId']}: answered {status}")
            else:
                v.parse(json.loads(body), f"HealthcareService/{referral['serviceId']}")
    bundles += participant(base, v)
    for error in v.errors:
        print("error:", error)
    total = sum(v.counts.values())
    print(f"{bundles} bundles; {total} resources validated as FHIR R4: " + ", ".join(f"{k} {n}" for k, n in sorted(v.counts.items())))
    if bundles == 0:
        print("no bundle was exported")
        return 1
    return 1 if v.errors else 0


if __name__ == "__main__":
    sys.exit(main())
