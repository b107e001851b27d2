"""``python -m service``: see service.cli."""

from service.cli import main
from textning.cli import run_main

if __name__ == "__main__":
    run_main(main)
