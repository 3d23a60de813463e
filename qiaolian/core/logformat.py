"""``LOG_FORMAT=json``: one JSON object a line, for log collectors (stdlib only).

Each line has ``time`` (ISO 8601 with offset), ``level``, ``logger`` and ``message``, the
exception as ``exc`` when there is one, and whatever the call passed in ``extra=``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

# attributes every LogRecord has; anything else came from extra=
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)
