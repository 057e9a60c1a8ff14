#!/usr/bin/env python3
"""Lists the English field messages the Swift sources can show on a page, as catalogue patterns.

A field message is the reason of a `FieldError` (`FieldError(field, "…")`, `errors.add(field, "…")`,
`fail(path, "…")`, `.invalid(field:, message: "…")`), a conflict shown next to a field (`.conflict("…")`), a message
handed to a reader as its "missing" text (`text(value, field, "…")`, `decimal(value, field, "…")`), a problem found
in a policy file (`problem(path, "…")`, `PolicyProblem(path:, message: "…")`), or a sentence returned by a `…Problem`
function. Interpolations `\\(expr)` become numbered placeholders `{0}`, `{1}`…; an
interpolation that only chooses between two literals (`\\(n == 1 ? "" : "s")`) gives one pattern per choice.

    extract_field_messages.py            print the patterns as JSON
    extract_field_messages.py --write    rewrite Resources/Locales/validation/en.json (pattern → pattern)
    extract_field_messages.py --check    exit 1 when en.json differs from the sources

A second catalogue, Resources/Locales/reasons/<code>.json, holds what the eligibility rules and the screening
instruments say about a case (a reason's or an indicator's detail, a screening's recommendation): every sentence
literal of Policy/Eligibility.swift and Screening/*.swift (and of the response matrix's suggestions and a phase's
promotion criteria, RESPONSE_SOURCES) that is not a field message, an interpolation naming a
local `let` of literals or a column of a `for (…) in [(…)]` table of literals giving one pattern per literal. The words
and fragments those sentences carry as values (packaging signs, threshold bases, authorities, stages, purity) are
listed in WORDS. --write and --check cover both catalogues.

The Swift test FieldMessageTests reads the same en.json and checks every other language covers it.
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SOURCES = [os.path.join(ROOT, "Sources", d) for d in ("DiversionCore", "DiversionStore", "DiversionApp")]
CATALOGUE = os.path.join(ROOT, "Sources", "DiversionApp", "Resources", "Locales", "validation", "en.json")
REASONS = os.path.join(ROOT, "Sources", "DiversionApp", "Resources", "Locales", "reasons", "en.json")
REASON_SOURCES = [os.path.join(ROOT, "Sources", "DiversionCore", "Policy", "Eligibility.swift")] + sorted(
    os.path.join(ROOT, "Sources", "DiversionCore", "Screening", f)
    for f in os.listdir(os.path.join(ROOT, "Sources", "DiversionCore", "Screening")) if f.endswith(".swift"))
# What supervision is told: the response matrix's suggestions and a phase's promotion criteria.
RESPONSE_SOURCES = [os.path.join(ROOT, "Sources", *p.split("/")) for p in (
    "DiversionCore/Responses/ResponseAdvisor.swift", "DiversionCore/Responses/PhasePromotion.swift",
    "DiversionCore/Compliance/MeasureCompliance.swift", "DiversionApp/Responses/PromotionController.swift")]
# The files whose field messages the offline capture page may show (its own checks in the rules, a capture's 422).
OFFLINE_FIELDS = os.path.join(ROOT, "Sources", "DiversionApp", "Resources", "Locales", "reasons", "offline-fields.json")
OFFLINE_SOURCES = REASON_SOURCES + [os.path.join(ROOT, "Sources", *p.split("/")) for p in (
    "DiversionCore/Screening/AnswerValue.swift", "DiversionCore/People/PersonDraft.swift",
    "DiversionApp/Contacts/ContactInput.swift", "DiversionApp/Contacts/ContactService.swift",
    "DiversionApp/Offline/CaptureController.swift", "DiversionApp/Offline/CaptureInput.swift",
    "DiversionApp/Offline/CaptureService.swift", "DiversionApp/Offline/CaptureService+Referral.swift",
    "DiversionApp/Referrals/ReferralService.swift")]
# Values a reason carries that are words, not numbers or names: translated where they fill a placeholder.
WORDS = [
    "many small bags", "scales", "cash", "cutting agents", "a customer list",  # PackagingSign.words
    "gross", "pure",  # ThresholdBasis
    "police", "prosecution", "court",  # Authority
    "pre-trial", "trial", "sentencing", "post-sentencing",  # Stage, as the route reason writes it
    "{0} at {1} % assumed purity = {2} {3} pure", "{0} at {1} % tested purity = {2} {3} pure",  # a pure-basis quantity
    "{0} at {1} %",  # an earlier near-threshold seizure
    # ResponseAdvisor: the context a suggestion starts with, and when substance use counts as early.
    *[f"{o.capitalize()} {{0}} in {{1}} days" for o in
      ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")],
    *[f"{{0}}{s} {{1}} in {{2}} days" for s in ("st", "nd", "rd", "th")],
    "Phase {0} criteria met",
    "within the first {0} days of treatment (day {1})", "in phase 1 (day {0} of treatment)",
]

# Callee name → unlabelled argument positions (or labels) that carry a message.
POSITIONAL = {"FieldError": {1}, "add": {1}, "fail": {1}, "invalid": {1}, "conflict": {0}, "text": {2}, "decimal": {2},
              "problem": {1}}
LABELLED = {"invalid": {"message"}, "PolicyProblem": {"message"}}


class Literal:
    """A string literal: its text pieces and the source of each interpolation."""

    def __init__(self, pieces):
        self.pieces = pieces  # list of ("text", str) / ("expr", str)


def read_string(src, i):
    """Reads the literal starting at src[i] (a quote or '#'); returns (Literal, end index)."""
    hashes = 0
    while src[i] == "#":
        hashes += 1
        i += 1
    triple = src.startswith('"""', i)
    i += 3 if triple else 1
    close = ('"""' if triple else '"') + "#" * hashes
    escape = "\\" + "#" * hashes
    pieces, text = [], []
    while i < len(src):
        if src.startswith(close, i):
            i += len(close)
            break
        if src.startswith(escape, i):
            j = i + len(escape)
            c = src[j]
            if c == "(":
                depth, k = 1, j + 1
                while depth:
                    if src[k] == '"' or (src[k] == "#" and src[k + 1] in '"#'):
                        _, k = read_string(src, k)
                        continue
                    depth += {"(": 1, ")": -1}.get(src[k], 0)
                    k += 1
                if text:
                    pieces.append(("text", "".join(text)))
                    text = []
                pieces.append(("expr", src[j + 1:k - 1]))
                i = k
                continue
            text.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "0": "\0"}.get(c, c))
            i = j + 1
            continue
        text.append(src[i])
        i += 1
    if text:
        pieces.append(("text", "".join(text)))
    if triple:
        # Multi-line literals drop the first newline and the closing line's indentation; messages never use them.
        pieces = [("text", p[1].strip("\n")) if p[0] == "text" else p for p in pieces]
    return Literal(pieces), i


CHOICE = re.compile(r'\?\s*"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"\s*$')


def patterns(literal):
    """The catalogue patterns of one literal (several when an interpolation chooses between literals)."""
    results = [("", 0)]
    for kind, value in literal.pieces:
        if kind == "text":
            results = [(p + value, n) for p, n in results]
            continue
        choice = CHOICE.search(value)
        if choice:
            results = [(p + alt, n) for p, n in results for alt in choice.groups()]
        else:
            results = [(p + "{%d}" % n, n + 1) for p, n in results]
    return [p for p, _ in results]


def is_sentence(pattern):
    letters = re.sub(r"\{\d+\}", "", pattern)
    return " " in pattern and sum(c.isalpha() for c in letters) >= 3 and not pattern[:1].islower() and pattern[:1] not in (" ", "\n", ";", ",")


def scan(path):
    """Yields the message patterns of one Swift file."""
    src = open(path, encoding="utf-8").read()
    found = []
    # Each open bracket: [callee, argument index, current label, in-call flag, nested-call depth]
    stack = []
    funcs = []  # (name, brace depth) of enclosing functions
    braces = 0
    i, n = 0, len(src)
    last_ident, pending_func = "", None
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            i = src.find("\n", i)
            i = n if i < 0 else i
            continue
        if src.startswith("/*", i):
            i = src.find("*/", i) + 2
            continue
        if c == '"' or (c == "#" and i + 1 < n and src[i + 1] in '"#'):
            literal, i = read_string(src, i)
            # "…" + "…" across lines is one message.
            while True:
                k = i
                while k < n and src[k].isspace():
                    k += 1
                if not src.startswith("+", k):
                    break
                k += 1
                while k < n and src[k].isspace():
                    k += 1
                if k >= n or src[k] != '"':
                    break
                more, i = read_string(src, k)
                literal.pieces.extend(more.pieces)
            top = stack[-1] if stack else None
            message = False
            if top and top["call"] and not top["nested"]:
                callee, index, label = top["callee"], top["index"], top["label"]
                if label is None and index in POSITIONAL.get(callee, ()):
                    message = True
                if label is not None and label in LABELLED.get(callee, ()):
                    message = True
            if not message and funcs and funcs[-1][0].endswith("Problem") and (not stack or not stack[-1]["call"]):
                message = True
            if message:
                found.extend(p for p in patterns(literal) if is_sentence(p))
            last_ident = ""
            continue
        if c.isalpha() or c == "_":
            j = i
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            word = src[i:j]
            if pending_func == "func":
                pending_func = word
            elif word == "func":
                pending_func = "func"
            last_ident = word
            # A label is an identifier directly followed by ':' (not '::') at argument start.
            k = j
            while k < n and src[k] == " ":
                k += 1
            if stack and stack[-1]["fresh"] and k < n and src[k] == ":" and src[k + 1:k + 2] != ":":
                stack[-1]["label"] = word
                i = k + 1
                continue
            if stack:
                stack[-1]["fresh"] = False
            i = j
            continue
        if c in "([":
            is_call = c == "(" and bool(last_ident) and last_ident not in ("if", "guard", "while", "return", "in", "case", "switch")
            if stack:
                stack[-1]["fresh"] = False
            stack.append({"callee": last_ident if is_call else "", "index": 0, "label": None, "call": is_call,
                          "nested": False, "fresh": True, "open": c})
            last_ident = ""
            i += 1
            continue
        if c in ")]":
            if stack:
                stack.pop()
            last_ident = ")"  # a call result followed by '(' is not a named call
            i += 1
            continue
        if c == "{":
            braces += 1
            if pending_func not in (None, "func"):
                funcs.append((pending_func, braces))
            pending_func = None
            # A closure inside a call's argument: its literals are not that argument.
            if stack:
                stack[-1]["nested"] = True
            i += 1
            continue
        if c == "}":
            if funcs and funcs[-1][1] == braces:
                funcs.pop()
            braces -= 1
            i += 1
            continue
        if c == "," and stack:
            top = stack[-1]
            top["index"] += 1
            top["label"] = None
            top["fresh"] = True
            top["nested"] = False
            i += 1
            continue
        if not c.isspace():
            if stack and c not in "?:":
                stack[-1]["fresh"] = False
            if c not in ".":
                last_ident = "" if c not in "?!>" else last_ident
        i += 1
    return found


def literals(src):
    """Every string literal of a Swift source outside comments, in order, with its start offset."""
    found, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("//", i):
            i = src.find("\n", i)
            i = n if i < 0 else i
        elif src.startswith("/*", i):
            i = src.find("*/", i) + 2
        elif src[i] == '"' or (src[i] == "#" and i + 1 < n and src[i + 1] in '"#'):
            start = i
            literal, i = read_string(src, i)
            found.append((start, literal))
        else:
            i += 1
    return found


def plain(literal):
    return "".join(v for k, v in literal.pieces if k == "text") if all(k == "text" for k, _ in literal.pieces) else None


def alternatives(src, name):
    """The literals a local name stands for: `let name = a ? "x" : "y"` or a column of `for (…) in [(…), …]`."""
    line = re.search(r"\b(?:let|var) %s = ([^\n]*)" % re.escape(name), src)
    # Only a choice between literals (`a ? "x" : "y"`), not a computed value that happens to hold a literal.
    if line and "?" in re.sub(r'"(?:[^"\\]|\\.)*"', "", line.group(1)) and "(of" not in line.group(1):
        values = [plain(lit) for _, lit in literals(line.group(1))]
        if values and None not in values:
            return values
    table = re.search(r"for \(([^)]*)\) in \[", src)
    if table:
        names = [x.strip() for x in table.group(1).split(",")]
        if name in names:
            column, depth, row, rows, cell = names.index(name), 0, [], [], []
            i = table.end()
            while i < len(src):
                c = src[i]
                if c == '"':
                    literal, i = read_string(src, i)
                    cell.append(plain(literal))
                    continue
                if c == "(":
                    depth += 1
                    if depth == 1:
                        row, cell = [], []
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        row.append(cell)
                        rows.append(row)
                elif c == "," and depth == 1:
                    row.append(cell)
                    cell = []
                elif c == "]" and depth == 0:
                    break
                i += 1
            values = [r[column][0] for r in rows if len(r) > column and len(r[column]) == 1]
            if values and None not in values:
                return values
    return None


def scan_reasons(path, fields):
    """The sentences of one rules file that are not field messages, as patterns."""
    src = open(path, encoding="utf-8").read()
    found = []
    for _, literal in literals(src):
        results = [("", 0)]
        for kind, value in literal.pieces:
            choice = CHOICE.search(value) if kind == "expr" else None
            names = alternatives(src, value.strip()) if kind == "expr" and re.fullmatch(r"\s*\w+\s*", value) else None
            if kind == "text":
                results = [(p + value, n) for p, n in results]
            elif choice:
                results = [(p + alt, n) for p, n in results for alt in choice.groups()]
            elif names:
                results = [(p + alt, n) for p, n in results for alt in names]
            else:
                results = [(p + "{%d}" % n, n + 1) for p, n in results]
        for pattern, _ in results:
            pattern = pattern.strip()
            if pattern.endswith(".") and is_sentence(pattern) and pattern not in fields:
                found.append(pattern)
    return found


def extract_reasons(fields):
    found = set(WORDS)
    for path in REASON_SOURCES + RESPONSE_SOURCES:
        found.update(scan_reasons(path, set(fields)))
    return sorted(found)


def extract():
    patterns_found = set()
    for base in SOURCES:
        for root, _, files in os.walk(base):
            for name in sorted(files):
                if name.endswith(".swift"):
                    patterns_found.update(scan(os.path.join(root, name)))
    return sorted(patterns_found)


def main(argv):
    fields = extract()
    status = 0
    offline = sorted(set(p for path in dict.fromkeys(OFFLINE_SOURCES) if os.path.exists(path) for p in scan(path)))
    for found, path, what in ((fields, CATALOGUE, "field messages"), (extract_reasons(fields), REASONS, "reasons"),
                              (offline, OFFLINE_FIELDS, "field messages of the offline page")):
        # The offline page's list names catalogue entries; the catalogues map each pattern to itself in English.
        text = json.dumps(found if path == OFFLINE_FIELDS else {p: p for p in found}, ensure_ascii=False, indent=2) + "\n"
        name = os.path.relpath(path, os.path.join(ROOT, "Sources", "DiversionApp", "Resources", "Locales"))
        if "--write" in argv:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"{len(found)} {what} written to {os.path.relpath(path, ROOT)}")
        elif "--check" in argv:
            try:
                committed = open(path, encoding="utf-8").read()
            except FileNotFoundError:
                committed = ""
            if committed != text:
                old = set(json.loads(committed or "[]"))
                for p in sorted(set(found) - old):
                    print("new:     " + p)
                for p in sorted(old - set(found)):
                    print("removed: " + p)
                print(f"{name} is out of date: run Tests/i18n/extract_field_messages.py --write")
                status = 1
            else:
                print(f"{len(found)} {what}, {name} up to date")
        elif path == CATALOGUE:
            sys.stdout.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
