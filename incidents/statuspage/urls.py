from django.urls import path

from incidents.statuspage import views

app_name = "statuspage"

urlpatterns = [
    path("status/", views.status_index, name="index"),
    path("status/incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path("status/history/", views.history, name="history"),
    path("status/feed.atom", views.feed_atom, name="feed-atom"),
    path("status/maintenance.ics", views.maintenance_ics, name="maintenance-ics"),
    path("status/subscribe/", views.subscribe, name="subscribe"),
    path("status/subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("status/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
