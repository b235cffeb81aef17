from django.urls import path

from releases import api, views

app_name = "releases"

urlpatterns = [
    path("releases/approve/<str:token>/", views.approval_page, name="approve"),
    path("releases/calendar.ics", views.calendar_feed, name="calendar-feed"),
    path("api/v1/releases/", api.ReleaseListCreate.as_view(), name="api-release-list"),
    path("api/v1/releases/<int:pk>/", api.ReleaseDetail.as_view(), name="api-release-detail"),
    path("api/v1/releases/<int:pk>/deploy/", api.ReleaseDeploy.as_view(), name="api-release-deploy"),
    path("api/v1/releases/<int:pk>/complete/", api.ReleaseComplete.as_view(), name="api-release-complete"),
    path("api/v1/releases/<int:pk>/rollback/", api.ReleaseRollback.as_view(), name="api-release-rollback"),
]
