"""Hugging Face Space entry point: the same Textning web app as ``python -m service``.

Settings come from environment variables where a Space sets them: TEXTNING_MODEL (default: the bundled
Whisper base), TEXTNING_LANGUAGE (default: sv), GRADIO_SERVER_NAME and GRADIO_SERVER_PORT.
"""

import os

from service.app import launch
from service.config import ServiceConfig

if __name__ == "__main__":
    config = ServiceConfig(
        model=os.environ.get("TEXTNING_MODEL", "default"), language=os.environ.get("TEXTNING_LANGUAGE", "sv")
    )
    launch(
        config,
        host=os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0"),
        port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
    )
