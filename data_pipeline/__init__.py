"""Feature engineering: Swedish speech sources -> normalised text, 16 kHz audio, log-mel features, label ids."""
