from django.urls import path

from configuration import api

urlpatterns = [
    path("api/v1/config/<str:environment>/", api.EnvironmentConfigView.as_view(), name="config-environment"),
    path("api/v1/config/<str:environment>/changesets/", api.ChangeSetCreateView.as_view(), name="config-changesets"),
    path("api/v1/config/<str:environment>/changesets/<int:pk>/apply/", api.ChangeSetApplyView.as_view(),
         name="config-changeset-apply"),
    path("api/v1/config/<str:environment>/<str:key>/", api.KeyConfigView.as_view(), name="config-key"),
]
