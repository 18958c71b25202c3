"""Command line: ``python -m eval {dups,stories,seeds,all} [options]``.

Every subcommand either starts the service itself (``uvicorn app.main:app`` on a free port
with a fresh ``STORYWIRE_DATA_DIR``, plus ``--set STORYWIRE_KEY=VALUE`` overrides) or uses
``--url`` of a running one, prints a report on stdout and optionally writes ``--json``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval import dups, report, seeds, stories
from eval.paths import REPO_ROOT
from eval.service import DEFAULT_APP, Target, parse_overrides
from eval.stream import SLICES, StreamConfig


def _common(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand takes."""
    parser.add_argument("--url", help="use this running service instead of starting one (no --set then)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="STORYWIRE_* setting for the started service; repeatable (threshold sweeps)",
    )
    parser.add_argument("--json", type=Path, help="also write the full results as JSON to this file")
    parser.add_argument("--batch-size", type=int, default=100, help="articles per POST /v1/articles/batch (<= 1000)")
    parser.add_argument("--app", default=DEFAULT_APP, help=argparse.SUPPRESS)
    parser.add_argument(
        "--service-dir",
        type=Path,
        default=REPO_ROOT,
        help="directory to start `uvicorn app.main:app` in (e.g. a frozen copy of the service); default: the repo",
    )


def _dups_options(parser: argparse.ArgumentParser) -> None:
    """Options of the near-duplicate stream."""
    parser.add_argument("--slice", choices=SLICES, default="tune", help="tune or held-out bodies/sites/seed")
    parser.add_argument("--seed", type=int, help="stream seed (default: fixed per slice)")
    parser.add_argument("--bodies-per-lang", type=int, default=210, help="distinct bodies per language")
    parser.add_argument(
        "--no-chrome",
        action="store_true",
        help="also replay the same pages without chrome into a fresh service and report decisions changed",
    )
    parser.add_argument("--omit-language", action="store_true", help="do not send `language` (service detects it)")


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of all subcommands."""
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dups_parser = sub.add_parser("dups", help="labelled near-duplicate stream: pair P/R/F1 at ingest and final")
    _common(dups_parser)
    _dups_options(dups_parser)
    stories_parser = sub.add_parser("stories", help="story-clustering replay: B-cubed and ARI vs baselines")
    _common(stories_parser)
    _stories_options(stories_parser)
    seeds_parser = sub.add_parser("seeds", help="end-to-end check on the 5 seed pages plus wrapped copies")
    _common(seeds_parser)
    all_parser = sub.add_parser("all", help="dups (with --no-chrome), stories and seeds in one go")
    _common(all_parser)
    _dups_options(all_parser)
    _stories_options(all_parser)
    return parser


def _stories_options(parser: argparse.ArgumentParser) -> None:
    """Options of the story replay."""
    parser.add_argument(
        "--datasets", default=",".join(stories.LOADERS), help=f"comma list of {', '.join(stories.LOADERS)}"
    )
    parser.add_argument("--part", choices=("both", "tune", "heldout"), default="both", help="label split to replay")
    parser.add_argument(
        "--undated", action="store_true", help="post without published_at: how much the clusters owe to dates"
    )


def target(args: argparse.Namespace, overrides: dict[str, str]) -> Target:
    """The service under test, from the common options."""
    return Target(url=args.url, overrides=overrides, app=args.app, cwd=args.service_dir.resolve())


def run_dups(args: argparse.Namespace, overrides: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Run the ``dups`` subcommand."""
    config = StreamConfig(slice=args.slice, seed=args.seed, bodies_per_lang=args.bodies_per_lang)
    result = dups.run(config, target(args, overrides), args.batch_size, args.no_chrome, not args.omit_language)
    return result, dups.render(result)


def run_stories(args: argparse.Namespace, overrides: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Run the ``stories`` subcommand."""
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in stories.LOADERS]
    if unknown:
        raise ValueError(f"unknown dataset(s) {unknown}; choose from {list(stories.LOADERS)}")
    parts = ["tune", "heldout"] if args.part == "both" else [args.part]
    result = stories.run(names, parts, target(args, overrides), args.batch_size, not args.undated)
    return result, stories.render(result)


def run_seeds(args: argparse.Namespace, overrides: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Run the ``seeds`` subcommand."""
    result = seeds.run(target(args, overrides))
    return result, seeds.render(result)


def run_all(args: argparse.Namespace, overrides: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Run dups (with the no-chrome comparison), stories and seeds."""
    args.no_chrome = True
    runners: list[tuple[str, Callable[[argparse.Namespace, dict[str, str]], tuple[dict[str, Any], str]]]] = [
        ("dups", run_dups),
        ("stories", run_stories),
        ("seeds", run_seeds),
    ]
    results, texts = {}, []
    for name, runner in runners:
        results[name], text = runner(args, overrides)
        texts.append(f"===== {name} =====\n{text}")
    return results, "\n\n".join(texts)


COMMANDS = {"dups": run_dups, "stories": run_stories, "seeds": run_seeds, "all": run_all}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        overrides = parse_overrides(args.overrides)
        result, text = COMMANDS[args.command](args, overrides)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text)
    if args.json:
        report.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
