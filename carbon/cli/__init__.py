"""Command line: ``carbon run | validate | init | list | show | inventory | energy | market | plot | report |
compare | explore | doctor``.

Thin: every command parses its arguments, calls the same public functions a notebook user calls
and prints. One module per command group (:mod:`carbon.cli.run`, :mod:`carbon.cli.inventory`,
:mod:`carbon.cli.energy`, :mod:`carbon.cli.market`, :mod:`carbon.cli.plots`, :mod:`carbon.cli.project`,
:mod:`carbon.cli.explore`, :mod:`carbon.cli.doctor`), each with ``register(subparsers)``; they import the
engine inside their handlers, so ``carbon --help`` stays fast.

Any :class:`~carbon.errors.CarbonError` is printed as one message with exit code 2; any other
exception as one line ``internal error: ...`` with exit code 1 (``--debug`` prints the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator

from carbon import __version__
from carbon.errors import CarbonError, display_path

__all__ = ["build_parser", "main"]

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``carbon`` command."""
    from carbon.cli import accounts, assess, doctor, energy, explore, inventory, market, plots, project, run

    parser = argparse.ArgumentParser(prog="carbon", description="Carbon peak engine: inventory, energy system, "
                                     "quota market and peak-carbon pathway of a county.")
    parser.add_argument("--version", action="version", version=f"carbon {__version__}")
    _add_global_options(parser, default=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (run, project, inventory, energy, market, assess, accounts, plots, explore, doctor):
        module.register(sub)
    for command in sub.choices.values():  # `carbon run --debug ...` works as `carbon --debug run ...`
        _add_global_options(command, default=argparse.SUPPRESS)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="log progress messages (logger 'carbon' at INFO) on stderr")
    parser.add_argument("--debug", action="store_true", default=default,
                        help="log debug messages and print the traceback of an internal error")


class _StderrHandler(logging.StreamHandler):
    """A handler writing to whatever ``sys.stderr`` is when a record is emitted."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # set by StreamHandler.__init__; always sys.stderr
        pass


def configure_logging(verbose: bool = False, debug: bool = False) -> None:
    """The ``carbon`` logger of the command line: WARNING, INFO with ``--verbose``, DEBUG with
    ``--debug``, one plain handler on stderr. Only :func:`main` calls this; library code never
    configures logging."""
    logger = logging.getLogger("carbon")
    logger.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    for handler in list(logger.handlers):
        if isinstance(handler, _StderrHandler):
            logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)


@contextlib.contextmanager
def python_text_storage() -> Iterator[None]:
    """Within the block, pandas keeps text columns as Python strings instead of Arrow arrays
    (``mode.string_storage``; the dtype is ``str`` either way). A run's tables are small (tens
    to thousands of rows), where Arrow's cost per call outweighs its speed per row: the
    quick-start batch spends ~8 % less CPU. The files written are the same bytes
    (``tests/test_cli.py``). A command sets it before it makes any table, so every text
    column of its process (and of the worker processes it forks) has one storage: a merge of
    the two storages gives an ``object`` column. The Python API leaves pandas' default."""
    import pandas as pd

    with pd.option_context("mode.string_storage", "python"):
        yield


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carbon`` command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # until the arguments are parsed
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        debug = args.debug
        configure_logging(verbose=args.verbose, debug=args.debug)
        with python_text_storage():
            return args.func(args)
    except CarbonError as exc:
        if debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stderr.close()
        return 0
    except OSError as exc:  # the file system refused (full, read-only, a name too long): the user's to fix
        if debug:
            traceback.print_exc()
        where = f"{display_path(str(exc.filename))[:200]}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line, or the traceback with --debug
        if debug:
            traceback.print_exc()
        else:
            print(f"internal error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug for the traceback)",
                  file=sys.stderr)
        return 1

