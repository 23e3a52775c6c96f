"""Instructions per card-only vet, counted by valgrind: a figure that does not move with the machine's load.

``bench_card_vet.py`` times the vet of all 16,590 cards of the Feb-2022 dump; on a
shared machine its wall time varies by tens of percent between runs. This
script counts the instructions instead (``valgrind --tool=callgrind``, which is
exact for the same interpreter, code and inputs): it vets the first ``--cards``
of a fixed random sample of those cards (seed 7) the way the timing bench does
(``ptmvet.vet(folder, VetOptions(offline=True, hash_files=False, deep_scan=False))``),
once with one card and once with ``--cards + 1``, and prints the difference per
card, so that start-up (imports, loading the known-id tables) is left out.
Run it on two checkouts to compare them (``--src``).

    .venv/bin/python bench/bench_card_vet_instructions.py [--cards 200] [--src src]

Needs valgrind (Debian's package); about 4 minutes for 200 cards.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_card_vet import load, write_folders  # noqa: E402

_VET = """
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ["HF_HUB_OFFLINE"] = "1"
from ptmvet import VetOptions, vet
options = VetOptions(offline=True, hash_files=False, deep_scan=False)
for folder in open(sys.argv[2], encoding="utf-8").read().split("\\n")[: int(sys.argv[3])]:
    vet(folder, options)
"""


def instructions(src: Path, listing: Path, n: int, work: Path) -> int:
    """Instructions callgrind counts for one run that vets the first ``n`` folders."""
    out = work / f"callgrind.{n}.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", _VET, str(src), str(listing), str(n)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    m = re.search(r"Collected : (\d+)", done.stderr)
    if m is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cards", type=int, default=200)
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the ptmvet sources to measure (a checkout's src/)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    cards = load(None)
    random.Random(7).shuffle(cards)
    with tempfile.TemporaryDirectory(prefix="bench-card-instr-") as tmp:
        work = Path(tmp)
        listing = work / "folders.txt"
        listing.write_text("\n".join(write_folders(cards[: args.cards + 1], work / "cards")), "utf-8")
        env_src = args.src.resolve()
        one = instructions(env_src, listing, 1, work)
        many = instructions(env_src, listing, args.cards + 1, work)
    per_card = (many - one) / args.cards
    print(f"sources: {env_src}")
    print(f"instructions: {one:,} for 1 card (start-up and one vet), {many:,} for {args.cards + 1} cards")
    print(f"per card-only vet: {per_card / 1e6:.2f} M instructions (over {args.cards} cards of a seeded sample of {len(cards)})")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
