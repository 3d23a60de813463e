"""The staff password policy (accounts/validators.py): length, character classes and the
patterns guessers try first. Public (portal) accounts keep Django's rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from qiaolian.accounts.models import Role, User
from qiaolian.accounts.validators import (
    CharacterClassValidator,
    PredictablePatternValidator,
    StaffMinimumLengthValidator,
)


def staff(username="wangli"):
    return User(username=username, role=Role.TOWN_STAFF)


def codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user=user if user is not None else staff())
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


GOOD = ["Harbour-handover-2026", "Lantern&Tide-1957", "Xian-Yi-Pavilion-88", "Moon9Ferry!river"]


@pytest.mark.parametrize("password", GOOD)
def test_good_staff_passwords_pass(password):
    assert codes(password) == set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Tide-1957ok", "password_too_short"),  # 11 characters
        ("harbourhandoverriver", "password_too_simple"),  # one class
        ("harbour-handover-river", "password_too_simple"),  # two classes
        ("Qwerty-Harbour-2026", "password_keyboard_run"),
        ("Harbour-asdfgh-2026", "password_keyboard_run"),
        ("1qaz2wsx-Harbour", "password_keyboard_run"),
        ("Harbour-123456-Tide", "password_keyboard_run"),
        ("Harbour-6543-Tide", "password_keyboard_run"),
        ("Harbour-abcd-Tide9", "password_sequence"),
        ("Harbour-2468-zyxw", "password_sequence"),
        ("Harbour-aaaa-Tide9", "password_repeat"),
        ("Harbour-1111-Tide", "password_repeat"),
        ("Qiaolian-harbour-26", "password_site_word"),
        ("Jinshan@2017-harbour", "password_site_word"),
        ("Harbour-wangli-2026", "password_contains_username"),
    ],
)
def test_weak_staff_passwords_are_refused_with_the_reason(password, code):
    assert code in codes(password)


def test_messages_are_chinese():
    with pytest.raises(ValidationError) as error:
        validate_password("Qwerty-jsql", user=staff())
    text = " ".join(error.value.messages)
    assert "键盘上连续的按键" in text and "本平台或单位的名称" in text and "至少需要 12 个字符" in text


def test_password_without_user_gets_the_staff_rules():
    with pytest.raises(ValidationError):
        StaffMinimumLengthValidator(12).validate("Short-2026x")
    with pytest.raises(ValidationError):
        CharacterClassValidator(3).validate("onlylowercaseletters")
    with pytest.raises(ValidationError):
        PredictablePatternValidator().validate("Qwerty-Harbour-2026")


def test_public_accounts_keep_djangos_rules():
    public = User(username="p_1234", role=Role.PUBLIC)
    # the portal's own examples: ten characters and the town's name are fine there
    assert codes("Jinshan-harbour-2026", public) == set()
    assert codes("Tide-19570", public) == set()
    assert "password_too_short" in codes("Tide-1957", public)  # Django's 10 still applies


def test_the_demo_password_is_refused_for_new_staff_passwords_but_demo_accounts_do_not_use_validators():
    assert codes("Jinshan@2017")
    # the demo generator sets it directly (qiaolian/demo/accounts.py hashes it, no validation)
    import inspect

    from qiaolian.demo import accounts as demo_accounts

    assert "validate_password" not in inspect.getsource(demo_accounts)


@pytest.mark.django_db
def test_account_service_applies_the_staff_policy(jinshan):
    from qiaolian.accounts.services import user_create

    with pytest.raises(ValidationError) as error:
        user_create(
            actor=jinshan.user("admin"),
            username="lihua",
            display_name="李华",
            role=Role.TOWN_STAFF,
            federation=jinshan.zhujing,
            password="Lihua-asdf-2026",
        )
    assert "password" in error.value.error_dict
