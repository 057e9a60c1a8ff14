"""Browser test of electronic monitoring alerts, with Selenium and headless Chromium.

Through the API it registers a person (a new name each run), has a judge order electronic monitoring with a
curfew and an exclusion zone starting today, assigns a device as the supervision officer and posts a batch
of pings from inside the zone. Then, in the browser, the supervisor opens "Monitoring alerts" from the
navigation, finds the alert with the person's name, acknowledges it with a note, sees the note, and opens
the measure's monitoring page. Every page is checked for raw message keys and template syntax.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  build/venv/bin/python Tests/browser/monitoring.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any check
failed. Screenshots: monitoring-alerts.png, monitoring-acknowledged.png, monitoring-measure.png.
"""
import json
import string
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, PASSWORD, expect, run_suite, Smoke,
)
from selenium.webdriver.common.by import By  # noqa: E402

HOME = (38.7223, -9.1393)
MARKET = (38.7223, -9.1255)
MARKET_POLYGON = [[-9.1278, 38.7205], [-9.1232, 38.7205], [-9.1232, 38.7241], [-9.1278, 38.7241], [-9.1278, 38.7205]]
NOTE = "Phoned the person; on the way home."


def letters(number: int) -> str:
    """A number in base 26 with letters, for names that must be unique but look like names."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = string.ascii_lowercase[digit] + out
        if number == 0:
            return out


def iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Monitoring(Smoke):
    def __init__(self, driver, base, shots, wait_seconds, messages, report) -> None:
        super().__init__(driver, base, shots, wait_seconds, messages, report)
        self.family = "Monitored " + letters(int(time.time() * 10)).capitalize()
        self.device = f"browser-{int(time.time() * 1000)}"
        self.measure_id = ""
        self.alert_id = ""

    def api(self, method: str, path: str, token: str | None, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.wait_seconds * 3) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def token(self, username: str) -> str:
        status, answer = self.api("POST", "/api/v1/auth/token", None, {"username": username, "password": PASSWORD})
        expect(status == 200, f"signing in as {username} answered {status}")
        return answer["token"]

    # --- scenarios -----------------------------------------------------------------------------

    def set_up_through_the_api(self) -> str:
        officer, prosecutor, judge, supervisor = (self.token(u) for u in ("officer", "prosecutor", "judge", "supervisor"))
        status, person = self.api("POST", "/api/v1/persons", officer,
                                  {"givenName": "Rita", "familyName": self.family, "birthDate": "1991-03-04", "sex": "female"})
        expect(status == 201, f"registering the person answered {status}: {person}")
        status, case = self.api("POST", "/api/v1/cases", prosecutor, {"personId": person["id"]})
        expect(status == 201, f"opening the case answered {status}: {case}")
        today = datetime.now(timezone.utc).date()
        # The curfew starts three hours from now in Lisbon and lasts two, so the pings below fall outside it whenever
        # the suite runs and only the exclusion zone raises an alert.
        lisbon_hour = datetime.now(ZoneInfo("Europe/Lisbon")).hour
        curfew_start = f"{(lisbon_hour + 3) % 24:02d}:00"
        curfew_end = f"{(lisbon_hour + 5) % 24:02d}:00"
        self.curfew = (curfew_start, curfew_end)
        decision = {
            "stage": "sentencing",
            "measures": [{
                "type": "electronic_monitoring", "start": today.isoformat(), "plannedEnd": (today + timedelta(days=180)).isoformat(),
                "conditions": [
                    {"type": "curfew", "parameters": {
                        "place": "Home", "latitude": HOME[0], "longitude": HOME[1], "radiusMeters": 100, "start": curfew_start, "end": curfew_end,
                        "days": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], "timeZone": "Europe/Lisbon"}},
                    {"type": "exclusion_zone", "parameters": {"name": "Market", "geometry": {"type": "Polygon", "coordinates": [MARKET_POLYGON]}}},
                ],
            }],
            "proportionality": {"gravity": "Possession for personal use.", "circumstances": "Works, cares for a parent.",
                                "reasons": "Monitoring at home keeps the job."},
        }
        status, decided = self.api("POST", f"/api/v1/cases/{case['id']}/decisions", judge, decision)
        expect(status == 201, f"the decision answered {status}: {decided}")
        self.measure_id = decided["measures"][0]["id"]
        status, device = self.api("POST", "/api/v1/monitoring/devices", supervisor, {"deviceId": self.device, "measureId": self.measure_id})
        expect(status == 201, f"assigning the device answered {status}: {device}")
        # Pings from before the assignment are refused, so these follow it by a second or two.
        assigned = datetime.fromisoformat(device["assignedAt"].replace("Z", "+00:00"))
        pings = [{"deviceId": self.device, "time": iso(assigned + timedelta(seconds=s)), "lat": MARKET[0], "lon": MARKET[1], "accuracyMeters": 10}
                 for s in (1, 2)]
        pings.append({"deviceId": self.device, "time": iso(assigned + timedelta(seconds=3)), "lat": 91, "lon": MARKET[1], "accuracyMeters": 10})
        status, answer = self.api("POST", "/api/v1/monitoring/pings", supervisor, {"pings": pings})
        expect(status == 200, f"posting pings answered {status}: {answer}")
        expect(answer["accepted"] == 2 and [r["index"] for r in answer["rejected"]] == [2], f"unexpected batch answer {answer}")
        expect(answer["alertsOpened"] == 1, f"expected one alert opened, got {answer}")
        return f"{self.family}, device {self.device}, measure {self.measure_id}"

    def alerts_page(self) -> str:
        self.fresh()
        self.sign_in("supervisor", PASSWORD)
        link = self.find("nav a[href='/supervision/alerts']")
        expect(link.text.strip() == self.en.get("nav_alerts", "Monitoring alerts"), f"the nav link reads {link.text!r}")
        self.click_to_new_page("nav a[href='/supervision/alerts']")
        self.wait_path("/supervision/alerts")
        rows = [r for r in self.driver.find_elements(By.CSS_SELECTOR, "#open-alert-list tbody tr") if self.family in r.text]
        expect(len(rows) == 1, f"expected one open alert for {self.family}, found {len(rows)}")
        row = rows[0]
        expect(self.en["alert_code_entered_exclusion_zone"] in row.text and "Market" in row.text, f"the alert row reads {row.text!r}")
        self.alert_id = row.get_attribute("id").removeprefix("alert-")
        self.no_raw_keys()
        self.screenshot("monitoring-alerts.png", DESKTOP, False)
        return f"alert {self.alert_id}"

    def acknowledge(self) -> str:
        expect(self.alert_id != "", "no alert was found to acknowledge")
        note = self.visible(f"#note-{self.alert_id}")
        label = self.driver.find_element(By.CSS_SELECTOR, f"label[for='note-{self.alert_id}']")
        expect(label.text.strip() != "", "the note field has no label")
        note.send_keys(NOTE)
        self.click_to_new_page(f"#do-acknowledge-{self.alert_id}")
        self.wait_path("/supervision/alerts")
        notice = self.visible("#notice")
        expect(notice.text.strip() == self.en["alerts_notice_acknowledged"], f"the notice reads {notice.text!r}")
        row = self.find(f"#alert-{self.alert_id}")
        expect(NOTE in row.text, f"the acknowledged row reads {row.text!r}")
        expect(not self.driver.find_elements(By.CSS_SELECTOR, f"#acknowledge-{self.alert_id}"), "the acknowledge form is still shown")
        self.no_raw_keys()
        self.screenshot("monitoring-acknowledged.png", DESKTOP, False)
        return ""

    def measure_page(self) -> str:
        self.open(f"/measures/{self.measure_id}/monitoring")
        text = self.visible_text()
        expect(self.device in text, f"the device {self.device} is not on the measure's monitoring page")
        expect(f"{self.curfew[0]}–{self.curfew[1]}" in text and "Market" in text, "the curfew hours or the zone are missing")
        expect(NOTE in text, "the acknowledged alert is not listed")
        headings = [int(h.tag_name[1]) for h in self.driver.find_elements(By.CSS_SELECTOR, "h1, h2, h3, h4")]
        expect(headings and headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:])), f"headings skip levels: {headings}")
        self.no_raw_keys()
        self.screenshot("monitoring-measure.png", DESKTOP, False)
        return ""


def main() -> int:
    def body(test, report, browser) -> None:
        if not report.check("a judge orders monitoring, a device is assigned and pings from an exclusion zone open an alert",
                            test.set_up_through_the_api) or not browser():
            return
        report.check("the supervisor finds the alert on Monitoring alerts from the navigation", test.alerts_page)
        report.check("the supervisor acknowledges the alert with a note and sees it recorded", test.acknowledge)
        report.check("the measure's monitoring page shows the device, curfew, zone and alert", test.measure_page)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: Monitoring(None, *a), body, name="monitoring")

if __name__ == "__main__":
    sys.exit(main())
