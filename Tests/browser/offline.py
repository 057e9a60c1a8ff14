"""Browser test of offline capture: the installable app, the queue in IndexedDB and safe sync, in headless Chromium.

1. The manifest and /sw.js are served with their media types; the officer opens /contacts/offline online and
   the service worker keeps the page, the scripts and the policy bundle.
2. The page goes offline for real (DevTools network emulation; a fetch of /healthz must fail). The officer
   records two captures of new people; the eligibility and the screening score worked out on the device are
   shown, and the score equals the server's POST /api/v1/screenings/score for the same answers. The first is
   diverted and referred to a service suggested on the device from the kept directory of the officer's region.
3. The page of a person on record, kept while online, is reloaded offline while another session changes that
   person on the server: the page still shows the kept revision (so it came from the cache), and the officer
   records a third capture that changes the person's preferred language.
4. The page is reloaded offline and the tab closed and a new one opened: the queue still shows three records.
5. Back online, the queue syncs by itself: the two new people and their contacts are on the server exactly
   once, with the eligibility the device showed, and the referral of the first is on the server exactly once,
   to the service chosen offline; the third capture is a conflict, shown with both versions
   side by side, and nothing of it was recorded. The officer keeps their own version: it is then recorded
   once, and the person has the officer's language at the next revision.
6. Every synced record is sent again with its idempotency key: the server answers as before and still has
   each record (and the one referral) exactly once.
7. The session ends while a record waits: the queue is kept, the officer is asked to sign in, and after
   signing in the record is sent.
8. Offline, a capture refers to a service that fills up before the sync: the contact is recorded, no
   referral is written, and the record shows "needs attention" with the reason and a link to refer online.
9. In Spanish, the reasons worked out on the device are shown in Spanish, the quantity kept.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  build/venv/bin/python Tests/browser/offline.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any check failed.
Screenshots: offline-queue.png, offline-conflict.png, offline-synced.png, offline-attention.png.
"""
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from smoke import DESKTOP, MOBILE, PASSWORD, CheckFailed, expect, run_suite  # noqa: E402
from supervision_tests import SupervisionTests  # noqa: E402

PAGE = "/contacts/offline"

# Runs in the page: the kept captures, read straight from IndexedDB.
READ_QUEUE = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('diversion-offline', 1);
open.onsuccess = () => {
  const request = open.result.transaction('captures').objectStore('captures').getAll();
  request.onsuccess = () => { done(request.result); open.result.close(); };
  request.onerror = () => done({error: String(request.error)});
};
open.onerror = () => done({error: String(open.error)});
"""

# Runs in the page: marks every synced capture as waiting again, as if its answer had been lost.
UNSYNC = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('diversion-offline', 1);
open.onsuccess = () => {
  const tx = open.result.transaction('captures', 'readwrite'), store = tx.objectStore('captures');
  let changed = 0;
  store.getAll().onsuccess = (e) => {
    for (const item of e.target.result) if (item.state === 'synced') { item.state = 'waiting'; store.put(item); changed++; }
  };
  tx.oncomplete = () => { open.result.close(); done(changed); };
  tx.onerror = () => done(-1);
};
"""

FETCH = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {cache: 'no-store'}).then(r => done('answered ' + r.status), e => done('failed: ' + e));
"""


class OfflineTests(SupervisionTests):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        stamp = int(time.time() * 10) % 26 ** 6
        tag = "".join(chr(97 + (stamp // 26 ** i) % 26) for i in range(6))
        self.families = [f"Offlinea{tag}", f"Offlineb{tag}", f"Offlinec{tag}"]
        self.officer = ""
        self.known_id = ""
        self.local: list[dict] = []
        self.keys: dict[str, str] = {}
        self.service = ""

    # --- helpers -------------------------------------------------------------------------------

    def request(self, method: str, path: str, token: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
        request = urllib.request.Request(self.base + path, data=data, headers=all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.wait_seconds * 3) as response:
                return response.status, dict(response.headers), json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"{}")

    def set_offline(self, offline: bool) -> None:
        """DevTools network emulation for the tab and for the service worker, whose own fetches the tab's
        emulation does not cover; the worker is reached through a session of its own."""
        conditions = {"offline": offline, "latency": 0, "downloadThroughput": 0 if offline else -1,
                      "uploadThroughput": 0 if offline else -1}
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)
        targets = self.driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
        for target in targets:
            if target["type"] != "service_worker" or not target["url"].startswith(self.base):
                continue
            session = self.driver.execute_cdp_cmd("Target.attachToTarget", {"targetId": target["targetId"], "flatten": False})
            for number, (method, params) in enumerate((("Network.enable", {}), ("Network.emulateNetworkConditions", conditions))):
                self.driver.execute_cdp_cmd("Target.sendMessageToTarget", {
                    "sessionId": session["sessionId"], "message": json.dumps({"id": number + 1, "method": method, "params": params}),
                })

    def queue(self) -> list[dict]:
        items = self.driver.execute_async_script(READ_QUEUE)
        expect(isinstance(items, list), f"IndexedDB could not be read: {items}")
        return items

    def states(self) -> list[str]:
        """The states the list shows, read at once: the list is redrawn while a sync runs."""
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#sync-list > li'), li => li.dataset.state)")

    def count_shown(self) -> int:
        return int(self.find("#sync-count").get_attribute("data-count") or "-1")

    def wait_app(self) -> None:
        self.wait().until(lambda d: d.find_element(By.ID, "capture-form").get_attribute("hidden") is None,
                          "the capture form to be shown by the script")
        self.wait().until(lambda d: d.find_element(By.ID, "sync-count").get_attribute("data-count") is not None,
                          "the queue panel to be drawn")

    def set_value(self, css: str, value: str) -> None:
        self.driver.execute_script(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1];"
            "el.dispatchEvent(new Event('change', {bubbles: true}));", css, value)

    def people_named(self, family: str) -> list[dict]:
        status, _, body = self.request("GET", "/api/v1/persons?" + urllib.parse.urlencode({"q": family}), self.officer)
        expect(status == 200, f"searching people answered {status}")
        return [p for p in body.get("items", []) if p.get("familyName") == family]

    def contacts_of(self, person_id: str) -> list[dict]:
        status, _, body = self.request("GET", f"/api/v1/contacts?personId={person_id}", self.officer)
        expect(status == 200, f"listing contacts answered {status}")
        return body["items"]

    def referrals_of(self, person_id: str) -> list[dict]:
        status, _, body = self.request("GET", "/api/v1/referrals?side=sent", self.officer)
        expect(status == 200, f"listing sent referrals answered {status}")
        return [r for r in body["items"] if r["personId"] == person_id]

    def one_referral(self) -> dict:
        """The referred person of the run has exactly one referral, to the service chosen offline."""
        person = self.people_named(self.families[0])[0]
        referrals = self.referrals_of(person["id"])
        expect(len(referrals) == 1, f"{self.families[0]} has {len(referrals)} referrals on the server, expected exactly 1")
        contact = self.contacts_of(person["id"])[0]
        expect(referrals[0]["serviceId"] == self.service and referrals[0]["contactId"] == contact["id"],
               f"the referral is to {referrals[0]['serviceId']} for contact {referrals[0]['contactId']}, expected {self.service}")
        return referrals[0]

    def once_each(self) -> str:
        """Each new person of the run is on record once with one contact; the known person has one contact."""
        found = []
        for family in self.families[:2]:
            people = self.people_named(family)
            expect(len(people) == 1, f"{len(people)} people named {family} on the server, expected exactly 1")
            contacts = self.contacts_of(people[0]["id"])
            expect(len(contacts) == 1, f"{family} has {len(contacts)} contacts on the server, expected exactly 1")
            found.append(contacts[0])
        return found

    # --- the scenario ----------------------------------------------------------------------------

    def installable(self) -> str:
        status, headers, manifest = self.request("GET", "/manifest.webmanifest", "none")
        expect(status == 200, f"the manifest answered {status}")
        kind = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        expect(kind.startswith("application/manifest+json"), f"the manifest is served as {kind!r}")
        expect(manifest.get("display") == "standalone" and manifest.get("start_url") == PAGE and manifest.get("icons"),
               f"the manifest lacks display/start_url/icons: {manifest}")
        with urllib.request.urlopen(self.base + "/sw.js", timeout=self.wait_seconds) as response:
            kind = response.headers.get("Content-Type", "")
            csp = response.headers.get("Content-Security-Policy", "")
        expect(kind.startswith("text/javascript"), f"/sw.js is served as {kind!r}")
        expect("worker-src 'self'" in csp and "manifest-src 'self'" in csp, f"the CSP does not allow the worker and manifest: {csp}")
        return ""

    def setup(self) -> str:
        self.officer = self.token("officer")
        status, _, person = self.request("POST", "/api/v1/persons", self.officer, body={
            "givenName": "Rosa", "familyName": self.families[2], "birthDate": "1985-06-15", "sex": "female",
            "preferredLanguage": "es",
        })
        expect(status == 201, f"creating the known person answered {status}: {person}")
        self.known_id = person["id"]
        return self.known_id

    def cache_online(self) -> str:
        self.fresh()
        self.sign_in("officer", PASSWORD)
        self.wait_path("/home")
        self.click_to_new_page("#home-offline")
        self.wait_path(PAGE)
        self.wait_app()
        self.driver.set_script_timeout(self.wait_seconds * 2)
        kept = self.driver.execute_async_script("""
const done = arguments[arguments.length - 1];
navigator.serviceWorker.ready.then(() => new Promise(r => setTimeout(r, 300)))
  .then(() => caches.keys()).then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))
  .then(lists => done([].concat(...lists).map(r => new URL(r.url).pathname)), e => done(String(e)));
""")
        for path in (PAGE, "/contacts/offline/bundle.json", "/contacts/offline/services.json", "/js/offline.js", "/js/rules.js",
                     "/js/services.js", "/css/site.css"):
            expect(path in kept, f"the service worker did not keep {path}: {kept}")
        # Opened once online, the known person's page is kept too.
        self.open(f"{PAGE}?personId={self.known_id}")
        self.wait_app()
        self.wait().until(lambda d: d.execute_script("return !!navigator.serviceWorker.controller"), "the page to be controlled by the worker")
        revision = self.find("#offline-app").get_attribute("data-person-revision")
        expect(revision == "1", f"the known person shows revision {revision}")
        self.open(PAGE)
        self.wait_app()
        return f"kept {len(kept)} files"

    def go_offline(self) -> str:
        self.set_offline(True)
        answer = self.driver.execute_async_script(FETCH, "/healthz")
        expect(answer.startswith("failed"), f"offline, a fetch of /healthz {answer}")
        self.wait().until(lambda d: d.execute_script("return navigator.onLine") is False, "navigator.onLine to be false")
        # The worker's own fetch fails too: a page it has not kept is answered with the kept blank page.
        same = self.driver.execute_async_script("""
const done = arguments[arguments.length - 1];
Promise.all([caches.match('/contacts/offline'), fetch('/contacts/offline?probe=' + Date.now(), {cache: 'no-store'})])
  .then(([kept, got]) => done(!!kept && kept.headers.get('X-Request-Id') === got.headers.get('X-Request-Id')), e => done(String(e)));
""")
        expect(same is True, f"offline, the service worker still reached the server ({same})")
        return answer

    def refer(self) -> str:
        """Decides to divert and picks the first service suggested on the device; returns its id."""
        self.set_value("#decision", "divert")
        self.visible("#referral")
        options = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#referral-service option'), o => [o.value, o.dataset.full]).filter(o => o[0])")
        open_services = [value for value, full in options if full == "false"]
        expect(len(open_services) > 0, f"offline, no open service was suggested from the kept directory: {options}")
        self.set_value("#referral-service", open_services[0])
        return open_services[0]

    def fill_capture(self, given: str, family: str | None, birth: str, weapon: bool, screening: bool, refer: bool = False) -> dict:
        if family is not None:
            self.visible("#person-givenName").send_keys(given)
            self.find("#person-familyName").send_keys(family)
            self.set_value("#person-birthDate", birth)
            Select(self.find("#person-sex")).select_by_value("female")
        Select(self.find("#offence")).select_by_value("possession_personal_use")
        Select(self.find("#seizure-substance")).select_by_value("cannabis_herb")
        self.find("#seizure-quantity").send_keys("4,5")
        if weapon:
            self.find('label[for="weapon"]').click()
        answers = None
        if screening:
            expect(self.visible("#instrument-assist").is_displayed(), "the adult's instrument (ASSIST) is not shown")
            self.find('label[for="assist-cannabis_q1-yes"]').click()
            for q, value in (("q2", "3"), ("q3", "2"), ("q4", "1"), ("q5", "0"), ("q6", "1"), ("q7", "0")):
                Select(self.find(f"#assist-cannabis_{q}")).select_by_value(value)
            answers = {"cannabis": {"q1": True, "q2": 3, "q3": 2, "q4": 1, "q5": 0, "q6": 1, "q7": 0}}
        if refer:
            self.service = self.refer()
        self.find("#check-capture").click()
        eligibility = self.visible("#local-eligibility")
        shown = {"eligible": eligibility.get_attribute("data-eligible") == "true", "answers": answers}
        if screening:
            shown["score"] = int(self.find("#local-score").get_attribute("data-score"))
        before = self.count_shown()
        self.find("#save-capture").click()
        self.wait().until(lambda d: self.count_shown() == before + 1, f"the queue to count {before + 1}")
        return shown

    def record_two(self) -> str:
        first = self.fill_capture("Inês", self.families[0], "1990-02-03", weapon=False, screening=True, refer=True)
        second = self.fill_capture("Olga", self.families[1], "1979-11-30", weapon=True, screening=False)
        expect(first["eligible"] and not second["eligible"],
               f"locally, the first should be eligible and the second (a weapon) not: {first['eligible']}, {second['eligible']}")
        status, _, scored = self.request("POST", "/api/v1/screenings/score", self.officer,
                                         body={"instrument": "assist", "answers": first["answers"]})
        expect(status == 200 and scored["score"] == first["score"],
               f"the device scored {first['score']}, the server {scored.get('score')} (status {status})")
        self.local = [first, second]
        items = self.queue()
        expect(len(items) == 2 and all(i["state"] == "waiting" for i in items), f"IndexedDB holds {[(i['label'], i['state']) for i in items]}")
        self.keys = {i["body"]["person"]["familyName"]: i["key"] for i in items}
        referred = [i["body"].get("referral") for i in items if i["body"]["person"]["familyName"] == self.families[0]]
        expect(referred and referred[0] and referred[0]["serviceId"] == self.service, f"the kept capture carries the referral {referred}")
        return f"eligible {first['eligible']}, score {first['score']}; eligible {second['eligible']}"

    def change_on_server_meanwhile(self) -> str:
        """Another session changes the known person while this device is offline."""
        other = self.token("officer")
        status, headers, body = self.request("PATCH", f"/api/v1/persons/{self.known_id}/details", other,
                                             body={"preferredLanguage": "fr", "flags": []}, headers={"If-Match": '"1"'})
        expect(status == 200 and body["revision"] == 2, f"the other session's change answered {status}: {body}")
        return "revision 2 on the server"

    def record_known_offline(self) -> str:
        self.open(f"{PAGE}?personId={self.known_id}")
        self.wait_app()
        revision = self.find("#offline-app").get_attribute("data-person-revision")
        expect(revision == "1", f"offline, the kept page shows revision {revision}: it did not come from the cache")
        language = self.find("#person-preferredLanguage")
        language.clear()
        language.send_keys("pt")
        before = self.count_shown()
        self.fill_capture("", None, "", weapon=False, screening=False)
        expect(self.count_shown() == before + 1, "the third capture is not counted")
        self.screenshot("offline-queue.png", DESKTOP, mobile=False)
        self.screenshot("offline-queue-mobile.png", MOBILE, mobile=True)
        return "revision 1 from the cache"

    def reload_offline(self) -> str:
        self.driver.refresh()
        self.wait_loaded()
        self.wait_app()
        expect(self.count_shown() == 3, f"after reloading offline the queue counts {self.count_shown()}")
        states = self.states()
        expect(states == ["waiting"] * 3, f"after reloading offline the list shows {states}")
        expect("offline" in (self.find("#connection").get_attribute("class") or ""), "the page does not say it is offline")
        return ""

    def reopen_offline(self) -> str:
        old = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        new = self.driver.current_window_handle
        self.driver.switch_to.window(old)
        self.driver.close()
        self.driver.switch_to.window(new)
        # Emulation belongs to a tab: the new one is taken offline before it loads anything.
        self.set_offline(True)
        self.open(PAGE)
        self.wait_app()
        expect(self.count_shown() == 3, f"in a new tab, offline, the queue counts {self.count_shown()}")
        return ""

    def back_online(self) -> str:
        self.set_offline(False)
        # The page syncs on the online event; a fresh load syncs too.
        self.open(PAGE)
        self.wait_app()
        self.wait(self.wait_seconds * 3).until(
            lambda d: sorted(self.states()) == ["conflict", "synced", "synced"], "two captures synced and one conflict")
        contacts = self.once_each()
        for shown, contact in zip(self.local, contacts):
            expect(contact["evaluation"]["eligible"] == shown["eligible"],
                   f"the server's eligibility {contact['evaluation']['eligible']} differs from the device's {shown['eligible']}")
        expect(self.contacts_of(self.known_id) == [], "the conflicting capture was recorded before the officer chose")
        self.one_referral()
        expect(self.driver.find_elements(By.CSS_SELECTOR, '#sync-list [data-referral="sent"] a[href^="/referrals/"]'),
               "the synced record does not show the referral sent")
        return "2 synced once, 1 conflict, 1 referral"

    def idle(self) -> None:
        """Waits until no sync is running, so the list is not redrawn under the test's hands."""
        self.wait(self.wait_seconds * 2).until(lambda d: d.find_element(By.ID, "sync-now").get_attribute("disabled") is None,
                                               "the sync to finish")

    def resolve_conflict(self) -> str:
        self.idle()
        item = self.visible('#sync-list > li[data-state="conflict"]')
        mine = item.find_element(By.CSS_SELECTOR, ".version-mine").text
        theirs = item.find_element(By.CSS_SELECTOR, ".version-theirs").text
        expect("pt" in mine and "fr" in theirs, f"the two versions are not side by side: mine {mine!r}, theirs {theirs!r}")
        self.screenshot("offline-conflict.png", DESKTOP, mobile=False)
        item.find_element(By.CSS_SELECTOR, 'button[data-action="keep-mine"]').click()
        self.wait(self.wait_seconds * 2).until(
            lambda d: self.states() == ["synced"] * 3,
            "every capture to be synced after keeping mine")
        status, _, details = self.request("GET", f"/api/v1/persons/{self.known_id}/details", self.officer)
        expect(status == 200 and details["preferredLanguage"] == "pt" and details["revision"] == 3,
               f"after keeping mine the person is {details}")
        expect(len(self.contacts_of(self.known_id)) == 1, "the known person does not have exactly one contact")
        self.screenshot("offline-synced.png", DESKTOP, mobile=False)
        return "pt at revision 3"

    def retry_synced(self) -> str:
        self.idle()
        changed = self.driver.execute_async_script(UNSYNC)
        expect(changed == 3, f"{changed} synced captures were marked for sending again")
        self.find("#sync-now").click()
        self.wait(self.wait_seconds * 2).until(
            lambda d: all(i["state"] == "synced" and i.get("result", {}).get("replayed") for i in self.queue()),
            "every capture answered again as a replay")
        self.once_each()
        self.one_referral()
        expect(len(self.contacts_of(self.known_id)) == 1, "the known person's capture was recorded twice")
        status, _, details = self.request("GET", f"/api/v1/persons/{self.known_id}/details", self.officer)
        expect(details["revision"] == 3, f"a replay changed the person again: revision {details['revision']}")
        return "3 replays, nothing written"

    def same_key_other_body(self) -> str:
        key = self.keys[self.families[0]]
        status, _, problem = self.request("POST", "/api/v1/captures", self.officer, headers={"Idempotency-Key": key}, body={
            "person": {"givenName": "Other", "familyName": self.families[0], "birthDate": "1990-02-03", "sex": "female"},
            "contact": {"occurredAt": "2026-01-01T10:00:00Z", "region": "R1", "offences": [{"category": "possession_personal_use"}]},
        })
        expect(status in (409, 422), f"the same key with another body answered {status}")
        self.once_each()
        return f"{status}"

    def session_ends(self) -> str:
        self.driver.delete_cookie("diversion_session")
        family = self.families[0] + "z"
        self.families.append(family)
        self.fill_capture("Zoe", family, "1992-03-04", weapon=False, screening=False)
        self.wait().until(lambda d: d.find_element(By.ID, "sync-sign-in").get_attribute("hidden") is None, "the sign-in request to be shown")
        states = {i["body"].get("person", {}).get("familyName"): i["state"] for i in self.queue()}
        expect(states.get(family) == "signin", f"the waiting capture is {states.get(family)!r}, expected signin")
        expect(self.people_named(family) == [], "a capture was recorded without a session")
        link = self.find("#sync-sign-in-link").get_attribute("href")
        self.driver.get(link)
        self.wait_loaded()
        self.visible("#username").send_keys("officer")
        self.find("#password").send_keys(PASSWORD)
        self.click_to_new_page("#sign-in")
        self.wait_path(PAGE)
        self.wait_app()
        self.wait(self.wait_seconds * 2).until(
            lambda d: set(self.states()) == {"synced"},
            "the kept capture to be sent after signing in")
        people = self.people_named(family)
        expect(len(people) == 1 and len(self.contacts_of(people[0]["id"])) == 1, f"{family} is not on record exactly once")
        return ""

    def referral_needs_attention(self) -> str:
        self.set_offline(True)
        family = self.families[0] + "y"
        self.families.append(family)
        chosen, self.service = self.service, ""
        self.fill_capture("Yara", family, "1988-07-08", weapon=False, screening=False, refer=True)
        full, self.service = self.service, chosen
        admin = self.token("admin")
        status, _, before = self.request("GET", f"/api/v1/services/{full}", admin)
        expect(status == 200, f"reading the chosen service answered {status}")
        status, _, _ = self.request("PUT", f"/api/v1/services/{full}/capacity", admin,
                                    body={"capacity": before["capacity"], "load": before["capacity"]})
        expect(status == 200, f"filling the service answered {status}")
        try:
            self.set_offline(False)
            self.find("#sync-now").click()
            self.wait(self.wait_seconds * 2).until(lambda d: "attention" in self.states(), "the record to need attention")
            # The list is drawn again whenever a state changes: read the row in one go rather than hold an element.
            link, row_text = self.wait(self.wait_seconds).until(lambda d: d.execute_script(
                "const li = document.querySelector('#sync-list > li[data-state=\"attention\"]');"
                "const a = li && li.querySelector('a.refer-online');"
                "return a ? [a.href, li.innerText] : null;"), "the row needing attention to show its link")
            people = self.people_named(family)
            expect(len(people) == 1, f"{family} is on record {len(people)} times, expected once")
            contacts = self.contacts_of(people[0]["id"])
            expect(len(contacts) == 1 and link.endswith(f"/contacts/{contacts[0]['id']}#suggestions"),
                   f"the link to refer online is {link}, contacts {[c['id'] for c in contacts]}")
            expect(self.referrals_of(people[0]["id"]) == [], "a referral to the full service was written")
            expect(before["name"] in row_text, f"the row does not name the service: {row_text!r}")
            self.screenshot("offline-attention.png", DESKTOP, mobile=False)
        finally:
            self.request("PUT", f"/api/v1/services/{full}/capacity", admin, body={"capacity": before["capacity"], "load": before["load"]})
        return "contact recorded, referral to refer online"


    def spanish_reasons(self) -> str:
        # Straight from the server: the worker, emulated offline by earlier steps, would answer with the kept English page.
        self.set_offline(False)
        self.driver.set_script_timeout(self.wait_seconds * 2)
        self.driver.execute_async_script("""
const done = arguments[arguments.length - 1];
navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister()))).then(() => done(true), e => done(String(e)));
""")
        self.open(PAGE)
        self.wait_app()
        self.click_to_new_page('footer a[hreflang="es"]')
        self.wait_path(PAGE)
        self.wait().until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es", "the page to be in Spanish")
        self.wait_app()
        try:
            Select(self.find("#offence")).select_by_value("possession_personal_use")
            Select(self.find("#seizure-substance")).select_by_value("cannabis_herb")
            self.find("#seizure-quantity").send_keys("4,5")
            self.find("#check-capture").click()
            reasons = self.visible("#local-reasons").text
            lang = self.driver.execute_script("return document.documentElement.lang")
            expect("umbral de consumo personal" in reasons and "Hierba de cannabis 4,5 g" in reasons, f"the reasons on the <html lang={lang}> page are not in Spanish: {reasons!r}")
            expect("personal-use threshold" not in reasons and "was recorded" not in reasons, f"English reasons shown: {reasons!r}")
        finally:
            self.click_to_new_page('footer a[hreflang="en"]')
        return reasons.splitlines()[0]


def main() -> int:
    def body(test, report, browser) -> None:
        if not report.check("the manifest and /sw.js are served with their media types and allowed by the CSP", test.installable):
            return
        if not report.check("a person on record for the conflict (API)", test.setup) or not browser():
            return
        steps = [
            ("online, the officer opens the capture page and the service worker keeps it", test.cache_online),
            ("offline for real: a fetch of /healthz fails", test.go_offline),
            ("offline, two captures are kept with the eligibility and score worked out on the device", test.record_two),
            ("another session changes the known person on the server", test.change_on_server_meanwhile),
            ("offline, the known person's kept page records a change to their language", test.record_known_offline),
            ("a reload offline comes from the cache and still shows 3 waiting", test.reload_offline),
            ("closing the tab and opening the page again offline still shows 3 waiting", test.reopen_offline),
            ("back online the queue syncs: each new record once, the stale change a conflict", test.back_online),
            ("the conflict shows both versions and keeping mine records it once", test.resolve_conflict),
            ("sending every synced record again records nothing new", test.retry_synced),
            ("the same key with another body is refused and writes nothing", test.same_key_other_body),
            ("a record kept while the session ended is sent after signing in again", test.session_ends),
            ("a referral to a service full by the time of the sync leaves the contact recorded and needs attention",
             test.referral_needs_attention),
        ]
        for index, (name, action) in enumerate(steps):
            if not report.check(name, action):
                for later, _ in steps[index + 1:]:
                    report.skip(later, "an earlier step failed")
                return
        report.check("in Spanish the reasons worked out on the device are shown in Spanish", test.spanish_reasons)
        report.check("every page visited: no raw message keys, template syntax or error page", test.every_page)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: OfflineTests(None, *a), body, name="offline", total_timeout=240)


if __name__ == "__main__":
    sys.exit(main())
