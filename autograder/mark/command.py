"""``nndl-grade mark``: its options and what it prints; a thin layer over ``app.serve``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_mark_parser(sub) -> None:
    """Add ``mark`` to the sub-commands ``sub`` of ``nndl-grade``."""
    mark = sub.add_parser(
        "mark", help="grade the written parts in the browser (OUT/manual.csv)",
        description="Serve a local marking page for the written parts of OUT on 127.0.0.1 "
                    "(the address printed holds a token; a request without it is refused): "
                    "one part at a time, answers anonymous in a stable shuffled order, the "
                    "reference at hand, rubric items and number keys for points. Every mark "
                    "is written to OUT/manual.csv at once; nndl-grade report OUT folds them "
                    "into the grades. See docs/marking.md.")
    mark.add_argument("out", help="the --out folder of nndl-grade grade")
    mark.add_argument("--port", type=int, default=0,
                      help="port on 127.0.0.1 (default: 0, a free one)")
    mark.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    mark.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve the marking app of OUT until Ctrl-C (``app.serve``)."""
    from ..report import missing_extra, INSTALL

    missing = missing_extra()
    if missing:
        print(f"nndl-grade mark: the marking page needs the report extra ({', '.join(missing)} "
              f"missing): {INSTALL}", file=sys.stderr)
        return 2
    from ..course import load_course
    from .app import serve
    from .session import Busy

    try:
        server = serve(Path(args.out), load_course(args.chapter, out=Path(args.out)), port=args.port)
    except (FileNotFoundError, Busy, ValueError, OSError) as exc:
        print(f"nndl-grade mark: {exc}", file=sys.stderr)
        return 2
    print(f"Marking {args.out} (marks are saved to {Path(args.out) / 'manual.csv'} at once).\n"
          f"Open / 打开: {server.url}\nCtrl-C stops; then run nndl-grade report {args.out}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.session.close()
    return 0
