"""Run the benchmarks: uv run python -m benchmarks [search|startup|all] [--repeat N]."""

from __future__ import annotations

import argparse
import importlib

SUITES = ["search", "startup", "balance", "tabs", "writes"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("suite", nargs="?", default="all", choices=[*SUITES, "all"])
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--clients", type=int, default=None, help="store size for search")
    args = parser.parse_args()
    for name in SUITES if args.suite == "all" else [args.suite]:
        module = importlib.import_module(f"benchmarks.{name}")
        kwargs = {}
        if args.repeat:
            kwargs["repeat"] = args.repeat
        if args.clients and name == "search":
            kwargs["clients"] = args.clients
        module.run(**kwargs)


if __name__ == "__main__":
    main()
