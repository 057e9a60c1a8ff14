"""Browser test of the arrest-to-referral pathway, with Selenium and headless Chromium.

It walks the pathway as the demo users would:
  1. the officer, on a phone-sized screen (390x844), records a contact for a person registered
     inline (a new, unique name each run) with 12.5 g of cannabis herb, sees "eligible" with its
     reasons, screens with the WHO ASSIST, records "divert" and refers to an R1 health service run
     by the demo provider's agency; the wall-clock time of this flow is printed;
  2. a second contact with 40 g (a person found by search) is not eligible; the decision form
     refuses "divert", asks for a reason for "no further action", then records it;
  3. the provider finds the referral in the inbox, accepts it with a clinical note, schedules the
     intake, marks it attended and engaged; the officer then sees "Engaged in treatment" without
     the note, and finds the referral under "My referrals";
  4. the provider changes a service's waiting time on the Capacity page; -3 is refused;
  5. the administrator checks a broken policy (problems with line:column), activates the demo
     policy under a new version, lists the service directory and adds a service (first without a
     name);
  6. with JavaScript disabled in Chromium the officer records a contact, a decision and a referral;
  7. every page loaded is checked for raw message keys, Leaf syntax, the error page and HTTP 5xx.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  python3 Tests/browser/pathway.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any
check failed. The person, service and policy version it creates are named anew each run and the
waiting time it saves alternates between 4 and 5 days, so it may run again and again against the
same server. Screenshots (full page): contact-new-mobile.png,
contact-result-mobile.png, screening-mobile.png, contact-decided-mobile.png, referral-mobile.png,
contact-not-eligible.png, decision-errors.png, referral-inbox.png, referral-provider.png,
referral-officer.png, my-referrals.png, capacity.png, capacity-error.png, admin-policies.png,
policy-problems.png, policy-activated.png, admin-services.png, service-errors.png,
service-added.png, nojs-contact-new.png, nojs-contact-result.png, nojs-referral.png.
"""
import argparse
import json
import re
import signal
import socket
import string
import sys
import time
import traceback
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, MOBILE, PASSWORD, REPO, CheckFailed, GlobalTimeout, Report, Smoke, chrome_options, describe, expect,
    finish, load_messages, make_driver, start_watchdog,
)
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

DEMO_POLICY = REPO / "Sources" / "DiversionApp" / "Resources" / "Policies" / "demo.yaml"
# The health services of region R1, run by "R1 Community Treatment Centre", the demo provider's agency.
R1_HEALTH = ["R1 Outpatient Clinic", "R1 Intensive Day Programme", "R1 Residential Recovery House",
             "R1 Opioid Agonist Treatment Unit", "R1 Women's Recovery Service", "R1 Youth Counselling Service"]
CAPACITY_SERVICE = "R1 Youth Counselling Service"
CLINICAL_NOTE = "clinical note xyz"
OFFENCE = "Possession for personal use"
OFFICER_FLOW_LIMIT = 120.0
CONTACT_PATH = re.compile(r"^/contacts/[0-9a-f-]{36}$")
REFERRAL_PATH = re.compile(r"^/referrals/([0-9a-f-]{36})$")


def letters(number: int) -> str:
    """A number in base 26 with letters, for names that must be unique but look like names."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = string.ascii_lowercase[digit] + out
        if number == 0:
            return out


class Pathway(Smoke):
    """The pathway scenarios; the helpers (waits, sign-in, screenshots, raw keys) come from Smoke."""

    def __init__(self, driver, base, shots, wait_seconds, messages, report) -> None:
        super().__init__(driver, base, shots, wait_seconds, messages, report)
        now = time.time()
        self.stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
        # Letters only, so a search by name finds exactly this person.
        self.family = "Pathwell" + letters(int(now * 10) % 26 ** 7)
        self.given = "Robin"
        self.person = f"{self.given} {self.family}"
        self.phone = False
        self.pages = 0
        self.paths: set[str] = set()
        self.page_problems: list[str] = []
        # What one step leaves for the next.
        self.referral_id: str | None = None
        self.referral_service: str | None = None
        self.contact_path: str | None = None
        self.second_contact: str | None = None

    # --- helpers -------------------------------------------------------------------------------

    def wait_loaded(self) -> None:
        """Every page load (open, click, form) ends here, so every page visited gets checked."""
        super().wait_loaded()
        self.page_ok()

    def page_ok(self) -> None:
        """Records what is wrong with the page just loaded; the step that loaded it fails at its end (see steps)."""
        self.pages += 1
        path = self.path()
        self.paths.add(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", ":id", path))
        problems = [f"{url} answered HTTP {status}" for status, url in self.document_statuses() if status >= 500]
        title = self.driver.title.split(" · ")[0].strip()
        if title == self.en.get("error_title", "Something is not right"):
            message = " ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "main .error"))
            problems.append(f"the error page: {message!r}")
        elif not self.driver.find_elements(By.CSS_SELECTOR, "main#main"):
            problems.append("not a page of the application (no main#main)")
        try:
            self.no_raw_keys()
        except CheckFailed as error:
            problems.append(str(error))
        if problems:
            self.page_problems.append(f"{path}: {'; '.join(p.replace(f' on {path}', '') for p in problems)}")

    def document_statuses(self) -> list[tuple[int, str]]:
        """HTTP statuses of the documents loaded since the last call, from Chromium's performance log."""
        found = []
        try:
            entries = self.driver.get_log("performance")
        except WebDriverException:
            return found
        for entry in entries:
            message = json.loads(entry["message"]).get("message", {})
            if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
                response = message["params"]["response"]
                found.append((int(response.get("status", 0)), response.get("url", "")))
        return found

    def visible_text(self) -> str:
        """The page's text without the contents of text areas (a pasted policy is data, not wording)."""
        text = super().visible_text()
        for area in self.driver.find_elements(By.TAG_NAME, "textarea"):
            inside = area.text
            if inside:
                text = text.replace(inside, "")
        return text

    def set_phone(self, on: bool) -> None:
        self.phone = on
        if on:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                        {"width": MOBILE[0], "height": MOBILE[1], "deviceScaleFactor": 1, "mobile": True})
            self.wait().until(lambda d: d.execute_script("return window.innerWidth") == MOBILE[0],
                              "the viewport to become 390 px wide")
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def shot(self, name: str) -> str:
        """A full-page screenshot at the current size (phone or desktop); on a phone no sideways scrolling."""
        if not self.phone:
            self.screenshot(name, DESKTOP, mobile=False)
            return name
        layout = self.screenshot(name, MOBILE, mobile=True)
        self.set_phone(True)  # screenshot() clears the override when done
        expect(layout["scrollWidth"] <= layout["clientWidth"],
               f"at 390 px {self.path()} is {layout['scrollWidth']} px wide (viewport {layout['clientWidth']} px)")
        return name

    def text(self, css: str) -> str:
        return self.visible(css).text.strip()

    def notice(self, key: str) -> str:
        shown = self.text("#notice")
        expected = self.en.get(key)
        expect(expected is None or shown == expected, f"#notice reads {shown!r}, expected {expected!r}")
        return shown

    def type_into(self, css: str, value: str) -> None:
        field = self.visible(css)
        field.clear()
        field.send_keys(value)

    def set_value(self, css: str, value: str) -> None:
        """Date, time and long text fields take their value directly (a date input types in the browser's locale)."""
        element = self.find(css)
        self.driver.execute_script("arguments[0].value = arguments[1]", element, value)
        expect(element.get_attribute("value") == value, f"{css} did not take the value {value!r}")

    def choose(self, css: str, *, text: str | None = None, value: str | None = None) -> None:
        select = Select(self.find(css))
        if text is not None:
            select.select_by_visible_text(text)
        else:
            select.select_by_value(value)

    def nav(self, href: str) -> None:
        self.click_to_new_page(f'nav a[href="{href}"]')
        self.wait_path(href)

    def status(self) -> str:
        return self.text("#referral-status")

    def expect_status(self, key: str) -> str:
        shown = self.status()
        expected = self.en.get(key, key)
        expect(shown == expected, f"#referral-status reads {shown!r}, expected {expected!r}")
        return shown

    def signed_in_as(self, username: str) -> None:
        self.fresh()
        self.sign_in(username, PASSWORD)
        if self.path() == "/login" and self.driver.find_elements(By.ID, "login-error"):
            raise CheckFailed(f"sign-in as {username} refused: {self.driver.find_element(By.ID, 'login-error').text!r}")
        self.wait_path("/home")

    def steps(self, steps, chained: bool = True) -> bool:
        """Runs named checks in order. After a failure the rest are skipped, or with `chained=False`
        only after a failure of the first step (the later ones then each start from a known page).
        A step also fails when a page it loaded had a problem (raw keys, error page, HTTP 5xx),
        but only after its own assertions ran. True when all passed."""
        passed = True
        for index, (name, action) in enumerate(steps):
            if not self.report.check(name, self.guarded(action)):
                passed = False
                if chained or index == 0:
                    for later, _ in steps[index + 1:]:
                        self.report.skip(later, "an earlier step failed")
                    return False
        return passed

    def guarded(self, action):
        def run():
            before = len(self.page_problems)
            try:
                detail = action()
            except GlobalTimeout:
                raise
            except Exception as error:  # noqa: BLE001 - reported with the page problems that may explain it
                new = self.page_problems[before:]
                if new:
                    raise CheckFailed(f"{' || '.join(new)} || then: {describe(error)}") from error
                raise
            new = self.page_problems[before:]
            expect(not new, " || ".join(new))
            return detail
        return run

    # --- the contact form ----------------------------------------------------------------------

    def occurred_at(self, minutes_ago: int = 20) -> str:
        return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")

    def fill_contact(self, grams: str, region: str = "R1", *, set_time: bool = True) -> None:
        """What happened: time (UTC), region, the offence and one seizure of cannabis herb."""
        if set_time:
            self.set_value("#occurredAt", self.occurred_at())
        else:
            expect(self.find("#occurredAt").get_attribute("value") != "", "#occurredAt is not prefilled")
        self.choose("#region", value=region)
        self.choose("#offences", text=OFFENCE)
        self.choose("#seizures-0-substance", value="cannabis_herb")
        self.type_into("#seizures-0-quantity", grams)
        self.choose("#seizures-0-unit", value="g")

    def search_person(self, query: str, adult: bool = True, name: str | None = None) -> str:
        """Types part of a name, presses Find and picks a radio: the named person, or else an adult."""
        self.type_into("#q", query)
        self.click_to_new_page("#find")
        self.wait_path("/contacts/new")
        radios = self.driver.find_elements(By.CSS_SELECTOR, '#person input[type=radio][name=personId]:not([value=""])')
        expect(radios, f"Find {query!r} offered nobody" + (" (#no-match shown)" if self.driver.find_elements(By.ID, "no-match") else ""))
        today = date.today()
        for radio in radios:
            label = self.driver.find_element(By.CSS_SELECTOR, f'label[for="{radio.get_attribute("id")}"]').text.strip()
            if name is not None and not label.startswith(name + ","):
                continue
            born = re.search(r"(\d{4})-(\d{2})-(\d{2})", label)
            if adult and born:
                y, m, d = map(int, born.groups())
                if (today.year - y - ((today.month, today.day) < (m, d))) < 19:
                    continue
            if not radio.is_selected():
                radio.click()
            expect(radio.is_selected(), f"the radio for {label!r} cannot be chosen")
            return label
        raise CheckFailed(f"none of the {len(radios)} people found for {query!r} fits" + (f" (wanted {name})" if name else ""))

    def record_contact(self) -> str:
        self.click_to_new_page("#record-contact")
        if self.driver.find_elements(By.ID, "form-errors"):
            raise CheckFailed(f"the contact was refused: {self.text('#form-errors')!r}")
        expect(CONTACT_PATH.match(self.path()) is not None, f"after Record and evaluate the browser is at {self.path()}")
        return self.path()

    def verdict(self, eligible: bool, route_key: str) -> str:
        verdict = self.visible("#verdict")
        text = verdict.text.strip()
        intro = self.en["eligibility_yes" if eligible else "eligibility_no"]
        route = self.en[route_key]
        expect(text.startswith(intro), f"#verdict reads {text!r}, expected it to start with {intro!r}")
        expect(route in text, f"#verdict {text!r} does not name the route {route!r}")
        expect(("yes" if eligible else "no") in (verdict.get_attribute("class") or "").split(), "#verdict has the wrong class")
        return text

    def reasons(self) -> list[str]:
        return [li.text.strip() for li in self.visible("#reasons").find_elements(By.TAG_NAME, "li")]

    def decide(self, value: str, reason: str = "") -> None:
        radio = self.find(f"#decision-{value}")
        if not radio.is_selected():
            radio.click()
        area = self.find("#reason")
        area.clear()
        if reason:
            area.send_keys(reason)
        self.click_to_new_page("#record-decision")

    def form_errors(self) -> tuple[str, list[str]]:
        box = self.visible("#form-errors")
        anchors = [(a.get_attribute("href") or "").split("#")[-1] for a in box.find_elements(By.CSS_SELECTOR, "a")]
        return box.text.strip(), anchors

    def suggestions(self) -> list[tuple[int, str]]:
        found = []
        for item in self.driver.find_elements(By.CSS_SELECTOR, "#suggestions li.suggestion"):
            rank = int(item.get_attribute("id").removeprefix("suggestion-"))
            found.append((rank, item.find_element(By.TAG_NAME, "h3").text.strip()))
        return found

    def refer(self, wanted: list[str], avoid: str | None = None, any_other: bool = False) -> str:
        """Refers with the suggestion whose heading names the first wanted service offered
        (or, with `any_other`, the best-ranked one that is not `avoid`)."""
        offered = self.suggestions()
        expect(offered, "no suggestions are offered" + (f": {self.text('#no-suggestions')!r}" if self.driver.find_elements(By.ID, "no-suggestions") else ""))
        # A heading is the service's name followed by its region tag.
        names = {rank: heading.rsplit(" ", 1)[0] for rank, heading in offered}
        for name in wanted + (list(names.values()) if any_other else []):
            if name == avoid:
                continue
            for rank, _ in offered:
                if names[rank] == name:
                    self.click_to_new_page(f"#refer-{rank}")
                    if self.driver.find_elements(By.ID, "form-errors"):
                        raise CheckFailed(f"the referral to {name} was refused: {self.text('#form-errors')!r}")
                    match = REFERRAL_PATH.match(self.path())
                    expect(match is not None, f"after Refer the browser is at {self.driver.current_url}")
                    return name
        raise CheckFailed(f"none of {wanted} is among the suggestions {[h for _, h in offered]}")

    # --- 1. the officer's flow on a phone ------------------------------------------------------

    def officer_flow(self) -> None:
        started = {}

        def sign_in_and_open() -> str:
            self.fresh()
            self.set_phone(True)
            started["t"] = time.monotonic()
            self.signed_in_as("officer")
            self.nav("/contacts/new")
            self.visible("#record-contact")
            expect(self.find("#person-new").is_selected(), "'A person not yet on record' is not chosen by default")
            self.shot("contact-new-mobile.png")
            return f"{self.driver.execute_script('return window.innerWidth')} px wide"

        def register_and_record() -> str:
            # Find first: nobody has this run's name yet, so the inline registration is the right path.
            self.type_into("#q", self.family)
            self.click_to_new_page("#find")
            self.visible("#no-match")
            self.find("#person-new").click()
            self.type_into("#person-givenName", self.given)
            self.type_into("#person-familyName", self.family)
            self.set_value("#person-birthDate", "1991-03-15")
            self.choose("#person-sex", value="male")
            self.type_into("#person-preferredLanguage", "en")
            self.fill_contact("12.5")
            self.contact_path = self.record_contact()
            name = self.text("#person-link")
            expect(name == self.person, f"the contact is for {name!r}, expected {self.person!r}")
            return f"{self.person}, {self.contact_path}"

        def result() -> str:
            verdict = self.verdict(True, "route_referral_to_treatment")
            reasons = self.reasons()
            expect(any("12.5 g ≤ 25 g" in r for r in reasons), f"no reason says '12.5 g ≤ 25 g': {reasons}")
            review = self.find("#review-by time").get_attribute("datetime") or ""
            expect(re.fullmatch(r"\d{4}-\d{2}-\d{2}", review) is not None, f"#review-by has datetime {review!r}")
            self.shot("contact-result-mobile.png")
            return f"{verdict!r}; review by {review}"

        def screening() -> str:
            self.click_to_new_page("#screen-now")
            expect(self.path() == f"{self.contact_path}/screening", f"#screen-now led to {self.path()}")
            instrument = self.find('#screening-form input[name="instrument"]').get_attribute("value")
            expect(instrument == "assist", f"an adult is screened with {instrument!r}, expected the WHO ASSIST")
            self.find("#cannabis_q1-yes").click()
            for question, option in (("q2", "3"), ("q3", "2"), ("q4", "1"), ("q5", "1"), ("q6", "1"), ("q7", "0")):
                self.choose(f"#cannabis_{question}", value=option)
            self.choose("#inject", value="0")
            self.shot("screening-mobile.png")
            self.click_to_new_page("#score-screening")
            if self.driver.find_elements(By.ID, "form-errors"):
                raise CheckFailed(f"the screening was refused: {self.text('#form-errors')!r}")
            self.wait_path(self.contact_path)
            self.notice("notice_screened")
            shown = self.text("#screening-result")
            expect(shown.startswith(self.en["instrument_assist"]), f"#screening-result reads {shown!r}")
            return shown

        def decision() -> str:
            self.decide("divert")
            self.wait_path(self.contact_path)
            self.notice("notice_decided")
            made = self.text("#decision-made")
            expect(made.startswith(self.en["decision_divert"]), f"#decision-made reads {made!r}")
            expect(not self.driver.find_elements(By.ID, "record-decision"), "the decision form is still offered")
            self.shot("contact-decided-mobile.png")
            return made

        def referral() -> str:
            self.referral_service = self.refer(R1_HEALTH)
            self.referral_id = REFERRAL_PATH.match(self.path()).group(1)
            self.notice("notice_sent")
            shown = self.expect_status("status_sent")
            self.shot("referral-mobile.png")
            elapsed = time.monotonic() - started["t"]
            expect(elapsed < OFFICER_FLOW_LIMIT, f"the officer flow took {elapsed:.1f} s, over {OFFICER_FLOW_LIMIT:.0f} s")
            return f"{shown} to {self.referral_service}; officer flow took {elapsed:.1f} s wall-clock"

        try:
            self.steps([
                ("officer (390x844): sign in and open New contact from the navigation", sign_in_and_open),
                ("officer: Find offers nobody for a new name; register the person inline and record 12.5 g cannabis herb",
                 register_and_record),
                ("officer: the result says eligible, lists '12.5 g ≤ 25 g' among the reasons and shows review-by", result),
                ("officer: #screen-now opens the WHO ASSIST; cannabis used; the score appears on the contact", screening),
                ("officer: the decision 'Divert to treatment' is recorded", decision),
                ("officer: refer to an R1 health service of the provider's agency; the referral page says Sent", referral),
            ])
        finally:
            self.set_phone(False)

    # --- 2. a second contact that is not eligible ----------------------------------------------

    def not_eligible(self) -> None:
        def record() -> str:
            self.signed_in_as("officer")
            self.nav("/contacts/new")
            label = self.search_person("Silva")
            self.fill_contact("40")
            self.second_contact = self.record_contact()
            verdict = self.verdict(False, "route_refer_to_prosecutor")
            reasons = self.reasons()
            expect(any("40 g > 25 g" in r for r in reasons), f"no reason says '40 g > 25 g': {reasons}")
            self.shot("contact-not-eligible.png")
            return f"{label}: {verdict!r}"

        def divert_refused() -> str:
            recommended = self.find("#decision-refer_to_prosecutor").is_selected()
            expect(recommended, "the recommended 'Refer to the prosecutor' is not chosen by default")
            self.decide("divert")
            text, anchors = self.form_errors()
            expect("not eligible" in text, f"#form-errors does not say the case is not eligible: {text!r}")
            expect("decision" in anchors, f"the error does not point at the decision: {anchors}")
            expect(not self.driver.find_elements(By.ID, "decision-made"), "a decision was recorded anyway")
            return text.splitlines()[-1]

        def reason_needed() -> str:
            self.decide("no_further_action")
            text, anchors = self.form_errors()
            expect("reason" in anchors, f"the error does not point at #reason: {anchors}")
            expect("Say why" in text, f"#form-errors does not ask for a reason: {text!r}")
            expect(not self.driver.find_elements(By.ID, "decision-made"), "a decision was recorded without a reason")
            self.shot("decision-errors.png")
            return text.splitlines()[-1]

        def choice_kept() -> str:
            chosen = [r.get_attribute("id") for r in self.driver.find_elements(By.CSS_SELECTOR, "#decision-choice input[type=radio]")
                      if r.is_selected()]
            expect(chosen == ["decision-no_further_action"],
                   f"after the error the form has {chosen} chosen instead of the officer's 'No further action' "
                   "(typing the reason and pressing Record decision would record another decision)")
            return ""

        def with_reason() -> str:
            reason = f"First contact, already in voluntary treatment (run {self.stamp})"
            self.decide("no_further_action", reason)
            self.wait_path(self.second_contact)
            self.notice("notice_decided")
            made = self.text("#decision-made")
            expect(made.startswith(self.en["decision_no_further_action"]) and reason in made, f"#decision-made reads {made!r}")
            return made

        self.steps([
            ("officer: 40 g cannabis herb for a person found by search is not eligible, route 'refer to the prosecutor'", record),
            ("officer: 'Divert to treatment' on a case that is not eligible is refused with an error", divert_refused),
            ("officer: 'No further action' without a reason shows an error naming the reason field", reason_needed),
            ("officer: after that error the form still has 'No further action' chosen", choice_kept),
            ("officer: 'No further action' with a reason is recorded", with_reason),
        ], chained=False)

    # --- 3. the provider closes the loop -------------------------------------------------------

    def provider_loop(self) -> None:
        if not self.referral_id:
            self.report.fail("provider: the referral from the officer's flow is in the inbox", "step 1 sent no referral")
            return

        def inbox() -> str:
            self.signed_in_as("provider")
            self.nav("/referrals")
            heading = self.text("h1")
            expect(heading == self.en["referrals_inbox_title"], f"the provider's Referrals page is titled {heading!r}")
            links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, "#referral-list tbody tr td:first-child a")
                     if a.text.strip() == self.person]
            expect(links, f"no row of the inbox names {self.person}")
            expect(any(a.get_attribute("href").endswith(f"/referrals/{self.referral_id}") for a in links),
                   f"the row for {self.person} does not lead to referral {self.referral_id}")
            self.shot("referral-inbox.png")
            return f"{len(self.driver.find_elements(By.CSS_SELECTOR, '#referral-list tbody tr'))} rows"

        def accept() -> str:
            self.click_to_new_page(f'#referral-{self.referral_id} td:first-child a')
            self.wait_path(f"/referrals/{self.referral_id}")
            self.expect_status("status_sent")
            self.type_into("#note-accepted", CLINICAL_NOTE)
            self.click_to_new_page("#do-accepted")
            self.notice("notice_recorded")
            self.expect_status("status_accepted")
            history = self.text("#history")
            expect(CLINICAL_NOTE in history, "the provider's own note is not in the history")
            return ""

        def schedule() -> str:
            default = self.find("#scheduledFor-intake_scheduled").get_attribute("value")
            expect(default != "", "the intake time is not prefilled")
            self.click_to_new_page("#do-intake_scheduled")
            self.expect_status("status_intake_scheduled")
            at = self.text("#intake-at")
            # The page writes the time in its language; the machine-readable time is in <time datetime>.
            stamp = self.find("#intake-at time").get_attribute("datetime")
            expect(stamp == default, f"#intake-at reads {at!r} ({stamp!r}), the form had {default!r}")
            return at

        def attended_engaged() -> str:
            self.click_to_new_page("#do-intake_attended")
            self.expect_status("status_intake_attended")
            self.click_to_new_page("#do-engaged")
            shown = self.expect_status("status_engaged")
            self.shot("referral-provider.png")
            return shown

        def officer_sees() -> str:
            self.signed_in_as("officer")
            self.nav("/referrals")
            heading = self.text("h1")
            expect(heading == self.en["referrals_mine_title"], f"the officer's Referrals page is titled {heading!r}")
            row = self.find(f"#referral-{self.referral_id}")
            expect(self.person in row.text, f"the row of referral {self.referral_id} does not name {self.person}: {row.text!r}")
            expect(self.en["status_engaged"] in row.text, f"the row does not say {self.en['status_engaged']!r}: {row.text!r}")
            self.shot("my-referrals.png")
            return row.text.replace("\n", " | ")

        def officer_page() -> str:
            self.click_to_new_page(f'#referral-{self.referral_id} td:first-child a')
            self.wait_path(f"/referrals/{self.referral_id}")
            shown = self.expect_status("status_engaged")
            expect(CLINICAL_NOTE not in self.driver.page_source, f"the officer's page contains the provider's note {CLINICAL_NOTE!r}")
            expect(not self.driver.find_elements(By.ID, "actions"), "the officer is offered the provider's next steps")
            self.shot("referral-officer.png")
            return shown

        self.steps([
            ("provider: the Referrals inbox lists the referral sent for the new person, by name", inbox),
            ("provider: accept it with a note", accept),
            ("provider: schedule the intake (time prefilled)", schedule),
            ("provider: intake attended, then engaged in treatment", attended_engaged),
            ("officer: My referrals lists it as Engaged in treatment", officer_sees),
            ("officer: the referral page says Engaged in treatment and does not show the provider's note", officer_page),
        ])

    # --- 4. the provider's capacity ------------------------------------------------------------

    def capacity(self) -> None:
        state = {}

        def change() -> str:
            self.signed_in_as("provider")
            self.nav("/services/capacity")
            forms = self.driver.find_elements(By.CSS_SELECTOR, 'form[id^="service-"]')
            expect(forms, "the Capacity page lists no service")
            form = next((f for f in forms if f.find_element(By.TAG_NAME, "h2").text.startswith(CAPACITY_SERVICE)), None)
            expect(form is not None, f"{CAPACITY_SERVICE} is not among the provider's services")
            sid = form.get_attribute("id").removeprefix("service-")
            before = int(self.find(f"#waitlist-{sid}").get_attribute("value"))
            after = 4 if before != 4 else 5
            self.type_into(f"#waitlist-{sid}", str(after))
            self.click_to_new_page(f"#service-{sid} button[type=submit]")
            self.wait_path("/services/capacity")
            self.notice("notice_capacity")
            now = self.find(f"#waitlist-{sid}").get_attribute("value")
            expect(now == str(after), f"the waiting time reads {now!r} after saving {after}")
            state.update(sid=sid, value=now)
            self.shot("capacity.png")
            return f"{CAPACITY_SERVICE}: {before} → {after} days; {len(forms)} services"

        def invalid() -> str:
            sid = state["sid"]
            field = self.find(f"#waitlist-{sid}")
            self.type_into(f"#waitlist-{sid}", "-3")
            blocked = self.driver.execute_script(
                "return arguments[0].validity.rangeUnderflow && !arguments[0].form.checkValidity()", field)
            expect(blocked, "the browser would send -3 (min=0 not applied)")
            # Sent anyway (as a browser without constraint validation would), the server refuses it.
            self.driver.execute_script("arguments[0].form.noValidate = true", field)
            self.click_to_new_page(f"#service-{sid} button[type=submit]")
            text = self.text("#form-errors")
            expect("waiting time" in text, f"#form-errors does not speak of the waiting time: {text!r}")
            expect(not self.driver.find_elements(By.ID, "notice"), "a notice says it was saved")
            kept = self.find(f"#waitlist-{sid}").get_attribute("value")
            expect(kept == state["value"], f"after the refusal the waiting time reads {kept!r}, expected {state['value']!r}")
            self.shot("capacity-error.png")
            return f"browser blocks it; server says {text!r}"

        self.steps([
            ("provider: Capacity (navigation) saves a new waiting time with a notice and shows the new value", change),
            ("provider: a waiting time of -3 is refused (browser min=0; sent anyway, the server shows an error)", invalid),
        ])

    # --- 5. the administrator ------------------------------------------------------------------

    def admin(self) -> None:
        document = DEMO_POLICY.read_text(encoding="utf-8")
        lines = document.splitlines()
        herb_line = next(i for i, line in enumerate(lines, 1) if "code: cannabis_herb" in line)
        version = f"2026.1-bt{self.stamp}{letters(int(time.time() * 1000) % 26 ** 3)}"

        def problems_places() -> list[str]:
            box = self.visible("#policy-problems")
            return [li.text.strip() for li in box.find_elements(By.TAG_NAME, "li")]

        def policies() -> str:
            self.signed_in_as("admin")
            self.nav("/admin/policies")
            active = self.text("#active-version")
            expect(active.startswith("Demo Republic"), f"the active policy is {active!r}")
            rows = self.driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
            expect(rows, "the versions table is empty")
            self.shot("admin-policies.png")
            return f"{active}; versions stored: {len(rows)}"

        def broken_threshold() -> str:
            self.open("/admin/policies")
            broken = "\n".join(line.replace("threshold: 25,", "threshold: -1,") if i == herb_line else line
                               for i, line in enumerate(lines, 1))
            expect(broken != document, "the demo policy has no 'threshold: 25,' on the cannabis herb line")
            self.set_value("#document", broken)
            self.click_to_new_page("#check-policy")
            items = problems_places()
            placed = [p for p in items if re.match(r"^\d+:\d+ ", p)]
            expect(placed, f"no problem gives a line:column: {items}")
            expect(any(p.startswith(f"{herb_line}:") for p in placed), f"no problem points at line {herb_line}: {items}")
            expect(self.find("#document").get_attribute("value").strip() == broken.strip(), "the document was not kept in the form")
            expect(self.text("#active-version").startswith("Demo Republic"), "the active policy changed")
            self.shot("policy-problems.png")
            return "; ".join(placed)

        def broken_syntax() -> str:
            # A short document: its line 3 has an unclosed flow sequence.
            self.open("/admin/policies")
            broken = "jurisdiction: Demo Republic\nversion: \"x\"\nageOfMajority: [18\nillustrative: true\n"
            self.set_value("#document", broken)
            self.click_to_new_page("#check-policy")
            items = problems_places()
            placed = [p for p in items if re.match(r"^\d+:\d+ ", p)]
            expect(placed, f"no problem gives a line:column: {items}")
            expect(any(p.split(":")[0] in ("3", "4", "5") for p in placed), f"no problem points near line 3: {items}")
            return "; ".join(placed)[:200]

        def activate() -> str:
            self.open("/admin/policies")
            changed = document.replace('version: "2026.1"', f'version: "{version}"')
            expect(changed != document, "the demo policy has no 'version: \"2026.1\"' line")
            self.set_value("#document", changed)
            self.click_to_new_page("#check-policy")
            self.visible("#policy-ok")
            self.click_to_new_page("#activate-policy")
            if self.driver.find_elements(By.ID, "policy-problems"):
                raise CheckFailed(f"activation refused: {problems_places()}")
            self.wait_path("/admin/policies")
            self.notice("notice_policy_activated")
            active = self.text("#active-version")
            expect(active.startswith(f"Demo Republic {version}"), f"the active policy is {active!r}, expected version {version}")
            active_rows = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr.active-row")]
            expect(len(active_rows) == 1 and version in active_rows[0], f"the active row(s) of the versions table: {active_rows}")
            self.shot("policy-activated.png")
            return active

        def directory() -> str:
            self.open("/home")
            self.nav("/admin/services")
            rows = self.driver.find_elements(By.CSS_SELECTOR, "#directory tbody tr")
            expect(len(rows) >= 30, f"the directory lists {len(rows)} services, expected at least 30")
            self.shot("admin-services.png")
            return f"{len(rows)} services"

        def fill_service(name: str) -> None:
            self.choose("#agencyId", text="R3 Social Support Service")
            self.type_into("#name", name)
            self.choose("#organisationType", value="harm_reduction")
            box = self.find("#modality-harm_reduction")
            if not box.is_selected():
                box.click()
            self.type_into("#languages", "en, es")
            self.choose("#region", value="R3")
            self.type_into("#capacity", "12")
            self.type_into("#waitlistDays", "0")

        def missing_name() -> str:
            fill_service("")
            self.click_to_new_page("#add-service")
            text, anchors = self.form_errors()
            expect("name" in anchors, f"the error summary does not point at #name: {anchors} {text!r}")
            expect(len(anchors) == 1, f"besides the name other fields are refused: {text!r}")
            expect(self.find("#languages").get_attribute("value") == "en, es", "the languages typed were lost")
            expect(self.find("#capacity").get_attribute("value") == "12", "the places typed were lost")
            self.shot("service-errors.png")
            return text.splitlines()[-1]

        def add() -> str:
            name = f"Pathway Test Outreach {self.stamp}"
            self.open("/admin/services")
            fill_service(name)
            self.click_to_new_page("#add-service")
            if self.driver.find_elements(By.ID, "form-errors"):
                raise CheckFailed(f"the service was refused: {self.text('#form-errors')!r}")
            self.wait_path("/admin/services")
            self.notice("notice_service_added")
            rows = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "#directory tbody tr")
                    if r.find_element(By.TAG_NAME, "td").text.strip() == name]
            expect(len(rows) == 1, f"{len(rows)} rows of the directory are named {name!r}")
            self.shot("service-added.png")
            return rows[0].replace("\n", " | ")

        self.steps([
            ("admin: Policies shows the active policy Demo Republic", policies),
            ("admin: Check of the demo policy with threshold -1 (3 kB) lists the problem at its line:column", broken_threshold),
            ("admin: Check of a short policy with a YAML syntax error lists the problem at its line:column", broken_syntax),
            ("admin: Activate of the demo policy under a new version shows the notice and makes it active", activate),
            ("admin: Services lists the directory (at least 30 services)", directory),
            ("admin: adding a service without a name shows an error naming the name field", missing_name),
            ("admin: adding a complete service shows the notice and the new row", add),
        ], chained=False)

    # --- 6. without JavaScript -----------------------------------------------------------------

    def no_javascript(self) -> None:
        state = {}

        def really_off() -> str:
            self.driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
            expect(self.driver.title == "off", "a page script ran: JavaScript is not disabled")
            self.document_statuses()  # drop the log of this page
            return ""

        def contact() -> str:
            self.signed_in_as("officer")
            self.nav("/contacts/new")
            self.shot("nojs-contact-new.png")
            if self.contact_path:  # the person registered in step 1, found by name
                label = self.search_person(self.family, name=self.person)
            else:
                label = self.search_person("Silva")
            self.fill_contact("12.5", set_time=False)
            state["contact"] = self.record_contact()
            if self.contact_path:
                verdict = self.verdict(True, "route_referral_to_treatment")
            else:
                verdict = self.text("#verdict")
            self.shot("nojs-contact-result.png")
            return f"{label}: {verdict!r}"

        def decide_refer() -> str:
            eligible = "yes" in (self.find("#verdict").get_attribute("class") or "").split()
            self.decide("divert" if eligible else "refer_to_prosecutor")
            self.wait_path(state["contact"])
            self.notice("notice_decided")
            service = self.refer(R1_HEALTH, avoid=self.referral_service, any_other=True)
            self.expect_status("status_sent")
            self.shot("nojs-referral.png")
            return f"referred to {service}"

        self.steps([
            ("no JavaScript: Chromium runs no page script", really_off),
            ("no JavaScript: the officer finds the person by name and records a contact; the result shows the verdict", contact),
            ("no JavaScript: the decision is recorded and a referral sent", decide_refer),
        ])

    # --- 7. every page -------------------------------------------------------------------------

    def every_page(self) -> str:
        expect(not self.page_problems, f"{len(self.page_problems)} page(s) had problems: {' || '.join(self.page_problems)}")
        expect(self.pages > 0, "no page was checked")
        return f"{self.pages} page loads, {len(self.paths)} distinct paths: {', '.join(sorted(self.paths))}"


def pathway_driver(args, javascript: bool = True):
    """Headless Chromium with the performance log (for HTTP statuses), optionally without JavaScript."""
    prefs = {} if javascript else {"profile.managed_default_content_settings.javascript": 2}
    options = chrome_options(args, prefs)
    if not javascript:
        options.add_argument("--blink-settings=scriptEnabled=false")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return make_driver(args, options)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8091")
    parser.add_argument("--screenshots", default="build/screenshots", help="directory for the PNG files")
    parser.add_argument("--wait", type=float, default=10, help="seconds each explicit wait may take")
    parser.add_argument("--total-timeout", type=float, default=300, help="seconds the whole run may take")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    report = Report()
    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    messages = load_messages()
    if "en" not in messages:
        print("not ok - read the English messages: en.json is missing", flush=True)
        print("0 passed, 1 failed")
        return 1

    def on_alarm(signum, frame):
        raise GlobalTimeout()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.total_timeout))
    start_watchdog(args.total_timeout + 60)
    socket.setdefaulttimeout(args.wait * 6)

    started = time.monotonic()
    drivers = []
    try:
        test = Pathway(None, args.base_url.rstrip("/"), shots, args.wait, messages, report)
        if not report.check(f"the server answers at {test.base}", test.server_answers):
            return finish(report, started)
        try:
            drivers.append(pathway_driver(args))
        except WebDriverException as error:
            report.fail("start headless Chromium", describe(error))
            return finish(report, started)
        test.driver = drivers[0]
        print(f"# this run's person: {test.person}", flush=True)
        test.officer_flow()
        test.not_eligible()
        test.provider_loop()
        test.capacity()
        test.admin()
        try:
            drivers.append(pathway_driver(args, javascript=False))
        except WebDriverException as error:
            report.fail("start headless Chromium without JavaScript", describe(error))
        else:
            test.driver = drivers[-1]
            test.no_javascript()
        report.check("every page visited: no raw message keys, template syntax, error page or HTTP 5xx", test.every_page)
    except GlobalTimeout:
        print(f"# stopped: the global timeout of {args.total_timeout:.0f} s was reached", flush=True)
        if not report.timeout_counted:
            report.fail("the run ends within the global timeout", f"{args.total_timeout:.0f} s passed")
    except Exception:  # noqa: BLE001 - an error in the harness itself must still fail the run
        report.fail("the pathway test ran to the end", traceback.format_exc().strip().splitlines()[-1])
    finally:
        signal.alarm(0)
        for driver in drivers:
            try:
                driver.quit()
            except Exception as error:  # noqa: BLE001
                print(f"# driver.quit() failed: {describe(error)}", flush=True)
    return finish(report, started)


if __name__ == "__main__":
    sys.exit(main())
