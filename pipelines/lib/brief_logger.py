"""The console logger of `trustcard run`: the run's own warnings, one line each, without Dagster's
event prefixes and stack traces.

Dagster's console logger prints a failed step as pages of trace, twice (the step's failure and the
run's), though the cause is one sentence the command prints at the end anyway (`run_errors`). The
run's events, traces included, stay in the instance's event log (`dagster dev` shows them), and
TRUSTCARD_TRACE=1 brings Dagster's console logger back.
"""
from __future__ import annotations

import logging
import sys

from dagster import InitLoggerContext, logger
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata


class BriefHandler(logging.Handler):
    """Prints what the assets themselves log at WARNING and above (`context.log.warning`), as
    `warning: <step>: <message>`; Dagster's own events (a step failed, a step skipped) are left
    to the command's last line."""

    def emit(self, record: logging.LogRecord) -> None:
        if not has_log_record_metadata(record):
            return
        meta = get_log_record_metadata(record)
        message = meta.get("orig_message", "")
        # Dagster's own events, and its lines naming the steps a failure kept from running.
        if meta.get("dagster_event") is not None or message.startswith("Dependencies for step"):
            return
        step = meta.get("step_key") or ""
        where = "" if not step or message.startswith(f"{step}:") else f"{step}: "
        sys.stderr.write(f"{record.levelname.lower()}: {where}{message}\n")


@logger(description="One line per warning or error an asset logs; no Dagster event lines or traces.")
def brief_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.Logger("trustcard", level=logging.WARNING)
    log.addHandler(BriefHandler(level=logging.WARNING))
    return log
