"""Every page in every language, with Selenium and headless Chromium: accessibility, keyboard, print and weight.

The pages come from the site map (site_map.py: every HTML page, the demo role that may see it and the demo
records it shows). For each page in each of the six languages (chosen with /language/<code>?next=):
  1. the HTTP status is the one expected (200, or 404/403 for the error pages), `html[lang]` is the language
     and `dir` is rtl for Arabic, ltr otherwise; no raw message keys (i18n_check.raw_keys) or template syntax;
     every data table has header cells and a name (caption, aria-label or aria-labelledby); chart text has
     4.5:1 and chart bars and lines 3:1 against the white they sit on;
  2. axe-core, run through axe-selenium-python from the package installed in the test environment (never
     from the network), finds no violation of the WCAG 2.0/2.1 A and AA rules. The engine is the newest
     axe.min.js bundled by an installed package: axe-playwright-python's (axe-core 4.x) when present, else
     axe-selenium-python's own (axe-core 3.1, which has no rules tagged wcag21a, so the check then fails).
Then, in English (and Arabic for the sign-in page):
  3. keyboard: the first Tab reaches the skip link, visible on screen, and Enter moves focus to <main>; the
     next Tab lands inside main (or after it, when main has nothing to focus); Tab goes on to the page's main
     action (the primary form submit, from the site map) within 150 presses, or through the first 15 stops
     of a page without one; every element that takes focus on the way shows a focus indicator (outline or
     box shadow) of at least 3:1 contrast against the background around it. A page whose script reveals
     its form after loading is checked (here and by axe) once the main action shows;
  4. print: on the printable pages (progress report, consent form) print media emulation hides the
     masthead, navigation, footer, skip link, buttons and forms, prints black on white without link
     addresses, and Page.printToPDF makes a PDF of at most 3 pages (kept beside the screenshots);
  5. weight: each page in English and Arabic is fetched again with the browser's cookies and
     Accept-Encoding: gzip; HTML, stylesheets and scripts are counted as transferred (and as
     gzip -6 of their bodies); a page over 50 KB (51,200 bytes) fails, and so does a server that does
     not compress them or lets browsers keep stylesheets and scripts for less than a day;
  6. slow 3G: a sample (sign-in, the officer's contact form, the analysis dashboard, the offline capture
     and participant pages when the site map has them) is loaded with the browser cache disabled and the
     service worker bypassed, through Network.emulateNetworkConditions (400 ms latency, 50,000 bytes/s down and up); first contentful
     paint over 5 s fails. Weights and timings are written to build/page-weights.md.
  7. screenshots of a sample: each language x a few pages at 1280x900, and some at 360x740, where the
     page must not scroll sideways.

The server must already run with the demo data (`serve --demo`, password `demo`). The participant page is
reached with a personal code the supervision officer issues on the staff page (this rotates the demo
participant's code, so run this suite after any that use the code `serve --demo` printed).
Usage:
  build/venv/bin/python Tests/browser/every_page.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any failed.
"""
import base64
import gzip
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, PASSWORD, REPO, TEMPLATE_SYNTAX, CheckFailed, Smoke, expect, run_suite,
)
from site_map import Page, pages as site_pages, resolve  # noqa: E402
from axe_selenium_python import Axe  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

try:
    from i18n_check import load_keys, raw_keys  # noqa: E402
except ImportError:  # the shared checker is new; this minimal stand-in reports only exact keys
    def load_keys(root) -> set[str]:
        return set(json.loads((Path(root) / "Sources/DiversionApp/Resources/Locales/en.json").read_text(encoding="utf-8")))

    def raw_keys(text: str, keys: set[str]) -> list[str]:
        return sorted({t for t in re.findall(r"(?<![\w./@:#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@-])", text) if t in keys})

LANGUAGES = ["en", "es", "fr", "ru", "ar", "zh"]
RTL = {"ar"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WEIGHT_LANGUAGES = ["en", "ar"]
WEIGHT_LIMIT = 50 * 1024
FCP_LIMIT_MS = 5000
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
SLOW_SAMPLE = ["sign-in", "new contact", "analysis dashboard", "offline contact capture", "participant page"]
SHOT_PAGES = {"sign-in", "new contact", "analysis dashboard", "progress report (print)", "participant page", "offline contact capture"}
PHONE = (360, 740)
PHONE_PAGES = {"sign-in", "new contact", "participant page", "offline contact capture"}
# Long-lived: a day at least (the stylesheet's address carries its fingerprint, so a year is safe).
MIN_ASSET_MAX_AGE = 86_400
WEIGHTS_FILE = REPO / "build" / "page-weights.md"

PAGE_FACTS = """
const nav = performance.getEntriesByType('navigation')[0];
const unnamed = [...document.querySelectorAll('table')]
  .filter(t => t.querySelector('th') || t.querySelector('td'))
  .filter(t => !t.querySelector('th') || !((t.caption && t.caption.textContent.trim()) || t.getAttribute('aria-label') || t.getAttribute('aria-labelledby')))
  .map(t => (t.id ? '#' + t.id : 'table.' + (t.className || '?')) + (t.querySelector('th') ? ' (no name)' : ' (no header cells)'));
const skip = document.querySelector('a.skip');
// Charts sit on white: their text needs 4.5:1, their bars and lines 3:1 (axe cannot see behind SVG text).
const rgb = c => { const m = (c || '').match(/^rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2]}; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const onWhite = c => 1.05 / (lum(c) + 0.05);
const faint = [];
const judge = (e, colour, least, what) => { const c = rgb(colour); if (c && onWhite(c) < least)
  faint.push(`${what} ${colour} ${onWhite(c).toFixed(2)}:1 in #${e.closest('svg').id}`); };
document.querySelectorAll('svg.chart text').forEach(e => judge(e, getComputedStyle(e).fill, 4.5, 'text'));
document.querySelectorAll('svg.chart .bar:not(.suppressed)').forEach(e => judge(e, getComputedStyle(e).fill, 3, 'bar'));
document.querySelectorAll('svg.chart .series path, svg.chart .series polyline').forEach(e => judge(e, getComputedStyle(e).stroke, 3, 'line'));
return {
  chartColours: [...new Set(faint)].slice(0, 5),
  status: nav ? nav.responseStatus : null, lang: document.documentElement.getAttribute('lang'),
  dir: document.documentElement.getAttribute('dir'), text: document.body ? document.body.innerText : '',
  title: document.title, main: !!document.querySelector('main#main'), skip: skip ? skip.getAttribute('href') : null,
  tables: unnamed,
};
"""

# The focused element, its focus indicator and the colour around it; `sel` tells whether it is the main action.
FOCUS_STATE = """
const sel = arguments[0];
const e = document.activeElement;
if (!e || e === document.body) return {tag: e ? 'body' : null};
const rgb = c => { const m = (c || '').match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
let bg = null;
for (let n = e.parentElement; n; n = n.parentElement) {
  const c = rgb(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) { bg = c; break; }
}
bg = bg || {r: 255, g: 255, b: 255, a: 1};
const s = getComputedStyle(e);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? rgb(s.outlineColor) : null;
const shadow = s.boxShadow && s.boxShadow !== 'none' ? rgb(s.boxShadow) : null;
const best = Math.max(outline ? ratio(outline, bg) : 0, shadow ? ratio(shadow, bg) : 0);
const r = e.getBoundingClientRect();
return {
  tag: e.tagName.toLowerCase(), id: e.id, cls: (e.className && e.className.baseVal === undefined) ? e.className : '',
  text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40),
  primary: sel ? e.matches(sel) : false, skip: e.matches('a.skip'), main: e.id === 'main', inMain: !!e.closest('main'),
  indicator: outline || shadow ? (outline ? 'outline ' + s.outlineWidth + ' ' + s.outlineColor : 'box-shadow ' + s.boxShadow) : 'none',
  contrast: Math.round(best * 100) / 100,
  onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight + scrollY + 10000,
  inViewport: r.left >= -1 && r.right <= innerWidth + 1 && r.top >= -1 && r.bottom <= innerHeight + 1,
};
"""

TABBABLE_IN_MAIN = """
return [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), main select, main textarea,'
  + ' main summary, main [tabindex]:not([tabindex="-1"])')].filter(e => !e.disabled && e.checkVisibility()).length;
"""

# The innermost elements that reach past the right edge of a screen `arguments[0]` px wide.
WIDEST = """
const w = arguments[0];
const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > w + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > w + 1));
return wide.slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px '
  + JSON.stringify((e.innerText || e.value || '').trim().slice(0, 30)));
"""

PRINT_FACTS = """
const shown = e => e.checkVisibility ? e.checkVisibility() : !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '');
const chrome = ['header.masthead', 'body > footer', 'nav', 'a.skip', 'button', 'form', 'input:not([type=hidden])', 'select', 'textarea']
  .flatMap(s => [...document.querySelectorAll(s)]).filter(shown).map(name);
const body = getComputedStyle(document.body), main = getComputedStyle(document.querySelector('main') || document.body);
const urls = [...document.querySelectorAll('main a[href]')].map(a => getComputedStyle(a, '::after').content)
  .filter(c => c && c !== 'none' && c !== 'normal' && /attr|http|\\//.test(c));
return {chrome: [...new Set(chrome)], colour: main.color, background: body.backgroundColor, mainBackground: main.backgroundColor, urls: urls.length};
"""


def page_key(page: Page) -> str:
    return f"{page.role or 'signed out'} {page.path}"


class EveryPage(Smoke):
    def __init__(self, driver, base, shots, wait_seconds, messages, report) -> None:
        super().__init__(driver, base, shots, wait_seconds, messages, report)
        self.keys = load_keys(REPO)
        self.site: list[Page] = []
        self.ids: dict[str, str] = {}
        self.axe_path, self.axe_version, self.axe_tags = "", "", []
        self.axe_source = ""
        self.problems: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.axe_nodes: Counter = Counter()
        self.axe_pages: Counter = Counter()
        self.axe_runs = 0
        self.loads = 0
        self.weights: list[dict] = []
        self.assets: dict[str, dict] = {}
        self.slow: list[dict] = []
        self.shots_taken: list[str] = []
        self.participant_code: str | None = None
        self.timings: dict[str, float] = {}

    # --- the site map and the engine ---------------------------------------------------------

    def site_map(self) -> str:
        self.ids = resolve(self.base)
        self.site = site_pages(self.base, self.ids)
        expect(len(self.site) >= 40, f"the site map has only {len(self.site)} pages")
        optional = [p.name for p in self.site if p.optional]
        return f"{len(self.site)} pages for {len({p.role for p in self.site})} roles" + (f"; with {', '.join(optional)}" if optional else "")

    def axe_engine(self) -> str:
        """Picks the newest axe.min.js an installed package bundles and checks it has the WCAG 2.1 rules."""
        candidates = [Axe(None).script_url]
        try:
            import axe_playwright_python
            candidates.insert(0, os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js"))
        except ImportError:
            pass
        self.axe_path = next(p for p in candidates if os.path.isfile(p))
        self.axe_source = Path(self.axe_path).read_text(encoding="utf-8")
        self.open("/login")
        self.inject_axe()
        info = self.driver.execute_script(
            "const t = new Set(); axe.getRules().forEach(r => r.tags.forEach(x => t.add(x)));"
            "return {version: axe.version, tags: [...t]};")
        self.axe_version = info["version"]
        self.axe_tags = [t for t in AXE_TAGS if t in info["tags"]]
        missing = [t for t in AXE_TAGS if t not in info["tags"]]
        expect(not missing, f"axe-core {self.axe_version} ({self.axe_path}) has no rules tagged {', '.join(missing)}; "
                            "install Tests/requirements.txt (axe-playwright-python bundles axe-core 4)")
        return f"axe-core {self.axe_version} from {Path(self.axe_path).parent.name}, tags {', '.join(self.axe_tags)}"

    def inject_axe(self) -> None:
        self.driver.execute_script(self.axe_source)

    def run_axe(self) -> list[dict]:
        self.inject_axe()
        options = json.dumps({"runOnly": {"type": "tag", "values": self.axe_tags}, "resultTypes": ["violations"]})
        result = Axe(self.driver, script_url=self.axe_path).run(options=options)
        self.axe_runs += 1
        return result["violations"]

    # --- signing in ------------------------------------------------------------------------------

    def become(self, role: str | None) -> None:
        """A fresh browser session as `role`: signed out, a staff account, or the demo participant."""
        self.fresh()
        if role == "participant":
            self.sign_in_participant()
        elif role is not None:
            self.sign_in(role, PASSWORD)
            self.wait_path("/home")

    def sign_in_participant(self) -> None:
        if self.participant_code is None:
            # The supervision officer issues a personal code on the staff page, as the product does.
            self.sign_in("supervisor", PASSWORD)
            self.wait_path("/home")
            self.open(f"/people/{self.ids['participant']}/access-code")
            self.click_to_new_page("#me-code-issue")
            self.participant_code = self.visible("#me-code").text.strip()
            self.fresh()
        self.open("/me/sign-in")
        self.visible("#code").send_keys(self.participant_code)
        self.click_to_new_page("#me-sign-in")
        self.wait_path("/me")

    def cookie_header(self) -> str:
        return "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())

    # --- 1 and 2: every page in every language ---------------------------------------------------

    def by_role(self) -> list[tuple[str | None, list[Page]]]:
        groups: dict = {}
        for page in self.site:
            groups.setdefault(page.role, []).append(page)
        return list(groups.items())

    def all_languages(self) -> None:
        """Visits every page in every language, once per role; problems are kept per page and reported after."""
        started = time.monotonic()
        for role, group in self.by_role():
            try:
                self.become(role)
            except (CheckFailed, WebDriverException) as error:
                for page in group:
                    self.problems[page_key(page)]["all"].append(f"cannot sign in as {role}: {error}")
                continue
            for lang in LANGUAGES:
                for index, page in enumerate(group):
                    try:
                        self.visit(page, lang, first=index == 0)
                    except (CheckFailed, WebDriverException) as error:
                        self.problems[page_key(page)][lang].append(str(error).splitlines()[0])
        self.timings["pages in every language"] = time.monotonic() - started

    def visit(self, page: Page, lang: str, first: bool) -> None:
        if first:
            self.driver.get(f"{self.base}/language/{lang}?next={urllib.parse.quote(page.path, safe='')}")
        else:
            self.driver.get(self.base + page.path)
        self.wait().until(lambda d: d.execute_script("return document.readyState") == "complete")
        self.loads += 1
        problems = self.problems[page_key(page)][lang]
        if page.primary and not self.settle(page):
            problems.append(f"the main action {page.primary} is never shown")
        facts = self.driver.execute_script(PAGE_FACTS)
        if self.path() != urllib.parse.urlsplit(page.path).path:
            problems.append(f"landed on {self.path()}")
            return
        if facts["status"] != page.status:
            problems.append(f"status {facts['status']}, expected {page.status}")
        if facts["lang"] != lang:
            problems.append(f"html[lang]={facts['lang']!r}")
        wanted_dir = "rtl" if lang in RTL else "ltr"
        if facts["dir"] != wanted_dir:
            problems.append(f"html[dir]={facts['dir']!r}, expected {wanted_dir}")
        text = facts["text"] + "\n" + facts["title"]
        if found := raw_keys(text, self.keys):
            problems.append(f"raw message keys: {', '.join(found[:8])}")
        if syntax := sorted(set(TEMPLATE_SYNTAX.findall(text))):
            problems.append(f"template syntax: {', '.join(syntax)}")
        if not facts["main"] or facts["skip"] != "#main":
            problems.append("no main#main with a skip link to it")
        if facts["chartColours"]:
            problems.append(f"chart colours under contrast: {', '.join(facts['chartColours'])}")
        if facts["tables"]:
            problems.append(f"tables without header cells or a name: {', '.join(facts['tables'])}")
        for violation in self.run_axe():
            nodes = violation["nodes"]
            self.axe_nodes[violation["id"]] += len(nodes)
            self.axe_pages[violation["id"]] += 1
            targets = "; ".join(" ".join(map(str, n["target"])) for n in nodes[:3])
            problems.append(f"axe {violation['id']} ({violation['impact']}) on {len(nodes)}: {targets}")
        if lang in WEIGHT_LANGUAGES:
            self.weigh(page, lang)
        if page.name in SHOT_PAGES:
            self.shot(page, lang)

    def settle(self, page: Page) -> bool:
        """Waits until the page's main action shows: a page may reveal its form from a script after loading."""
        try:
            self.wait().until(lambda d: d.execute_script(
                "const e = document.querySelector(arguments[0]); return !!e && e.checkVisibility();", page.primary))
            return True
        except WebDriverException:
            return False

    def report_pages(self) -> None:
        for page in self.site:
            by_lang = self.problems.get(page_key(page), {})
            faults = [f"{lang}: {'; '.join(p)}" for lang, p in by_lang.items() if p]

            def outcome(faults=faults) -> str:
                expect(not faults, " | ".join(faults))
                return ""
            self.report.check(f"{page.name} ({page.role or 'signed out'}, {page.path}) in {', '.join(LANGUAGES)}: status "
                              f"{page.status}, lang and dir, no raw keys, named tables, axe WCAG A/AA clean", outcome)

    def axe_summary(self) -> str:
        expect(self.axe_runs >= len(self.site) * len(LANGUAGES),
               f"axe ran {self.axe_runs} times for {len(self.site)} pages x {len(LANGUAGES)} languages")
        if self.axe_nodes:
            print("# axe violations by rule: " + ", ".join(f"{r} {n} nodes on {self.axe_pages[r]} page loads"
                                                          for r, n in self.axe_nodes.most_common()), flush=True)
        expect(not self.axe_nodes, f"{sum(self.axe_nodes.values())} violating nodes")
        return f"{self.axe_runs} axe runs over {self.loads} page loads in {self.timings.get('pages in every language', 0):.0f} s"

    # --- 3. keyboard -----------------------------------------------------------------------------

    def keyboard_pages(self) -> list[tuple[Page, str]]:
        """Every page with a main action, one page of each other kind, and the sign-in page in Arabic."""
        chosen, kinds = [], set()
        for page in self.site:
            if page.status != 200:
                continue
            if page.primary or page.kind not in kinds:
                chosen.append((page, "en"))
                kinds.add(page.kind)
        chosen += [(p, "ar") for p in self.site if p.name == "sign-in"]
        return chosen

    def keyboard(self) -> None:
        started = time.monotonic()
        current_role, current_lang = object(), None
        for page, lang in self.keyboard_pages():
            def walk(page=page, lang=lang) -> str:
                nonlocal current_role, current_lang
                if page.role != current_role:
                    self.become(page.role)
                    current_role, current_lang = page.role, None
                if lang != current_lang:
                    self.driver.get(f"{self.base}/language/{lang}?next=/")
                    current_lang = lang
                return self.tab_through(page)
            self.report.check(f"keyboard ({lang}): {page.name} {page.path}: skip link to main, visible focus (3:1)"
                              + (f", Tab reaches {page.primary}" if page.primary else ""), walk)
        self.timings["keyboard"] = time.monotonic() - started

    def tab_through(self, page: Page) -> str:
        self.open(page.path)
        expect(not page.primary or self.settle(page), f"the main action {page.primary} is never shown")
        self.driver.execute_script("window.scrollTo(0, 0)")
        actions = ActionChains(self.driver)
        actions.send_keys(Keys.TAB).perform()
        state = self.driver.execute_script(FOCUS_STATE, page.primary)
        expect(state.get("skip"), f"the first Tab focuses {state.get('tag')}#{state.get('id')}, not the skip link")
        expect(state["inViewport"], "the focused skip link is not inside the viewport")
        self.focus_visible(state)
        actions.send_keys(Keys.ENTER).perform()
        self.wait().until(lambda d: d.execute_script("return document.activeElement && document.activeElement.id") == "main",
                          "Enter on the skip link to move focus to main")
        stops, bad, reached = 0, [], False
        limit = 150 if page.primary else 15
        while stops < limit:
            actions.send_keys(Keys.TAB).perform()
            stops += 1
            state = self.driver.execute_script(FOCUS_STATE, page.primary)
            if state.get("tag") in (None, "body"):
                break
            if stops == 1 and not state["inMain"]:
                # Only right when main has nothing to focus (a read-only page): the next stop is then the footer.
                expect(not self.driver.execute_script(TABBABLE_IN_MAIN),
                       f"the Tab after the skip link focuses {state['tag']}#{state['id']} outside main")
            try:
                self.focus_visible(state)
            except CheckFailed as error:
                bad.append(str(error))
            if state.get("primary"):
                reached = True
                break
        expect(not bad, "; ".join(sorted(set(bad))[:6]))
        if page.primary:
            expect(reached, f"{page.primary} not reached in {stops} Tab presses")
            return f"main action after {stops} Tab stops"
        return f"{stops} Tab stops checked"

    @staticmethod
    def focus_visible(state: dict) -> None:
        name = f"{state['tag']}{'#' + state['id'] if state.get('id') else ''} {state.get('text', '')!r}"
        expect(state["indicator"] != "none", f"{name} shows no focus indicator")
        expect(state["contrast"] >= 3, f"{name}: focus indicator {state['indicator']} has contrast {state['contrast']}:1 (< 3:1)")

    # --- 4. print --------------------------------------------------------------------------------

    def print_pages(self) -> None:
        for page in [p for p in self.site if p.printable]:
            for lang in ("en", "ar"):
                self.report.check(f"print ({lang}): {page.name} {page.path}: no chrome, black on white, a PDF of 1-3 pages",
                                  lambda page=page, lang=lang: self.print_check(page, lang))

    def print_check(self, page: Page, lang: str) -> str:
        self.become(page.role)
        self.driver.get(f"{self.base}/language/{lang}?next={urllib.parse.quote(page.path, safe='')}")
        self.wait_loaded()
        screen = self.driver.execute_script(PRINT_FACTS)
        expect(any(c.startswith("header") for c in screen["chrome"]), "the masthead is not shown on screen to begin with")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            printed = self.driver.execute_script(PRINT_FACTS)
        finally:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        expect(not printed["chrome"], f"printed with {', '.join(printed['chrome'])}")
        expect(printed["colour"] in ("rgb(0, 0, 0)",), f"the text prints in {printed['colour']}, not black")
        expect(printed["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), f"the page prints on {printed['background']}")
        expect(printed["mainBackground"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), f"the content prints on {printed['mainBackground']}")
        expect(printed["urls"] == 0, f"{printed['urls']} links print their address")
        pdf = base64.b64decode(self.driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})["data"])
        expect(pdf.startswith(b"%PDF-"), "Page.printToPDF did not return a PDF")
        count = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        expect(1 <= count <= 3, f"the PDF has {count} pages")
        name = re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-")
        (self.shots / f"print-{name}-{lang}.pdf").write_bytes(pdf)
        return f"{count} page(s), {len(pdf)} bytes, print-{name}-{lang}.pdf"

    # --- 5. weight -------------------------------------------------------------------------------

    def fetch(self, path: str) -> dict:
        """One GET with the browser's cookies, asking for gzip; the body as sent and its size gzip -6 would give."""
        request = urllib.request.Request(self.base + path, headers={
            "Accept-Encoding": "gzip", "Cookie": self.cookie_header(), "Accept": "text/html,*/*"})
        try:
            with urllib.request.urlopen(request, timeout=self.wait_seconds * 3) as response:
                status, headers, sent = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, sent = error.code, error.headers, error.read()
        encoding = (headers.get("Content-Encoding") or "identity").lower()
        body = gzip.decompress(sent) if encoding == "gzip" else sent
        return {"status": status, "encoding": encoding, "sent": len(sent), "raw": len(body), "gzip6": len(gzip.compress(body, 6)),
                "cache": headers.get("Cache-Control") or "", "body": body}

    def weigh(self, page: Page, lang: str) -> None:
        html = self.fetch(page.path)
        text = html["body"].decode("utf-8", "replace")
        css = re.findall(r"<link\b[^>]*\brel=\"stylesheet\"[^>]*\bhref=\"([^\"]+)\"", text)
        css += [h for h in re.findall(r"<link\b[^>]*\bhref=\"([^\"]+)\"[^>]*\brel=\"stylesheet\"", text) if h not in css]
        js = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", text)
        row = {"page": page.name, "role": page.role or "-", "path": page.path, "lang": lang, "status": html["status"],
               "encoding": html["encoding"], "html": html["sent"], "html_gzip6": html["gzip6"], "raw": html["raw"],
               "css": 0, "css_gzip6": 0, "js": 0, "js_gzip6": 0, "assets": css + js}
        for kind, urls in (("css", css), ("js", js)):
            for url in urls:
                path = urllib.parse.urljoin(page.path, url.replace("&amp;", "&"))
                if path.startswith("http"):
                    path = urllib.parse.urlsplit(path)._replace(scheme="", netloc="").geturl()
                if path not in self.assets:
                    asset = self.fetch(path)
                    asset.pop("body")
                    self.assets[path] = asset
                asset = self.assets[path]
                row[kind] += asset["sent"]
                row[f"{kind}_gzip6"] += asset["gzip6"]
                row["raw"] += asset["raw"]
        row["total"] = row["html"] + row["css"] + row["js"]
        row["total_gzip6"] = row["html_gzip6"] + row["css_gzip6"] + row["js_gzip6"]
        self.weights.append(row)

    def weight_limits(self) -> str:
        expect(self.weights, "no page was weighed")
        heavy = [f"{w['page']} ({w['lang']}) {w['total']} B" for w in self.weights
                 if max(w["total"], w["total_gzip6"]) > WEIGHT_LIMIT]
        expect(not heavy, f"over {WEIGHT_LIMIT} bytes compressed: {', '.join(heavy)}")
        worst = max(self.weights, key=lambda w: w["total"])
        return f"{len(self.weights)} page loads weighed; heaviest {worst['page']} ({worst['lang']}) {worst['total']} B"

    def compression(self) -> str:
        plain = sorted({f"{w['page']} ({w['lang']})" for w in self.weights if w["encoding"] != "gzip" and w["raw"] > 1024})
        plain += [path for path, a in self.assets.items() if a["encoding"] != "gzip" and a["raw"] > 1024]
        expect(not plain, f"sent without gzip: {', '.join(plain[:8])}")
        return f"HTML, {len(self.assets)} stylesheet(s) and script(s) sent gzip-compressed"

    def asset_caching(self) -> str:
        expect(self.assets, "no stylesheet or script was found on the pages")
        short = []
        for path, asset in self.assets.items():
            age = re.search(r"max-age=(\d+)", asset["cache"])
            if "no-store" in asset["cache"] or not age or int(age.group(1)) < MIN_ASSET_MAX_AGE:
                short.append(f"{path}: {asset['cache'] or 'no Cache-Control'}")
        expect(not short, "; ".join(short))
        return "; ".join(f"{p}: {a['cache']}" for p, a in self.assets.items())

    # --- 6. slow 3G ------------------------------------------------------------------------------

    def slow_3g(self) -> None:
        for name in SLOW_SAMPLE:
            page = next((p for p in self.site if p.name == name), None)
            if page is None:
                self.report.skip(f"slow 3G: {name}", "the page is not in the site map")
                continue
            self.report.check(f"slow 3G, cold cache: {name} {page.path} paints its first content within {FCP_LIMIT_MS / 1000:.0f} s",
                              lambda page=page: self.throttled(page))

    def throttled(self, page: Page) -> str:
        self.become(page.role)
        self.driver.get(f"{self.base}/language/en?next=/")
        # Cold: no HTTP or memory cache, and no service worker answering from its own store.
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        self.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        self.driver.execute_cdp_cmd("Network.setBypassServiceWorker", {"bypass": True})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", SLOW_3G)
        try:
            started = time.monotonic()
            self.driver.set_page_load_timeout(60)
            self.driver.get(self.base + page.path)
            self.wait(60).until(lambda d: d.execute_script(
                "return performance.getEntriesByType('paint').some(e => e.name === 'first-contentful-paint')"
                " && document.readyState === 'complete'"), "a first contentful paint")
            load_wall = time.monotonic() - started
            timing = self.driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');"
                "return {fcp: p.startTime, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, bytes: "
                "performance.getEntries().reduce((s, e) => s + (e.transferSize || 0), 0)};")
        finally:
            self.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
            self.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
            self.driver.execute_cdp_cmd("Network.setBypassServiceWorker", {"bypass": False})
            self.driver.set_page_load_timeout(self.wait_seconds * 3)
        row = {"page": page.name, "path": page.path, "fcp": timing["fcp"], "dcl": timing["dcl"], "load": timing["load"],
               "bytes": timing["bytes"], "wall": load_wall}
        self.slow.append(row)
        expect(timing["fcp"] <= FCP_LIMIT_MS, f"first contentful paint after {timing['fcp']:.0f} ms")
        return f"FCP {timing['fcp']:.0f} ms, DOMContentLoaded {timing['dcl']:.0f} ms, load {timing['load']:.0f} ms, {timing['bytes']} B"

    # --- 7. screenshots --------------------------------------------------------------------------

    def screenshot(self, name: str, size: tuple[int, int], mobile: bool) -> dict:
        """A full-page PNG at a given viewport; returns the layout there. Unlike the shared one it does not wait for
        the viewport to take the width: a phone-sized page wider than the screen widens it, which is what we report."""
        width, height = size
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        try:
            deadline = time.monotonic() + 2
            while True:
                layout = self.driver.execute_script(
                    "const e = document.documentElement;"
                    "return {innerWidth: window.innerWidth, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,"
                    " scrollHeight: Math.max(e.scrollHeight, document.body.scrollHeight)};")
                if layout["innerWidth"] == width or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            layout["wide"] = self.driver.execute_script(WIDEST, width) if layout["innerWidth"] > width else []
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

    def shot(self, page: Page, lang: str) -> None:
        name = re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-")
        self.screenshot(f"every-{name}-{lang}.png", DESKTOP, mobile=False)
        self.shots_taken.append(f"every-{name}-{lang}.png")
        if page.name in PHONE_PAGES:
            layout = self.screenshot(f"every-{name}-{lang}-phone.png", PHONE, mobile=True)
            self.shots_taken.append(f"every-{name}-{lang}-phone.png")
            wide = max(layout["innerWidth"], layout["scrollWidth"])
            if wide > PHONE[0] or layout["scrollWidth"] > layout["clientWidth"]:
                self.problems[page_key(page)][lang].append(
                    f"at {PHONE[0]} px the page is {wide} px wide (scrolls sideways): {', '.join(layout['wide'])}")

    def screenshots(self) -> str:
        expect(self.shots_taken, "no screenshot was taken")
        missing = [s for s in self.shots_taken if not (self.shots / s).is_file()]
        expect(not missing, f"missing {', '.join(missing)}")
        return f"{len(self.shots_taken)} screenshots (every-*.png), {sum(1 for s in self.shots_taken if 'phone' in s)} at 360x740"

    # --- the report file -------------------------------------------------------------------------

    def write_weights(self) -> str:
        lines = [
            "# Page weights and slow-3G timings",
            "",
            f"Measured by Tests/browser/every_page.py against {self.base} on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            f"Bytes as transferred with `Accept-Encoding: gzip` (HTML, stylesheets, scripts); the limit is {WEIGHT_LIMIT} bytes per page.",
            "`gzip -6` is the size of the same bodies compressed at level 6, whatever the server sent.",
            "",
            "| page | role | lang | status | encoding | HTML | CSS | JS | total | total gzip -6 | uncompressed |",
            "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for w in self.weights:
            lines.append(f"| {w['page']} | {w['role']} | {w['lang']} | {w['status']} | {w['encoding']} | {w['html']} | {w['css']} | "
                         f"{w['js']} | **{w['total']}** | {w['total_gzip6']} | {w['raw']} |")
        lines += ["", "Stylesheets and scripts:", "", "| asset | encoding | sent | gzip -6 | uncompressed | Cache-Control |", "|---|---|---:|---:|---:|---|"]
        for path, a in self.assets.items():
            lines.append(f"| {path} | {a['encoding']} | {a['sent']} | {a['gzip6']} | {a['raw']} | {a['cache']} |")
        lines += ["", f"## Slow 3G, cold cache (latency {SLOW_3G['latency']} ms, {SLOW_3G['downloadThroughput']} B/s down and up)", "",
                  "| page | path | first contentful paint (ms) | DOMContentLoaded (ms) | load (ms) | bytes transferred |",
                  "|---|---|---:|---:|---:|---:|"]
        for s in self.slow:
            lines.append(f"| {s['page']} | {s['path']} | {s['fcp']:.0f} | {s['dcl']:.0f} | {s['load']:.0f} | {s['bytes']} |")
        WEIGHTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        WEIGHTS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(WEIGHTS_FILE.relative_to(REPO))


def main() -> int:
    def body(test: EveryPage, report, browser) -> None:
        if not report.check("the site map resolves every page from the demo data", test.site_map) or not browser():
            return
        if not report.check("axe-core is bundled by an installed package and has the WCAG 2.1 A and AA rules", test.axe_engine):
            return
        test.all_languages()
        test.report_pages()
        report.check("axe-core over every page in every language: zero violations", test.axe_summary)
        report.check(f"every page in {', '.join(WEIGHT_LANGUAGES)} weighs at most {WEIGHT_LIMIT} bytes compressed", test.weight_limits)
        report.check("the server compresses pages, stylesheets and scripts", test.compression)
        report.check("stylesheets and scripts have a long-lived Cache-Control", test.asset_caching)
        report.check("screenshots of a sample of pages in every language", test.screenshots)
        test.keyboard()
        test.print_pages()
        test.slow_3g()
        report.check("page weights and slow-3G timings written", test.write_weights)
        print("# " + ", ".join(f"{k}: {v:.0f} s" for k, v in test.timings.items()), flush=True)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: EveryPage(None, *a), body, name="every page", total_timeout=600)


if __name__ == "__main__":
    sys.exit(main())
