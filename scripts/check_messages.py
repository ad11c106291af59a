"""Fail when `make messages` would change the Spanish catalogue or leave a string untranslated.

Runs makemessages into a scratch copy and compares the entries (ids and translations), then
checks that every Spanish entry has a translation and is not fuzzy.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES"


def entries(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid (with context and plural) -> (msgstr..., fuzzy) parsed without third-party code."""
    result: dict[str, tuple[str, bool]] = {}
    if not path.exists():
        return result
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        lines = [ln for ln in block.splitlines() if ln and not ln.startswith("#~")]
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        key, forms, current = [], [], None
        for ln in lines:
            if ln.startswith("#"):
                continue
            if ln.startswith(("msgctxt", "msgid")):
                current = key
            elif ln.startswith("msgstr"):
                forms.append([])  # msgstr, or each msgstr[n] of a plural: one form each
                current = forms[-1]
            if current is not None and '"' in ln:
                current.append(ln[ln.index('"') + 1 : ln.rindex('"')])
        k = "".join(key)
        if k:
            result[k] = ("\x00".join("".join(form) for form in forms), fuzzy)
    return result


def main() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp) / "backup"
        shutil.copytree(PO, backup)
        try:
            for domain in ("django", "djangojs"):
                subprocess.run(
                    [
                        sys.executable,
                        "manage.py",
                        "makemessages",
                        "-l",
                        "es",
                        "-d",
                        domain,
                        "--no-obsolete",
                        "--no-location",
                        "--ignore=.venv",
                        "--ignore=node_modules",
                        "--ignore=static/vendor",
                        "--ignore=staticfiles",
                        "--ignore=test-artifacts",
                    ],
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                )
                after = entries(PO / f"{domain}.po")
                before = entries(backup / f"{domain}.po")
                if set(after) != set(before):
                    added = sorted(set(after) - set(before))[:20]
                    removed = sorted(set(before) - set(after))[:20]
                    problems.append(
                        f"{domain}.po is out of date: run `make messages`. New: {added} Gone: {removed}"
                    )
                for msgid, (msgstr, fuzzy) in after.items():
                    if any(form == "" for form in msgstr.split("\x00")) or fuzzy:
                        problems.append(f"untranslated or fuzzy in {domain}.po: {msgid[:80]}")
        finally:
            shutil.rmtree(PO)
            shutil.copytree(backup, PO)
    for line in problems[:60]:
        print(line)
    if problems:
        print(f"{len(problems)} translation problem(s).")
        return 1
    print("Spanish catalogue complete and up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
