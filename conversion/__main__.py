"""``python -m conversion``: export-ct2 and import-ct2."""

from __future__ import annotations

import argparse

from textning.cli import run_main


def build_parser() -> argparse.ArgumentParser:
    from conversion.export_ct2 import QUANTIZATIONS

    parser = argparse.ArgumentParser(prog="python -m conversion", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export-ct2",
        help="transformers Whisper (or a PEFT/LoRA adapter, merged first) -> CTranslate2 for faster-whisper",
    )
    export.add_argument("src", help="transformers checkpoint directory, adapter directory or hub id")
    export.add_argument("dst", help="output directory for the CTranslate2 model")
    export.add_argument("--quantization", default="int8", choices=QUANTIZATIONS)
    export.add_argument("--base", help="base model reference for an adapter (default: the adapter's own)")
    export.add_argument("--overwrite", action="store_true", help="replace DST when it exists")
    imp = commands.add_parser(
        "import-ct2", help="CTranslate2 Whisper (or 'default') -> trainable transformers checkpoint"
    )
    imp.add_argument("src", help="CTranslate2 model directory, hub id or 'default'")
    imp.add_argument("dst", help="output directory for the transformers checkpoint")
    imp.add_argument("--dtype", default="float32", choices=("float32", "float16", "bfloat16"))
    imp.add_argument("--overwrite", action="store_true", help="replace DST when it exists")
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if args.command == "export-ct2":
        from conversion.export_ct2 import export_ct2

        out = export_ct2(args.src, args.dst, args.quantization, base=args.base, overwrite=args.overwrite)
    else:
        from conversion.import_ct2 import import_ct2
        from textning.errors import TextningError
        from textning.models import resolve_model

        model = resolve_model(args.src)
        if model.format != "ctranslate2":
            raise TextningError(f"'{args.src}' is a {model.format} model, not CTranslate2")
        out = import_ct2(model.path, args.dst, dtype=args.dtype, overwrite=args.overwrite)
    print(out)
    return 0


if __name__ == "__main__":
    run_main(main)
