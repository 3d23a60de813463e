"""How verification codes reach people: a pluggable sender chosen by
``settings.QIAOLIAN_CODE_SENDER`` (a dotted path to a class).

- ``ConsoleSender`` (the default for development): logs the message and keeps it in ``OUTBOX``,
  which tests read.
- ``EmailSender``: e-mail through Django's ``send_mail`` (``EMAIL_BACKEND`` and friends);
  codes for phone numbers go to ``SmsSender``.
- ``SmsSender``: an adapter for an SMS gateway. Set ``QIAOLIAN_SMS_GATEWAY`` to the dotted path
  of a function ``send(phone_e164: str, text: str) -> None`` that calls your provider (e.g.
  Aliyun or Tencent Cloud SMS with an approved template); without it sending raises
  ``ImproperlyConfigured`` so that a missing gateway is noticed, never silently skipped.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Messages the ConsoleSender "sent", newest last (tests read and clear it).
OUTBOX: list[dict] = []


class SendError(Exception):
    """The code could not be sent; the caller shows a message and stores nothing."""


def code_message(*, code: str, purpose: str, language: str) -> tuple[str, str]:
    """Subject and text of the message carrying ``code``, in the reader's language."""
    with translation.override(language):
        if purpose == "reset":
            subject = _("金山侨联服务平台：找回密码验证码")
            text = _("您正在找回金山侨联服务平台的密码，验证码为 %(code)s，15 分钟内有效。如非本人操作，请忽略。") % {
                "code": code
            }
        else:
            subject = _("金山侨联服务平台：注册验证码")
            text = _("欢迎注册金山侨联服务平台，验证码为 %(code)s，15 分钟内有效。如非本人操作，请忽略。") % {
                "code": code
            }
    return str(subject), str(text)


class BaseSender:
    """Send ``code`` over ``channel`` ("email" or "sms") to ``to``."""

    def send_code(self, *, channel: str, to: str, code: str, purpose: str, language: str) -> None:
        raise NotImplementedError


class ConsoleSender(BaseSender):
    def send_code(self, *, channel, to, code, purpose, language):
        subject, text = code_message(code=code, purpose=purpose, language=language)
        OUTBOX.append(
            {"channel": channel, "to": to, "code": code, "purpose": purpose, "subject": subject, "text": text}
        )
        logger.info("verification code to %s (%s): %s", to, channel, text)
        print(f"[{channel} to {to}] {text}")


class SmsSender(BaseSender):
    def __init__(self):
        path = getattr(settings, "QIAOLIAN_SMS_GATEWAY", "")
        if not path:
            raise ImproperlyConfigured(
                "SMS is not configured: set QIAOLIAN_SMS_GATEWAY to a function send(phone_e164, text) "
                "that calls your SMS provider."
            )
        self.gateway = import_string(path)

    def send_code(self, *, channel, to, code, purpose, language):
        _subject, text = code_message(code=code, purpose=purpose, language=language)
        self.gateway(to, text)


class EmailSender(BaseSender):
    def send_code(self, *, channel, to, code, purpose, language):
        if channel == "sms":
            SmsSender().send_code(channel=channel, to=to, code=code, purpose=purpose, language=language)
            return
        subject, text = code_message(code=code, purpose=purpose, language=language)
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to])


def get_sender() -> BaseSender:
    path = getattr(settings, "QIAOLIAN_CODE_SENDER", "qiaolian.portal.senders.ConsoleSender")
    return import_string(path)()


def send_code(*, channel: str, to: str, code: str, purpose: str, language: str) -> None:
    """Send through the configured sender; any failure becomes ``SendError``."""
    try:
        get_sender().send_code(channel=channel, to=to, code=code, purpose=purpose, language=language)
    except ImproperlyConfigured as error:
        logger.error("verification code not sent: %s", error)
        raise SendError(str(error)) from error
    except Exception as error:  # the gateway or mail server failed
        logger.exception("verification code not sent")
        raise SendError(str(error)) from error
