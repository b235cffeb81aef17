from django.urls import path

from incidents.support import api, views

app_name = "support"

urlpatterns = [
    path("support/", views.portal_new, name="portal"),
    path("support/submitted/", views.portal_submitted, name="submitted"),
    path("support/link/", views.portal_resend, name="resend"),
    path("support/t/<str:token>/", views.portal_ticket, name="ticket"),
    path("support/kb/", views.kb_list, name="kb"),
    path("support/kb/<slug:slug>/", views.kb_article, name="article"),
    path("api/v1/tickets/", api.TicketListCreate.as_view(), name="api-tickets"),
]
