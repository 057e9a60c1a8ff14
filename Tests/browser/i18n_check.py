"""Finds raw message keys in the text of a rendered page.

A page that shows `nav_home` or `measure_status_active` instead of words has a message missing from a
catalogue, or a key built from a value the catalogue does not know (the pages fall back to the key).
Browser tests import it:

    from i18n_check import load_keys, raw_keys
    keys = load_keys(REPO)                       # the keys of en.json
    found = raw_keys(driver.find_element(By.TAG_NAME, "body").text, keys)

Run alone it checks text files or standard input and exits 1 when it finds any:
    python3 Tests/browser/i18n_check.py page.txt ...
    python3 Tests/browser/i18n_check.py --self-test
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# A snake_case word with at least one underscore, not part of a longer word, path, address or file name.
TOKEN = re.compile(r"(?<![\w./@:#-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w/@-]|\.\w)")
# Prefixes that appear in keys but are also ordinary words in some languages' text: not enough on their own.
WEAK_PREFIXES = {"a", "an", "de", "la", "le", "no", "to", "el", "en"}


def locales_dir(root: str | Path) -> Path:
    """The Locales folder, given the repository root, the folder itself or any folder inside the repository."""
    path = Path(root).resolve()
    if path.is_file():
        path = path.parent
    if (path / "en.json").is_file():
        return path
    for base in (path, *path.parents):
        candidate = base / "Sources" / "DiversionApp" / "Resources" / "Locales"
        if (candidate / "en.json").is_file():
            return candidate
    raise FileNotFoundError(f"no Locales/en.json at or above {path}")


def load_keys(root: str | Path) -> set[str]:
    """The message keys of en.json (English holds every key; the tests keep the other five in step)."""
    return set(json.loads((locales_dir(root) / "en.json").read_text(encoding="utf-8")))


def raw_keys(text: str, keys: set[str]) -> list[str]:
    """Tokens of `text` that are message keys, or shaped like keys of a known family, sorted and unique.

    A known key is always reported. A token like `measure_status_paused` that is not a key but begins with
    the first two segments of one (`measure_status_`) is reported too: the page fell back to a key the
    catalogue lacks. Single-segment families (`day_`, `flag_`) need a full key match, so ordinary
    snake_case values a person typed are not taken for keys.
    """
    families = {"_".join(key.split("_")[:2]) + "_" for key in keys if key.count("_") >= 2}
    found: set[str] = set()
    for match in TOKEN.finditer(text):
        token = match.group(1)
        if token in keys:
            found.add(token)
        elif token.split("_", 1)[0] not in WEAK_PREFIXES and any(token.startswith(f) for f in families):
            found.add(token)
    return sorted(found)


def _self_test() -> int:
    keys = {"nav_home", "measure_status_active", "measure_status_completed", "day_mon", "app_name"}
    cases = [
        ("Home · nav_home", ["nav_home"]),
        ("Status: measure_status_paused", ["measure_status_paused"]),
        ("Status: Active", []),
        ("a file report_2025_01.csv and /measures/nav_home/x and j_doe@example.org", []),
        ("day_mon, day_xyz", ["day_mon"]),
        ("حالة: measure_status_active", ["measure_status_active"]),
        ("状态：nav_home。", ["nav_home"]),
        ("", []),
    ]
    failed = 0
    for text, expected in cases:
        got = raw_keys(text, keys)
        if got != expected:
            failed += 1
            print(f"not ok - {text!r}: {got} != {expected}")
    real = load_keys(Path(__file__))
    if len(real) < 100 or "nav_home" not in real:
        failed += 1
        print(f"not ok - load_keys read {len(real)} keys")
    print(f"{len(cases) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["--self-test"]:
        return _self_test()
    keys = load_keys(Path(__file__))
    texts = [(name, Path(name).read_text(encoding="utf-8")) for name in argv[1:]] or [("<stdin>", sys.stdin.read())]
    bad = 0
    for name, text in texts:
        found = raw_keys(text, keys)
        if found:
            bad += 1
            print(f"{name}: {', '.join(found)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
