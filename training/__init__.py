"""Fine-tuning Whisper for Swedish: checkpoints, automatic resume, LoRA, WER/CER evaluation."""
