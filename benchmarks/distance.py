"""Where the benchmarks place Telegram: `--latency MS [MS ...]` and `--jitter MS`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator


def add_distance_arguments(parser: argparse.ArgumentParser) -> None:
    """The round trips to measure at (milliseconds, one run set each) and their jitter."""
    parser.add_argument("--latency", nargs="+", type=float, default=[0.0], metavar="MS")
    parser.add_argument("--jitter", type=float, default=0.0, metavar="MS")


def distances(args: argparse.Namespace, heading: str = "") -> Iterator[tuple[float, float]]:
    """Each (latency, jitter) in seconds, after a line saying where Telegram is; the machine's
    load first, as every benchmark reports it."""
    print(f"load average before: {os.getloadavg()}", flush=True)
    for latency in args.latency:
        print(f"Telegram {latency:g} ms away (jitter {args.jitter:g} ms){heading}", flush=True)
        yield latency / 1000, args.jitter / 1000
