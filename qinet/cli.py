"""Command line: ``qinet init-db | demo | check-reference | bench | import | template``.

Errors that a user can fix (a bad setting, an unreachable database) print one
line naming the setting and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from qinet.errors import QinetError


def _engine():  # noqa: ANN202
    from qinet import db
    from qinet.config import load_settings

    settings = load_settings(os.environ)
    return db.make_engine(settings.database_url), settings


def cmd_init_db(args: argparse.Namespace) -> int:
    """Create or migrate the schema; add demo data to an empty database (unless disabled)."""
    from qinet import db

    engine, settings = _engine()
    if settings.create_demo and not args.no_demo:
        created = db.ensure_demo_data(engine, settings.demo_seed)
        print("Created synthetic demo data." if created else "Database ready (already has data).")
    else:
        db.create_schema(engine)
        print("Database schema is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Build demo data of the chosen scale into an empty database."""
    from qinet import db, demo

    engine, _ = _engine()
    db.create_schema(engine)
    started = time.perf_counter()
    with db.session_scope(engine) as session:
        if not db.is_empty(session):
            raise QinetError(
                "the database already holds data; point QINET_DATABASE_URL at a new "
                "database to build demo data"
            )
        summary = demo.build(session, seed=args.seed, scale=args.scale)
    elapsed = time.perf_counter() - started
    print(f"Built {args.scale} synthetic demo data (seed {args.seed}) in {elapsed:.1f} s:")
    for name, count in summary.rows.items():
        print(f"  {name:<24} {count:>9,}")
    return 0


def cmd_check_reference(args: argparse.Namespace) -> int:
    """Compare the engine with reference outputs; print agreement per file and chart kind."""
    from qinet.refcheck import ptd, qic

    directory = Path(args.directory)
    if not directory.is_dir():
        raise QinetError(f"check-reference: {directory} is not a folder")
    agree = total = 0
    for module in (qic, ptd):
        for r in module.check(directory):
            agree += r.agree
            total += r.total
            print(f"{r.file:<18} {r.kind:<28} {r.agree:>8}/{r.total:<8}")
            for d in r.differences[: args.show]:
                print(f"    {d}")
    print(f"agreement: {agree}/{total}")
    return 0 if agree == total else 1


def cmd_bench(args: argparse.Namespace) -> int:
    """Run a benchmark suite (stats, pages, app, load, browser) and print its figures."""
    if args.suite == "app":
        from qinet import bench_app

        return bench_app.run(repeats=args.repeats)
    if args.suite == "load":
        from qinet import bench_load

        return bench_load.run(sessions=args.sessions, duration=args.duration)
    if args.suite == "browser":
        from qinet import bench_browser

        return bench_browser.run(repeats=args.repeats, large=args.large)
    from qinet import bench

    return bench.run(args.suite, repeats=args.repeats)


def cmd_import(args: argparse.Namespace) -> int:
    """Import a file (two for ``mdc``): 0 written, 1 rejected (report on stderr), 2 usage."""
    import getpass

    from qinet import db
    from qinet.imports import ImportRejected, import_file, import_instrument, import_mdc, kind_for
    from qinet.imports.kinds import Context

    kind = args.kind.strip().lower()
    need = 2 if kind == "mdc" else 1
    if len(args.files) != need:
        raise QinetError(
            "import mdc takes two files: the metric table and the data table" if need == 2
            else f"import {kind} takes one file, not {len(args.files)}")  # fmt: skip
    if kind == "mdc" and not args.project:
        raise QinetError("import mdc needs --project CODE (the project the metrics belong to)")
    if kind not in ("mdc", "instrument"):
        try:
            kind_for(kind)
        except ImportRejected as exc:
            raise QinetError(str(exc.problems[0])) from None
    blobs = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise QinetError(f"import: {name} is not a file")
        blobs.append((path.read_bytes(), path.name))
    engine, _ = _engine()
    db.create_schema(engine)
    try:
        user = f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        user = "cli"
    ctx = Context(user_key=user, add_organisations=args.add_organisations)
    try:
        with db.session_scope(engine) as session:
            if kind == "mdc":
                result = import_mdc(session, blobs[0], blobs[1], args.project, ctx,
                                    dry_run=args.dry_run)  # fmt: skip
            elif kind == "instrument":
                result = import_instrument(session, blobs[0][0], blobs[0][1], ctx,
                                           dry_run=args.dry_run)  # fmt: skip
            else:
                result = import_file(session, kind, blobs[0][0], blobs[0][1], ctx,
                                     dry_run=args.dry_run)  # fmt: skip
    except ImportRejected as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(result.summary())
    for line in result.notes:
        print(f"  {line}")
    if result.ignored:
        print(f"  ignored columns: {', '.join(result.ignored)}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Write a blank template (header, example row; notes sheet in .xlsx)."""
    from qinet.imports import templates

    if args.kind not in templates.template_names():
        raise QinetError(f"template: {args.kind!r} is not a kind; choose one of "
                         f"{', '.join(templates.template_names())}")  # fmt: skip
    data = (templates.template_xlsx if args.format == "xlsx" else templates.template_csv)(args.kind)
    out = Path(args.output or f"{args.kind}-template.{args.format}")
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise QinetError(f"template: cannot write {out} ({exc.strerror})") from None
    print(f"Wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``qinet`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="qinet",
        description="qinet: database set-up, synthetic demo data, reference checks, benchmarks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="create/migrate the database; demo data if empty")
    p.add_argument("--no-demo", action="store_true", help="do not add demo data")
    p.set_defaults(func=cmd_init_db)

    p = sub.add_parser("demo", help="build synthetic demo data into an empty database")
    p.add_argument("--seed", type=int, default=20240401)
    p.add_argument("--scale", choices=["small", "large"], default="small")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check-reference", help="agreement with qicharts2/NHSRplotthedots outputs")
    p.add_argument("directory", help="folder laid out like shared/spc-reference")
    p.add_argument("--show", type=int, default=3, help="differences to list per kind")
    p.set_defaults(func=cmd_check_reference)

    p = sub.add_parser("bench", help="benchmarks; prints medians")
    p.add_argument("suite", choices=["stats", "pages", "import", "app", "load", "browser"])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--sessions", type=int, default=10, help="load: concurrent browser sessions")
    p.add_argument("--duration", type=float, default=60.0, help="load: seconds to run")
    p.add_argument("--large", action="store_true", help="browser: also the large data set")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("import", help="import a CSV/xlsx file, all or nothing (exit 1: rejected)")
    p.add_argument("kind", help="organisations, directorates, …, observations, "
                   "survey_responses, workforce, mdc, instrument")  # fmt: skip
    p.add_argument("files", nargs="+", help="the file (mdc: metric table, then data table; "
                   "instrument: a .json definition)")  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="check and count only; write nothing")
    p.add_argument("--project", help="project code (mdc)")
    p.add_argument("--add-organisations", action="store_true",
                   help="workforce: add organisations the database does not know")  # fmt: skip
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("template", help="write a blank import template")
    p.add_argument("kind")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--output", help="file to write (default KIND-template.FORMAT)")
    p.set_defaults(func=cmd_template)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``qinet`` and ``python -m qinet``.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Process exit status.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except QinetError as exc:
        print(f"qinet: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - never a traceback on the command line
        print(f"qinet: unexpected error ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
