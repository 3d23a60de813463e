"""Portal account writes: sign-up with consent, verification codes, password reset, re-consent,
the language a user reads in; and the staff's writes of portal content (news, privacy notices).
Each runs in one transaction and is audited.

Consent (《个人信息保护法》 Art. 14, 29, 31): the privacy notice is agreed to by ticking a box that
is never pre-ticked; the personal information of a child under 14 is sensitive and needs the
separate consent of a guardian, recorded with the guardian's name. Each consent row keeps the
notice version, the time and the address it came from.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.masking import Kind
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.protected import lookup_hash
from qiaolian.core.request_context import current_ip
from qiaolian.core.validators import parse_phone
from qiaolian.portal import senders
from qiaolian.portal.models import (
    GUARDIAN_CONSENT_AGE,
    CodePurpose,
    Consent,
    ConsentPurpose,
    News,
    PortalProfile,
    PrivacyNotice,
    VerificationCode,
)

CODE_TTL = dt.timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60


# Contacts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    channel: str  # "email" or "sms"
    value: str  # lower-cased e-mail address, or the phone number in E.164 form


def parse_contact(raw: str) -> Contact:
    """An e-mail address or a mobile number (China by default, +CC for other countries)."""
    from django.core.validators import validate_email

    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("请填写电子邮箱或手机号码。"), code="required")
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("电子邮箱格式不正确。"), code="invalid") from None
        return Contact("email", value.lower())
    return Contact("sms", parse_phone(value, region="CN"))


def account_for_contact(contact: Contact) -> User | None:
    """The account an e-mail address or phone number belongs to (portal accounts first)."""
    if contact.channel == "email":
        users = list(User.objects.filter(email__iexact=contact.value).order_by("-is_active", "pk")[:5])
        public = [u for u in users if u.role == Role.PUBLIC]
        return (public or users or [None])[0]
    profile = (
        PortalProfile.objects.select_related("user")
        .filter(phone_hash=lookup_hash(Kind.PHONE, contact.value))
        .order_by("-user__is_active", "pk")
        .first()
    )
    return profile.user if profile else None


def contact_of(user: User) -> Contact | None:
    """Where a user's codes go: the e-mail address, else the phone number of the profile."""
    if user.email:
        return Contact("email", user.email)
    profile = getattr(user, "portal_profile", None)
    if profile is not None and profile.phone:
        return Contact("sms", profile.phone.reveal())
    return None


# Privacy notice and consent ---------------------------------------------------------------------


def current_notice(*, at: dt.datetime | None = None) -> PrivacyNotice | None:
    """The privacy notice in force: the newest one published by ``at`` (now)."""
    at = at or timezone.now()
    return PrivacyNotice.objects.filter(published_at__lte=at).order_by("-published_at", "-id").first()


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_minor(birth_date: dt.date | None, *, today: dt.date | None = None) -> bool:
    """Under 14, whose information needs a guardian's consent (PIPL Art. 31)."""
    if birth_date is None:
        return False
    return age_on(birth_date, today or timezone.localdate()) < GUARDIAN_CONSENT_AGE


def has_current_consent(user: User) -> bool:
    notice = current_notice()
    if notice is None:
        return True
    return Consent.objects.filter(
        user=user, notice=notice, purpose=ConsentPurpose.PRIVACY, withdrawn_at__isnull=True
    ).exists()


def _consent(*, user: User, notice: PrivacyNotice, purpose: str, given_by: str, separate: bool, now) -> Consent:
    return Consent.objects.create(
        user=user,
        notice=notice,
        purpose=purpose,
        separate=separate,
        given_by=given_by[:60],
        given_at=now,
        ip_address=current_ip(),
        method="web",
    )


# Verification codes -----------------------------------------------------------------------------


def _digest(user_id: int, purpose: str, code: str) -> str:
    return salted_hmac("qiaolian.portal.code", f"{user_id}:{purpose}:{code}", algorithm="sha256").hexdigest()


def code_issue(*, user: User, purpose: str, language: str = "zh-hans") -> VerificationCode:
    """A new 6-digit code for ``user``, sent to their e-mail or phone; only its hash is kept.
    A new code may be asked for once a minute; it replaces the earlier ones."""
    now = timezone.now()
    latest = VerificationCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if latest is not None and (now - latest.created_at).total_seconds() < CODE_RESEND_SECONDS:
        wait = CODE_RESEND_SECONDS - int((now - latest.created_at).total_seconds())
        raise ValidationError(
            _("验证码已发送，请在 %(seconds)s 秒后再重新获取。") % {"seconds": wait}, code="throttled"
        )
    contact = contact_of(user)
    if contact is None:
        raise ValidationError(_("该账号没有可接收验证码的邮箱或手机号码。"), code="no_contact")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        VerificationCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
        issued = VerificationCode.objects.create(
            user=user,
            purpose=purpose,
            channel=contact.channel,
            digest=_digest(user.pk, purpose, code),
            expires_at=now + CODE_TTL,
        )
        senders.send_code(channel=contact.channel, to=contact.value, code=code, purpose=purpose, language=language)
    return issued


def code_check(*, user: User, purpose: str, code: str) -> VerificationCode:
    """Check ``code`` against the latest code sent to ``user``. A wrong code counts as an
    attempt (kept even though the check fails); after five the code is spent."""
    now = timezone.now()
    issued = (
        VerificationCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if issued is None:
        raise ValidationError(_("验证码无效，请重新获取。"), code="missing")
    if issued.expires_at <= now:
        raise ValidationError(_("验证码已过期，请重新获取。"), code="expired")
    if issued.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError(_("验证码错误次数过多，请重新获取。"), code="exhausted")
    candidate = "".join(ch for ch in (code or "") if ch.isdigit())
    if not hmac.compare_digest(issued.digest, _digest(user.pk, purpose, candidate)):
        VerificationCode.objects.filter(pk=issued.pk).update(attempts=issued.attempts + 1)
        left = CODE_MAX_ATTEMPTS - issued.attempts - 1
        if left <= 0:
            raise ValidationError(_("验证码错误次数过多，请重新获取。"), code="exhausted")
        raise ValidationError(_("验证码不正确，还可尝试 %(left)s 次。") % {"left": left}, code="wrong")
    VerificationCode.objects.filter(pk=issued.pk).update(used_at=now)
    return issued


# Sign-up ------------------------------------------------------------------------------------


@dataclass
class SignupData:
    contact: str
    password: str
    display_name: str
    accept_privacy: bool
    notice_version: str
    birth_date: dt.date | None = None
    country: str = ""
    city: str = ""
    federation: object | None = None
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_contact: str = ""
    guardian_consent: bool = False
    language: str = "zh-hans"


def _validate_signup(data: SignupData) -> tuple[Contact, PrivacyNotice, bool]:
    errors: dict[str, list] = {}
    contact = None
    try:
        contact = parse_contact(data.contact)
    except ValidationError as error:
        errors["contact"] = error.error_list
    if contact is not None and account_for_contact(contact) is not None:
        errors["contact"] = [
            ValidationError(_("该邮箱或手机号码已注册，请直接登录；忘记密码可通过验证码找回。"), code="taken")
        ]
    if not data.display_name.strip():
        errors["display_name"] = [ValidationError(_("请填写姓名或称呼。"), code="required")]
    notice = current_notice()
    if notice is None:
        errors[None] = [ValidationError(_("隐私政策尚未发布，暂不能注册。"), code="no_notice")]
    elif notice.version != data.notice_version:
        errors["accept_privacy"] = [ValidationError(_("隐私政策已更新，请阅读新版本后再同意。"), code="notice_changed")]
    if not data.accept_privacy:
        errors["accept_privacy"] = [ValidationError(_("请阅读并同意隐私政策。"), code="required")]
    today = timezone.localdate()
    if data.birth_date and data.birth_date > today:
        errors["birth_date"] = [ValidationError(_("出生日期不能晚于今天。"), code="future")]
    minor = is_minor(data.birth_date, today=today)
    if minor:
        for name, message in (
            ("guardian_name", _("未满 14 周岁须填写监护人姓名。")),
            ("guardian_relation", _("未满 14 周岁须填写与监护人的关系。")),
            ("guardian_contact", _("未满 14 周岁须填写监护人联系方式。")),
        ):
            if not str(getattr(data, name) or "").strip():
                errors[name] = [ValidationError(message, code="guardian_required")]
        if not data.guardian_consent:
            errors["guardian_consent"] = [
                ValidationError(
                    _("未满 14 周岁的用户须由监护人单独同意处理其个人信息后才能注册。"), code="guardian_consent"
                )
            ]
    if errors:
        raise ValidationError(errors)
    return contact, notice, minor


@transaction.atomic
def account_signup(*, data: SignupData) -> User:
    """A new portal account, not yet able to sign in: a code goes to the e-mail address or
    phone, and the account opens when it is entered (``signup_verify``). The consents are
    stored with the notice version, time and address. Nothing is stored when anything fails,
    including sending the code."""
    contact, notice, minor = _validate_signup(data)
    user = User(
        username=f"p_{secrets.token_hex(8)}",
        role=Role.PUBLIC,
        display_name=data.display_name.strip()[:60],
        email=contact.value if contact.channel == "email" else "",
        is_active=False,
    )
    try:
        validate_password(data.password, user=user)
    except ValidationError as error:
        raise ValidationError({"password1": error.error_list}) from None
    user.set_password(data.password)
    user.save()
    profile = PortalProfile(
        user=user,
        phone=contact.value if contact.channel == "sms" else None,
        birth_date=data.birth_date,
        country=data.country or "",
        city=data.city.strip()[:60],
        language=data.language if data.language in settings.PORTAL_LANGUAGES else settings.LANGUAGE_CODE,
        federation=data.federation,
        guardian_name=data.guardian_name.strip()[:60] if minor else "",
        guardian_relation=data.guardian_relation.strip()[:30] if minor else "",
        guardian_contact=data.guardian_contact.strip() if minor else None,
    )
    profile.full_clean(exclude=["user", "phone_hash"])
    profile.save()
    now = timezone.now()
    own_name = user.display_name
    if minor:
        guardian = profile.guardian_name
        _consent(user=user, notice=notice, purpose=ConsentPurpose.PRIVACY, given_by=guardian, separate=False, now=now)
        _consent(user=user, notice=notice, purpose=ConsentPurpose.GUARDIAN, given_by=guardian, separate=True, now=now)
        _consent(user=user, notice=notice, purpose=ConsentPurpose.SENSITIVE, given_by=guardian, separate=True, now=now)
    else:
        _consent(user=user, notice=notice, purpose=ConsentPurpose.PRIVACY, given_by=own_name, separate=False, now=now)
    audit_record(
        actor=user,
        action=Action.CREATE,
        target=user,
        federation_id=profile.federation_id,
        data={
            "portal_signup": True,
            "channel": contact.channel,
            "notice": notice.version,
            "minor": minor,
            "consents": list(Consent.objects.filter(user=user).values_list("purpose", flat=True)),
        },
    )
    try:
        code_issue(user=user, purpose=CodePurpose.SIGNUP, language=profile.language)
    except senders.SendError:
        raise ValidationError(
            {"contact": _("验证码发送失败，暂时无法用该方式注册，请稍后再试或改用电子邮箱。")}
        ) from None
    return user


def signup_verify(*, user: User, code: str) -> User:
    """Enter the code sent at sign-up: the account opens for login."""
    if user.is_active:
        return user
    code_check(user=user, purpose=CodePurpose.SIGNUP, code=code)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        profile = user.portal_profile
        profile.contact_verified_at = timezone.now()
        profile.save(update_fields=["contact_verified_at", "updated_at"])
        audit_record(
            actor=user,
            action=Action.CHANGE,
            target=user,
            federation_id=profile.federation_id,
            data={"portal_contact_verified": True},
        )
    return user


def pending_account(contact_raw: str, password: str) -> User | None:
    """An account that signed up but has not entered its code, when the password matches: the
    login page sends it to the verification page instead of saying "wrong password"."""
    try:
        contact = parse_contact(contact_raw)
    except ValidationError:
        return None
    user = account_for_contact(contact)
    if user is None or user.is_active or user.role != Role.PUBLIC:
        return None
    profile = getattr(user, "portal_profile", None)
    if profile is None or profile.contact_verified_at is not None:
        return None
    return user if user.check_password(password) else None


# Password reset -------------------------------------------------------------------------------


def password_reset_request(*, contact_raw: str, language: str) -> User | None:
    """Send a reset code when the contact belongs to an open portal account. The page says the
    same thing either way, so it does not tell who has an account."""
    try:
        contact = parse_contact(contact_raw)
    except ValidationError:
        return None
    user = account_for_contact(contact)
    if user is None or not user.is_active or user.role != Role.PUBLIC:
        return None
    try:
        code_issue(user=user, purpose=CodePurpose.RESET, language=language)
    except (ValidationError, senders.SendError):
        return user  # throttled or not sent: the earlier code still works
    return user


def password_reset_confirm(*, user: User, code: str, password: str) -> User:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password1": error.error_list}) from None
    code_check(user=user, purpose=CodePurpose.RESET, code=code)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=user,
            action=Action.PASSWORD_CHANGE,
            target=user,
            federation_id=getattr(getattr(user, "portal_profile", None), "federation_id", None),
            data={"portal_reset_by_code": True},
        )
    return user


# Re-consent and language -------------------------------------------------------------------


@transaction.atomic
def consent_renew(*, user: User, notice_version: str, accept: bool) -> list[Consent]:
    """Consent to the privacy notice in force (after a new version). A minor's renewal is given
    by the guardian on record."""
    notice = current_notice()
    if notice is None:
        return []
    if notice.version != notice_version:
        raise ValidationError({"accept_privacy": _("隐私政策已更新，请阅读新版本后再同意。")})
    if not accept:
        raise ValidationError({"accept_privacy": _("请阅读并同意隐私政策。")})
    profile = getattr(user, "portal_profile", None)
    minor = profile is not None and is_minor(profile.birth_date)
    now = timezone.now()
    rows = []
    if minor and profile.guardian_name:
        for purpose, separate in (
            (ConsentPurpose.PRIVACY, False),
            (ConsentPurpose.GUARDIAN, True),
            (ConsentPurpose.SENSITIVE, True),
        ):
            rows.append(
                _consent(
                    user=user,
                    notice=notice,
                    purpose=purpose,
                    given_by=profile.guardian_name,
                    separate=separate,
                    now=now,
                )
            )
    else:
        rows.append(
            _consent(
                user=user, notice=notice, purpose=ConsentPurpose.PRIVACY, given_by=str(user), separate=False, now=now
            )
        )
    audit_record(
        actor=user,
        action=Action.CHANGE,
        target=user,
        federation_id=getattr(profile, "federation_id", None),
        data={"portal_consent": notice.version, "purposes": [r.purpose for r in rows]},
    )
    return rows


def profile_language_set(*, user: User, language: str) -> None:
    """Remember the language a portal user reads in (login takes them back to it)."""
    if language not in settings.PORTAL_LANGUAGES:
        return
    PortalProfile.objects.filter(user=user).exclude(language=language).update(language=language)


# Staff: news and privacy notices ----------------------------------------------------------------

NEWS_FIELDS = ("federation", "title", "title_en", "body", "body_en", "activity")


def _check_news_data(actor, data: dict) -> None:
    federation = data.get("federation")
    if federation is None:
        raise ValidationError({"federation": _("请选择发布侨联。")})
    require_in_scope(actor, federation.pk)
    activity = data.get("activity")
    if activity is not None:
        require_in_scope(actor, activity.federation_id)


@transaction.atomic
def news_create(*, actor, data: dict, publish: bool = False) -> News:
    require_perm(actor, "portal.manage_content")
    _check_news_data(actor, data)
    news = News(**{k: data.get(k) or ("" if k in ("title_en", "body_en") else None) for k in NEWS_FIELDS})
    news.created_by = actor
    if publish:
        news.published_at = timezone.now()
    audited_create(actor, news, federation_id=news.federation_id)
    return news


@transaction.atomic
def news_update(*, actor, news: News, data: dict) -> News:
    require_perm(actor, "portal.manage_content")
    require_in_scope(actor, news.federation_id)
    _check_news_data(actor, data)
    values = {k: data.get(k) or ("" if k in ("title_en", "body_en") else None) for k in NEWS_FIELDS}
    audited_update(actor, news, values, federation_id=values["federation"].pk)
    return news


@transaction.atomic
def news_publish(*, actor, news: News, publish: bool) -> News:
    """Show the news on the portal from now on, or take it down."""
    require_perm(actor, "portal.manage_content")
    require_in_scope(actor, news.federation_id)
    value = timezone.now() if publish else None
    if bool(news.published_at) != publish:
        audited_update(actor, news, {"published_at": value}, federation_id=news.federation_id)
    return news


@transaction.atomic
def privacy_notice_create(*, actor, version: str, text: str, text_en: str, published_at: dt.datetime) -> PrivacyNotice:
    """A new version of the privacy notice. It is in force from ``published_at``; consents given
    to earlier versions keep their version, and users are asked to consent again at their next
    login once it is in force."""
    require_perm(actor, "portal.manage_privacy_notice")
    version = (version or "").strip()
    if PrivacyNotice.objects.filter(version=version).exists():
        raise ValidationError({"version": _("版本号“%(version)s”已存在。") % {"version": version}})
    latest = PrivacyNotice.objects.order_by("-published_at").first()
    if latest is not None and published_at <= latest.published_at:
        raise ValidationError({"published_at": _("生效时间须晚于现行版本的生效时间。")})
    notice = PrivacyNotice(version=version, text=text.strip(), text_en=text_en.strip(), published_at=published_at)
    audited_create(actor, notice, federation_id=None)
    return notice
