#!/usr/bin/env python3
"""Lists the English field messages the Swift sources can show on a page, as catalogue patterns.

A field message is the reason of a `FieldError` (`FieldError(field, "…")`, `errors.add(field, "…")`,
`fail(path, "…")`, `.invalid(field:, message: "…")`), a conflict shown next to a field (`.conflict("…")`), a message
handed to a reader as its "missing" text (`text(value, field, "…")`, `decimal(value, field, "…")`), or a sentence
returned by a `…Problem` function. Interpolations `\\(expr)` become numbered placeholders `{0}`, `{1}`…; an
interpolation that only chooses between two literals (`\\(n == 1 ? "" : "s")`) gives one pattern per choice.

    extract_field_messages.py            print the patterns as JSON
    extract_field_messages.py --write    rewrite Resources/Locales/validation/en.json (pattern → pattern)
    extract_field_messages.py --check    exit 1 when en.json differs from the sources

The Swift test FieldMessageTests reads the same en.json and checks every other language covers it.
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SOURCES = [os.path.join(ROOT, "Sources", d) for d in ("DiversionCore", "DiversionStore", "DiversionApp")]
CATALOGUE = os.path.join(ROOT, "Sources", "DiversionApp", "Resources", "Locales", "validation", "en.json")

# Callee name → unlabelled argument positions (or labels) that carry a message.
POSITIONAL = {"FieldError": {1}, "add": {1}, "fail": {1}, "invalid": {1}, "conflict": {0}, "text": {2}, "decimal": {2}}
LABELLED = {"invalid": {"message"}}


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


def extract():
    patterns_found = set()
    for base in SOURCES:
        for root, _, files in os.walk(base):
            for name in sorted(files):
                if name.endswith(".swift"):
                    patterns_found.update(scan(os.path.join(root, name)))
    return sorted(patterns_found)


def main(argv):
    found = extract()
    catalogue = {p: p for p in found}
    text = json.dumps(catalogue, ensure_ascii=False, indent=2) + "\n"
    if "--write" in argv:
        os.makedirs(os.path.dirname(CATALOGUE), exist_ok=True)
        with open(CATALOGUE, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{len(found)} field messages written to {os.path.relpath(CATALOGUE, ROOT)}")
    elif "--check" in argv:
        try:
            committed = open(CATALOGUE, encoding="utf-8").read()
        except FileNotFoundError:
            committed = ""
        if committed != text:
            old = set(json.loads(committed or "{}"))
            for p in sorted(set(found) - old):
                print("new:     " + p)
            for p in sorted(old - set(found)):
                print("removed: " + p)
            print("validation/en.json is out of date: run Tests/i18n/extract_field_messages.py --write")
            return 1
        print(f"{len(found)} field messages, en.json up to date")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
