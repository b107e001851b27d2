"""The training stage's one configuration object."""

from __future__ import annotations

from dataclasses import dataclass, field

from textning.models import DEFAULT_MODEL


@dataclass
class TrainConfig:
    """Everything ``python -m training train`` can be told; YAML/TOML keys use the same names.

    ``data`` lists feature stores (any fsspec URL holding a manifest.json) or source specs
    (``commonvoice:PATH``, ...), which are first built into ``<output_dir>/feature-store``.
    """

    model: str = DEFAULT_MODEL
    data: list[str] = field(default_factory=list)
    output_dir: str = "outputs/training"
    language: str = "sv"
    # schedule
    max_steps: int = 1000
    per_device_train_batch_size: int = 16
    per_device_eval_batch_size: int = 16
    gradient_accumulation_steps: int = 1
    learning_rate: float = 1e-5
    lr_scheduler_type: str = "linear"
    warmup_steps: int = 50
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    seed: int = 13
    # checkpoints and evaluation
    save_steps: int = 200
    eval_steps: int = 200
    save_total_limit: int = 3
    logging_steps: int = 25
    eval_max_examples: int | None = 500
    generation_max_length: int = 225
    # hardware
    bf16: bool = False
    fp16: bool = False
    gradient_checkpointing: bool = False
    dataloader_num_workers: int = 0
    # model-centric options
    freeze_encoder: bool = False
    spec_augment: bool = False
    mask_time_prob: float = 0.05
    mask_time_length: int = 10
    mask_feature_prob: float = 0.0
    mask_feature_length: int = 10
    lora: bool = False
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.05
    lora_target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "out_proj"])
