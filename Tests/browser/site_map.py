"""The site map: every HTML page of Diversion, the demo role that may see it, and the demo records it shows.

Other browser suites reuse it:
    from site_map import site_map, pages
    for role, path, name in site_map(base_url): ...

`PAGES` holds one line per page. A path may name demo records in braces ({person}, {measure},
{case}, {contact}, {referral}, {consent}, {indicator}); `resolve(base)` finds them through the JSON
API with the demo accounts of `serve --demo` (password `demo`): the demo participant Marta Ribeiro,
her measure, case, contact and consent, a referral the provider receives and the first indicator.
When her measure is no longer active (another suite may have completed it), the measure pages use a new
person sentenced to an active measure for the purpose. It also opens the administrator's emergency access to
her record for an hour (audited), which the emergency view needs.
A page whose role is None is seen signed out; "participant" is the demo participant signed in with
her personal code. A line with `optional=True` is kept only when the
server has the route (a page still being built elsewhere is then picked up without an edit here).
"""
from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

PASSWORD = "demo"
PARTICIPANT = "Ribeiro"  # Marta Ribeiro, whose month of supervision `serve --demo` seeds


@dataclass(frozen=True)
class Page:
    """One page: who sees it, where, what it is called in reports and what a visitor can do there."""
    role: str | None
    path: str
    name: str
    status: int = 200
    # A kind groups pages for the keyboard check (one page of each kind is walked with Tab).
    kind: str = "page"
    # CSS of the page's main action, which keyboard users must reach with Tab; None when it has none.
    primary: str | None = None
    # Printable pages are also checked with print media emulation and printed to PDF.
    printable: bool = False
    optional: bool = False


# One line per page. Keep the list in the order a visitor meets the pages, role by role.
PAGES: list[Page] = [
    Page(None, "/login", "sign-in", kind="form", primary="#sign-in"),
    Page(None, "/public", "public figures", kind="evidence"),
    Page(None, "/call-in", "call-in", kind="form", primary="main form button[type=submit]"),
    Page(None, "/no-such-page", "not found (signed out)", status=404, kind="error"),
    Page("officer", "/home", "home", kind="home"),
    Page("officer", "/no-such-page", "not found (signed in)", status=404, kind="error"),
    Page("officer", "/court", "forbidden", status=403, kind="error"),
    Page("officer", "/contacts/new", "new contact", kind="form", primary="main form button.primary"),
    Page("officer", "/contacts/{contact}", "contact", kind="record"),
    Page("officer", "/contacts/{contact}/screening", "screening", kind="form", primary="main form button.primary"),
    Page("officer", "/contacts/offline", "offline contact capture", kind="form", primary="#save-capture", optional=True),
    Page("officer", "/people", "people search", kind="list", primary="#search"),
    Page("officer", "/people/new", "new person", kind="form", primary="#register"),
    Page("officer", "/people/{person}", "person", kind="record"),
    Page("officer", "/referrals", "referrals", kind="list"),
    Page("provider", "/referrals/{referral}", "referral", kind="record"),
    Page("provider", "/people/{person}/consents", "consents", kind="form", primary="main form button.primary"),
    Page("provider", "/consents/{consent}/print", "consent form (print)", kind="report", printable=True),
    Page("provider", "/people/{person}/disclosures", "disclosures", kind="list"),
    Page("provider", "/disclosures/notifications", "disclosure notifications", kind="list"),
    Page("provider", "/services/capacity", "service capacity", kind="form", primary="main form button.primary"),
    Page("judge", "/court", "court docket", kind="list"),
    Page("judge", "/court/breaches", "breaches to decide", kind="list"),
    Page("judge", "/cases/{case}", "case", kind="form", primary="main form button.primary"),
    Page("judge", "/people/{person}/timeline", "timeline", kind="record"),
    Page("judge", "/measures/{measure}/report", "progress report (print)", kind="report", printable=True),
    Page("supervisor", "/measures/{measure}", "measure", kind="record", primary="#file-breach"),
    Page("supervisor", "/measures/{measure}/compliance", "compliance", kind="form", primary="main form button.primary"),
    Page("supervisor", "/measures/{measure}/tests", "drug tests", kind="form", primary="main form button.primary"),
    Page("supervisor", "/measures/{measure}/responses", "responses", kind="form", primary="#suggest"),
    Page("supervisor", "/measures/{measure}/monitoring", "monitoring", kind="record"),
    Page("supervisor", "/supervision/alerts", "alerts", kind="list"),
    Page("supervisor", "/supervision/tests", "tests worklist", kind="list"),
    Page("supervisor", "/supervision/overdue", "overdue", kind="list"),
    Page("supervisor", "/supervision/responses", "response matrix", kind="list"),
    Page("analyst", "/analysis", "analysis dashboard", kind="evidence"),
    Page("analyst", "/analysis/indicators", "indicator catalogue", kind="list"),
    Page("analyst", "/analysis/indicators/{indicator}", "indicator", kind="evidence"),
    Page("analyst", "/analysis/simulation", "policy simulation", kind="form", primary="main form button.primary"),
    Page("analyst", "/analysis/exports", "exports", kind="list"),
    Page("admin", "/admin/policies", "policies", kind="form", primary="main form button.primary"),
    Page("admin", "/admin/services", "service directory", kind="form", primary="main form button.primary"),
    Page("admin", "/people/{person}/emergency", "emergency access", kind="record"),
    Page("supervisor", "/people/{participant}/access-code", "participant code", kind="form", primary="#me-code-issue", optional=True),
    Page(None, "/me/sign-in", "participant sign-in", kind="form", primary="#me-sign-in", optional=True),
    # The role "participant" is the demo participant signed in with a personal code (see every_page.py).
    Page("participant", "/me", "participant page", kind="participant", optional=True),
]


class SiteMapError(RuntimeError):
    """The demo records a page needs could not be found."""


def _call(base: str, path: str, token: str | None = None, body: dict | None = None, timeout: float = 30) -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise SiteMapError(f"{path} answered {error.code}: {error.read()[:200]!r}") from None


def _first(items: list, what: str) -> dict:
    if not items:
        raise SiteMapError(f"the demo data has no {what}")
    return items[0]


def _active_measure(base: str, token) -> dict:
    """A new person sentenced today to probation with testing, treatment, community service and a payment."""
    stamp = int(time.time() * 10) % 26 ** 6
    family = "Pagecheck" + "".join(chr(97 + (stamp // 26 ** i) % 26) for i in range(6))
    person = _call(base, "/api/v1/persons", token("officer"), {
        "givenName": "Amal", "familyName": family, "birthDate": "1991-03-14", "sex": "female", "preferredLanguage": "ar"})
    opened = _call(base, "/api/v1/cases", token("judge"), {"personId": person["id"]})
    today = datetime.now(timezone.utc).date()
    decided = _call(base, f"/api/v1/cases/{opened['id']}/decisions", token("judge"), {
        "stage": "sentencing",
        "measures": [{
            "type": "probation", "start": str(today - timedelta(days=1)), "plannedEnd": str(today + timedelta(days=180)),
            "conditions": [
                {"type": "drug_testing", "parameters": {"minimumPerWeek": 2, "windowHours": 8, "windowStart": "07:00", "specimen": "urine"}},
                {"type": "attend_treatment", "parameters": {"sessionsPerWeek": 1}},
                {"type": "community_service", "parameters": {"hours": 40, "deadline": str(today + timedelta(days=120))}},
                {"type": "payment", "parameters": {"amount": 100, "currency": "EUR", "instalments": 2}},
            ],
        }],
        "proportionality": {"gravity": "Possession of 5 g cannabis for personal use.", "circumstances": "Second contact, studies.",
                            "reasons": "Supervision with testing and treatment is proportionate."},
    })
    return {"caseId": opened["id"], "personId": person["id"], **decided["measures"][0]}


def resolve(base: str) -> dict[str, str]:
    """The demo records the site map's paths name, found through the JSON API."""
    base = base.rstrip("/")
    tokens: dict[str, str] = {}

    def token(user: str) -> str:
        if user not in tokens:
            tokens[user] = _call(base, "/api/v1/auth/token", body={"username": user, "password": PASSWORD})["token"]
        return tokens[user]

    found = _call(base, "/api/v1/persons?" + urllib.parse.urlencode({"q": PARTICIPANT}), token("judge"))["items"]
    person = _first(found, f"person named {PARTICIPANT}")["id"]
    measures = [m for m in _call(base, f"/api/v1/measures?personId={person}", token("judge"))["items"] if m.get("status") == "active"]
    # Another suite may have completed her measure; its pages then offer no forms, so a new active one stands in.
    measure = measures[0] if measures else _active_measure(base, token)
    # Once her measure is completed her contacts are sealed (other suites may have completed it): any contact then.
    contacts = _call(base, f"/api/v1/contacts?personId={person}", token("officer"))["items"]
    contact = _first(contacts or _call(base, "/api/v1/contacts", token("officer"))["items"], "contact the officer can read")
    consent = _first(_call(base, f"/api/v1/persons/{person}/consents", token("provider"))["items"], "consent of the participant")
    referral = _first(_call(base, "/api/v1/referrals", token("provider"))["items"], "referral the provider receives")
    indicator = _first(_call(base, "/api/v1/indicators", token("analyst"))["items"], "indicator")
    # The emergency view shows only while the administrator's emergency access is open: one hour, with a reason.
    _call(base, f"/api/v1/persons/{person}/break-glass", token("admin"),
          {"reason": "Accessibility check of the emergency view of the record.", "hours": 1})
    return {
        "person": person, "measure": measure["id"], "case": measure["caseId"], "contact": contact["id"],
        "consent": consent["id"], "referral": referral["id"], "indicator": indicator["code"],
        # Personal codes are issued by the supervision of a running measure: the person whose measure is active.
        "participant": measure.get("personId") or person,
    }


class WebSession:
    """A signed-in browser-like session without a browser: the sign-in form, its CSRF cookie, the session cookie."""

    def __init__(self, base: str, user: str | None, language: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        if language:
            self.get(f"/language/{language}?next=/login")
        if user:
            status, _, body = self.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', body.decode())
            if status != 200 or not csrf:
                raise SiteMapError(f"the sign-in page answered {status} without a CSRF field")
            form = urllib.parse.urlencode({"csrf": csrf.group(1), "next": "/home", "username": user, "password": PASSWORD})
            status, _, _ = self.get("/login", data=form.encode())
            if status != 303 and status != 302:
                raise SiteMapError(f"signing in as {user} answered {status}")

    def get(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """(status, headers in lower case, body as sent); redirects are not followed."""
        request = urllib.request.Request(self.base + path, data=data, headers={"Accept": "text/html", **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


STAFF = {"officer", "prosecutor", "judge", "provider", "supervisor", "analyst", "admin"}


def _route_exists(base: str, page: Page, path: str, sessions: dict) -> bool:
    """A staff page is there when its role gets the status the map expects; another when a visitor gets anything
    but 404 (the participant's page sends a visitor without a session to its own sign-in)."""
    role = page.role if page.role in STAFF else None
    if role not in sessions:
        sessions[role] = WebSession(base, role)
    status = sessions[role].get(path)[0]
    return status == page.status if role else status != 404


def pages(base: str, ids: dict[str, str] | None = None) -> list[Page]:
    """Every page with its records filled in; optional pages only when the server has them."""
    base = base.rstrip("/")
    ids = ids if ids is not None else resolve(base)
    result = []
    sessions: dict = {}
    for page in PAGES:
        path = page.path.format(**ids)
        if page.optional and not _route_exists(base, page, path, sessions):
            continue
        result.append(replace(page, path=path))
    return result


def site_map(base: str, ids: dict[str, str] | None = None) -> list[tuple[str | None, str, str]]:
    """[(role, path, name)] for every page; role None means signed out."""
    return [(page.role, page.path, page.name) for page in pages(base, ids)]


if __name__ == "__main__":
    import sys
    for role, path, name in site_map(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8091"):
        print(f"{role or '-':<11} {path:<60} {name}")
