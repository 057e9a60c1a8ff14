"""Browser test of the court's side and of a participant's month, with Selenium and headless Chromium.

1. The judge opens a case from a newly registered person's page, records a sentencing decision
   through the form (probation with random drug testing, community-service hours and a curfew),
   and reaches the measure's page.
2. The demo participant (Marta Ribeiro, seeded by `serve --demo` with a month of supervision on
   record) is followed on her measure page: tests, hours, payment, the curfew alert and the
   responses show in "progress at a glance". The supervisor records today's hours in the browser,
   asks for suggestions for a run of negative tests and records the first one, then files a breach.
3. The judge finds the breach in the worklist and decides to continue; opens the printable
   progress report (tests scheduled, negative, missed; hours; responses); records the outcome
   "completed"; and reads the person's timeline, where contacts, decisions, tests, responses,
   alerts, the breach and the outcome are in order.
Every page loaded is checked for raw message keys, template syntax and the error page.

Usage:
  build/venv/bin/python Tests/browser/court.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
"""
import sys
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    expect, run_suite,
)
from supervision_tests import SupervisionTests  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


class CourtTests(SupervisionTests):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.participant_measure: str | None = None
        self.participant_person: str | None = None

    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        if element.get_attribute("type") in ("date", "time"):
            self.set_value(css, value)
        else:
            element.clear()
            element.send_keys(value)

    def tick(self, css: str) -> None:
        box = self.find(css)
        if not box.is_selected():
            self.driver.execute_script("arguments[0].click()", box)

    def submit(self, css: str) -> None:
        self.click_to_new_page(css)

    # --- 1. a decision through the form ----------------------------------------------------------

    def decision(self) -> str:
        officer = self.token("officer")
        person = self.api("POST", "/api/v1/persons", officer, {
            "givenName": "Rui", "familyName": self.family, "birthDate": "1988-07-09", "sex": "male",
        })
        self.person_id = person["id"]
        self.signed_in_as("judge")
        self.open(f"/people/{self.person_id}")
        self.submit("#open-case")
        expect(self.path().startswith("/cases/"), f"opening a case led to {self.path()}")
        self.shot("case-new.png")
        Select(self.find("#stage")).select_by_value("sentencing")
        Select(self.find("#measures-0-type")).select_by_value("probation")
        today = date.today()
        self.fill("#measures-0-start", today.isoformat())
        self.fill("#measures-0-plannedEnd", (today + timedelta(days=180)).isoformat())
        self.tick("#withTesting")
        self.tick("#withHours")
        self.fill("#hours", "40")
        self.fill("#hoursDeadline", (today + timedelta(days=90)).isoformat())
        self.tick("#withCurfew")
        self.fill("#curfewPlace", "Home")
        self.fill("#curfewLatitude", "38.72")
        self.fill("#curfewLongitude", "-9.14")
        self.fill("#proportionality-gravity", "Possession of 20 g of cannabis herb for personal use.")
        self.fill("#proportionality-circumstances", "Unemployed for six months; lives with his partner.")
        self.fill("#proportionality-reasons", "Supervision, testing and hours address the cause at a proportionate cost.")
        self.submit("#record-decision")
        expect(self.text("#notice") == self.en["notice_decision_recorded"], f"the notice reads {self.text('#notice')!r}")
        links = self.driver.find_elements(By.CSS_SELECTOR, "#measures a")
        expect(len(links) == 1, f"{len(links)} measure links after the decision")
        self.shot("case-decided.png")
        links[0].click()
        self.wait_loaded()
        conditions = self.text("#conditions")
        for key in ("condition_drug_testing", "condition_community_service", "condition_curfew"):
            expect(self.en[key] in conditions, f"the measure page does not list {self.en[key]!r}")
        return self.path()

    # --- 2. the participant's month ----------------------------------------------------------------

    def participant(self) -> str:
        judge = self.token("judge")
        found = self.api("GET", "/api/v1/persons?" + urllib.parse.urlencode({"q": "Marta Ribeiro"}), judge)
        expect(found["items"], "the demo participant Marta Ribeiro is not on record (serve --demo seeds her)")
        self.participant_person = found["items"][0]["id"]
        measures = self.api("GET", f"/api/v1/measures?personId={self.participant_person}", judge)["items"]
        active = [m for m in measures if m["status"] == "active"] or measures
        expect(active, "the participant has no measure")
        self.participant_measure = active[0]["id"]
        report = self.api("GET", f"/api/v1/measures/{self.participant_measure}/report", judge)
        expect(report["tests"]["scheduled"] >= 6, f"only {report['tests']['scheduled']} tests scheduled in her month")
        expect(report["tests"]["positive"] >= 1 and report["tests"]["missed"] >= 1, f"tests: {report['tests']}")
        expect(report["alerts"]["byCode"].get("left_home_during_curfew", 0) >= 1, f"alerts: {report['alerts']}")
        expect(report["responses"]["items"], "no responses on record")
        self.signed_in_as("supervisor")
        self.open(f"/measures/{self.participant_measure}")
        glance = self.text("#glance")
        expect(self.en["report_tests"] in glance and self.en["condition_community_service"] in glance, f"the glance reads {glance!r}")
        self.shot("participant-measure.png")
        return f"{report['tests']['scheduled']} tests, {report['alerts']['opened']} alerts, {len(report['responses']['items'])} responses"

    def supervision(self) -> str:
        self.signed_in_as("supervisor")
        self.open(f"/measures/{self.participant_measure}/compliance")
        before = self.text("#hours-done")
        self.fill("#community_service-date", date.today().isoformat())
        self.fill("#community_service-hours", "3")
        self.fill("#community_service-site", "Community food bank")
        self.fill("#community_service-verifiedBy", "A. Lopes")
        self.submit("#record-community_service")
        after = self.text("#hours-done")
        expect(after != before, f"hours done stayed {before!r}")
        self.open(f"/measures/{self.participant_measure}/responses")
        Select(self.find("#behaviour-select")).select_by_value("negative_test_run")
        self.submit("#suggest")
        options = self.driver.find_elements(By.CSS_SELECTOR, "#suggestions input[type=radio]")
        expect(options, "no suggestion offered for a run of negative tests")
        self.driver.execute_script("arguments[0].click()", options[0])
        self.fill("#why", "Five negative tests since the review.")
        self.submit("#record-response")
        expect(self.driver.find_elements(By.CSS_SELECTOR, "#notice"), "no notice after recording the response")
        self.open(f"/measures/{self.participant_measure}")
        self.tick("#behaviour-curfew_violation")
        self.fill("#breach-description", "Out after the curfew on two evenings this week despite the earlier warning.")
        self.submit("#file-breach")
        expect(self.text("#notice") == self.en["notice_breach_filed"], f"the notice reads {self.text('#notice')!r}")
        return f"hours {before} → {after}"

    # --- 3. the court closes the loop ----------------------------------------------------------------

    def court(self) -> str:
        self.signed_in_as("judge")
        self.open("/court/breaches")
        sections = [s for s in self.driver.find_elements(By.CSS_SELECTOR, "section[id^=breach-]")
                    if f"/measures/{self.participant_measure}" in s.get_attribute("innerHTML")]
        expect(sections, "the breach is not in the court's worklist")
        breach = sections[0].get_attribute("id").removeprefix("breach-")
        self.shot("breach-worklist.png")
        Select(self.find(f"#action-{breach}")).select_by_value("continue")
        self.fill(f"#reason-{breach}", "Warned in court; the curfew stays as ordered.")
        self.submit(f"#decide-{breach}")
        expect(self.text("#notice") == self.en["notice_breach_decided"], f"the notice reads {self.text('#notice')!r}")
        self.open(f"/measures/{self.participant_measure}/report")
        negative = int(self.text("#report-negative"))
        missed = int(self.text("#report-missed"))
        expect(negative >= 5 and missed >= 1, f"the report shows {negative} negative and {missed} missed")
        self.shot("progress-report.png")
        self.open(f"/measures/{self.participant_measure}")
        Select(self.find("#outcome")).select_by_value("completed")
        self.fill("#outcome-note", "Completed the programme with the court's agreement.")
        self.submit("#record-outcome")
        expect(self.text("#measure-status") == self.en["measure_status_completed"], f"the status reads {self.text('#measure-status')!r}")
        self.open(f"/people/{self.participant_person}/timeline")
        kinds = {e.get_attribute("class") for e in self.driver.find_elements(By.CSS_SELECTOR, "#timeline li")}
        wanted = {"timeline-contact", "timeline-decision", "timeline-test", "timeline-response", "timeline-alert", "timeline-breach", "timeline-outcome"}
        expect(wanted <= kinds, f"the timeline lacks {sorted(wanted - kinds)}")
        self.shot("timeline.png")
        return f"{negative} negative, {missed} missed; outcome recorded"


def main() -> int:
    def body(test, report, browser) -> None:
        if not browser():
            return
        report.check("a judge opens a case and records a decision through the form", test.decision)
        if report.check("the demo participant's month is on record and shows at a glance", test.participant):
            if report.check("the supervisor records hours, a response and a breach in the browser", test.supervision):
                report.check("the court decides the breach, prints the report and records the outcome", test.court)
        report.check("every page visited: no raw message keys, template syntax or error page", test.every_page)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: CourtTests(None, *a), body, name="court", total_timeout=240)

if __name__ == "__main__":
    sys.exit(main())
