from django.urls import path

from . import views

app_name = "appeals"
urlpatterns = [
    path("", views.my_appeals, name="mine"),
    path("new/", views.request_help, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
