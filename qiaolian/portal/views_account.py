"""Sign-up, verification, login and logout, password reset by code, re-consent to a new privacy
notice and the language switch of the portal. Thin: forms parse, services decide."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View

from qiaolian.accounts.models import User
from qiaolian.core.chinese import to_traditional
from qiaolian.core.views import apply_validation_error
from qiaolian.portal import selectors, services
from qiaolian.portal.forms_account import (
    CodeForm,
    ConsentForm,
    LoginForm,
    ResetConfirmForm,
    ResetRequestForm,
    SignupForm,
)
from qiaolian.portal.models import CodePurpose

PENDING_KEY = "portal_pending_user"
RESET_KEY = "portal_reset_user"


def notice_text(notice) -> str:
    """The privacy notice in the reader's language."""
    if notice is None:
        return ""
    language = translation.get_language()
    if language == "en":
        return notice.text_en or notice.text
    if language == "zh-hant":
        return to_traditional(notice.text)
    return notice.text


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def translated(url: str, language: str) -> str:
    """``url`` (a portal page under any language prefix) under ``language``'s prefix."""
    parts = url.split("/", 2)
    source = parts[1] if len(parts) > 2 and parts[1] in settings.PORTAL_LANGUAGES else translation.get_language()
    with translation.override(source):
        return translate_url(url, language)


def portal_home_url(language: str) -> str:
    """The signed-in user's start page in ``language``: "my" page when it exists, else home."""
    with translation.override(language):
        try:
            return reverse("portal:my_home")
        except NoReverseMatch:
            return reverse("portal:home")


def after_login_url(request, user: User) -> str:
    """Where a portal user lands after login: the page they came for, in the language they
    chose last time (their profile); and first the re-consent page if the notice changed."""
    profile = getattr(user, "portal_profile", None)
    language = (profile.language if profile else "") or translation.get_language()
    if language not in settings.PORTAL_LANGUAGES:
        language = settings.LANGUAGE_CODE
    target = _safe_next(request)
    target = translated(target, language) if target else portal_home_url(language)
    if not services.has_current_consent(user):
        with translation.override(language):
            return f"{reverse('portal:consent')}?{urlencode({'next': target})}"
    return target


class SignupView(View):
    template_name = "portal/account/signup.html"

    def _context(self, form):
        notice = services.current_notice()
        return {"form": form, "notice": notice, "notice_text": notice_text(notice)}

    def get(self, request):
        if request.user.is_authenticated:
            return redirect(portal_home_url(translation.get_language()))
        notice = services.current_notice()
        form = SignupForm(initial={"notice_version": notice.version if notice else ""})
        return render(request, self.template_name, self._context(form))

    def post(self, request):
        form = SignupForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                user = services.account_signup(
                    data=services.SignupData(
                        contact=d["contact"],
                        password=d["password1"],
                        display_name=d["display_name"],
                        accept_privacy=d["accept_privacy"],
                        notice_version=d.get("notice_version") or "",
                        birth_date=d.get("birth_date"),
                        country=d.get("country") or "",
                        city=d.get("city") or "",
                        federation=d.get("federation"),
                        guardian_name=d.get("guardian_name") or "",
                        guardian_relation=d.get("guardian_relation") or "",
                        guardian_contact=d.get("guardian_contact") or "",
                        guardian_consent=bool(d.get("guardian_consent")),
                        language=translation.get_language(),
                    )
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                request.session[PENDING_KEY] = user.pk
                messages.success(request, _("验证码已发送，请查收并在 15 分钟内填写。"))
                return redirect("portal:verify")
        return render(request, self.template_name, self._context(form), status=200)


def _pending_user(request) -> User | None:
    pk = request.session.get(PENDING_KEY)
    return selectors.account_pending_verification(pk)


class VerifyView(View):
    template_name = "portal/account/verify.html"

    def get(self, request):
        user = _pending_user(request)
        if user is None:
            return redirect("portal:login")
        return render(request, self.template_name, {"form": CodeForm(), "pending": user})

    def post(self, request):
        user = _pending_user(request)
        if user is None:
            return redirect("portal:login")
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                services.signup_verify(user=user, code=form.cleaned_data["code"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                request.session.pop(PENDING_KEY, None)
                messages.success(request, _("验证成功，账号已开通，请登录。"))
                return redirect("portal:login")
        return render(request, self.template_name, {"form": form, "pending": user})


class VerifyResendView(View):
    def post(self, request):
        user = _pending_user(request)
        if user is None:
            return redirect("portal:login")
        try:
            services.code_issue(user=user, purpose=CodePurpose.SIGNUP, language=translation.get_language())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except services.senders.SendError:
            messages.error(request, _("验证码发送失败，请稍后再试。"))
        else:
            messages.success(request, _("新的验证码已发送。"))
        return redirect("portal:verify")


class LoginView(View):
    template_name = "portal/account/login.html"

    def get(self, request):
        return render(request, self.template_name, {"form": LoginForm(), "next": _safe_next(request)})

    def post(self, request):
        form = LoginForm(request.POST)
        ctx = {"form": form, "next": _safe_next(request)}
        if not form.is_valid():
            return render(request, self.template_name, ctx)
        raw, password = form.cleaned_data["contact"], form.cleaned_data["password"]
        try:
            account = services.account_for_contact(services.parse_contact(raw))
        except ValidationError:
            account = None
        # The account's username goes to authenticate(), so django-axes counts failures per
        # account (and per typed contact when there is none) and locks out as on the staff site.
        username = account.username if account else raw.strip().lower()[:150]
        user = authenticate(request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            form.add_error(None, _("登录失败次数过多，账号已暂时锁定，请稍后再试或通过验证码找回密码。"))
            return render(request, self.template_name, ctx, status=403)
        if user is None:
            pending = services.pending_account(raw, password)
            if pending is not None:
                request.session[PENDING_KEY] = pending.pk
                messages.info(request, _("账号尚未验证，请填写发送到您邮箱或手机的验证码。"))
                return redirect("portal:verify")
            form.add_error(None, _("账号或密码不正确。连续输错多次后账号将被暂时锁定。"))
            return render(request, self.template_name, ctx)
        if user.has_perm("accounts.use_staff_site"):
            form.add_error(None, _("工作人员账号请从侨联工作平台登录。"))
            return render(request, self.template_name, ctx)
        login(request, user)
        return HttpResponseRedirect(after_login_url(request, user))


class LogoutView(View):
    def post(self, request):
        logout(request)
        messages.success(request, _("您已退出登录。"))
        return redirect("portal:home")


class PasswordResetView(View):
    template_name = "portal/account/password_reset.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ResetRequestForm()})

    def post(self, request):
        form = ResetRequestForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        user = services.password_reset_request(
            contact_raw=form.cleaned_data["contact"], language=translation.get_language()
        )
        request.session[RESET_KEY] = user.pk if user else 0
        messages.info(request, _("如该邮箱或手机号码已注册，验证码已发送，请在 15 分钟内填写。"))
        return redirect("portal:password_reset_confirm")


class PasswordResetConfirmView(View):
    template_name = "portal/account/password_reset_confirm.html"

    def _user(self, request):
        pk = request.session.get(RESET_KEY)
        if pk is None:
            return None, False
        return selectors.account_active(pk), True

    def get(self, request):
        _user, started = self._user(request)
        if not started:
            return redirect("portal:password_reset")
        return render(request, self.template_name, {"form": ResetConfirmForm()})

    def post(self, request):
        user, started = self._user(request)
        if not started:
            return redirect("portal:password_reset")
        form = ResetConfirmForm(request.POST)
        if form.is_valid():
            if user is None:
                form.add_error("code", _("验证码无效，请重新获取。"))
            else:
                try:
                    services.password_reset_confirm(
                        user=user, code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    request.session.pop(RESET_KEY, None)
                    messages.success(request, _("密码已重新设置，请用新密码登录。"))
                    return redirect("portal:login")
        return render(request, self.template_name, {"form": form})


class ConsentView(View):
    """Consent again when the privacy notice has a new version."""

    template_name = "portal/account/consent.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}")
        return super().dispatch(request, *args, **kwargs)

    def _context(self, form):
        notice = services.current_notice()
        return {"form": form, "notice": notice, "notice_text": notice_text(notice), "next": _safe_next(self.request)}

    def get(self, request):
        if services.has_current_consent(request.user):
            return redirect(_safe_next(request) or portal_home_url(translation.get_language()))
        notice = services.current_notice()
        return render(
            request, self.template_name, self._context(ConsentForm(initial={"notice_version": notice.version}))
        )

    def post(self, request):
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                services.consent_renew(
                    user=request.user,
                    notice_version=form.cleaned_data.get("notice_version") or "",
                    accept=form.cleaned_data["accept_privacy"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("感谢您的同意。"))
                return redirect(_safe_next(request) or portal_home_url(translation.get_language()))
        return render(request, self.template_name, self._context(form))


class LanguageView(View):
    """The language switch: the same page in the chosen language; a signed-in user's choice is
    kept in their profile."""

    def post(self, request):
        language = request.POST.get("language", "")
        target = _safe_next(request) or reverse("portal:home")
        if language not in settings.PORTAL_LANGUAGES:
            return redirect(target)
        if request.user.is_authenticated:
            services.profile_language_set(user=request.user, language=language)
        return HttpResponseRedirect(translated(target, language))


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lock-out page (settings.AXES_LOCKOUT_CALLABLE): the portal's own page, in the
    page's language, for portal logins; the staff site's page for everything else."""
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    prefix = request.path_info.split("/", 2)[1] if request.path_info.count("/") >= 2 else ""
    if prefix in settings.PORTAL_LANGUAGES:
        return render(request, "portal/account/locked_out.html", {}, status=status)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {}, status=status)
