"""``callaro-sandbox serve|seed``: run the Callaro-compatible sandbox or fill a database."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from callaro_sandbox.config import RateLimit, SandboxConfig
from callaro_sandbox.db import Database
from callaro_sandbox.faults import Faults
from callaro_sandbox.seed import PROFILES, SeedError, seed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callaro-sandbox", description="A Callaro-compatible API server over SQLite."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server (seeds an empty database first)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", required=True, help="SQLite file (created if missing)")
    serve.add_argument("--faults", help="JSON file of fault rules")
    serve.add_argument(
        "--allow-fault-control",
        action="store_true",
        help="serve GET/PUT/DELETE /sandbox/faults to change faults at run time",
    )
    serve.add_argument("--token-ttl", type=int, default=900, help="access token lifetime, s")
    serve.add_argument("--refresh-ttl", type=int, default=30 * 24 * 3600)
    serve.add_argument("--seed-profile", choices=PROFILES, default="demo")
    serve.add_argument("--seed", type=int, default=1, help="seed used if the db is empty")
    serve.add_argument("--rate", type=float, default=20.0, help="requests/s per credential")
    serve.add_argument("--burst", type=int, default=100)
    serve.add_argument("--no-rate-limit", action="store_true")
    serve.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the console's demo: the sandbox goes with it)",
    )
    serve.add_argument("--quiet", action="store_true", help="log warnings only, no access log")

    seed_cmd = sub.add_parser("seed", help="fill an empty database with a profile")
    seed_cmd.add_argument("--profile", choices=PROFILES, default="demo")
    seed_cmd.add_argument("--db", required=True)
    seed_cmd.add_argument("--seed", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.WARNING if getattr(args, "quiet", False) else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "seed":
        db = Database.open(args.db)
        try:
            result = seed(db, args.profile, args.seed)
        except SeedError as exc:
            print(f"callaro-sandbox: {exc}", file=sys.stderr)
            return 1
        finally:
            db.close()
        print(result.describe())
        return 0

    from callaro_sandbox.server import open_database, serve_forever

    config = SandboxConfig(
        access_token_ttl=args.token_ttl,
        refresh_ttl=args.refresh_ttl,
        rate_limit=None if args.no_rate_limit else RateLimit(rate=args.rate, burst=args.burst),
        faults=Faults.load(args.faults) if args.faults else Faults(),
        allow_fault_control=args.allow_fault_control,
    )
    db, seeded = open_database(Path(args.db), seed_profile=args.seed_profile, seed_value=args.seed)
    if seeded is not None and not args.quiet:  # (it lists the seeded passwords and key)
        print(seeded.describe(), flush=True)
    if args.host not in {"127.0.0.1", "::1", "localhost"}:
        print(f"warning: listening on {args.host}, reachable beyond this machine", flush=True)
    serve_forever(
        db,
        host=args.host,
        port=args.port,
        config=config,
        quiet=args.quiet,
        until_stdin_closes=args.exit_with_stdin,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
