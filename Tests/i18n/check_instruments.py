#!/usr/bin/env python3
"""Checks the screening prompt files in Sources/DiversionApp/Resources/Instruments.

Usage: python3 Tests/i18n/check_instruments.py [DIRECTORY]

Fails (exit 1, listing every problem) when a file is not a flat JSON object of strings, when the
key sets differ between files or from the expected keys, when a value is empty, when a non-English
value is still the English text, when an ASSIST item prompt lacks {substance}, when a prompt is too
long, or when it uses stigmatising words.
"""
import json
import re
import sys
from pathlib import Path

LANGUAGES = ["en", "es", "fr", "ru", "ar", "zh"]
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "Sources" / "DiversionApp" / "Resources" / "Instruments"
MAX_LENGTH = 160
PLACEHOLDER = "{substance}"

ASSIST_SUBSTANCES = [
    "tobacco", "alcohol", "cannabis", "cocaine", "amphetamines",
    "inhalants", "sedatives", "hallucinogens", "opioids", "other",
]

# Words that are the same in another language as in English and are not left-over English.
SAME_AS_ENGLISH_ALLOWED = {"es": {"No"}}

# Stigmatising terms the product does not use (matched case-insensitively at word starts).
STIGMA = {
    "en": [r"addict", r"abuse", r"junkie", r"druggie", r"alcoholics?\b(?!\s+(?:drink|beverage))"],
    "es": [r"adict", r"drogadict", r"toxic[oó]man", r"abuso", r"yonqui"],
    "fr": [r"toxicoman", r"drogu(?:é|ée|és|ées)\b", r"abus\b", r"junkie", r"alcooliques?\b"],
    "ru": [r"наркоман", r"злоупотреб", r"алкоголик", r"торчок", r"нарик"],
    "ar": [r"مدمن", r"متعاطي المخدرات"],
    "zh": [r"瘾君子", r"毒虫", r"吸毒者", r"吸毒人员"],
}


def expected_keys():
    keys = {f"dast10.q{i}" for i in range(1, 11)}
    for i in range(1, 11):
        keys.add(f"audit.q{i}")
        keys.update(f"audit.q{i}.o{j}" for j in range(5 if i <= 8 else 3))
    keys.update(f"crafft.a{i}" for i in range(1, 4))
    keys.update(f"crafft.b{i}" for i in range(1, 7))
    keys.update(f"assist.q{i}" for i in range(1, 9))
    keys.update(f"assist.substance.{s}" for s in ASSIST_SUBSTANCES)
    # The single injection question names drugs in general.
    keys.add("assist.substance.any")
    keys.update(f"assist.freq.o{j}" for j in range(5))
    keys.update(f"assist.concern.o{j}" for j in range(3))
    keys.update(f"assist.inject.o{j}" for j in range(3))
    keys.update(["answer.yes", "answer.no", "answer.days"])
    keys.update(f"instrument.{n}" for n in ["dast10", "audit", "auditc", "assist", "crafft", "intro"])
    return keys


def load(path, problems):
    def no_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                problems.append(f"{path.name}: key '{key}' appears more than once")
            seen[key] = value
        return seen

    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=no_duplicates)
    except FileNotFoundError:
        problems.append(f"{path.name}: file is missing ({path})")
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problems.append(f"{path.name}: not valid UTF-8 JSON: {error}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path.name}: must be one JSON object of string to string")
        return None
    for key, value in data.items():
        if not isinstance(value, str):
            problems.append(f"{path.name}: '{key}' must be a string, not {type(value).__name__}")
    return {k: v for k, v in data.items() if isinstance(v, str)}


def leftover_words(text):
    """Words that remain once placeholders, numbers and abbreviations/proper names are removed."""
    text = text.replace(PLACEHOLDER, " ")
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    # Abbreviations and instrument names are written in capitals: DAST-10, AUDIT-C, WHO, LSD.
    return [w for w in words if not re.fullmatch(r"[A-Z][A-Z0-9-]*", w)]


def check(directory):
    problems = []
    files = {lang: load(directory / f"{lang}.json", problems) for lang in LANGUAGES}
    loaded = {lang: data for lang, data in files.items() if data is not None}

    expected = expected_keys()
    for lang, data in loaded.items():
        missing = sorted(expected - data.keys())
        extra = sorted(data.keys() - expected)
        if missing:
            problems.append(f"{lang}.json: missing keys: {', '.join(missing)}")
        if extra:
            problems.append(f"{lang}.json: unexpected keys: {', '.join(extra)}")
    every_key = set().union(*(d.keys() for d in loaded.values())) if loaded else set()
    for lang, data in loaded.items():
        absent = sorted(every_key - data.keys())
        if absent:
            problems.append(f"{lang}.json: keys other files have but this one lacks: {', '.join(absent)}")

    english = loaded.get("en", {})
    long_english = {k: v for k, v in english.items() if len(leftover_words(v)) >= 4}
    for lang, data in loaded.items():
        for key in sorted(data):
            value = data[key]
            where = f"{lang}.json '{key}'"
            if not value.strip():
                problems.append(f"{where}: value is empty")
                continue
            if value != value.strip():
                problems.append(f"{where}: leading or trailing whitespace")
            if len(value.replace(PLACEHOLDER, "")) > MAX_LENGTH:
                problems.append(f"{where}: {len(value)} characters; keep prompts under {MAX_LENGTH}")
            placeholders = re.findall(r"\{[^}]*\}", value)
            if re.fullmatch(r"assist\.q\d+", key):
                if placeholders.count(PLACEHOLDER) != 1:
                    problems.append(f"{where}: an ASSIST item prompt must contain {PLACEHOLDER} exactly once")
            if any(p != PLACEHOLDER for p in placeholders) or (placeholders and not key.startswith("assist.q")):
                problems.append(f"{where}: unexpected placeholder(s) {placeholders}")
            for pattern in STIGMA.get(lang, []):
                if re.search(r"(?<!\w)" + pattern, value, re.IGNORECASE):
                    problems.append(f"{where}: stigmatising wording matched /{pattern}/: {value!r}")
            if lang == "en":
                continue
            if key in english and value == english[key]:
                if leftover_words(value) and value not in SAME_AS_ENGLISH_ALLOWED.get(lang, set()):
                    problems.append(f"{where}: identical to English (not translated): {value!r}")
            for en_key, en_value in long_english.items():
                if en_value in value and not (key == en_key and value == en_value):
                    problems.append(f"{where}: contains the English text of '{en_key}': {en_value!r}")
    return problems, loaded


def main():
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    problems, loaded = check(directory)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    counts = ", ".join(f"{lang} {len(data)}" for lang, data in loaded.items())
    print(f"OK: {counts} keys; same keys in every file, all translated, ASSIST prompts have {PLACEHOLDER}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
