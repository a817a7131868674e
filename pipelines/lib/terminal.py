"""What the `trustcard` command prints is data the user never sees raw: a value quoted from a
landing file (`got '...'`) or a file's name could hold terminal control sequences (ESC ] 0; sets
the window title, ESC [2J clears the screen) or a bidirectional override that reorders the line.
They are printed escaped, as Python writes them ('\\x1b', '\\u202e'); tabs and line ends stay."""
from __future__ import annotations

from typing import TextIO

CONTROLS = [c for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n"]
# bidirectional marks, embeddings, overrides and isolates: they reorder the text around them
BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
ESCAPED = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in CONTROLS + BIDI}


def inert(text: str) -> str:
    return text.translate(ESCAPED)


class InertStream:
    """A text stream that writes through `inert`; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(inert(text))

    def isatty(self) -> bool:
        # Not a terminal to colour for: Dagster's logger (TRUSTCARD_TRACE=1) would write colour
        # codes that this stream then prints escaped, as text.
        return False

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def make_output_inert() -> None:
    """Wrap sys.stdout and sys.stderr (once) for the rest of the process."""
    import sys

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, InertStream):
            setattr(sys, name, InertStream(stream))
