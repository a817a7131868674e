"""The one line a user needs from a Dagster step failure."""
from __future__ import annotations


def root_message(error) -> str:
    """A Failure's description, else the deepest cause's message, first line only."""
    while error is not None and error.cause is not None and "Failure" not in error.cls_name:
        error = error.cause
    message = (error.message if error else "").strip()
    return message.split("\n")[0].removeprefix("dagster._core.definitions.events.Failure: ")


def is_deliberate(error) -> bool:
    """A Failure the assets raise on purpose (a file that breaks the contract): its message is the
    whole story. Anything else is a fault whose trace a developer will want."""
    while error is not None:
        if "Failure" in error.cls_name:
            return True
        error = error.cause
    return False
