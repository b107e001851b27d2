"""``python -m data_pipeline``: build a log-mel feature store from Swedish speech sources, or show its stats."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textning.cli import run_main

SOURCE_HELP = (
    "source spec, repeatable: commonvoice:PATH, audiofolder:PATH (metadata.csv: file_name,transcription[,speaker]), "
    "commonvoice-hub:ID:LANG, nst:[ID], rixvox:[ID], fleurs:sv_se; append @WEIGHT to mix sources"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build (or resume, or confirm) a feature store")
    build.add_argument("--source", action="append", dest="sources", metavar="SPEC", help=SOURCE_HELP)
    build.add_argument("--out", help="store URL: a local folder or any fsspec URL (s3://, gs://, hf://...)")
    build.add_argument("--config", type=Path, help="YAML or TOML file with PipelineConfig options")
    build.add_argument("--model", help="model whose feature extractor and tokenizer to use (default: 'default')")
    build.add_argument("--num-proc", type=int, help="worker processes for feature extraction")
    build.add_argument("--max-hours", type=float, help="hours budget for the train split")
    build.add_argument("--text-style", choices=("whisper", "normalized"), help="target text form (default: whisper)")
    build.add_argument("--shard-size", type=int, help="examples per shard (default: 256)")
    stats = commands.add_parser("stats", help="print a store's manifest: counts, hours, filters, sizes")
    stats.add_argument("url", help="store URL")
    stats.add_argument("--json", action="store_true", help="print the manifest as JSON")
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if args.command == "build":
        from data_pipeline.build import build
        from data_pipeline.config import PipelineConfig
        from textning.config import load_config

        config = load_config(
            PipelineConfig,
            args.config,
            sources=args.sources,
            out=args.out,
            model=args.model,
            num_proc=args.num_proc,
            max_hours=args.max_hours,
            text_style=args.text_style,
            shard_size=args.shard_size,
        )
        manifest = build(config)
        print(summary(manifest))
        return 0
    from data_pipeline.store import FeatureStore

    store = FeatureStore(args.url)
    manifest = store.manifest()
    print(json.dumps(manifest, indent=2, ensure_ascii=False) if args.json else summary(manifest, store))
    return 0


def summary(manifest: dict, store=None) -> str:
    """A short human-readable account of a store."""
    lines = [f"build {manifest['fingerprint']} (code {manifest['code_version']})"]
    for split in ("train", "validation", "test"):
        info = manifest["splits"][split]
        sources = ", ".join(f"{name} {count}" for name, count in info["sources"].items()) or "-"
        lines.append(f"  {split:10s} {info['examples']:7d} examples {info['hours']:9.3f} h   ({sources})")
    removed = ", ".join(f"{name} {count}" for name, count in sorted(manifest["filters"].items()) if count) or "none"
    lines.append(f"  filtered: {removed}; rejected clips: {manifest['rejects']}")
    if store is not None:
        size = sum(store.fs.size(store.path(shard["file"])) for shard in manifest["shards"])
        hours = sum(info["hours"] for info in manifest["splits"].values())
        per_hour = f", {size / 1e6 / hours:.1f} MB per audio hour" if hours else ""
        lines.append(f"  store: {size / 1e6:.1f} MB of shards{per_hour}")
    return "\n".join(lines)


if __name__ == "__main__":
    run_main(main)
