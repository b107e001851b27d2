"""Helpers shared by the stages' command lines."""

from __future__ import annotations

import sys
from collections.abc import Callable

from textning.errors import TextningError


def run_main(main: Callable[[], int]) -> None:
    """Run a CLI entry point: user errors become one line on stderr and exit status 1, never a traceback."""
    try:
        code = main()
    except TextningError as error:
        print(f"error: {error}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)
