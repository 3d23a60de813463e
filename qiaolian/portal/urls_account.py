from django.urls import path

from qiaolian.portal import views_account as views

urlpatterns: list = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/verify/", views.VerifyView.as_view(), name="verify"),
    path("signup/verify/resend/", views.VerifyResendView.as_view(), name="verify_resend"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("consent/", views.ConsentView.as_view(), name="consent"),
    path("language/", views.LanguageView.as_view(), name="set_language"),
]
