from django.urls import path

from backups import api

app_name = "backups"

urlpatterns = [
    path("api/v1/backups/runs/", api.RunList.as_view(), name="api-runs"),
    path("api/v1/backups/runs/<int:pk>/", api.RunDetail.as_view(), name="api-run"),
    path("api/v1/backups/reports/", api.ReportCreate.as_view(), name="api-reports"),
]
