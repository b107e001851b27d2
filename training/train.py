"""``train``: fine-tune Whisper on feature stores with Seq2SeqTrainer; checkpoints, automatic resume, WER/CER.

Re-running the same command resumes from the newest checkpoint in the output directory. SIGTERM and SIGINT
(the machine being taken away, Ctrl-C) save a checkpoint at the end of the current step and stop cleanly.
"""

from __future__ import annotations

import json
import shutil
import signal
from dataclasses import asdict
from pathlib import Path

import torch
from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments, TrainerCallback
from transformers.trainer_utils import get_last_checkpoint

from training.config import TrainConfig
from training.data import SpeechCollator, load_split, resolve_stores
from training.metrics import decode_pairs, error_rates
from training.modeling import load_for_training


class StopOnSignal(TrainerCallback):
    """Turns SIGTERM/SIGINT into 'save a checkpoint now and stop'."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous = {}

    def install(self) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            self._previous[number] = signal.signal(number, self._handle)

    def uninstall(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number, frame) -> None:
        self.received = number

    def on_step_end(self, args, state, control, **kwargs):
        if self.received is not None:
            control.should_save = True
            control.should_training_stop = True
        return control


def training_arguments(config: TrainConfig, has_validation: bool) -> Seq2SeqTrainingArguments:
    evaluate = "steps" if has_validation else "no"
    return Seq2SeqTrainingArguments(
        output_dir=config.output_dir,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.per_device_train_batch_size,
        per_device_eval_batch_size=config.per_device_eval_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_steps,
        weight_decay=config.weight_decay,
        label_smoothing_factor=config.label_smoothing,
        seed=config.seed,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        eval_strategy=evaluate,
        eval_steps=config.eval_steps if has_validation else None,
        load_best_model_at_end=has_validation,
        metric_for_best_model="wer" if has_validation else None,
        greater_is_better=False,
        logging_steps=config.logging_steps,
        predict_with_generate=True,
        generation_max_length=config.generation_max_length,
        bf16=config.bf16,
        fp16=config.fp16,
        activation_checkpointing=config.gradient_checkpointing,
        dataloader_num_workers=config.dataloader_num_workers,
        dataloader_pin_memory=torch.cuda.is_available(),
        remove_unused_columns=False,
        report_to=[],
    )


def train(config: TrainConfig, log=print, callbacks: list[TrainerCallback] | None = None) -> dict:
    """Train (or resume) as ``config`` says.

    Returns ``steps``, the logged training ``losses`` and the final ``evaluation`` (empty when stopped early).
    """
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    stores = resolve_stores(config.data, config.output_dir, config.model, config.language)
    train_set = load_split(stores, "train")
    validation = load_split(stores, "validation", config.eval_max_examples)
    test = load_split(stores, "test", config.eval_max_examples)
    if train_set is None:
        from textning.errors import TextningError

        raise TextningError("the feature store(s) hold no training examples")
    model, tokenizer, model_dir = load_for_training(config)
    collator = SpeechCollator(model.config.decoder_start_token_id, tokenizer.pad_token_id)

    def compute_metrics(prediction) -> dict[str, float]:
        return error_rates(*decode_pairs(tokenizer, prediction.predictions, prediction.label_ids))

    stopper = StopOnSignal()
    trainer = Seq2SeqTrainer(
        model=model,
        args=training_arguments(config, validation is not None),
        data_collator=collator,
        train_dataset=train_set,
        eval_dataset=validation,
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
        callbacks=[stopper, *(callbacks or [])],
    )
    checkpoint = get_last_checkpoint(str(output)) if any(output.glob("checkpoint-*")) else None
    if checkpoint:
        log(f"Resuming from {Path(checkpoint).name}")
    stopper.install()
    try:
        trainer.train(resume_from_checkpoint=checkpoint)
    finally:
        stopper.uninstall()
    if stopper.received is not None:
        log(
            f"Stopped by signal {stopper.received} at step {trainer.state.global_step}: checkpoint saved in "
            f"{output}; run the same command again to resume"
        )
        return _outcome(trainer, {})

    final = output / "final"
    trainer.save_model(str(final))
    tokenizer.save_pretrained(final)
    shutil.copyfile(model_dir / "preprocessor_config.json", final / "preprocessor_config.json")
    if config.lora:  # the adapter names its base by reference, not by a cache path
        adapter_config = json.loads((final / "adapter_config.json").read_text())
        adapter_config["base_model_name_or_path"] = config.model
        (final / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2))
    results = {}
    for name, split in (("validation", validation), ("test", test)):
        if split is not None:
            metrics = trainer.evaluate(split, metric_key_prefix=name)
            results[name] = {"wer": metrics[f"{name}_wer"], "cer": metrics[f"{name}_cer"], "examples": len(split)}
            log(f"{name}: WER {results[name]['wer']:.1%}  CER {results[name]['cer']:.1%}  ({len(split)} examples)")
    write_model_card(final, config, stores, trainer.state.global_step, results)
    log(f"model saved in {final} (python -m conversion export-ct2 {final} DST for the service)")
    return _outcome(trainer, results)


def _outcome(trainer: Seq2SeqTrainer, evaluation: dict) -> dict:
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    return {"steps": trainer.state.global_step, "losses": losses, "evaluation": evaluation}


def write_model_card(folder: Path, config: TrainConfig, stores, steps: int, results: dict) -> None:
    """README.md beside the model: base model, data, steps, evaluation table, settings."""
    lines = [
        "# Textning Whisper fine-tune",
        "",
        f"- base model: `{config.model}`",
        f"- method: {f'LoRA (r={config.lora_r}, alpha={config.lora_alpha})' if config.lora else 'full fine-tuning'}",
        f"- steps: {steps}",
        "",
        "## Data",
        "",
    ]
    for store in stores:
        manifest = store.manifest()
        splits = ", ".join(f"{k} {v['examples']} ({v['hours']:.2f} h)" for k, v in manifest["splits"].items())
        lines.append(f"- `{store.url}` (build {manifest['fingerprint']}): {splits}")
    lines += ["", "## Evaluation", "", "| split | examples | WER | CER |", "|---|---|---|---|"]
    for name, metrics in results.items():
        lines.append(f"| {name} | {metrics['examples']} | {metrics['wer']:.1%} | {metrics['cer']:.1%} |")
    lines += ["", "## Settings", "", "```json", json.dumps(asdict(config), indent=2), "```", ""]
    (folder / "README.md").write_text("\n".join(lines), encoding="utf-8")
