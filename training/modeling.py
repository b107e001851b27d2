"""Load Whisper for training and apply the model-centric options: freezing, SpecAugment, LoRA."""

from __future__ import annotations

from pathlib import Path

from training.config import TrainConfig


def load_for_training(config: TrainConfig):
    """(model, tokenizer, model_dir): the base model with the config's options applied."""
    from transformers import AutoTokenizer, WhisperForConditionalGeneration

    from conversion.model_formats import as_transformers

    model_dir = as_transformers(config.model)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.set_prefix_tokens(language=config.language, task="transcribe", predict_timestamps=False)
    model = WhisperForConditionalGeneration.from_pretrained(model_dir)
    model.config.apply_spec_augment = config.spec_augment
    if config.spec_augment:
        model.config.mask_time_prob = config.mask_time_prob
        model.config.mask_time_length = config.mask_time_length
        model.config.mask_feature_prob = config.mask_feature_prob
        model.config.mask_feature_length = config.mask_feature_length
    model.generation_config.language = config.language
    model.generation_config.task = "transcribe"
    model.generation_config.forced_decoder_ids = None
    if config.freeze_encoder:
        model.model.encoder.requires_grad_(False)
    if config.gradient_checkpointing:
        model.config.use_cache = False
    if config.lora:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=list(config.lora_target_modules),
            bias="none",
        )
        model = get_peft_model(model, lora)
    return model, tokenizer, Path(model_dir)
