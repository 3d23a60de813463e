"""The 统一社会信用代码 (GB 32100) of an enterprise, checked with python-stdnum."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import uscc

from qiaolian.core.text import clean


def parse_credit_code(value: str) -> str:
    """The normalized 18-character code (half-width, upper case, no spaces or dashes), or a
    ValidationError that says what is wrong: length, characters, or the check digit."""
    number = uscc.compact(clean(value or ""))
    if not number:
        raise ValidationError(_("请填写统一社会信用代码。"), code="required")
    try:
        return uscc.validate(number)
    except stdnum_exc.InvalidLength:
        raise ValidationError(
            _("统一社会信用代码应为18位，您填写的是%(n)s位。") % {"n": len(number)}, code="length"
        ) from None
    except stdnum_exc.InvalidFormat:
        raise ValidationError(
            _("统一社会信用代码格式不正确：前8位应为数字，其余为数字或大写字母（不含 I、O、Z、S、V）。"),
            code="format",
        ) from None
    except stdnum_exc.InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位错误：按前17位计算，最后一位应为“%(digit)s”，请核对。")
            % {"digit": uscc.calc_check_digit(number)},
            code="checksum",
        ) from None
