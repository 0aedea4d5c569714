"""Start-up, A against B: two checkouts of the console started in turn against one sandbox.

A change that saves 10-30 ms of a 400 ms start hides in two separate runs of bench_startup.py
on a machine whose speed drifts by half from one hour to the next. Started in pairs, one right
after the other, it shows in the pairs' differences. Each checkout runs its own code (its
directory first on PYTHONPATH) under its own benchmarks/bench_startup.py probe, which must
have the --child-app mode (2026-11-27 on), signed in silently as the demo admin.

    git worktree add /tmp/before HEAD~1
    python benchmarks/ab_startup.py /tmp/before . [--runs 9]

With `--keychain` the saved sign-in is in the Secret Service, as on a Linux desktop (the
console reads it, refreshes, and writes the new token back), instead of a plain file: run it
in a D-Bus session of its own with gnome-keyring unlocked (benchmarks/README.md).

Run it once A/A (the same checkout twice) to see what the machine's noise is: on the 2-core
machine of RESULTS.md, 21 pairs of one checkout differed by 6 ms, so a difference under ~10 ms
there says nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_startup import _time_child, returning_user, usable_keychain
from benchmarks.common import ADMIN, median, ms, record, spread, start_sandbox


def _commit(checkout: Path) -> str:
    found = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip()[:72] or str(checkout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="checkout A (the baseline)")
    parser.add_argument("b", type=Path, help="checkout B")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        help="what A and B are, for RESULTS.md (say so when a checkout carries changes of its"
        " own that are not committed)",
    )
    parser.add_argument(
        "--keychain",
        action="store_true",
        help="the saved sign-in in the Secret Service of this D-Bus session, not a plain file",
    )
    opts = parser.parse_args()
    if opts.keychain:
        usable_keychain()
    checkouts = {"A": opts.a.resolve(), "B": opts.b.resolve()}
    times: dict[str, list[float]] = {"A": [], "B": []}
    cpu: dict[str, list[float]] = {"A": [], "B": []}
    # After the sign-in: the page's data still to come (what a warm start's early requests
    # shorten), apart from the whole start's noise.
    after: dict[str, list[float]] = {"A": [], "B": []}
    with start_sandbox("demo") as sandbox:
        for counted in [False] + [True] * opts.runs:  # the first pair fills the file cache
            for name, checkout in checkouts.items():
                with returning_user(sandbox.base_url, ADMIN, keychain=opts.keychain) as home:
                    marks = _time_child(["--child-app", sandbox.base_url], home, checkout)
                if counted:
                    times[name].append(ms(marks["PAINTED"]))
                    cpu[name].append(ms(marks["CPU"]))
                    after[name].append(ms(marks["READY"] - marks["SIGNED_IN"]))
            if counted:
                print(f"pair: A {times['A'][-1]:.0f} ms, B {times['B'][-1]:.0f} ms", flush=True)
    differences = [b - a for a, b in zip(times["A"], times["B"], strict=True)]
    faster = sum(d < 0 for d in differences)
    table = [
        (
            "checkout",
            "start → Dashboard data painted, median ms",
            "min–max",
            "CPU median ms",
            "signed in → data in, median ms",
        ),
        *(
            (
                f"{name}: {_commit(path)}",
                f"{median(times[name]):.0f}",
                spread(times[name]),
                f"{median(cpu[name]):.0f}",
                f"{median(after[name]):.0f}",
            )
            for name, path in checkouts.items()
        ),
    ]
    record(
        "Start-up A/B",
        table,
        [
            f"B − A, median of the {opts.runs} pairs' differences: {median(differences):+.0f} ms;"
            f" B faster in {faster} of {opts.runs} pairs",
            "each pair: A then B, one after the other, after one pair not counted; offscreen;"
            " sandbox (demo seed) in its own process; signed in silently from a saved sign-in"
            + (
                " in the Secret Service (gnome-keyring on a D-Bus session of its own)"
                if opts.keychain
                else " (a plain file)"
            ),
            *opts.note,
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
