from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("activities/<int:activity_id>/signups/", views.signup_list, name="signup_list"),
    path("activities/<int:activity_id>/signup/", views.signup, name="signup"),
    path("contests/<int:contest_id>/vote/", views.vote, name="vote"),
]
