"""Browser smoke test of the server-rendered pages, with Selenium and headless Chromium.

For each demo role it signs in, checks the home page (header, the role's section, no raw message
keys), saves a desktop and a mobile screenshot and signs out. It also checks a wrong password, the
switch to Spanish on the sign-in page and that /home sends a signed-out visitor to /login.

The server must already run with the demo accounts (password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  python3 Tests/browser/smoke.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any
check failed. The username `analyst` gets exactly one wrong password per run, and its later good
sign-in clears the failure count, so repeated runs against one server do not lock the account.
Screenshots: login.png, login-mobile.png, login-error.png, login-es.png and, per role,
<role>-home.png (1280x900) and <role>-home-mobile.png (390x844), full page.
"""
import argparse
import base64
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "Sources" / "DiversionApp" / "Resources" / "Locales"
ROLES = ["officer", "prosecutor", "judge", "provider", "supervisor", "analyst", "admin"]
PASSWORD = "demo"
DESKTOP = (1280, 900)
MOBILE = (390, 844)
# Leaf syntax that should never reach the browser: `#(name)`, `#if(`, `#for(`, `#extend(`, ...
TEMPLATE_SYNTAX = re.compile(r"#\(|#(?:if|else|elseif|endif|for|endfor|extend|endextend|export|endexport|import)\b")


class GlobalTimeout(Exception):
    """The whole run took longer than --total-timeout."""


class CheckFailed(AssertionError):
    pass


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.timeout_counted = False

    def check(self, name: str, action) -> bool:
        """Runs `action`; an exception (other than the global timeout) makes the check fail."""
        try:
            detail = action()
        except GlobalTimeout:
            self.fail(name, "the global timeout was reached")
            self.timeout_counted = True
            raise
        except Exception as error:  # noqa: BLE001 - any error is a failed check
            self.fail(name, describe(error))
            return False
        self.passed += 1
        print(f"ok - {name}" + (f" ({detail})" if isinstance(detail, str) and detail else ""), flush=True)
        return True

    def fail(self, name: str, why: str) -> None:
        self.failed += 1
        print(f"not ok - {name}: {why}", flush=True)

    def skip(self, name: str, why: str) -> None:
        print(f"# skipped - {name}: {why}", flush=True)


def describe(error: BaseException) -> str:
    if isinstance(error, TimeoutException):
        return f"timed out waiting{': ' + error.msg if error.msg else ''}"
    if isinstance(error, WebDriverException):
        return f"{type(error).__name__}: {(error.msg or '').splitlines()[0] if error.msg else ''}"
    if isinstance(error, AssertionError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def load_messages() -> dict[str, dict[str, str]]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(LOCALES.glob("*.json"))}


def raw_key_pattern(messages: dict[str, dict[str, str]]) -> re.Pattern:
    """Matches any known message key, or any word that looks like one (a known prefix, `_`, more)."""
    keys = {key for catalogue in messages.values() for key in catalogue}
    prefixes = {key.split("_", 1)[0] for key in keys if "_" in key} | {"login", "nav", "error", "role"}
    known = sorted((re.escape(k) for k in keys if "_" in k), key=len, reverse=True)
    shaped = r"(?:%s)_[A-Za-z0-9_]*[A-Za-z0-9]" % "|".join(sorted(prefixes))
    alternatives = "|".join([*known, shaped])
    return re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % alternatives)


class Smoke:
    def __init__(self, driver, base: str, shots: Path, wait_seconds: float, messages, report: Report) -> None:
        self.driver = driver
        self.base = base
        self.shots = shots
        self.wait_seconds = wait_seconds
        self.messages = messages
        self.en = messages.get("en", {})
        self.raw_keys = raw_key_pattern(messages)
        self.report = report

    # --- helpers -------------------------------------------------------------------------------

    def api(self, method: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
        """A JSON API call; an error status fails the check with the server's answer."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.wait_seconds * 3) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise CheckFailed(f"{method} {path} answered {error.code}: {error.read()[:300]!r}") from None

    def wait(self, seconds: float | None = None) -> WebDriverWait:
        return WebDriverWait(self.driver, seconds or self.wait_seconds, poll_frequency=0.1)

    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    def wait_loaded(self) -> None:
        self.wait().until(lambda d: d.execute_script("return document.readyState") == "complete",
                          "document.readyState to become complete")

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)
        self.wait_loaded()

    def fresh(self) -> None:
        """Starts a scenario with no cookies, so one failing scenario cannot spoil the next."""
        self.open("/login")
        self.driver.delete_all_cookies()

    def find(self, css: str):
        return self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, css)), f"an element {css}")

    def visible(self, css: str):
        return self.wait().until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), f"{css} to be visible")

    def click_to_new_page(self, css: str) -> None:
        """Clicks an element that loads a new page, and waits until the old page is gone.

        While a page is being replaced Chromium may answer about the old document with any
        WebDriver error, not only a stale-element one, so every such error means "gone".
        """
        old = self.driver.find_element(By.TAG_NAME, "html")

        def old_page_gone(_driver) -> bool:
            try:
                old.tag_name
                return False
            except WebDriverException:
                return True

        element = self.wait().until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)), f"{css} to be clickable")
        try:
            element.click()
        except WebDriverException:
            if not old_page_gone(self.driver):
                raise
        self.wait().until(old_page_gone, f"a new page after clicking {css}")
        self.wait_loaded()

    def wait_path(self, expected: str) -> None:
        try:
            self.wait().until(lambda d: urlsplit(d.current_url).path == expected)
        except TimeoutException:
            raise CheckFailed(f"expected path {expected}, got {self.driver.current_url}") from None

    def sign_in(self, username: str, password: str) -> None:
        self.open("/login")
        user = self.visible("#username")
        user.clear()
        user.send_keys(username)
        secret = self.visible("#password")
        secret.clear()
        secret.send_keys(password)
        self.click_to_new_page("#sign-in")

    def visible_text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def no_raw_keys(self) -> str:
        text = self.visible_text() + "\n" + self.driver.title
        keys = sorted(set(self.raw_keys.findall(text)))
        expect(not keys, f"raw message keys on {self.path()}: {', '.join(keys)}")
        syntax = sorted(set(TEMPLATE_SYNTAX.findall(text)))
        expect(not syntax, f"template syntax on {self.path()}: {', '.join(syntax)}")
        expect(text.strip() != "", f"the page {self.path()} shows no text")
        return ""

    def screenshot(self, name: str, size: tuple[int, int], mobile: bool) -> dict:
        """Saves a full-page PNG at a given viewport; returns the page's layout widths there."""
        width, height = size
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        try:
            self.wait().until(lambda d: d.execute_script("return window.innerWidth") == width,
                              f"the viewport to become {width} px wide")
            layout = self.driver.execute_script(
                "const e = document.documentElement;"
                "return {scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,"
                " scrollHeight: Math.max(e.scrollHeight, document.body.scrollHeight)};")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": max(height, layout["scrollHeight"]), "scale": 1},
            })
            target = self.shots / name
            target.write_bytes(base64.b64decode(shot["data"]))
            expect(target.stat().st_size > 1000, f"{target} is suspiciously small")
            return layout
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # --- scenarios -----------------------------------------------------------------------------

    def server_answers(self) -> str:
        try:
            with urllib.request.urlopen(self.base + "/login", timeout=self.wait_seconds) as response:
                expect(response.status == 200, f"GET /login answered {response.status}")
        except urllib.error.URLError as error:
            raise CheckFailed(f"cannot reach {self.base}: {error.reason}") from None
        return ""

    def home_needs_sign_in(self) -> str:
        self.fresh()
        self.open("/home")
        self.wait_path("/login")
        self.find("#sign-in")
        expect(not self.driver.find_elements(By.ID, "sign-out"), "a signed-out visitor sees #sign-out")
        return self.driver.current_url.removeprefix(self.base)

    def login_page(self) -> str:
        self.fresh()
        self.open("/login")
        for css in ("#username", "#password", "#sign-in"):
            self.visible(css)
        expect(self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en",
               "a visitor without a language cookie should get <html lang=en>")
        expect(self.driver.find_element(By.ID, "sign-in").text.strip() == self.en.get("login_submit", "Sign in"),
               "the sign-in button text is not the English login_submit")
        self.no_raw_keys()
        self.screenshot("login.png", DESKTOP, mobile=False)
        self.screenshot("login-mobile.png", MOBILE, mobile=True)
        return "login.png, login-mobile.png"

    def wrong_password(self) -> str:
        self.fresh()
        self.sign_in("analyst", "not-the-password")
        self.wait_path("/login")
        error = self.visible("#login-error")
        text = error.text.strip()
        expect(text != "", "#login-error is empty")
        failed = self.en.get("login_failed")
        expect(failed is None or text == failed, f"#login-error says {text!r}, expected {failed!r}")
        expect(not self.driver.find_elements(By.ID, "sign-out"), "a failed sign-in shows #sign-out")
        expect(self.find("#username").get_attribute("value") == "analyst", "the username was not kept in the form")
        expect(self.find("#password").get_attribute("value") == "", "the password was sent back to the form")
        self.no_raw_keys()
        self.screenshot("login-error.png", DESKTOP, mobile=False)
        return "login-error.png"

    def spanish(self) -> str:
        self.fresh()
        self.open("/login")
        link = self.find('footer a[hreflang="es"]')
        expect(link.text.strip() == "Español", f"the Spanish language link reads {link.text!r}")
        self.click_to_new_page('footer a[hreflang="es"]')
        self.wait_path("/login")
        try:
            self.wait().until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es")
        except TimeoutException:
            lang = self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
            raise CheckFailed(f"<html lang> is {lang!r} after choosing Español") from None
        expected = self.messages["es"]["login_submit"]
        actual = self.visible("#sign-in").text.strip()
        expect(actual == expected, f"the sign-in button reads {actual!r}, expected {expected!r}")
        current = self.find('footer a[hreflang="es"]').get_attribute("aria-current")
        expect(current == "true", "the Español link is not marked aria-current after choosing it")
        self.no_raw_keys()
        self.screenshot("login-es.png", DESKTOP, mobile=False)
        return f"button reads {actual!r}"

    def role(self, role: str) -> None:
        report = self.report
        steps = [
            (f"{role}: sign in lands on /home", lambda: self.role_sign_in(role)),
            (f"{role}: header shows #user-name, #user-roles and #user-agency", self.role_header),
            (f"{role}: section #role-{role} has its heading and at least 3 tasks", lambda: self.role_section(role)),
            (f"{role}: no raw message keys or template syntax on /home", self.no_raw_keys),
            (f"{role}: screenshots {role}-home.png and {role}-home-mobile.png, no sideways scrolling at 390 px",
             lambda: self.role_screenshots(role)),
            (f"{role}: #sign-out returns to /login", self.role_sign_out),
            (f"{role}: /home after signing out redirects to /login", self.role_session_gone),
        ]
        for index, (name, action) in enumerate(steps):
            if not report.check(name, action):
                for later, _ in steps[index + 1:]:
                    report.skip(later, "an earlier step failed")
                return

    def role_sign_in(self, role: str) -> str:
        self.fresh()
        self.sign_in(role, PASSWORD)
        if self.path() == "/login" and self.driver.find_elements(By.ID, "login-error"):
            raise CheckFailed(f"sign-in refused: {self.driver.find_element(By.ID, 'login-error').text!r}")
        self.wait_path("/home")
        return ""

    def role_header(self) -> str:
        name = self.visible("#user-name").text.strip()
        expect(name != "", "#user-name is empty")
        roles = self.visible("#user-roles").text.strip()
        expect(roles != "", "#user-roles is empty")
        agency = self.visible("#user-agency").text.strip()
        expect(agency != "", "#user-agency is empty")
        return f"{name}; {roles}; {agency}"

    def role_section(self, role: str) -> str:
        section = self.visible(f"#role-{role}")
        headings = section.find_elements(By.TAG_NAME, "h2")
        expect(headings and headings[0].text.strip() != "", f"#role-{role} has no h2 text")
        title = headings[0].text.strip()
        expected = self.en.get(f"role_{role}_title")
        expect(expected is None or title == expected, f"the h2 reads {title!r}, expected {expected!r}")
        tasks = [li.text.strip() for li in section.find_elements(By.CSS_SELECTOR, "li")]
        expect(len(tasks) >= 3, f"#role-{role} lists {len(tasks)} tasks, expected at least 3")
        expect(all(tasks), f"#role-{role} has an empty task")
        roles = self.driver.find_element(By.ID, "user-roles").text
        expect(expected is None or expected in roles, f"#user-roles {roles!r} does not name {expected!r}")
        return f"{title!r}, {len(tasks)} tasks"

    def role_screenshots(self, role: str) -> str:
        self.screenshot(f"{role}-home.png", DESKTOP, mobile=False)
        layout = self.screenshot(f"{role}-home-mobile.png", MOBILE, mobile=True)
        expect(layout["scrollWidth"] <= layout["clientWidth"],
               f"at 390 px the page is {layout['scrollWidth']} px wide (viewport {layout['clientWidth']} px)")
        return ""

    def role_sign_out(self) -> str:
        self.click_to_new_page("#sign-out")
        self.wait_path("/login")
        self.find("#sign-in")
        expect(not self.driver.find_elements(By.ID, "sign-out"), "#sign-out is still shown after signing out")
        notice = self.driver.find_elements(By.CSS_SELECTOR, ".notice")
        signed_out = self.en.get("signed_out")
        expect(not signed_out or any(n.text.strip() == signed_out for n in notice),
               f"no {signed_out!r} notice after signing out")
        return ""

    def role_session_gone(self) -> str:
        self.open("/home")
        self.wait_path("/login")
        return ""


    # --- the people pages ------------------------------------------------------------------------

    def people(self) -> None:
        """An officer finds people, is told what is wrong with an incomplete form, then registers someone."""
        steps = [
            ("officer: the navigation leads to People, and a search lists people", self.people_search),
            ("officer: an incomplete registration names every missing field", self.people_form_errors),
            ("officer: a complete registration shows the new person's record", self.people_register),
        ]
        for index, (name, action) in enumerate(steps):
            if not self.report.check(name, action):
                for later, _ in steps[index + 1:]:
                    self.report.skip(later, "an earlier step failed")
                return

    def people_search(self) -> str:
        self.fresh()
        self.sign_in("officer", PASSWORD)
        self.wait_path("/home")
        self.click_to_new_page('nav a[href="/people"]')
        self.wait_path("/people")
        box = self.visible("#q")
        box.send_keys("silva")
        self.click_to_new_page("#search")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
        expect(len(rows) > 0, "no results for 'silva' among the demo people")
        self.no_raw_keys()
        self.screenshot("people-search.png", DESKTOP, mobile=False)
        layout = self.screenshot("people-search-mobile.png", MOBILE, mobile=True)
        expect(layout["scrollWidth"] <= layout["clientWidth"], "the results scroll sideways at 390 px")
        return f"{len(rows)} people"

    def people_form_errors(self) -> str:
        self.click_to_new_page("#register-person")
        self.wait_path("/people/new")
        self.visible("#familyName").send_keys("Okafor")
        self.click_to_new_page("#register")
        errors = self.visible("#form-errors")
        links = [a.get_attribute("href").split("#")[-1] for a in errors.find_elements(By.CSS_SELECTOR, "a")]
        for field in ("givenName", "birthDate", "sex"):
            expect(field in links, f"the error summary does not point at #{field}: {links}")
        expect(self.find("#familyName").get_attribute("value") == "Okafor", "the family name typed was lost")
        self.screenshot("person-new-errors.png", DESKTOP, mobile=False)
        return ", ".join(links)

    def people_register(self) -> str:
        self.find("#givenName").send_keys("Chidi")
        # A date input takes its value in the browser's own format, so it is set directly.
        self.driver.execute_script("document.getElementById('birthDate').value = '1988-07-14'")
        Select(self.find("#sex")).select_by_value("male")
        self.find("#nationality").send_keys("NGA")
        self.find("#flag-homeless").click()
        self.click_to_new_page("#register")
        expect(self.path().startswith("/people/"), f"landed on {self.path()}")
        heading = self.visible("h1").text
        expect(heading == "Chidi Okafor", f"the record's heading reads {heading!r}")
        facts = self.visible("#person-facts").text
        # The page writes the date in its language; <time datetime> keeps it in ISO 8601.
        born = self.find("#person-facts time").get_attribute("datetime")
        expect(born == "1988-07-14" and "NGA" in facts, f"the record lacks the birth date or nationality: {facts!r} ({born!r})")
        expect(self.en.get("flag_homeless", "") in facts, "the housing circumstance is not shown")
        self.find("#notice")
        self.no_raw_keys()
        self.screenshot("person.png", DESKTOP, mobile=False)
        return self.path()


def chrome_options(args, prefs: dict | None = None) -> webdriver.ChromeOptions:
    """Headless Debian Chromium in English; `prefs` adds Chrome preferences (other test files use it)."""
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-extensions", "--no-first-run", "--lang=en-US",
                 f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    # The server picks the language from Accept-Language until a cookie says otherwise.
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en", **(prefs or {})})
    return options


def make_driver(args, options: webdriver.ChromeOptions | None = None):
    options = options or chrome_options(args)
    driver = webdriver.Chrome(options=options, service=Service(args.chromedriver))
    driver.set_page_load_timeout(args.wait * 3)
    driver.set_script_timeout(args.wait)
    return driver


def start_watchdog(seconds: float) -> None:
    """Last resort if even driver.quit() hangs: end the process a little after the global timeout."""
    def expire() -> None:
        print(f"not ok - the run did not end within {seconds:.0f} s; exiting hard", flush=True)
        print("0 passed, 1 failed", flush=True)
        os._exit(2)
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8091")
    parser.add_argument("--screenshots", default="build/screenshots", help="directory for the PNG files")
    parser.add_argument("--wait", type=float, default=10, help="seconds each explicit wait may take")
    parser.add_argument("--total-timeout", type=float, default=240, help="seconds the whole run may take")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    report = Report()
    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    messages = load_messages()
    if "en" not in messages or "es" not in messages:
        print(f"not ok - read the messages in {LOCALES}: en.json or es.json is missing", flush=True)
        print("0 passed, 1 failed")
        return 1

    def on_alarm(signum, frame):
        raise GlobalTimeout()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.total_timeout))
    start_watchdog(args.total_timeout + 60)
    # Every HTTP call to chromedriver gives up after this long instead of waiting forever.
    socket.setdefaulttimeout(args.wait * 6)

    started = time.monotonic()
    driver = None
    try:
        smoke = Smoke(None, args.base_url.rstrip("/"), shots, args.wait, messages, report)
        if not report.check(f"the server answers at {smoke.base}", smoke.server_answers):
            return finish(report, started)
        try:
            driver = make_driver(args)
        except WebDriverException as error:
            report.fail("start headless Chromium", describe(error))
            return finish(report, started)
        smoke.driver = driver
        report.check("/home when signed out redirects to /login", smoke.home_needs_sign_in)
        report.check("the sign-in page renders in English; login.png saved", smoke.login_page)
        report.check("a wrong password for analyst shows #login-error and stays on /login", smoke.wrong_password)
        report.check("choosing Español on /login gives <html lang=es> and a Spanish sign-in button", smoke.spanish)
        for role in ROLES:
            smoke.role(role)
        smoke.people()
    except GlobalTimeout:
        print(f"# stopped: the global timeout of {args.total_timeout:.0f} s was reached", flush=True)
        if not report.timeout_counted:
            report.fail("the run ends within the global timeout", f"{args.total_timeout:.0f} s passed")
    except Exception:  # noqa: BLE001 - an error in the harness itself must still fail the run
        report.fail("the smoke test ran to the end", traceback.format_exc().strip().splitlines()[-1])
    finally:
        signal.alarm(0)
        if driver is not None:
            try:
                driver.quit()
            except Exception as error:  # noqa: BLE001
                print(f"# driver.quit() failed: {describe(error)}", flush=True)
    return finish(report, started)


def run_suite(description: str, make_test, body, *, name: str, total_timeout: float = 180) -> int:
    """The harness the feature suites share: the standard arguments, a global timeout with a watchdog, the server
    check, then `body(test, report, browser)`, where `browser()` starts headless Chromium (False, reported, when it
    cannot); the browser is always quit and the counts printed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base-url", default="http://127.0.0.1:8091")
    parser.add_argument("--screenshots", default="build/screenshots", help="directory for the PNG files")
    parser.add_argument("--wait", type=float, default=10, help="seconds each explicit wait may take")
    parser.add_argument("--total-timeout", type=float, default=total_timeout, help="seconds the whole run may take")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    report = Report()
    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)

    def on_alarm(signum, frame):
        raise GlobalTimeout()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.total_timeout))
    start_watchdog(args.total_timeout + 60)
    socket.setdefaulttimeout(args.wait * 6)
    started = time.monotonic()
    test = make_test(args.base_url.rstrip("/"), shots, args.wait, load_messages(), report)

    def browser() -> bool:
        try:
            test.driver = make_driver(args)
            return True
        except WebDriverException as error:
            report.fail("start headless Chromium", describe(error))
            return False

    try:
        if report.check(f"the server answers at {test.base}", test.server_answers):
            body(test, report, browser)
    except GlobalTimeout:
        print(f"# stopped: the global timeout of {args.total_timeout:.0f} s was reached", flush=True)
        if not report.timeout_counted:
            report.fail("the run ends within the global timeout", f"{args.total_timeout:.0f} s passed")
    except CheckFailed as error:
        report.fail(f"the {name} test ran to the end", str(error))
    except Exception:  # noqa: BLE001 - an error in the harness itself must still fail the run
        report.fail(f"the {name} test ran to the end", traceback.format_exc().strip().splitlines()[-1])
    finally:
        signal.alarm(0)
        if test.driver is not None:
            try:
                test.driver.quit()
            except Exception as error:  # noqa: BLE001
                print(f"# driver.quit() failed: {describe(error)}", flush=True)
    return finish(report, started)


def finish(report: Report, started: float) -> int:
    print(f"# took {time.monotonic() - started:.1f} s", flush=True)
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
