"""Password rules for staff accounts (等保2.0 / ASVS L2), on top of Django's own validators.

They apply to staff accounts (and to a password checked without a user, e.g. a new account
whose role is not known yet); public portal accounts keep Django's rules. Demo accounts get the
demo password directly from the demo generator, which does not run validators.
"""

from __future__ import annotations

import itertools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qiaolian.accounts.models import Role

# Rows of a keyboard, the number row, and the common "column" walks (1qaz2wsx…), in both
# directions: four keys in a row of one of them is a pattern, not a secret.
KEYBOARD_RUNS = (
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmikolp",
    "!@#$%^&*()_+",
)
RUN = 4  # this many characters of a run, a sequence or one repeated character are refused
# The site's own words (and the pinyin of 侨联, 金山, 上海), which guessers try first.
SITE_WORDS = ("qiaolian", "jinshan", "shanghai", "qiaojuan", "guiqiao", "huaqiao", "jsql", "admin", "welcome")


def _is_staff_or_unknown(user) -> bool:
    return user is None or getattr(user, "role", None) != Role.PUBLIC


def _runs(text: str, length: int = RUN):
    for source in KEYBOARD_RUNS:
        for forward in (source, source[::-1]):
            for i in range(len(forward) - length + 1):
                yield forward[i : i + length]


def _has_repeat(text: str, length: int = RUN) -> bool:
    return re.search(r"(.)\1{" + str(length - 1) + ",}", text) is not None


def _has_sequence(text: str, length: int = RUN) -> bool:
    """Letters or digits going up or down one at a time (abcd, 1234, 9876, zyxw)."""
    steps = [ord(b) - ord(a) if a.isalnum() and b.isalnum() else 0 for a, b in itertools.pairwise(text)]
    run = 0
    for i, step in enumerate(steps):
        run = run + 1 if step in (1, -1) and (run == 0 or step == steps[i - 1]) else (1 if step in (1, -1) else 0)
        if run >= length - 1:
            return True
    return False


class StaffMinimumLengthValidator:
    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password, user=None):
        if _is_staff_or_unknown(user) and len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "工作人员账号的密码至少需要 %(min_length)s 个字符。",
                    "工作人员账号的密码至少需要 %(min_length)s 个字符。",
                    self.min_length,
                )
                % {"min_length": self.min_length},
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return _("工作人员账号的密码至少 %(min_length)s 个字符。") % {"min_length": self.min_length}


class CharacterClassValidator:
    """At least ``min_classes`` of: capital letters, small letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum(
            (
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )

    def validate(self, password, user=None):
        if _is_staff_or_unknown(user) and self.classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(min_classes)s 类。")
                % {"min_classes": self.min_classes},
                code="password_too_simple",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self):
        return _("须包含大写字母、小写字母、数字、符号中的至少 %(min_classes)s 类。") % {
            "min_classes": self.min_classes
        }


class PredictablePatternValidator:
    """Refuses what password guessers try first: keyboard runs (qwer, asdf, 1qaz2wsx), sequences
    (abcd, 1234, 9876), one character repeated (aaaa, 1111), the site's own words (qiaolian,
    jinshan…) and the user's own user name."""

    def validate(self, password, user=None):
        if not _is_staff_or_unknown(user):
            return
        text = password.lower()
        errors = []
        if any(run in text for run in _runs(text)):
            errors.append(
                ValidationError(
                    _("密码不能包含键盘上连续的按键（如 qwer、asdf、1qaz2wsx）。"), code="password_keyboard_run"
                )
            )
        elif _has_sequence(text):
            errors.append(
                ValidationError(_("密码不能包含连续的字母或数字（如 abcd、1234、9876）。"), code="password_sequence")
            )
        if _has_repeat(text):
            errors.append(
                ValidationError(
                    _("密码不能包含连续 %(n)s 个相同的字符（如 aaaa、1111）。") % {"n": RUN}, code="password_repeat"
                )
            )
        words = [w for w in SITE_WORDS if w in text]
        if words:
            errors.append(
                ValidationError(
                    _("密码不能包含本平台或单位的名称（如 qiaolian、jinshan）。"), code="password_site_word"
                )
            )
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in text:
            errors.append(ValidationError(_("密码不能包含用户名。"), code="password_contains_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _("不能包含键盘连续按键、连续或重复的字符、平台名称或用户名。")
