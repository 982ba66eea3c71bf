from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("ask/", views.ask, name="ask"),
    path("mine/", views.my_questions, name="mine"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/", views.question_page, name="question"),
    path("me/<int:pk>/", views.question_me, name="me"),
    path("me/feed/", views.feed_me, name="feed_me"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
