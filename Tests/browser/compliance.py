"""Browser test of compliance and graduated responses, with Selenium and headless Chromium.

Setup through the API (a new, uniquely named person each run): the officer registers the person, the
judge opens a case and orders a treatment court started 60 days ago with 60 hours of community service
due in 120 days and 300 EUR in 3 instalments. Then, in the browser, the supervision officer:
  1. opens /measures/{id}/compliance, sees the hours overdue (behind pace) and records 4.5 hours and a
     payment of 100 EUR through the page's forms; the progress shows 4.5 hours done and 100 EUR paid;
  2. opens /measures/{id}/responses, asks for suggestions for a missed test, sees the suggestions with
     reasons (the first one chosen), records it with a why, and finds it in the list with the ratio;
  3. opens the response matrix from the navigation (/supervision/responses: behaviours × phases);
  4. opens the overdue worklist from the navigation (/supervision/overdue) and finds the measure.
Every page is checked for raw message keys and Leaf syntax.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  build/venv/bin/python Tests/browser/compliance.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any check
failed. Screenshots (full page): compliance.png, compliance-recorded.png, responses-suggested.png,
responses-recorded.png, response-matrix.png, overdue.png.
"""
import json
import sys
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, PASSWORD, CheckFailed, expect, run_suite, Smoke,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


class Compliance(Smoke):
    """The supervision scenarios; the helpers (waits, sign-in, screenshots, raw keys) come from Smoke."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.measure_id = ""

    # --- API setup -----------------------------------------------------------------------------

    def api(self, method: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=self.wait_seconds * 3) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise CheckFailed(f"{method} {path} answered {error.code}: {error.read()[:300]!r}") from None

    def token(self, username: str) -> str:
        return self.api("POST", "/api/v1/auth/token", body={"username": username, "password": PASSWORD})["token"]

    def setup_measure(self) -> str:
        today = date.today()
        stamp = int(time.time() * 1000) % 10**9
        officer = self.token("officer")
        person = self.api("POST", "/api/v1/persons", officer, {
            "givenName": "Marta", "familyName": f"Compliance{stamp}", "birthDate": "1988-03-04", "sex": "female",
        })
        judge = self.token("judge")
        opened = self.api("POST", "/api/v1/cases", judge, {"personId": person["id"]})
        start = today - timedelta(days=60)
        decided = self.api("POST", f"/api/v1/cases/{opened['id']}/decisions", judge, {
            "stage": "sentencing",
            "measures": [{
                "type": "treatment_court", "start": start.isoformat(), "plannedEnd": (today + timedelta(days=300)).isoformat(),
                "conditions": [
                    {"type": "community_service", "parameters": {"hours": 60, "deadline": (start + timedelta(days=180)).isoformat()}},
                    {"type": "payment", "parameters": {"amount": 300, "currency": "EUR", "instalments": 3}},
                    {"type": "attend_treatment", "parameters": {"sessionsPerWeek": 1}},
                ],
            }],
            "proportionality": {
                "gravity": "Possession of 8 g cocaine for personal use, no violence.",
                "circumstances": "Works nights, supports a parent; second contact in a year.",
                "reasons": "A treatment court addresses the cause; hours and payments in instalments keep the job.",
            },
        })
        self.measure_id = decided["measures"][0]["id"]
        return f"measure {self.measure_id}"

    # --- helpers -------------------------------------------------------------------------------

    def type_into(self, css: str, value: str) -> None:
        field = self.visible(css)
        field.clear()
        field.send_keys(value)

    def text(self, css: str) -> str:
        return self.find(css).text.strip()

    # --- scenarios -----------------------------------------------------------------------------

    def compliance_page(self) -> str:
        self.fresh()
        self.sign_in("supervisor", PASSWORD)
        self.open(f"/measures/{self.measure_id}/compliance")
        expect(self.driver.find_elements(By.CSS_SELECTOR, "#hours-overdue"), "the hours are not shown as overdue")
        expect(self.text("#hours-done") == "0", f"hours done shows {self.text('#hours-done')!r}, not 0")
        self.no_raw_keys()
        self.screenshot("compliance.png", DESKTOP, mobile=False)
        return self.text("#hours-overdue")

    def record_hours(self) -> str:
        self.type_into("#community_service-hours", "4.5")
        self.type_into("#community_service-site", "Community garden")
        self.type_into("#community_service-verifiedBy", "J. Neves")
        self.click_to_new_page("#record-community_service")
        self.find("#notice")
        done = self.text("#hours-done")
        expect(done == "4.5", f"hours done shows {done!r}, not 4.5")
        expect(self.driver.find_elements(By.CSS_SELECTOR, "#entry-list .entry-community_service"), "the hours are not in the entries")
        return f"{done} hours done"

    def record_payment(self) -> str:
        self.type_into("#payment-amount", "100")
        expect(self.find("#payment-currency").get_attribute("value") == "EUR", "the currency is not prefilled with EUR")
        self.click_to_new_page("#record-payment")
        self.find("#notice")
        paid = self.text("#payment-paid")
        expect(paid == "100", f"paid shows {paid!r}, not 100")
        self.no_raw_keys()
        self.screenshot("compliance-recorded.png", DESKTOP, mobile=False)
        return f"{paid} EUR paid, balance {self.text('#payment-balance')}"

    def suggest_response(self) -> str:
        self.click_to_new_page("#responses-link")
        self.wait_path(f"/measures/{self.measure_id}/responses")
        Select(self.visible("#behaviour-select")).select_by_value("missed_test")
        self.click_to_new_page("#suggest")
        reasons = [e.text.strip() for e in self.driver.find_elements(By.CSS_SELECTOR, "#suggestions .reason")]
        expect(reasons and all(reasons), "no suggestion with a reason was shown")
        checked = self.driver.find_elements(By.CSS_SELECTOR, "#suggestions input[name=option]:checked")
        expect(len(checked) == 1, "no suggestion is chosen by default")
        expect(reasons[0].startswith("First missed test"), f"the first reason reads {reasons[0]!r}")
        self.no_raw_keys()
        self.screenshot("responses-suggested.png", DESKTOP, mobile=False)
        return reasons[0]

    def record_response(self) -> str:
        self.type_into("#why", "First missed test; the bus strike that morning is confirmed.")
        self.click_to_new_page("#record-response")
        self.find("#notice")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#response-list tbody tr")
        expect(len(rows) == 1, f"{len(rows)} responses listed, not 1")
        expect("bus strike" in rows[0].text, "the why is not shown in the list")
        ratio = self.text("#ratio-person")
        expect(self.driver.find_elements(By.CSS_SELECTOR, "#ratio-person-below"), "a lone sanction is not flagged below the aim")
        self.no_raw_keys()
        self.screenshot("responses-recorded.png", DESKTOP, mobile=False)
        return ratio

    def matrix_page(self) -> str:
        self.click_to_new_page('nav a[href="/supervision/responses"]')
        self.wait_path("/supervision/responses")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#matrix-table tbody tr")
        phases = self.driver.find_elements(By.CSS_SELECTOR, "#matrix-table thead th")
        expect(len(rows) >= 14, f"the matrix has {len(rows)} behaviours")
        expect(len(phases) >= 2, "the matrix has no phase columns")
        cell = self.text("#rule-positive_test td")
        expect("Clinical reassessment" in cell, f"phase 1 positive test reads {cell!r}")
        self.no_raw_keys()
        self.screenshot("response-matrix.png", DESKTOP, mobile=False)
        return f"{len(rows)} behaviours × {len(phases) - 1} phases"

    def overdue_page(self) -> str:
        self.click_to_new_page('nav a[href="/supervision/overdue"]')
        self.wait_path("/supervision/overdue")
        row = self.find(f"#overdue-{self.measure_id}")
        expect("4.5 / 60" in row.text, f"the overdue row reads {row.text!r}")
        self.no_raw_keys()
        self.screenshot("overdue.png", DESKTOP, mobile=False)
        return self.text("#overdue-count")


def main() -> int:
    def body(flow, report, browser) -> None:
        if not report.check("setup: a person, a case and a treatment court with hours and payments", flow.setup_measure) or not browser():
            return
        steps = [
            ("the supervisor opens the compliance page and sees the hours behind pace; compliance.png", flow.compliance_page),
            ("4.5 hours recorded through the form show as done", flow.record_hours),
            ("a payment of 100 EUR recorded through the form shows as paid; compliance-recorded.png", flow.record_payment),
            ("a missed test gets suggestions with reasons, the first chosen; responses-suggested.png", flow.suggest_response),
            ("the suggested response is recorded with a why and listed with the ratio flagged; responses-recorded.png", flow.record_response),
            ("the response matrix shows behaviours by phase; response-matrix.png", flow.matrix_page),
            ("the overdue worklist lists the measure; overdue.png", flow.overdue_page),
        ]
        for name, step in steps:
            if not report.check(name, step):
                break

    return run_suite(__doc__.split("\n\n")[0], lambda *a: Compliance(None, *a), body, name="compliance", total_timeout=240)

if __name__ == "__main__":
    sys.exit(main())
