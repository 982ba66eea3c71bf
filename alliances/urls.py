from django.urls import path

from . import views

app_name = "alliances"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("experts/<int:pk>/", views.expert_detail, name="expert"),
    path("statistics/", views.statistics, name="statistics"),
    path("demand/", views.demand, name="demand"),
    path("queue/", views.queue, name="queue"),
    path("<int:alliance_id>/apply/", views.apply, name="apply"),
    path("memberships/<int:pk>/<slug:action>/", views.act_on_membership, name="membership-action"),
]
