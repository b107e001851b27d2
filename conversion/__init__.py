"""Hugging Face transformers <-> CTranslate2 conversion of Whisper models."""
