from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView

from qiaolian.accounts.forms import StaffLoginForm, TokenCreateForm
from qiaolian.accounts.selectors import token_list
from qiaolian.accounts.services import api_token_create, api_token_revoke, password_changed
from qiaolian.core.views import StaffMixin


class LoginView(auth_views.LoginView):
    """The password step. A user with an authenticator is signed in only after the code step
    (``views_two_factor.TwoFactorVerifyView``); an enforced role without one is signed in and
    sent to set one up (``TwoFactorMiddleware`` holds the session there until then)."""

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        from qiaolian.accounts import two_factor
        from qiaolian.accounts.views_two_factor import start_pending_login

        user = form.get_user()
        if two_factor.has_two_factor(user):
            start_pending_login(self.request, user, self.get_success_url())
            return redirect("accounts:two_factor_verify")
        response = super().form_valid(form)
        if two_factor.is_enforced(user):
            url = reverse("accounts:two_factor_setup")
            return redirect(f"{url}?{urlencode({'next': self.get_success_url()})}")
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(StaffMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response


class TokenListView(StaffMixin, FormView):
    """A user's own API tokens: create one (shown once) or revoke one."""

    permission_required = "accounts.create_token"
    template_name = "accounts/tokens.html"
    form_class = TokenCreateForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tokens"] = token_list(user=self.request.user)
        return ctx

    def form_valid(self, form):
        _token, plain = api_token_create(
            actor=self.request.user, user=self.request.user, name=form.cleaned_data["name"]
        )
        return self.render_to_response(self.get_context_data(form=TokenCreateForm(), new_token=plain))


class TokenRevokeView(StaffMixin, FormView):
    permission_required = "accounts.create_token"
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(token_list(user=request.user), pk=pk, revoked_at__isnull=True)
        api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("令牌已吊销。"))
        return redirect("accounts:token_list")
