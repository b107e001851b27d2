"""Training on real clips: loss goes down, kill-and-resume, LoRA to faster-whisper, evaluation, the smoke config."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import numpy as np
import pytest
import torch
import yaml
from faster_whisper import WhisperModel
from transformers import TrainerCallback, WhisperForConditionalGeneration

from conversion.export_ct2 import export_ct2, merge_adapter
from conversion.model_formats import as_transformers
from tests.helpers import REPO, run_cli
from textning.text import normalize_for_scoring
from training.config import TrainConfig
from training.evaluate import EvalOptions, evaluate
from training.metrics import error_rates
from training.train import train

FAST = dict(
    per_device_train_batch_size=4,
    per_device_eval_batch_size=4,
    learning_rate=3e-3,
    lr_scheduler_type="constant",
    warmup_steps=0,
    logging_steps=1,
    eval_max_examples=2,
    generation_max_length=8,
)


def tiny_config(model: Path, store, output: Path, **overrides) -> TrainConfig:
    """A fast config on the tiny model and the sample store; no evaluation during training unless asked."""
    settings = dict(model=str(model), data=[store.url], output_dir=str(output), save_steps=100, eval_steps=100)
    return TrainConfig(**{**settings, **FAST, **overrides})


def test_a_tiny_whisper_learns_from_real_clips(tiny_whisper: Path, cv_store, tmp_path: Path) -> None:
    config = tiny_config(tiny_whisper, cv_store, tmp_path / "run", max_steps=24)
    outcome = train(config, log=lambda _: None)
    losses = outcome["losses"]
    assert outcome["steps"] == 24 and len(losses) == 24
    assert np.mean(losses[-4:]) < 0.8 * np.mean(losses[:4]), losses
    final = tmp_path / "run" / "final"
    assert (final / "model.safetensors").is_file() and (final / "preprocessor_config.json").is_file()
    card = (final / "README.md").read_text()
    assert "| test |" in card and str(tiny_whisper) in card and "steps: 24" in card


class OptimizerProbe(TrainerCallback):
    """Records the step and optimizer state a (resumed) run starts from."""

    def on_train_begin(self, args, state, control, optimizer=None, **kwargs):
        self.step = state.global_step
        self.state = {
            k: {n: v.clone() if torch.is_tensor(v) else v for n, v in s.items()}
            for k, s in optimizer.state_dict()["state"].items()
        }


def test_sigterm_saves_a_checkpoint_and_the_rerun_resumes_it(tiny_whisper: Path, cv_store, tmp_path: Path) -> None:
    output = tmp_path / "run"
    settings = dict(
        model=str(tiny_whisper),
        data=[cv_store.url],
        output_dir=str(output),
        max_steps=200,
        save_steps=3,
        eval_steps=3,
        save_total_limit=10,
        **FAST,
    )
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(settings))
    process = subprocess.Popen(
        [sys.executable, "-m", "training", "train", "--config", str(tmp_path / "config.yaml")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline and not (output / "checkpoint-3" / "trainer_state.json").exists():
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 0 and "Stopped by signal" in stdout, stdout
    steps = sorted(int(p.name.split("-")[1]) for p in output.glob("checkpoint-*"))
    last = steps[-1]
    assert 3 <= last < 200 and not (output / "final").exists()
    saved = torch.load(output / f"checkpoint-{last}" / "optimizer.pt", weights_only=False)["state"]

    messages: list[str] = []
    probe = OptimizerProbe()
    outcome = train(TrainConfig(**{**settings, "max_steps": last + 3}), log=messages.append, callbacks=[probe])
    assert messages[0] == f"Resuming from checkpoint-{last}"
    assert probe.step == last, "continues at the saved step"
    assert saved.keys() == probe.state.keys()
    for key, values in saved.items():
        assert torch.equal(values["exp_avg"], probe.state[key]["exp_avg"]), "same optimizer state"
        assert torch.equal(values["exp_avg_sq"], probe.state[key]["exp_avg_sq"])
    assert outcome["steps"] == last + 3 and (output / "final").is_dir()


def test_lora_trains_merges_exports_and_transcribes(
    tiny_whisper: Path, cv_store, cv_sample: Path, cv_rows, tmp_path: Path
) -> None:
    config = tiny_config(
        tiny_whisper,
        cv_store,
        tmp_path / "lora",
        max_steps=4,
        lora=True,
        lora_r=4,
        lora_alpha=8,
        lora_target_modules=["q_proj", "v_proj"],
    )
    train(config, log=lambda _: None)
    adapter = tmp_path / "lora" / "final"
    assert json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"] == str(tiny_whisper)
    merged = merge_adapter(adapter, tmp_path / "merged")
    base = WhisperForConditionalGeneration.from_pretrained(tiny_whisper).state_dict()
    tuned = WhisperForConditionalGeneration.from_pretrained(merged).state_dict()
    name = "model.decoder.layers.0.self_attn.q_proj.weight"
    assert not torch.equal(base[name], tuned[name]), "the adapter changed the merged weights"
    assert torch.equal(base["model.decoder.layers.0.fc1.weight"], tuned["model.decoder.layers.0.fc1.weight"])
    cached = as_transformers(str(adapter))  # the service and evaluate path: merged once into the cache
    assert torch.equal(WhisperForConditionalGeneration.from_pretrained(cached).state_dict()[name], tuned[name])
    exported = export_ct2(adapter, tmp_path / "ct2", quantization="int8")
    segments, info = WhisperModel(str(exported), device="cpu", compute_type="int8").transcribe(
        str(cv_sample / "clips" / cv_rows[0]["path"]), language="sv", beam_size=1, without_timestamps=True
    )
    assert isinstance(list(segments), list) and info.duration > 0


def test_error_rates_agree_with_jiwer() -> None:
    references = ["Kattungen föll ner i tuban och fastnade.", "Jag vill visa dig en sak!"]
    hypotheses = ["kattungen följer ner i tuban och fastnade", "jag vill visa det i en sak"]
    rates = error_rates(references, hypotheses)
    assert rates["wer"] == pytest.approx(
        jiwer.wer([normalize_for_scoring(r) for r in references], [normalize_for_scoring(h) for h in hypotheses])
    )
    assert rates["wer"] == pytest.approx(3 / 13)  # one substitution; one substitution and one insertion
    assert rates["cer"] == pytest.approx(
        jiwer.cer([normalize_for_scoring(r) for r in references], [normalize_for_scoring(h) for h in hypotheses])
    )


def test_evaluate_both_engines_on_the_store_and_a_raw_source(cv_store, cv_sample: Path, tmp_path: Path) -> None:
    options = EvalOptions(engine="ctranslate2", max_examples=4, batch_size=2)
    report = evaluate("default", cv_store.url, options, tmp_path / "ct2.json")
    assert report["overall"]["examples"] == 4 and 0 <= report["overall"]["wer"] < 1.0
    written = json.loads((tmp_path / "ct2.json").read_text())
    refs = [normalize_for_scoring(e["reference"]) for e in written["examples"]]
    hyps = [normalize_for_scoring(e["hypothesis"]) for e in written["examples"]]
    assert written["overall"]["wer"] == pytest.approx(jiwer.wer(refs, hyps))
    result = run_cli(
        "training",
        "evaluate",
        "--model",
        "default",
        "--data",
        f"commonvoice:{cv_sample}",
        "--engine",
        "transformers",
        "--max-examples",
        "3",
        "--report",
        str(tmp_path / "hf.json"),
    )
    assert result.returncode == 0, result.stderr
    raw = json.loads((tmp_path / "hf.json").read_text())
    assert raw["overall"]["examples"] == 3 and list(raw["sources"]) == [f"commonvoice:{cv_sample}"]
    assert "overall: WER" in result.stdout


def test_the_smoke_config_runs(tmp_path: Path) -> None:
    result = run_cli(
        "training",
        "train",
        "--config",
        "training/configs/smoke.yaml",
        "--output-dir",
        str(tmp_path / "smoke"),
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test: WER" in result.stdout and (tmp_path / "smoke" / "final" / "README.md").is_file()
