"""Where reminders go: a pluggable backend named by the ``REMINDER_BACKEND`` setting.

- ``reception.reminders.ConsoleBackend`` (the default): writes each message to the log.
- ``reception.reminders.FileBackend``: appends each message as a JSON line to ``REMINDER_FILE_PATH``.

Twilio (SMS and WhatsApp) is ``reception.providers.TwilioBackend``; another provider is a class
with the same ``send`` method that raises ``ReminderBackendError`` when the provider refuses or cannot be reached
(docs/reception.md, "Reminders").
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ReminderBackendError(Exception):
    """The provider did not take the message (it is tried again, then recorded as failed)."""


class ConsoleBackend:
    def send(self, *, channel: str, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        logger.info("reminder %s by %s to %s: %s", message_id, channel, to, body)
        return message_id


class FileBackend:
    def send(self, *, channel: str, to: str, body: str) -> str:
        message_id = f"file-{uuid.uuid4().hex[:12]}"
        path = Path(settings.REMINDER_FILE_PATH)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                line = {
                    "id": message_id,
                    "at": timezone.now().isoformat(),
                    "channel": channel,
                    "to": to,
                    "body": body,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ReminderBackendError(str(exc)) from exc
        return message_id


def reminder_backend():
    return import_string(settings.REMINDER_BACKEND)()
