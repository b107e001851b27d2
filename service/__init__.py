"""The Textning service: podcast feeds, video URLs, files -> VAD-chunked Whisper -> SRT/VTT/TXT/JSON and a library."""
