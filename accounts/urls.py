from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("otp/verify/", views.verify, name="otp_verify"),
    path("otp/setup/", views.setup, name="otp_setup"),
]
