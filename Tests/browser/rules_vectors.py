"""Browser test of /js/rules.js, the offline eligibility rules and screening scores, in headless Chromium.

1. /js/rules.js is served as JavaScript, and loads both into a page of the server and into a worker.
2. Every case of Tests/vectors/eligibility.json and screening.json (answers computed by the Swift
   core and checked against it by SharedVectorTests) runs through DiversionRules in the page; each
   answer must equal `expected` exactly, and every mismatch is listed.
3. The active policy from GET /api/v1/policy is the JSON rules.js consumes: when it is one of the shipped
   policies it equals that policy's entry in Tests/vectors/policies.json, and in any case questions built
   with DiversionRules.questionFromForm get the same answer from rules.js as from
   POST /api/v1/eligibility/evaluate.

The server must already run with the demo data (`serve --demo`, password `demo`), for example:
  DATABASE_URL=sqlite:///tmp/bt/d.sqlite ./diversion serve --demo --port 8091
Usage:
  build/venv/bin/python Tests/browser/rules_vectors.py --base-url http://127.0.0.1:8091 --screenshots build/screenshots
Prints one line per check ("ok - ..." / "not ok - ..."), then "N passed, M failed"; exits 1 if any check failed.
"""
import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import expect, run_suite  # noqa: E402 - the shared harness lives next to this file
from supervision_tests import SupervisionTests  # noqa: E402

VECTORS = Path(__file__).resolve().parents[1] / "vectors"

# Runs in the page: every case through DiversionRules, compared by value; returns the mismatches.
RUN_CASES = """
const [kind, cases, policies] = arguments;
const equal = (a, b) => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
};
const wrong = [];
for (const c of cases) {
  let actual;
  try {
    actual = kind === 'eligibility'
      ? DiversionRules.evaluateEligibility(policies[c.policy], c.input)
      : DiversionRules.scoreInstrument(c.input.instrument, c.input.answers, c.input.sex);
  } catch (error) {
    actual = {thrown: String(error)};
  }
  if (!equal(actual, c.expected)) wrong.push({name: c.name, actual: actual, expected: c.expected});
}
return wrong;
"""


class RulesTests(SupervisionTests):
    def load_rules(self) -> str:
        with urllib.request.urlopen(self.base + "/js/rules.js", timeout=self.wait_seconds * 3) as response:
            kind = response.headers.get("Content-Type", "")
            size = len(response.read())
        expect("javascript" in kind, f"/js/rules.js is served as {kind!r}")
        self.open("/login")
        self.driver.execute_script("""
            const s = document.createElement('script'); s.src = '/js/rules.js'; document.head.appendChild(s);""")
        self.wait().until(lambda d: d.execute_script("return typeof window.DiversionRules === 'object'"), "DiversionRules to load")
        api = self.driver.execute_script("return Object.keys(DiversionRules).sort()")
        for name in ("evaluateEligibility", "questionFromForm", "scoreInstrument"):
            expect(name in api, f"DiversionRules has no {name}: {api}")
        return f"{size} bytes, {', '.join(api)}"

    def in_worker(self) -> str:
        outcome = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const worker = new Worker('/js/rules.js');
            worker.onerror = e => done('error: ' + (e.message || 'the script failed'));
            setTimeout(() => { worker.terminate(); done('ok'); }, 1000);""")
        expect(outcome == "ok", f"loading /js/rules.js in a worker: {outcome}")
        return "loads without error"

    def vectors(self, kind: str) -> str:
        cases = json.loads((VECTORS / f"{kind}.json").read_text(encoding="utf-8"))
        policies = json.loads((VECTORS / "policies.json").read_text(encoding="utf-8"))
        expect(all(c.get("expected") is not None for c in cases), f"{kind}.json has cases without `expected`")
        wrong = self.driver.execute_script(RUN_CASES, kind, cases, policies)
        if wrong:
            lines = [f"{w['name']}: rules.js gives {json.dumps(w['actual'], ensure_ascii=False)}"
                     f" where the core gives {json.dumps(w['expected'], ensure_ascii=False)}" for w in wrong[:40]]
            raise AssertionError(f"{len(wrong)} of {len(cases)} cases differ:\n  " + "\n  ".join(lines))
        return f"{len(cases)} cases"

    def active_policy(self) -> str:
        officer = self.token("officer")
        active = self.api("GET", "/api/v1/policy", officer)
        shipped = json.loads((VECTORS / "policies.json").read_text(encoding="utf-8"))
        document = active
        same = [name for name, policy in shipped.items() if policy["version"] == document["version"] and policy["jurisdiction"] == document["jurisdiction"]]
        if same:
            # policies.json keeps the fields the rules read; the live policy must give each of them unchanged.
            differ = [k for k, v in shipped[same[0]].items() if document.get(k) != v]
            expect(not differ, f"GET /api/v1/policy differs from {same[0]} in Tests/vectors/policies.json in {differ}")
        # Forms as an officer fills them in: each substance at its threshold, above it, with signs and circumstances.
        when = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        forms = []
        for i, s in enumerate(document["substances"]):
            quantity = str(s["threshold"] * (1 if i % 2 else 1.5)).replace(".", ",")
            row = {"substance": s["code"], "quantity": quantity, "unit": s["unit"], "purity": "40" if s["basis"] == "pure" and i % 3 == 0 else "",
                   "packaging": ["scales"] if i % 4 == 0 else []}
            forms.append({"occurredAt": when, "offence": document["offenceCategories"][i % len(document["offenceCategories"])]["code"],
                          "seizures": [row, {"substance": ""}], **({"weapon": "1"} if i % 5 == 4 else {})})
        for form in forms:
            built = self.driver.execute_script("return DiversionRules.questionFromForm(arguments[0])", form)
            expect("question" in built, f"questionFromForm({form}) gave {built}")
            local = self.driver.execute_script("return DiversionRules.evaluateEligibility(arguments[0], arguments[1])", active, built["question"])
            body = {"occurredAt": when + ":00Z", "offences": [{"category": form["offence"]}],
                    "seizures": [{"substance": r["substance"], "quantity": float(r["quantity"].replace(",", ".")), "unit": r["unit"],
                                  "packaging": r["packaging"], **({"purityPercent": float(r["purity"])} if r["purity"] else {})}
                                 for r in form["seizures"] if r["substance"]],
                    "circumstances": {"weapon": "weapon" in form}}
            server = self.api("POST", "/api/v1/eligibility/evaluate", officer, body)
            for key in ("eligible", "route", "stage", "policyVersion", "reasons", "indicators", "reviewBy"):
                expect(local.get(key) == server.get(key), f"{form['seizures'][0]['substance']}: {key} is {local.get(key)!r} here, {server.get(key)!r} from the server")
        return f"{len(same) and same[0] or document['version']}, {len(forms)} forms agree with the server"


def main() -> int:
    def body(test, report, browser) -> None:
        if not browser():
            return
        if report.check("/js/rules.js is served and exposes DiversionRules in a page", test.load_rules):
            report.check("/js/rules.js loads in a worker", test.in_worker)
            report.check("every eligibility vector gives the core's answer", lambda: test.vectors("eligibility"))
            report.check("every screening vector gives the core's result", lambda: test.vectors("screening"))
            report.check("the active policy feeds rules.js, which answers forms as the server does", test.active_policy)

    return run_suite(__doc__.split("\n\n")[0], lambda *a: RulesTests(None, *a), body, name="rules", total_timeout=120)


if __name__ == "__main__":
    sys.exit(main())
