from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("", views.service_map, name="map"),
    path("map.json", views.map_data, name="map-data"),
    path("book/", views.book, name="book"),
    path("my/", views.my_bookings, name="my_bookings"),
    path("me/<int:page_id>/", views.station_me, name="me"),
    path("manage/", views.manage_bookings, name="manage"),
    path("bookings/<int:booking_id>/<slug:action>/", views.booking_action, name="booking_action"),
    path("<int:station_id>/", views.station_redirect, name="station"),
]
