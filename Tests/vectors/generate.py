"""Writes the inputs of the shared rule vectors; the Swift core then fills in every `expected`.

    python3 Tests/vectors/generate.py
    DIVERSION_REGENERATE_VECTORS=1 swift test --filter SharedVectorTests

The committed eligibility.json, screening.json and policies.json are the source of truth: SharedVectorTests
checks the core against them and Tests/browser/rules_vectors.py checks /js/rules.js against them. Run this
only to change the set of cases, and review the diff of `expected` the second command produces.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICIES = ["demo.yaml", "portugal-illustrative.yaml", "czechia-illustrative.yaml", "mexico-illustrative.yaml"]
DAY = "2026-03-10"
AUTHORITIES = ["police", "prosecution", "court"]
STAGES = ["pre_trial", "trial", "sentencing", "post_sentencing"]
MASS = {"g": 1, "mg": 1000, "µg": 1_000_000}
CIRCUMSTANCES = ["violence", "weapon", "supplyToMinors", "nearSchool", "organisedCrime"]
PACKAGING = ["many_small_bags", "scales", "cash", "cutting_agents", "customer_list"]


def read_policy(file):
    """Only what the generator needs: substance lines and offence codes, read from the flow-style YAML lists."""
    substances, offences = [], []
    for line in (HERE.parent.parent / "Sources/DiversionApp/Resources/Policies" / file).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("- {code:") and "threshold:" in line:
            fields = dict(part.split(": ", 1) for part in line[3:-1].split(", ") if ": " in part)
            substances.append({"code": fields["code"], "unit": fields["unit"], "threshold": float(fields["threshold"]),
                               "basis": fields["basis"], "multiple": float(fields["traffickingMultiple"]),
                               "assumed": float(fields["assumedPurityPercent"]) if "assumedPurityPercent" in fields else None})
        elif line.startswith("- {code:") and "minor:" in line:
            offences.append(line.split("code: ", 1)[1].split(",", 1)[0])
    return substances, offences


def question(offences=("possession_personal_use",), seizures=(), **extra):
    q = {"authority": "police", "stage": "pre_trial", "occurredOn": DAY, "offences": list(offences), "seizures": list(seizures)}
    q.update(extra)
    return q


def seizure(code, quantity, unit, purity=None, packaging=None):
    s = {"substance": code, "quantity": quantity, "unit": unit}
    if purity is not None:
        s["purityPercent"] = purity
    if packaging:
        s["packaging"] = packaging
    return s


def eligibility_cases():
    cases = []

    def add(name, policy, q):
        cases.append({"name": name, "policy": policy, "input": q, "expected": None})

    for policy in POLICIES:
        substances, offences = read_policy(policy)
        p = policy.split(".")[0]
        for code in offences:
            add(f"{p}: offence {code}, nothing seized", policy, question([code]))
        for s in substances:
            c, u, t = s["code"], s["unit"], s["threshold"]
            # Gross amounts compare as seized; pure ones at 100 % tested purity compare the same way.
            purity = 100 if s["basis"] == "pure" else None
            for label, q in [("exactly at the threshold", t), ("just below the threshold", t * 0.999), ("just above the threshold", t * 1.001),
                             ("at 80 % of the threshold", t * 0.8), ("at the trafficking presumption", t * s["multiple"]),
                             ("just below the trafficking presumption", t * s["multiple"] * 0.999)]:
                add(f"{p}: {c} {label}", policy, question(seizures=[seizure(c, q, u, purity)]))
            if s["basis"] == "pure":
                add(f"{p}: {c} untested, at the assumed purity", policy, question(seizures=[seizure(c, t, u)]))
                add(f"{p}: {c} untested, the threshold's worth of pure substance", policy,
                    question(seizures=[seizure(c, t * 100 / s["assumed"], u)]))
                add(f"{p}: {c} tested at 12.5 %", policy, question(seizures=[seizure(c, t * 4, u, 12.5)]))
            if u in MASS:
                others = [o for o in ["g", "mg", "µg", "ug", "mcg", "μg"] if o != u]
                for k, other in enumerate(others):
                    factor = MASS.get(other, 1_000_000) / MASS[u]
                    add(f"{p}: {c} at the threshold written in {other}", policy, question(seizures=[seizure(c, t * factor, other, purity)]))
                    if k == 0:
                        add(f"{p}: {c} just above the threshold written in {other}", policy,
                            question(seizures=[seizure(c, t * factor * 1.01, other, purity)]))
                add(f"{p}: {c} counted in tablets cannot be compared", policy, question(seizures=[seizure(c, 1, "tablets")]))
            else:
                add(f"{p}: {c} weighed in grams cannot be compared", policy, question(seizures=[seizure(c, 1, "g")]))
        first = substances[0]
        for name in CIRCUMSTANCES:
            add(f"{p}: circumstance {name}", policy, question(circumstances={name: True}))
        add(f"{p}: every circumstance", policy, question(circumstances={n: True for n in CIRCUMSTANCES}))
        for authority in AUTHORITIES:
            for stage in STAGES:
                add(f"{p}: route of the {authority} at {stage}", policy, question(authority=authority, stage=stage))
                if policy == "demo.yaml" or stage == "pre_trial":
                    add(f"{p}: route of the {authority} at {stage}, not eligible", policy,
                        question(authority=authority, stage=stage, circumstances={"weapon": True}))
        add(f"{p}: every packaging sign", policy, question(seizures=[seizure(first["code"], first["threshold"] / 2, first["unit"], packaging=PACKAGING)]))
        add(f"{p}: two seizures, one over", policy, question(seizures=[
            seizure(substances[0]["code"], substances[0]["threshold"] / 2, substances[0]["unit"]),
            seizure(substances[1]["code"], substances[1]["threshold"] * 3, substances[1]["unit"])]))
        add(f"{p}: near the threshold again", policy, question(
            seizures=[seizure(first["code"], first["threshold"] * 0.9, first["unit"], 100 if first["basis"] == "pure" else None)],
            history={"nearThresholdSeizures": [{"date": "2025-06-01", "substance": first["code"], "percentOfThreshold": 91.25},
                                               {"date": "2025-09-30", "substance": "other", "percentOfThreshold": 95},
                                               {"date": "2026-01-15", "substance": first["code"], "percentOfThreshold": 99.99}]}))
        add(f"{p}: history of another substance only", policy, question(
            seizures=[seizure(first["code"], first["threshold"] * 0.9, first["unit"], 100 if first["basis"] == "pure" else None)],
            history={"nearThresholdSeizures": [{"date": "2025-06-01", "substance": "other", "percentOfThreshold": 90}]}))
        add(f"{p}: history with every kind of record", policy, question(history={
            "contacts": ["2024-01-01", "2025-05-05", "2026-03-10", "2026-03-11"], "diversions": ["2022-01-01", "2025-05-05"],
            "seriousConvictions": ["2020-02-02"], "nearThresholdSeizures": []}))

    # Band edges, window edges and the third contact, on the policies that have them.
    add("demo: exactly 80 % of the threshold with earlier near-threshold seizures", "demo.yaml", question(
        seizures=[seizure("cannabis_herb", 20, "g")], history={"nearThresholdSeizures": [{"date": "2025-01-01", "substance": "cannabis_herb", "percentOfThreshold": 80}]}))
    add("demo: exactly 100 % of the threshold with earlier near-threshold seizures", "demo.yaml", question(
        seizures=[seizure("cannabis_herb", 25, "g")], history={"nearThresholdSeizures": [{"date": "2025-01-01", "substance": "cannabis_herb", "percentOfThreshold": 100}]}))
    add("demo: just under 80 % of the threshold is outside the band", "demo.yaml", question(
        seizures=[seizure("cannabis_herb", 19.99, "g")], history={"nearThresholdSeizures": [{"date": "2025-01-01", "substance": "cannabis_herb", "percentOfThreshold": 85}]}))
    add("demo: just over 100 % of the threshold is outside the band", "demo.yaml", question(
        seizures=[seizure("cannabis_herb", 25.01, "g")], history={"nearThresholdSeizures": [{"date": "2025-01-01", "substance": "cannabis_herb", "percentOfThreshold": 85}]}))
    for label, date in [("exactly 5 years before", "2021-03-10"), ("5 years less a day before", "2021-03-11"), ("on the contact's day", DAY),
                        ("after the contact", "2026-03-11"), ("long before", "2001-01-01")]:
        add(f"demo: serious conviction {label}", "demo.yaml", question(history={"seriousConvictions": [date]}))
    add("czechia: serious conviction 3 years less a day before", "czechia-illustrative.yaml", question(history={"seriousConvictions": ["2023-03-11", "2019-01-01"]}))
    add("czechia: serious conviction exactly 3 years before", "czechia-illustrative.yaml", question(history={"seriousConvictions": ["2023-03-10"]}))
    add("demo: a contact on 29 February looks back to 28 February", "demo.yaml", question(
        occurredOn="2028-02-29", history={"seriousConvictions": ["2023-02-28"], "diversions": ["2023-03-01", "2023-02-28", "2024-02-29", "2027-01-01"]}))
    add("demo: a contact on 29 February, conviction on 1 March 5 years before", "demo.yaml", question(
        occurredOn="2028-02-29", history={"seriousConvictions": ["2023-03-01"]}))
    for n in range(0, 5):
        dates = ["2022-01-01", "2023-06-30", "2024-12-31", "2026-03-10"][:n] if n < 4 else ["2021-03-10", "2021-03-11", "2023-06-30", "2024-12-31"]
        add(f"demo: {len(dates)} earlier diversions ({'with window edges' if n == 4 else 'within 5 years'})", "demo.yaml",
            question(history={"diversions": dates}))
    add("demo: diversions after the contact do not count", "demo.yaml", question(history={"diversions": ["2026-03-11", "2026-04-01", "2027-01-01"]}))
    add("demo: one earlier diversion", "demo.yaml", question(history={"diversions": ["2025-01-01"]}))
    for n in range(0, 4):
        add(f"mexico: contact number {n + 1}", "mexico-illustrative.yaml", question(history={"contacts": ["2024-01-01", "2025-01-01", "2026-03-10"][:n]}))
    add("mexico: later contacts do not count", "mexico-illustrative.yaml", question(history={"contacts": ["2025-01-01", "2026-03-11", "2026-04-01"]}))
    add("demo: the review date crosses a year end", "demo.yaml", question(occurredOn="2026-12-15"))
    add("demo: the review date in a leap year", "demo.yaml", question(occurredOn="2028-02-10"))

    # Numbers written as the reasons write them: rounding ties, tiny and huge amounts.
    for q, unit in [(12.125, "g"), (12.135, "g"), (0.1, "g"), (1 / 3, "g"), (19.99999, "g"), (999.95, "g"), (1234.5, "g"), (99999.5, "g"),
                    (1e6, "g"), (0.00012345, "g"), (0.000012345, "g"), (1.5e-9, "g"), (2.5, "mg"), (0.0625, "g"), (1000000, "µg")]:
        add(f"demo: cannabis herb, {q!r} {unit}", "demo.yaml", question(seizures=[seizure("cannabis_herb", q, unit)]))
    add("demo: heroin 0.3 g tested at 33.3333 %", "demo.yaml", question(seizures=[seizure("heroin", 0.3, "g", 33.3333)]))
    add("portugal: LSD 0.000123 g untested", "portugal-illustrative.yaml", question(seizures=[seizure("lsd", 0.000123, "g")]))
    add("mexico: LSD 15 µg", "mexico-illustrative.yaml", question(seizures=[seizure("lsd", 15, "µg")]))
    add("mexico: heroin 0.05 g", "mexico-illustrative.yaml", question(seizures=[seizure("heroin", 0.05, "g")]))

    # Refused input, every problem named.
    bad = [
        ("no offence", question([])),
        ("an unknown offence", question(["jaywalking"])),
        ("an unknown substance", question(seizures=[seizure("unobtainium", 1, "g")])),
        ("a long unknown substance is cut at 40 characters", question(seizures=[seizure("x" * 45 + "é", 1, "g")])),
        ("a long name with emoji is cut at 40 characters", question(seizures=[seizure("👍🏽" * 41, 1, "g")])),
        ("an unknown unit", question(seizures=[seizure("cannabis_herb", 1, "kilograms-and-more-than-twenty")])),
        ("quantity zero", question(seizures=[seizure("cannabis_herb", 0, "g")])),
        ("negative quantity", question(seizures=[seizure("cannabis_herb", -1, "g")])),
        ("quantity over the largest", question(seizures=[seizure("cannabis_herb", 1000000.5, "g")])),
        ("purity zero", question(seizures=[seizure("heroin", 1, "g", 0)])),
        ("purity over 100", question(seizures=[seizure("heroin", 1, "g", 100.5)])),
        ("purity on a gross substance", question(seizures=[seizure("cannabis_herb", 1, "g", 150)])),
        ("an unknown packaging sign", question(seizures=[seizure("cannabis_herb", 1, "g", packaging=["scales", "bags"])])),
        ("every problem at once", question(["possession_personal_use", "jaywalking"], seizures=[
            seizure("unobtainium", 1, "g"), seizure("cannabis_herb", 0, "g"), seizure("mdma", 1, "g"),
            seizure("heroin", 1, "g", 0, ["cash", "nope"]), seizure("cannabis_herb", 5, "g")])),
    ]
    for name, q in bad:
        add(f"demo refuses {name}", "demo.yaml", q)
    return cases


def screening_cases():
    cases = []

    def add(name, instrument, answers, sex=None, omit_answers=False):
        body = {"instrument": instrument}
        if not omit_answers:
            body["answers"] = answers
        if sex is not None:
            body["sex"] = sex
        cases.append({"name": name, "input": body, "expected": None})

    # DAST-10: n risk answers; item 3 counts "no".
    for n in range(0, 11):
        answers = [i < n for i in range(10)]
        add(f"dast10: the first {n} items answered yes", "dast10", answers)
        add(f"dast10: {n} risk answers", "dast10", [(i >= n) if i == 2 else (i < n or False) for i in range(10)][:10])
    add("dast10: nine answers", "dast10", [False] * 9)
    add("dast10: a number instead of yes or no", "dast10", [False] * 9 + [1])
    add("dast10: null items", "dast10", [None, False, None] + [False] * 7)
    add("dast10: an object", "dast10", {"q1": True})

    # AUDIT: totals at each zone edge, and the moves up a zone.
    for total in [0, 7, 8, 15, 16, 19, 20, 40]:
        answers, left = [], total
        for i in range(10):
            step = 4 if i < 8 else 2
            value = min(step, left // (2 if i >= 8 else 1)) if i >= 8 else min(step, left)
            answers.append(value)
            left -= value * (2 if i >= 8 else 1)
        add(f"audit: total {total}", "audit", answers)
    add("audit: signs of dependence move zone I up", "audit", [0, 0, 0, 2, 2, 2, 0, 0, 0, 0])
    add("audit: dependence needs all three items", "audit", [0, 0, 0, 2, 2, 1, 0, 0, 0, 0])
    add("audit: harm in the past year moves zone II up", "audit", [4, 4, 0, 0, 0, 0, 0, 0, 2, 0])
    add("audit: harm but not in the past year", "audit", [4, 4, 0, 0, 0, 0, 0, 0, 1, 1])
    add("audit: injury to others moves zone III up", "audit", [4, 4, 4, 0, 0, 0, 0, 0, 0, 2])
    add("audit: dependence moves zone III up", "audit", [4, 4, 2, 2, 2, 2, 0, 0, 0, 0])
    add("audit: zone IV stays IV", "audit", [4, 4, 4, 4, 4, 4, 0, 0, 2, 2])
    add("audit: 5 on an item of 0 to 4", "audit", [5, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    add("audit: 3 on item 9", "audit", [0, 0, 0, 0, 0, 0, 0, 0, 3, 0])
    add("audit: a fraction, a string and a negative", "audit", [1.5, "2", -1, 0, 0, 0, 0, 0, 0, None])
    add("audit: eleven answers", "audit", [0] * 11)
    add("audit: not a list", "audit", "0,0,0")

    # AUDIT-C: the cut-off by sex.
    for sex in ["male", "female", "other", "unknown"]:
        for total in [2, 3, 4]:
            add(f"auditc: {sex}, total {total}", "auditc", [min(4, total), max(0, total - 4), 0], sex)
    add("auditc: maximum", "auditc", [4, 4, 4], "female")
    add("auditc: no sex given", "auditc", [1, 1, 1])
    add("auditc: no sex and a short list", "auditc", [1, 1])
    add("auditc: an answer of 5", "auditc", [5, 0, 0], "male")

    # CRAFFT: part A decides how many part B items are asked.
    none = {"alcoholDays": 0, "cannabisDays": 0, "otherDays": 0}
    add("crafft: no use, CAR no", "crafft", {"partA": none, "partB": [False]})
    add("crafft: no use, CAR yes", "crafft", {"partA": none, "partB": [True]})
    for key in none:
        for n in range(0, 7):
            if key == "alcoholDays" or n in (1, 2):
                add(f"crafft: {key} 1, {n} yes in part B", "crafft", {"partA": {**none, key: 1}, "partB": [i < n for i in range(6)]})
    add("crafft: use, only CAR yes", "crafft", {"partA": {**none, "otherDays": 366}, "partB": [True] + [False] * 5})
    add("crafft: use, six answers missing", "crafft", {"partA": {**none, "cannabisDays": 3}})
    add("crafft: no use, CAR missing", "crafft", {"partA": none})
    add("crafft: no use but six answers", "crafft", {"partA": none, "partB": [False] * 6})
    add("crafft: part B null", "crafft", {"partA": none, "partB": None})
    add("crafft: part A missing", "crafft", {"partB": [False]})
    add("crafft: 367 days", "crafft", {"partA": {**none, "alcoholDays": 367}, "partB": [False]})
    add("crafft: negative days and unknown keys", "crafft", {"partA": {"alcoholDays": -1, "cannabisDays": 0, "otherDays": 0, "tobaccoDays": 2},
                                                              "partB": [False], "partC": []})
    add("crafft: a string in part B", "crafft", {"partA": {**none, "alcoholDays": 2}, "partB": [True, "yes", False, False, False, None]})
    add("crafft: a list", "crafft", [0, 0, 0])

    # ASSIST: each class at its level edges, tobacco's missing item 5, injecting.
    def used(q2, q3=0, q4=0, q5=0, q6=0, q7=0, **more):
        a = {"q1": True, "q2": q2, "q6": q6, "q7": q7}
        if q2:
            a.update({"q3": q3, "q4": q4, "q5": q5})
        a.update(more)
        return a
    add("assist: nothing answered", "assist", {})
    add("assist: every class never used", "assist", {c: {"q1": False} for c in
        ["tobacco", "alcohol", "cannabis", "cocaine", "amphetamines", "inhalants", "sedatives", "hallucinogens", "opioids", "other"]})
    for name, a in [("alcohol 10", used(1, 2, 1)), ("alcohol 11", used(1, 1, q6=1)), ("alcohol 26", used(4, 4, 3, 4)), ("alcohol 27", used(4, 4, 4, 4)),
                    ("alcohol 39", used(4, 4, 4, 4, 1, 1)), ("alcohol used, not recently, worried", used(0, q6=2, q7=1))]:
        add(f"assist: {name}", "assist", {"alcohol": a})
    for c in ["cannabis", "cocaine", "opioids", "other"]:
        add(f"assist: {c} 3", "assist", {c: used(2)})
        add(f"assist: {c} 4", "assist", {c: used(3)})
    tobacco = {k: v for k, v in used(4, 4, 4).items() if k != "q5"}
    add("assist: tobacco without item 5", "assist", {"tobacco": tobacco})
    add("assist: tobacco high", "assist", {"tobacco": {**tobacco, "q6": 1, "q7": 1}})
    add("assist: tobacco with item 5", "assist", {"tobacco": {**tobacco, "q5": 0}})
    add("assist: tobacco with item 5 null", "assist", {"tobacco": {**tobacco, "q5": None}})
    add("assist: injected recently", "assist", {"opioids": used(4, 4, 4, 4, q8=1)})
    add("assist: injected, not recently", "assist", {"opioids": used(1, q8=2)})
    add("assist: several classes, the highest level leads", "assist", {"alcohol": used(4, 4, 4, 4), "cannabis": used(4, 4, 4, 4, 1, 1), "tobacco": {"q1": False}})
    add("assist: moderate alcohol outranks lower cannabis of a higher score", "assist", {"alcohol": used(1, q6=1), "cannabis": used(2)})
    add("assist: equal levels, higher score leads", "assist", {"cocaine": used(3), "sedatives": used(4, 1)})
    add("assist: q1 missing", "assist", {"alcohol": {"q2": 1}})
    add("assist: never used, yet answered", "assist", {"alcohol": {"q1": False, "q2": 1, "q6": None, "q8": 0}})
    add("assist: not used recently, yet items 3 to 5", "assist", {"alcohol": used(0, q3=1, q4=None) | {"q3": 1, "q5": 2}})
    add("assist: tobacco, not recently, with item 5", "assist", {"tobacco": {"q1": True, "q2": 0, "q5": 1, "q6": 0, "q7": 0}})
    add("assist: q2 out of range, then items 3 to 5", "assist", {"alcohol": {"q1": True, "q2": 5, "q3": 1, "q6": 0, "q7": 0}})
    add("assist: missing items and out-of-range concern", "assist", {"cannabis": {"q1": True, "q2": 2, "q6": 3}})
    add("assist: unknown class and items", "assist", {"kratom": {"q1": True}, "alcohol": {"q1": False, "q9": 1, "Q2": 1}, "Alcohol": {}})
    add("assist: a class that is not an object", "assist", {"alcohol": True, "cannabis": None})
    add("assist: q1 as a number", "assist", {"alcohol": {"q1": 1}})
    add("assist: q8 out of range", "assist", {"alcohol": used(1, q8=3)})
    add("assist: a list", "assist", [])

    # The request's own checks, as POST /api/v1/screenings/score makes them.
    add("an unknown instrument", "phq9", [0] * 9)
    add("an unknown sex", "dast10", [False] * 10, "x")
    add("answers missing", "audit", None, omit_answers=True)
    add("answers null", "crafft", None)
    add("everything wrong", "nope", None, "nobody")
    return cases


def write(name, cases):
    (HERE / name).write_text(json.dumps(cases, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write("eligibility.json", eligibility_cases())
    write("screening.json", screening_cases())
    print(f"{len(eligibility_cases())} eligibility and {len(screening_cases())} screening cases; now fill in `expected` from the core.")
