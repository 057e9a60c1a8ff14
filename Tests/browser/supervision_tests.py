"""Browser test of random drug testing, with Selenium and headless Chromium.

Through the API it first sets the scene: the officer registers a new person (unique name each run,
preferred language Spanish), the judge opens a case and sentences to probation with drug testing
every day of the week, window 00:00 for 24 hours (so every day is a test day and the window is
open whatever the time), and the supervisor issues the person's call-in code. Then in the browser:
  1. the supervisor opens "Drug tests" from the navigation (/supervision/tests) and finds the person
     among today's test days, awaiting a result;
  2. opens the measure's tests page, sees the plan verified intact and today among this week's days,
     records a negative urine result with a chain-of-custody number, and sees it listed; recording
     the same day again is refused with the form's error;
  3. signed out, opens /call-in on a phone-sized screen (390x844), types the code and reads the
     answer in the person's language (Spanish): "Hoy es día de prueba: venga entre las 00:00 y las
     24:00."; an unknown code shows the error;
  4. every page loaded is checked for raw message keys, Leaf syntax, the error page and HTTP 5xx.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  build/venv/bin/python Tests/browser/supervision_tests.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any
check failed. Screenshots: supervision-tests.png, measure-tests.png, measure-tests-recorded.png,
measure-tests-conflict.png, call-in-mobile.png, call-in-answer-mobile.png, call-in-unknown-mobile.png.
"""
import re
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, MOBILE, PASSWORD, CheckFailed, expect, run_suite, Smoke,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


class SupervisionTests(Smoke):
    def __init__(self, driver, base, shots, wait_seconds, messages, report) -> None:
        super().__init__(driver, base, shots, wait_seconds, messages, report)
        self.es = messages.get("es", {})
        stamp = int(time.time() * 10) % 26 ** 6
        self.family = "Testwell" + "".join(chr(97 + (stamp // 26 ** i) % 26) for i in range(6))
        self.person = f"Lucía {self.family}"
        self.person_id: str | None = None
        self.measure_id: str | None = None
        self.code: str | None = None
        self.pages = 0
        self.page_problems: list[str] = []

    # --- helpers -------------------------------------------------------------------------------

    def token(self, username: str) -> str:
        return self.api("POST", "/api/v1/auth/token", body={"username": username, "password": PASSWORD})["token"]

    def wait_loaded(self) -> None:
        super().wait_loaded()
        self.pages += 1
        problems = []
        title = self.driver.title.split(" · ")[0].strip()
        if title == self.en.get("error_title", "Something is not right"):
            problems.append("the error page")
        elif not self.driver.find_elements(By.CSS_SELECTOR, "main#main"):
            problems.append("not a page of the application (no main#main)")
        try:
            self.no_raw_keys()
        except CheckFailed as error:
            problems.append(str(error))
        if problems:
            self.page_problems.append(f"{self.path()}: {'; '.join(problems)}")

    def text(self, css: str) -> str:
        return self.visible(css).text.strip()

    def set_value(self, css: str, value: str) -> None:
        element = self.find(css)
        self.driver.execute_script("arguments[0].value = arguments[1]", element, value)

    def shot(self, name: str, phone: bool = False) -> None:
        layout = self.screenshot(name, MOBILE if phone else DESKTOP, mobile=phone)
        if phone:
            expect(layout["scrollWidth"] <= layout["clientWidth"],
                   f"at 390 px {self.path()} is {layout['scrollWidth']} px wide (viewport {layout['clientWidth']} px)")

    def signed_in_as(self, username: str) -> None:
        self.fresh()
        self.sign_in(username, PASSWORD)
        self.wait_path("/home")

    # --- steps ---------------------------------------------------------------------------------

    def scene(self) -> str:
        officer, judge, supervisor = self.token("officer"), self.token("judge"), self.token("supervisor")
        person = self.api("POST", "/api/v1/persons", officer, {
            "givenName": "Lucía", "familyName": self.family, "birthDate": "1990-04-05", "sex": "female", "preferredLanguage": "es",
        })
        self.person_id = person["id"]
        opened = self.api("POST", "/api/v1/cases", judge, {"personId": self.person_id})
        today = datetime.now(timezone.utc).date()
        decided = self.api("POST", f"/api/v1/cases/{opened['id']}/decisions", judge, {
            "stage": "sentencing",
            "measures": [{
                "type": "probation", "start": str(today - timedelta(days=1)), "plannedEnd": str(today + timedelta(days=180)),
                "conditions": [{"type": "drug_testing", "parameters": {
                    "minimumPerWeek": 7, "windowHours": 24, "windowStart": "00:00", "specimen": "urine"}}],
            }],
            "proportionality": {"gravity": "Possession of 20 g cannabis, no violence.", "circumstances": "First contact, works.",
                                "reasons": "Supervision with testing is proportionate."},
        })
        self.measure_id = decided["measures"][0]["id"]
        plan = self.api("GET", f"/api/v1/measures/{self.measure_id}/testing-plan", supervisor)
        expect(plan["verification"]["status"] == "intact", f"the new plan verifies as {plan['verification']['status']}")
        self.code = self.api("POST", f"/api/v1/persons/{self.person_id}/call-in-code", supervisor)["code"]
        expect(re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", self.code or "") is not None, f"the call-in code {self.code!r} is malformed")
        return f"{self.person}, measure {self.measure_id}"

    def worklist(self) -> str:
        self.signed_in_as("supervisor")
        self.click_to_new_page('nav a[href="/supervision/tests"]')
        self.wait_path("/supervision/tests")
        expect(self.text("h1") == self.en["tests_today_title"], f"the heading reads {self.text('h1')!r}")
        rows = [r for r in self.driver.find_elements(By.CSS_SELECTOR, "#today-list tbody tr") if self.person in r.text]
        expect(len(rows) == 1, f"{self.person} is listed {len(rows)} times among today's tests")
        expect("00:00–24:00" in rows[0].text, f"the window reads {rows[0].text!r}")
        expect(self.en["tests_awaiting"] in rows[0].text, f"the result so far reads {rows[0].text!r}")
        self.visible("#missed")
        self.shot("supervision-tests.png")
        listed = len(self.driver.find_elements(By.CSS_SELECTOR, "#today-list tbody tr"))
        rows[0].find_element(By.CSS_SELECTOR, "a").click()
        self.wait_path(f"/measures/{self.measure_id}/tests")
        self.wait_loaded()
        return f"{listed} test(s) today"

    def record(self) -> str:
        if self.path() != f"/measures/{self.measure_id}/tests":
            self.open(f"/measures/{self.measure_id}/tests")
        expect(self.text("#plan-verification") == self.en["tests_plan_intact"], f"the plan check reads {self.text('#plan-verification')!r}")
        today = self.find("#testDay").get_attribute("value")
        days = [e.get_attribute("datetime") for e in self.driver.find_elements(By.CSS_SELECTOR, "#this-week-days time")]
        expect(today in days, f"today {today} is not among this week's days {days}")
        self.shot("measure-tests.png")
        Select(self.find("#outcome")).select_by_value("negative")
        Select(self.find("#specimen")).select_by_value("urine")
        custody = f"COC-{int(time.time())}"
        field = self.visible("#chainOfCustody")
        field.clear()
        field.send_keys(custody)
        # The collection time is prefilled with now in the plan's time zone; a minute earlier is safely past.
        collected = self.find("#collectedAt").get_attribute("value")
        expect(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", collected or "") is not None, f"#collectedAt is {collected!r}")
        self.click_to_new_page("#record-result")
        if self.driver.find_elements(By.ID, "form-errors"):
            raise CheckFailed(f"the result was refused: {self.text('#form-errors')!r}")
        expect(self.text("#notice") == self.en["tests_notice_recorded"], f"#notice reads {self.text('#notice')!r}")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#result-list tbody tr")
        expect(any(custody in r.text and self.en["tests_outcome_negative"] in r.text for r in rows), "the result is not listed")
        self.shot("measure-tests-recorded.png")
        field = self.visible("#chainOfCustody")
        field.clear()
        field.send_keys(custody + "-B")
        self.click_to_new_page("#record-result")
        expect("already has a result" in self.text("#form-errors"), f"a second result reads {self.text('#form-errors')!r}")
        self.shot("measure-tests-conflict.png")
        return f"{custody} on {today}"

    def call_in(self) -> str:
        self.fresh()
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": MOBILE[0], "height": MOBILE[1], "deviceScaleFactor": 1, "mobile": True})
        self.open("/call-in")
        expect(not self.driver.find_elements(By.ID, "sign-out"), "the call-in page shows a signed-in user")
        expect(self.text("h1") == self.en["call_in_title"], f"the heading reads {self.text('h1')!r}")
        self.shot("call-in-mobile.png", phone=True)
        code = self.visible("#code")
        code.clear()
        code.send_keys(f"{self.code[:5].lower()}-{self.code[5:].lower()}")
        self.click_to_new_page("#call-in-submit")
        expected = self.es["call_in_test_today"].replace("{start}", "00:00").replace("{end}", "24:00")
        answer = self.text("#call-in-verdict")
        expect(answer == expected, f"the answer reads {answer!r}, expected {expected!r}")
        expect(self.find("#call-in-answer").get_attribute("lang") == "es", "the answer is not marked lang=es")
        self.shot("call-in-answer-mobile.png", phone=True)
        code = self.visible("#code")
        code.clear()
        code.send_keys("AAAAA-BBBBB")
        self.click_to_new_page("#call-in-submit")
        expect(self.text("#call-in-error") == self.en["call_in_unknown"], f"an unknown code reads {self.text('#call-in-error')!r}")
        self.shot("call-in-unknown-mobile.png", phone=True)
        return answer

    def every_page(self) -> str:
        expect(not self.page_problems, " || ".join(self.page_problems))
        return f"{self.pages} page loads"


def main() -> int:
    def body(test, report, browser) -> None:
        if "en" not in test.messages or "es" not in test.messages:
            report.fail("read the messages", "en.json or es.json is missing")
            return
        if not report.check("a judge orders daily drug testing and the supervisor issues a call-in code (API)", test.scene) or not browser():
            return
        if report.check("the supervisor finds today's test for the person on /supervision/tests", test.worklist):
            report.check("the measure's tests page shows the intact plan and records a result once", test.record)
        report.check("/call-in without sign-in answers in the person's language on a phone", test.call_in)
        report.check("every page visited: no raw message keys, template syntax or error page", test.every_page)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: SupervisionTests(None, *a), body, name="supervision")

if __name__ == "__main__":
    sys.exit(main())
