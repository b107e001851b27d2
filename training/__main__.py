"""``python -m training``: fine-tune and evaluate Whisper (commands land with the training issue)."""

from __future__ import annotations

import argparse

from textning.cli import run_main


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.parse_args()
    parser.print_help()
    return 0


if __name__ == "__main__":
    run_main(main)
