from django.urls import path

from . import captcha, signup_views, views

app_name = "accounts"

urlpatterns = [
    path("otp/verify/", views.verify, name="otp_verify"),
    path("otp/setup/", views.setup, name="otp_setup"),
    path("signup/", signup_views.signup, name="signup"),
    path("login/code/", signup_views.login_by_code, name="login_code"),
    path("password/reset/", signup_views.password_reset, name="password_reset"),
    path("password/reset/email/", signup_views.email_reset, name="password_reset_email"),
    path("password/reset/email/sent/", signup_views.email_reset_sent, name="password_reset_email_sent"),
    path("password/reset/email/<uidb64>/<token>/", signup_views.email_reset_confirm, name="password_reset_confirm"),
    path("password/reset/email/done/", signup_views.email_reset_done, name="password_reset_complete"),
    path("email/confirm/<str:token>/", signup_views.confirm_email, name="confirm_email"),
    path("profile/", signup_views.profile, name="profile"),
    path("profile/phone/", signup_views.change_phone, name="change_phone"),
    path("profile/data.json", signup_views.export_data, name="export_data"),
    path("profile/close/", signup_views.close_account, name="close_account"),
    path("privacy/", signup_views.privacy, name="privacy"),
    path("captcha.png", captcha.image, name="captcha"),
    path("cadre/apply/", signup_views.cadre_apply, name="cadre_apply"),
    path("cadre/review/", signup_views.cadre_review, name="cadre_review"),
    path("cadre/<int:pk>/decide/", signup_views.cadre_decide, name="cadre_decide"),
    path("cadre/<int:pk>/proof/", signup_views.cadre_proof, name="cadre_proof"),
]
