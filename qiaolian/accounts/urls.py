from django.urls import path

from qiaolian.accounts import views, views_two_factor, views_users

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("confirm/", views_two_factor.ConfirmIdentityView.as_view(), name="confirm"),
    path("two-factor/", views_two_factor.TwoFactorView.as_view(), name="two_factor"),
    path("two-factor/verify/", views_two_factor.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("two-factor/setup/", views_two_factor.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/disable/", views_two_factor.TwoFactorDisableView.as_view(), name="two_factor_disable"),
    path("two-factor/recovery-codes/", views_two_factor.RecoveryCodesView.as_view(), name="two_factor_recovery_codes"),
    path("tokens/", views.TokenListView.as_view(), name="token_list"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("users/", views_users.UserListView.as_view(), name="user_list"),
    path("users/new/", views_users.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views_users.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views_users.UserUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views_users.UserPasswordView.as_view(), name="user_password"),
    path("users/<int:pk>/unlock/", views_users.UserUnlockView.as_view(), name="user_unlock"),
    path(
        "users/<int:pk>/two-factor/reset/",
        views_users.UserTwoFactorResetView.as_view(),
        name="user_two_factor_reset",
    ),
]
