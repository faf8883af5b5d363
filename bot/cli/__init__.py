"""The ``volunteer-bot`` command: load the configuration, then run the bot, the local
sandbox, migrations, the org import, admin bootstrap or a configuration check.

Operator mistakes (a bad configuration or org file, an unknown unit, a database that
cannot be reached) are printed as one message on stderr with exit status 1; usage
errors exit with 2. Anything else is a bug and keeps its traceback.

``bot.app``, ``sandbox`` and the migrations (Alembic) are imported inside the
commands that need them, so the others start faster and work on their own.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.cli.common import PROG, CommandError
from bot.cli.parser import build_parser
from bot.config import ConfigError
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.org.org_file import OrgFileError


def _domain_message(exc: DomainError) -> str:
    if isinstance(exc, InvalidValue):
        details = ", ".join(f"{k}={v!r}" for k, v in exc.values.items())
        return f"invalid {exc.field} ({exc.reason}){': ' + details if details else ''}"
    return f"{exc.code}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        result: int = args.func(args)
        return result
    except CommandError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (ConfigError, OrgFileError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"{PROG}: error: {_domain_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
