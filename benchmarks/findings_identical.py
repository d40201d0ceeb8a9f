"""Are the findings of a corpus unchanged? Speed work must not change a single finding.

Scans a chat file with `vaktpost scan` into a fresh SQLite database (in a temporary
folder), writes `vaktpost findings --format jsonl` sorted line by line, and either saves it
as the reference or compares it with a saved reference, printing the first differences.

    # before the change (e.g. on main):
    python benchmarks/findings_identical.py CHATS --save /tmp/findings-before.jsonl
    # after:
    python benchmarks/findings_identical.py CHATS --against /tmp/findings-before.jsonl

Exit status 0 when identical (or saved), 1 when they differ.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CLI = "from vaktpost.cli import main; main()"


def findings_of(chats: Path, engine: str = "local") -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/scan.db"
        subprocess.run([sys.executable, "-c", CLI, "scan", str(chats), "--db", db, "--engine", engine, "--output", "json"],
                       check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run([sys.executable, "-c", CLI, "findings", "--db", db, "--format", "jsonl"],
                             check=True, capture_output=True, text=True).stdout
    return sorted(line for line in out.splitlines() if line.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chats", type=Path)
    ap.add_argument("--save", type=Path, help="write the sorted findings here (the reference)")
    ap.add_argument("--against", type=Path, help="compare with this reference")
    args = ap.parse_args()
    lines = findings_of(args.chats)
    if args.save:
        args.save.write_text("".join(f"{line}\n" for line in lines))
        print(f"saved {len(lines):,} findings to {args.save}")
    if args.against:
        ref = args.against.read_text().splitlines()
        if ref == lines:
            print(f"identical: {len(lines):,} findings")
            return 0
        only_ref, only_now = sorted(set(ref) - set(lines)), sorted(set(lines) - set(ref))
        print(f"DIFFERENT: reference {len(ref):,}, now {len(lines):,}; {len(only_ref)} only in reference, {len(only_now)} only now")
        for line in only_ref[:5]:
            print("  - " + line[:300])
        for line in only_now[:5]:
            print("  + " + line[:300])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
