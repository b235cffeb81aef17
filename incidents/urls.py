from django.urls import path

from incidents import api, views

app_name = "incidents"

urlpatterns = [
    path("api/v1/incidents/", api.IncidentListCreate.as_view(), name="api-incident-list"),
    path("api/v1/incidents/<int:pk>/", api.IncidentDetail.as_view(), name="api-incident-detail"),
    path("api/v1/incidents/<int:pk>/transition/", api.IncidentTransition.as_view(), name="api-incident-transition"),
    path("api/v1/incidents/<int:pk>/updates/", api.IncidentPostUpdate.as_view(), name="api-incident-update"),
    path("api/v1/incidents/<int:pk>/notes/", api.IncidentAddNote.as_view(), name="api-incident-note"),
    path("api/v1/alerts/alertmanager/", api.AlertmanagerWebhook.as_view(), name="api-alertmanager"),
    path("incidents/<int:pk>/postmortem/", views.postmortem_page, name="postmortem"),
    path("incidents/<int:pk>/postmortem.md", views.postmortem_markdown, name="postmortem-markdown"),
]
