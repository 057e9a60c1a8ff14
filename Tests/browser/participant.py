"""Browser test of the participant's own page (/me), with Selenium and headless Chromium.

The demo participant (Marta Ribeiro, seeded by `serve --demo` with a month of supervision on record) needs her
personal code. `serve --demo` prints one; set DIVERSION_PARTICIPANT_CODE to use it. Otherwise, as any run can:
  1. the supervision officer signs in, opens her person page, follows "Personal code" and issues a new one,
     reading it off the printable slip (which replaces the printed code);
then, signed out, on a phone-sized screen (360x740):
  2. /me without a session sends to the code form; an unknown code shows the friendly error;
  3. her code opens her page: today and tomorrow (a test day names the place), what is coming up (her intake
     appointment and the measure's end), her conditions with progress, and who has seen her data;
  4. the page fits 360 px, has no raw message keys, and switches to Arabic right to left from the footer;
  5. "Close my page" ends the session, and /me asks for the code again.
Every page loaded is checked for raw message keys, Leaf syntax and the error page.

Usage:
  build/venv/bin/python Tests/browser/participant.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any check failed.
Screenshots: participant-code-slip.png, participant-sign-in-mobile.png, participant-unknown-mobile.png,
participant-mobile.png, participant-ar-mobile.png, participant-signed-out-mobile.png.
"""
import os
import re
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, PASSWORD, CheckFailed, expect, run_suite, Smoke,
)
from selenium.webdriver.common.by import By  # noqa: E402

PHONE = (360, 740)
PARTICIPANT = "Marta Ribeiro"
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$")


class ParticipantTest(Smoke):
    def __init__(self, driver, base, shots, wait_seconds, messages, report) -> None:
        super().__init__(driver, base, shots, wait_seconds, messages, report)
        self.ar = messages.get("ar", {})
        self.code: str | None = os.environ.get("DIVERSION_PARTICIPANT_CODE") or None
        self.person_id: str | None = None
        self.pages = 0
        self.page_problems: list[str] = []

    # --- helpers -------------------------------------------------------------------------------

    def wait_loaded(self) -> None:
        super().wait_loaded()
        self.pages += 1
        problems = []
        title = self.driver.title.split(" · ")[0].strip()
        if title in {m.get("error_title") for m in self.messages.values()}:
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

    def phone(self) -> None:
        """A 360x740 phone screen; a screenshot resets it, so each step sets it again."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})

    def shot(self, name: str, phone: bool = True) -> None:
        layout = self.screenshot(name, PHONE if phone else DESKTOP, mobile=phone)
        if phone:
            expect(layout["scrollWidth"] <= layout["clientWidth"],
                   f"at {PHONE[0]} px {self.path()} is {layout['scrollWidth']} px wide (viewport {layout['clientWidth']} px)")
            self.phone()

    def type_code(self, code: str) -> None:
        field = self.visible("#code")
        field.clear()
        field.send_keys(code)
        self.click_to_new_page("#me-sign-in")

    # --- steps ---------------------------------------------------------------------------------

    def issue(self) -> str:
        judge = self.api("POST", "/api/v1/auth/token", body={"username": "judge", "password": PASSWORD})["token"]
        found = self.api("GET", "/api/v1/persons?" + urllib.parse.urlencode({"q": PARTICIPANT}), judge)["items"]
        expect(found, f"the demo participant {PARTICIPANT} is not on record (serve --demo seeds her)")
        self.person_id = found[0]["id"]
        if self.code:
            expect(CODE.match(self.code) is not None, f"DIVERSION_PARTICIPANT_CODE {self.code!r} is not a personal code")
            return "the code printed by serve --demo"
        self.fresh()
        self.sign_in("supervisor", PASSWORD)
        self.wait_path("/home")
        self.open(f"/people/{self.person_id}")
        self.click_to_new_page("#access-code-link")
        self.wait_path(f"/people/{self.person_id}/access-code")
        self.click_to_new_page("#me-code-issue")
        code = self.text("#me-code")
        expect(CODE.match(code) is not None, f"the slip shows {code!r}, not a personal code")
        expect(self.text("#me-slip h2") == self.en["me_slip_title"], "the slip's heading is not in her language's fallback (English)")
        self.shot("participant-code-slip.png", phone=False)
        self.code = code
        self.click_to_new_page("#sign-out")
        return "issued on the staff page"

    def sign_in_page(self) -> str:
        self.fresh()
        self.phone()
        self.open("/me")
        self.wait_path("/me/sign-in")
        expect(self.text("h1") == self.en["me_sign_in_title"], f"the heading reads {self.text('h1')!r}")
        expect(not self.driver.find_elements(By.ID, "sign-out"), "the code form shows a signed-in staff user")
        self.shot("participant-sign-in-mobile.png")
        self.type_code("ABCD-EFGH-2345-6789")
        expect(self.text("#me-error") == self.en["me_unknown"], f"an unknown code reads {self.text('#me-error')!r}")
        self.shot("participant-unknown-mobile.png")
        return "unknown code refused kindly"

    def page(self) -> str:
        self.phone()
        if self.path() != "/me/sign-in":
            self.open("/me/sign-in")
        self.type_code(self.code.lower())
        self.wait_path("/me")
        expect(self.text("h1") == f"{self.en['me_hello']}: Marta", f"the heading reads {self.text('h1')!r}")
        # Today and tomorrow: the call-in's own answers, with the place on a test day.
        today = self.text("#me-day-today .verdict")
        test_today = self.en["call_in_test_today"].split(":")[0]
        expect(today.startswith(test_today) or today == self.en["call_in_free_today"], f"today reads {today!r}")
        if today.startswith(test_today):
            expect("R1 Outpatient Clinic" in self.text("#me-day-today .me-place"), "a test day does not name the clinic")
        tomorrow = self.text("#me-day-tomorrow .verdict")
        expect(tomorrow.startswith(self.en["call_in_test_tomorrow"].split(":")[0]) or tomorrow == self.en["call_in_free_tomorrow"],
               f"tomorrow reads {tomorrow!r}")
        coming = self.text("#me-coming")
        intake = self.en["me_coming_intake"].replace("{service}", "R1 Women's Recovery Service")
        expect(intake in coming, f"the intake appointment is missing from {coming!r}")
        expect(self.en["me_coming_end"].replace("{measure}", self.en["measure_treatment_court"]) in coming, "the measure's planned end is missing")
        conditions = self.text("#me-conditions")
        for key in ["condition_drug_testing", "condition_attend_treatment", "condition_community_service", "condition_payment",
                    "condition_curfew", "me_tests_taken", "me_hours_done", "me_paid"]:
            expect(self.en[key] in conditions, f"{self.en[key]!r} is missing from the conditions")
        expect("cannabis" not in self.visible_text().lower(), "a substance from a test result is shown")
        disclosures = self.driver.find_elements(By.CSS_SELECTOR, "#me-disclosure-list li")
        expect(disclosures, "the month's disclosures to supervision and the court are not listed")
        expect(self.en["category_drug_test_results"] in self.text("#me-disclosures"), "no disclosure names drug test results")
        self.shot("participant-mobile.png")
        return f"{len(disclosures)} disclosure(s); today: {today}"

    def arabic(self) -> str:
        self.phone()
        self.click_to_new_page('footer a[hreflang="ar"]')
        self.wait_path("/me")
        html = self.find("html")
        expect(html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl",
               f"<html lang={html.get_attribute('lang')} dir={html.get_attribute('dir')}>")
        expect(self.text("#me-today-title") == self.ar["me_today_title"], f"the first section reads {self.text('#me-today-title')!r}")
        self.shot("participant-ar-mobile.png")
        self.click_to_new_page('footer a[hreflang="en"]')
        self.wait_path("/me")
        return "dir=rtl"

    def sign_out(self) -> str:
        self.phone()
        self.click_to_new_page("#me-sign-out")
        self.wait_path("/me/sign-in")
        expect(self.text("#me-notice") == self.en["me_signed_out"], f"the notice reads {self.text('#me-notice')!r}")
        self.shot("participant-signed-out-mobile.png")
        self.open("/me")
        self.wait_path("/me/sign-in")
        return "the page asks for the code again"

    def every_page(self) -> str:
        expect(not self.page_problems, " || ".join(self.page_problems))
        return f"{self.pages} page loads"


def main() -> int:
    def body(test, report, browser) -> None:
        if not browser():
            return
        if not report.check("the supervision officer issues the demo participant's personal code on her page", test.issue):
            return
        report.check("/me without a session asks for the code; an unknown code is refused kindly (360 px)", test.sign_in_page)
        if report.check("her code opens today, what is coming, her conditions and who saw her data (360 px)", test.page):
            report.check("the footer switches the page to Arabic, right to left", test.arabic)
            report.check("closing the page ends the session", test.sign_out)
        report.check("every page visited: no raw message keys, template syntax or error page", test.every_page)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: ParticipantTest(None, *a), body, name="participant")


if __name__ == "__main__":
    sys.exit(main())
