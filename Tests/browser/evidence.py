"""Browser test of the evidence pages, with Selenium and headless Chromium.

1. The analyst opens "Evidence" from the navigation, counts the figures again with "Refresh figures", and finds the
   dashboard: headline figures and four figures, each an SVG chart (an image with a title and a description) beside
   a table with a caption and column headers, with the suppression note and the date of the figures. In print the
   navigation, the refresh form and the catalogue link are hidden and the charts and tables stay.
2. From the catalogue the analyst opens "Share diverted", ticks sex and age group and shows the cut: a grouped bar
   chart and a table with both columns; the CSV link downloads the same table with a `suppressed` column. A period
   that ends before it starts is refused, naming the field.
3. Signed out, the sign-in page links to the public page, which shows the jurisdiction, headline figures and two
   charts with their tables and notes, no names of people and no navigation.
Every page loaded is checked for raw message keys and template syntax.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  build/venv/bin/python Tests/browser/evidence.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any check failed.
Screenshots: evidence-dashboard.png, evidence-dashboard-mobile.png, evidence-dashboard-print.png,
evidence-indicator.png, evidence-public.png, evidence-public-mobile.png.
"""
import csv
import io
import sys
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import (  # noqa: E402 - the shared harness lives next to this file
    DESKTOP, MOBILE, PASSWORD, expect, run_suite, Smoke,
)
from selenium.webdriver.common.by import By  # noqa: E402

# Names the demo gives its people; none may appear on the public page.
DEMO_NAMES = ["Marta Ribeiro", "Ribeiro", "Silva", "Novák", "García", "Haddad", "Okafor", "Kowalski"]


class Evidence(Smoke):
    def shot(self, name: str, phone: bool = False) -> None:
        layout = self.screenshot(name, MOBILE if phone else DESKTOP, mobile=phone)
        if phone:
            expect(layout["scrollWidth"] <= layout["clientWidth"],
                   f"at 390 px {self.path()} is {layout['scrollWidth']} px wide (viewport {layout['clientWidth']} px)")

    def figures_are_charts_with_tables(self, expected: int) -> str:
        figures = self.driver.find_elements(By.CSS_SELECTOR, "figure.evidence-figure")
        expect(len(figures) == expected, f"expected {expected} figures, found {len(figures)}")
        for figure in figures:
            name = figure.get_attribute("id")
            svgs = figure.find_elements(By.CSS_SELECTOR, "svg.chart")
            expect(len(svgs) == 1, f"{name} has {len(svgs)} charts")
            svg = svgs[0]
            expect(svg.get_attribute("role") == "img", f"{name}: the chart is not an image to assistive technology")
            labelled = (svg.get_attribute("aria-labelledby") or "").split()
            expect(len(labelled) == 2, f"{name}: aria-labelledby is {labelled}")
            for part in labelled:
                expect(svg.find_elements(By.ID, part), f"{name}: #{part} is not inside the chart")
            width = self.driver.execute_script("return arguments[0].getBoundingClientRect().width", svg)
            expect(width > 200, f"{name}: the chart is drawn {width} px wide")
            tables = figure.find_elements(By.CSS_SELECTOR, "table.figures-table")
            expect(len(tables) == 1, f"{name} has {len(tables)} tables")
            caption = tables[0].find_element(By.TAG_NAME, "caption").text.strip()
            expect(caption != "", f"{name}: the table has no caption")
            expect(tables[0].find_elements(By.CSS_SELECTOR, "thead th[scope='col']"), f"{name}: no column headers")
            notes = " ".join(n.text for n in figure.find_elements(By.CSS_SELECTOR, ".figure-note"))
            expect("5" in notes, f"{name}: no suppression threshold in the notes: {notes!r}")
        return f"{len(figures)} figures"

    # --- 1. the dashboard ------------------------------------------------------------------------

    def dashboard(self) -> str:
        self.fresh()
        self.sign_in("analyst", PASSWORD)
        self.wait_path("/home")
        link = self.find("nav a[href='/analysis']")
        expect(link.text.strip() == self.en["nav_evidence"], f"the navigation link reads {link.text!r}")
        self.click_to_new_page("nav a[href='/analysis']")
        self.wait_path("/analysis")
        self.click_to_new_page("#refresh")
        self.wait_path("/analysis")
        notice = self.visible("#notice").text.strip()
        expect(notice == self.en["evidence_refreshed"], f"the notice reads {notice!r}")
        as_of = self.visible("#as-of").text
        expect(as_of.startswith("Figures as of "), f"the date of the figures reads {as_of!r}")
        headlines = self.driver.find_elements(By.CSS_SELECTOR, "#headlines .headline")
        expect(len(headlines) == 6, f"expected 6 headline figures, found {len(headlines)}")
        contacts = self.visible("#headline-contacts dd").text.strip()
        # English groups thousands with a comma (LocaleFormat); the count is a whole number either way.
        expect(contacts.replace(",", "").isdigit(), f"the contacts headline reads {contacts!r}")
        result = self.figures_are_charts_with_tables(4)
        self.no_raw_keys()
        self.shot("evidence-dashboard.png")
        self.shot("evidence-dashboard-mobile.png", phone=True)
        return f"{result}, {contacts} contacts"

    def dashboard_prints(self) -> str:
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            def shown(css: str) -> bool:
                return any(e.is_displayed() for e in self.driver.find_elements(By.CSS_SELECTOR, css))
            for hidden in (".masthead", "#refresh-form", "#catalogue-link", ".footer"):
                expect(not shown(hidden), f"{hidden} is shown in print")
            charts = [e for e in self.driver.find_elements(By.CSS_SELECTOR, "figure svg.chart") if e.is_displayed()]
            tables = [e for e in self.driver.find_elements(By.CSS_SELECTOR, "figure table") if e.is_displayed()]
            expect(len(charts) == 4 and len(tables) == 4, f"in print {len(charts)} charts and {len(tables)} tables show")
            self.screenshot("evidence-dashboard-print.png", DESKTOP, mobile=False)
        finally:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        return ""

    # --- 2. one indicator, cut two ways ----------------------------------------------------------

    def indicator_cut(self) -> str:
        self.open("/analysis")
        self.click_to_new_page("#catalogue-link")
        self.wait_path("/analysis/indicators")
        self.no_raw_keys()
        self.click_to_new_page("#indicator-diverted_share h2 a")
        self.wait_path("/analysis/indicators/diverted_share")
        for box in ("#by-sex", "#by-age_group"):
            element = self.find(box)
            label = self.driver.find_element(By.CSS_SELECTOR, f"label[for='{box[1:]}']").text.strip()
            expect(label != "", f"{box} has no label")
            if not element.is_selected():
                self.driver.execute_script("arguments[0].click()", element)
        self.click_to_new_page("#show")
        self.wait_path("/analysis/indicators/diverted_share")
        asked = parse_qs(urlsplit(self.driver.current_url).query)
        expect(sorted(asked.get("by", [])) == ["age_group", "sex"], f"the form asked for by={asked.get('by')}")
        expect(self.find("#by-sex").is_selected() and self.find("#by-age_group").is_selected(), "the ticked boxes are not kept")
        self.figures_are_charts_with_tables(1)
        headers = [th.text.strip() for th in self.driver.find_elements(By.CSS_SELECTOR, "table.figures-table thead th")]
        expect(self.en["evidence_dim_sex"] in headers and self.en["evidence_dim_age_group"] in headers, f"the table's columns are {headers}")
        bars = self.driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
        expect(len(bars) >= 4, f"the chart draws {len(bars)} bars")
        self.no_raw_keys()
        self.shot("evidence-indicator.png")
        return f"{len(bars)} bars, columns {headers}"

    def indicator_csv(self) -> str:
        href = self.find("#csv-link").get_attribute("href")
        expect("format=csv" in href, f"the CSV link is {href}")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(href, headers={"Cookie": cookies})
        with urllib.request.urlopen(request, timeout=self.wait_seconds * 3) as response:
            expect(response.status == 200, f"the CSV answered {response.status}")
            expect(response.headers.get("Content-Type", "").startswith("text/csv"), f"the CSV is {response.headers.get('Content-Type')}")
            rows = list(csv.reader(io.StringIO(response.read().decode("utf-8"))))
        expect(rows and rows[0] == ["sex", "age_group", "value", "numerator", "denominator", "suppressed"], f"the CSV header is {rows[:1]}")
        suppressed = [r for r in rows[1:] if r[-1] == "true"]
        expect(all(r[2:5] == ["", "", ""] for r in suppressed), "a suppressed CSV row still carries figures")
        table_rows = self.driver.find_elements(By.CSS_SELECTOR, "table.figures-table tbody tr")
        expect(len(table_rows) == len(rows) - 1, f"the page shows {len(table_rows)} rows, the CSV {len(rows) - 1}")
        shown_suppressed = self.driver.find_elements(By.CSS_SELECTOR, "table.figures-table tbody tr.suppressed")
        expect(len(shown_suppressed) == len(suppressed), f"{len(shown_suppressed)} rows suppressed on the page, {len(suppressed)} in the CSV")
        return f"{len(rows) - 1} rows, {len(suppressed)} suppressed"

    def indicator_refuses_backwards_period(self) -> str:
        self.set_value("#from", "2026-06-01")
        self.set_value("#to", "2026-01-01")
        self.click_to_new_page("#show")
        errors = self.visible("#form-errors").text
        expect("before its start" in errors, f"the error reads {errors!r}")
        expect(not self.driver.find_elements(By.CSS_SELECTOR, "figure.evidence-figure"), "a figure is shown for a refused period")
        self.no_raw_keys()
        return ""

    def set_value(self, css: str, value: str) -> None:
        self.driver.execute_script("arguments[0].value = arguments[1]", self.find(css), value)

    # --- 3. the public page ------------------------------------------------------------------------

    def public_page(self) -> str:
        self.fresh()
        self.open("/login")
        link = self.find("#public-link")
        expect(link.text.strip() == self.en["public_link"], f"the link reads {link.text!r}")
        self.click_to_new_page("#public-link")
        self.wait_path("/public")
        expect(not self.driver.find_elements(By.ID, "sign-out"), "the public page shows a signed-in header")
        expect(not self.driver.find_elements(By.CSS_SELECTOR, "nav .nav"), "the public page shows the staff navigation")
        jurisdiction = self.visible("#jurisdiction").text.strip()
        expect(jurisdiction != "", "the jurisdiction is not named")
        headlines = self.driver.find_elements(By.CSS_SELECTOR, "#headlines .headline")
        expect(len(headlines) == 4, f"expected 4 headline figures, found {len(headlines)}")
        result = self.figures_are_charts_with_tables(2)
        text = self.visible_text()
        expect(self.en["public_reading_observational"] in text, "the note on observational comparisons is missing")
        expect(self.visible("#as-of").text.startswith("Figures as of "), "the public page is not dated")
        named = [n for n in DEMO_NAMES if n in text or n in self.driver.page_source]
        expect(not named, f"the public page names {named}")
        self.no_raw_keys()
        self.shot("evidence-public.png")
        self.shot("evidence-public-mobile.png", phone=True)
        return f"{jurisdiction}: {result}"


def main() -> int:
    def body(test, report, browser) -> None:
        if not browser():
            return
        if report.check("the analyst opens Evidence, refreshes the figures and sees headline figures and four charts with tables",
                        test.dashboard):
            report.check("printed, the dashboard keeps charts and tables and hides navigation and forms", test.dashboard_prints)
        if report.check("from the catalogue, Share diverted cut by sex and age group draws grouped bars beside the table",
                        test.indicator_cut):
            report.check("the CSV download is the same table, suppressed rows empty and marked", test.indicator_csv)
            report.check("a period that ends before it starts is refused, naming the problem", test.indicator_refuses_backwards_period)
        report.check("signed out, the sign-in page links to the dated, suppressed public page with two charts and no names",
                     test.public_page)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: Evidence(None, *a), body, name="evidence")


if __name__ == "__main__":
    sys.exit(main())
