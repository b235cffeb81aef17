from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace_ops.api.components import ComponentDetail, ComponentList
from marketplace_ops.apps_urls import domain_urlpatterns
from marketplace_ops.health import healthz

admin.site.site_header = "Marketplace Ops"
admin.site.site_title = "Marketplace Ops"
admin.site.index_title = "Operations console"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/components/", ComponentList.as_view(), name="api-components"),
    path("api/v1/components/<slug:slug>/", ComponentDetail.as_view(), name="api-component"),
    *domain_urlpatterns(),
]

handler404 = "marketplace_ops.api.errors.json_404"
