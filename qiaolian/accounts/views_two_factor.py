"""Two-factor pages: the code step of signing in, enrolment, one's own 两步验证 page, the
administrator's reset, and re-authentication ("sudo mode") before personal data is revealed."""

from __future__ import annotations

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from qiaolian.accounts import selectors, two_factor
from qiaolian.accounts.forms import ConfirmIdentityForm, TwoFactorCodeForm, TwoFactorEnrolForm
from qiaolian.accounts.lockout import lockout_response
from qiaolian.accounts.middleware import TWO_FACTOR_KEY
from qiaolian.accounts.models import User
from qiaolian.accounts.reauth import RecentAuthRequiredMixin, mark_recently_confirmed
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.views import StaffMixin

PENDING_KEY = "qiaolian_2fa_pending"
PENDING_SECONDS = 5 * 60


def safe_next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def start_pending_login(request, user, next_url: str) -> None:
    """The password was right and the user has an authenticator: the session is not signed in
    until the code step (``TwoFactorVerifyView``) accepts a code."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "at": int(time.time()),
    }


def _pending(request) -> tuple[User | None, dict]:
    data = request.session.get(PENDING_KEY) or {}
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = selectors.staff_user_pending_sign_in(pk=data.get("user"))
    return user, data


def count_failure(request, user) -> bool:
    """A wrong code counts toward the lock-out like a wrong password; returns whether the user
    name is locked out now."""
    request.qiaolian_login_username = user.username
    AxesProxyHandler.user_login_failed(
        sender=TwoFactorVerifyView, credentials={settings.AXES_USERNAME_FORM_FIELD: user.username}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def is_locked_out(request, user) -> bool:
    request.qiaolian_login_username = user.username
    return not AxesProxyHandler.is_allowed(request, {settings.AXES_USERNAME_FORM_FIELD: user.username})


class TwoFactorVerifyView(FormView):
    """Second step of signing in: the authenticator's code or a recovery code. Also verifies a
    signed-in but unverified session (sent here by ``TwoFactorMiddleware``)."""

    template_name = "accounts/two_factor_verify.html"
    form_class = TwoFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.pending = None
            self.target = request.user
            if request.user.is_verified() or not two_factor.has_two_factor(request.user):
                return redirect(safe_next(request))
        else:
            self.target, self.pending = _pending(request)
            if self.target is None:
                request.session.pop(PENDING_KEY, None)
                messages.info(request, _("验证已超时，请重新登录。"))
                return redirect(settings.LOGIN_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["next"] = (self.pending or {}).get("next") or safe_next(self.request)
        ctx["target"] = self.target
        return ctx

    def _locked(self):
        self.request.session.pop(PENDING_KEY, None)
        credentials = {settings.AXES_USERNAME_FORM_FIELD: self.target.username}
        if self.request.user.is_authenticated:
            logout(self.request)
        return lockout_response(self.request, None, credentials)

    def form_valid(self, form):
        request, user = self.request, self.target
        if is_locked_out(request, user):
            return self._locked()
        device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is None:
            if count_failure(request, user):
                request.axes_locked_out = False  # the page below says so already
                return self._locked()
            form.add_error("code", _("验证码不正确或已使用，请重新输入。连续输错多次后账号将被暂时锁定。"))
            return self.form_invalid(form)
        if self.pending is not None:
            next_url = self.pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
            request.session.pop(PENDING_KEY, None)
            user.otp_device = device  # django-otp keeps it in the session on login
            auth_login(request, user, backend=self.pending.get("backend"))
        else:
            next_url = safe_next(request)
            django_otp.login(request, device)
            request.session[TWO_FACTOR_KEY] = True
            mark_recently_confirmed(request.session)
        return redirect(next_url)


class TwoFactorSetupView(StaffMixin, TemplateView):
    """Enrol an authenticator app: QR code (and the secret as text), confirm with a code, then
    the recovery codes, shown once."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor.has_two_factor(request.user):
            return redirect("accounts:two_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        device = two_factor.setup_device(self.request.user)
        ctx.update(
            form=form or TwoFactorEnrolForm(),
            qr=two_factor.qr_data_uri(device),
            secret=two_factor.secret_text(device),
            enforced=two_factor.is_enforced(self.request.user),
            next=safe_next(self.request, reverse("accounts:two_factor")),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = TwoFactorEnrolForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        device = two_factor.setup_device(request.user)
        codes = two_factor.two_factor_enrol(user=request.user, device=device, code=form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _("验证码不正确。请确认手机时间准确，并输入应用中当前显示的 6 位数字。"))
            return self.render_to_response(self.get_context_data(form=form))
        device.refresh_from_db()
        django_otp.login(request, device)
        request.session[TWO_FACTOR_KEY] = True
        mark_recently_confirmed(request.session)
        return render(
            request,
            "accounts/two_factor_codes.html",
            {"codes": codes, "just_enrolled": True, "next": safe_next(request, reverse("accounts:two_factor"))},
        )


class TwoFactorView(StaffMixin, TemplateView):
    """两步验证: one's own status, with set-up, turning off and new recovery codes."""

    template_name = "accounts/two_factor.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        device = two_factor.totp_device(user)
        ctx.update(
            device=device,
            enforced=two_factor.is_enforced(user),
            codes_left=two_factor.recovery_codes_left(user) if device else 0,
        )
        return ctx


class TwoFactorDisableView(StaffMixin, RecentAuthRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            two_factor.two_factor_disable(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:two_factor")
        request.session[TWO_FACTOR_KEY] = False
        messages.success(request, _("已关闭两步验证。"))
        return redirect("accounts:two_factor")


class RecoveryCodesView(StaffMixin, RecentAuthRequiredMixin, View):
    """New recovery codes (the old ones stop working), shown once."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            codes = two_factor.recovery_codes_regenerate(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:two_factor")
        return render(
            request, "accounts/two_factor_codes.html", {"codes": codes, "next": reverse("accounts:two_factor")}
        )


class ConfirmIdentityView(StaffMixin, FormView):
    """Re-authentication: password (and code) again before exporting or revealing personal data."""

    template_name = "accounts/confirm.html"
    form_class = ConfirmIdentityForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "needs_code": two_factor.has_two_factor(self.request.user)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["next"] = safe_next(self.request)
        ctx["minutes"] = settings.QIAOLIAN_REAUTH_MINUTES
        return ctx

    def _locked(self):
        username = self.request.user.username
        logout(self.request)
        self.request.axes_locked_out = False
        return lockout_response(self.request, None, {settings.AXES_USERNAME_FORM_FIELD: username})

    def form_valid(self, form):
        request, user = self.request, self.request.user
        request.qiaolian_login_username = user.username
        checked = authenticate(request, username=user.username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return self._locked()
        if checked is None or checked.pk != user.pk:
            form.add_error("password", _("密码不正确。连续输错多次后账号将被暂时锁定。"))
            return self.form_invalid(form)
        if "code" in form.fields:
            if is_locked_out(request, user):
                return self._locked()
            device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
            if device is None:
                if count_failure(request, user):
                    return self._locked()
                form.add_error("code", _("验证码不正确或已使用，请重新输入。"))
                return self.form_invalid(form)
        mark_recently_confirmed(request.session)
        audit_record(actor=user, action=Action.LOGIN, target=user, data={"reauth": True})
        return redirect(safe_next(request))
