"""``python -m data_pipeline``: build and inspect Textning's feature store (commands land with the pipeline issue)."""

from __future__ import annotations

import argparse

from textning.cli import run_main


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m data_pipeline", description=__doc__)
    parser.parse_args()
    parser.print_help()
    return 0


if __name__ == "__main__":
    run_main(main)
