"""``python -m training``: fine-tune Whisper (train) and measure WER/CER (evaluate)."""

from __future__ import annotations

import argparse
from pathlib import Path

from textning.cli import run_main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="fine-tune; rerunning the same command resumes automatically")
    train.add_argument("--config", type=Path, required=True, help="YAML or TOML file with TrainConfig options")
    train.add_argument("--output-dir", help="checkpoints and the final model (any mounted path)")
    train.add_argument("--max-steps", type=int)
    train.add_argument("--model", help="base model reference")
    train.add_argument("--data", action="append", help="feature store URL or source spec (repeatable)")
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--batch-size", type=int, dest="per_device_train_batch_size")
    train.add_argument("--save-steps", type=int)
    train.add_argument("--eval-steps", type=int)
    train.add_argument("--lora", action=argparse.BooleanOptionalAction, default=None)
    train.add_argument("--spec-augment", action=argparse.BooleanOptionalAction, default=None)
    train.add_argument("--freeze-encoder", action=argparse.BooleanOptionalAction, default=None)

    evaluate = commands.add_parser("evaluate", help="WER/CER on a feature store or a raw source, per source")
    evaluate.add_argument("--model", required=True, help="model reference (any format)")
    evaluate.add_argument("--data", required=True, help="feature store URL or source spec (commonvoice:PATH, ...)")
    evaluate.add_argument("--engine", choices=("transformers", "ctranslate2"), default="transformers")
    evaluate.add_argument("--split", default="test", help="store split to score (default: test)")
    evaluate.add_argument("--language", default="sv")
    evaluate.add_argument("--beam-size", type=int, default=1)
    evaluate.add_argument("--batch-size", type=int, default=8)
    evaluate.add_argument("--max-examples", type=int)
    evaluate.add_argument("--report", type=Path, default=Path("evaluation.json"), help="JSON report path")
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if args.command == "train":
        from textning.config import load_config
        from training.config import TrainConfig
        from training.train import train

        overrides = {
            name: getattr(args, name)
            for name in (
                "output_dir",
                "max_steps",
                "model",
                "data",
                "learning_rate",
                "per_device_train_batch_size",
                "save_steps",
                "eval_steps",
                "lora",
                "spec_augment",
                "freeze_encoder",
            )
        }
        train(load_config(TrainConfig, args.config, **overrides))
        return 0
    from training.evaluate import EvalOptions, evaluate

    options = EvalOptions(
        engine=args.engine,
        language=args.language,
        beam_size=args.beam_size,
        batch_size=args.batch_size,
        max_examples=args.max_examples,
        split=args.split,
    )
    result = evaluate(args.model, args.data, options, args.report)
    for source, scores in result["sources"].items():
        print(f"{source}: WER {scores['wer']:.1%}  CER {scores['cer']:.1%}  ({scores['examples']} examples)")
    overall = result["overall"]
    print(f"overall: WER {overall['wer']:.1%}  CER {overall['cer']:.1%}  ({overall['examples']} examples)")
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    run_main(main)
