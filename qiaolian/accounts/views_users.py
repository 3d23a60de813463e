"""Account management for the district administrator: list, create, edit, reset a password,
clear a login lock-out. Thin views over ``accounts.selectors`` and ``accounts.services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts import selectors, services, two_factor
from qiaolian.accounts.forms_users import UserCreateForm, UserFilterForm, UserPasswordForm, UserUpdateForm
from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import ServiceFormView, StaffMixin

PERM = "accounts.manage_users"


def _user_url(user) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


class UserObjectMixin:
    """Loads ``self.object`` (the account named in the URL) through the selector once access is
    granted: an account outside the jurisdiction, or none, is a 404."""

    def load_objects(self, **kwargs) -> None:
        self.object = selectors.user_get(user=self.request.user, pk=kwargs["pk"])
        if self.object is None:
            raise Http404

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [(_("用户管理"), reverse("accounts:user_list")), (str(self.object), _user_url(self.object))]


class UserListView(StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "accounts/user_list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = UserFilterForm(self.request.GET or None, federations=selectors.user_federation_choices(user=user))
        users = selectors.user_list(user=user, filters=form.filters())
        ctx["form"] = form
        ctx["page"] = keyset_page(users, order=("username", "id"), cursor=self.request.GET.get("cursor", ""))
        ctx["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return ctx


class UserCreateView(ServiceFormView):
    permission_required = PERM
    form_class = UserCreateForm
    page_title = gettext_lazy("新建账号")
    success_message = gettext_lazy(
        "已新建账号 %(object)s。请当面或通过电话等安全途径把初始密码告知本人（不要经微信群、短信或邮件发送），"
        "并提醒其登录后立即在“修改密码”中改为自己的密码。"
    )
    fieldsets = [
        (gettext_lazy("账号"), ["username", "display_name"]),
        (gettext_lazy("角色与所在侨联"), ["role", "federation"]),
        (gettext_lazy("初始密码"), ["password", "password_confirm"]),
    ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "federations": selectors.user_federation_choices(user=self.request.user)}

    def perform(self, form):
        return services.user_create(actor=self.request.user, **form.service_data())

    def get_success_url(self, obj=None):
        return _user_url(obj)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("用户管理"), reverse("accounts:user_list"))]
        ctx["cancel_url"] = reverse("accounts:user_list")
        return ctx


class UserDetailView(UserObjectMixin, StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["account"] = self.object
        ctx["failures"] = selectors.user_login_failures(user=self.request.user, target=self.object)
        ctx["is_self"] = self.object.pk == self.request.user.pk
        ctx["has_two_factor"] = two_factor.has_two_factor(self.object)
        ctx["two_factor_enforced"] = two_factor.is_enforced(self.object)
        return ctx


class UserUpdateView(UserObjectMixin, ServiceFormView):
    permission_required = PERM
    form_class = UserUpdateForm
    success_message = gettext_lazy("已保存账号 %(object)s。")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.object,
            "federations": selectors.user_federation_choices(user=self.request.user),
        }

    def perform(self, form):
        return services.user_update(actor=self.request.user, user=self.object, **form.service_data())

    def get_success_url(self, obj=None):
        return _user_url(obj)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改账号：%(name)s") % {"name": self.object}
        ctx["breadcrumbs"] = self.breadcrumbs()
        ctx["cancel_url"] = _user_url(self.object)
        return ctx


class UserPasswordView(UserObjectMixin, ServiceFormView):
    permission_required = PERM
    form_class = UserPasswordForm
    success_message = gettext_lazy(
        "已为 %(object)s 设置新密码，其已登录的会话随之失效。请当面或通过电话等安全途径告知本人。"
    )

    def perform(self, form):
        return services.user_password_set(
            actor=self.request.user, user=self.object, password=form.cleaned_data["password"]
        )

    def get_success_url(self, obj=None):
        return _user_url(obj)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("重置密码：%(name)s") % {"name": self.object}
        ctx["breadcrumbs"] = self.breadcrumbs()
        ctx["cancel_url"] = _user_url(self.object)
        return ctx


class UserUnlockView(UserObjectMixin, StaffMixin, View):
    """Clear the failed logins that lock an account out (django-axes)."""

    permission_required = PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        cleared = services.user_unlock(actor=request.user, user=self.object)
        if cleared:
            messages.success(request, _("已解除 %(name)s 的登录锁定，可以重新登录。") % {"name": self.object})
        else:
            messages.info(request, _("%(name)s 没有登录失败记录，无需解除。") % {"name": self.object})
        return redirect(_user_url(self.object))


class UserTwoFactorResetView(UserObjectMixin, StaffMixin, RecentAuthRequiredMixin, View):
    """Remove a user's authenticator and recovery codes (e.g. a lost phone); audited."""

    permission_required = PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        if two_factor.two_factor_reset(actor=request.user, user=self.object):
            messages.success(
                request,
                _("已重置 %(name)s 的两步验证。请确认是本人后，再告知其重新登录并设置身份验证器。")
                % {"name": self.object},
            )
        else:
            messages.info(request, _("%(name)s 尚未启用两步验证，无需重置。") % {"name": self.object})
        return redirect(_user_url(self.object))
