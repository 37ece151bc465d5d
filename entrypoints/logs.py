"""What `wahub serve` logs: one line per thing an operator acts on, as text or JSON, never a secret.

Lines name their event (`server.start`, `server.stop`, `worker.failed`, `webhook.quarantined`,
`message.failed`...) and carry their facts as fields, so a log pipeline needs no parsing rules:
`--log-format json` writes one JSON object per line, the default text format `key=value` pairs.
A failure is one line too: its traceback travels as a field in JSON and is left out of text.
Secrets (Bearer tokens, wahub API keys, app secrets) never reach a line: the filter masks any that
a message or a field would carry, whoever logged it.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

_SECRETS = re.compile(
    r"(?i)(?P<prefix>bearer\s+|(?:access_token|app_secret|verify_token|key)=)\S+|wahub_[A-Za-z0-9_\-]{40,}"
)
"""A Bearer credential, a secret given as `name=value`, or a wahub API key (`wahub_` and 43 characters)."""


def event(logger: logging.Logger, name: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """One line for `name`, with `fields` as structured data."""
    logger.log(level, message, extra={"event": name, "fields": fields})


def failure(logger: logging.Logger, name: str, message: str, error: BaseException, **fields: Any) -> None:
    """One line for a failure: its type and message as fields, the traceback for JSON readers."""
    logger.error(message, extra={"event": name, "fields": {**fields, "error": _described(error)}}, exc_info=error)


def configure_logging(log_format: LogFormat, secrets: tuple[str, ...] = ()) -> None:
    """Every wahub line (and any library's warning) to stderr in `log_format`, secrets masked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if log_format == "json" else TextLines())
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("wahub").setLevel(logging.INFO)


class Redact(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = tuple(secret for secret in secrets if secret)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.masked(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if fields:
            record.fields = {key: self.masked(value) if isinstance(value, str) else value for key, value in fields.items()}
        return True

    def masked(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _SECRETS.sub(lambda match: f"{match.group('prefix') or ''}***", text)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info and record.exc_info[1] is not None:
            line["traceback"] = "".join(traceback.format_exception(record.exc_info[1])).rstrip()
            line.setdefault("error", _described(record.exc_info[1]))
        return msgspec.json.encode(line).decode()


class TextLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            fields.setdefault("error", _described(record.exc_info[1]))
        name = getattr(record, "event", None) or record.name
        pairs = "".join(f" {key}={_text(value)}" for key, value in fields.items())
        return f"{_time(record)} {record.levelname:<7} {name}: {record.getMessage()}{pairs}"


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".replace("\n", " ")


def _text(value: Any) -> str:
    text = str(value).replace("\n", " ")
    return msgspec.json.encode(text).decode() if (" " in text or '"' in text or not text) else text
