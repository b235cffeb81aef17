"""`/api/v1/tickets/`: list (scope tickets:read) and create (scope tickets:write)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from incidents.support.choices import OPEN_STATUSES
from incidents.support.models import Ticket
from incidents.support.serializers import TicketCreateSerializer, TicketFilterSerializer, TicketSerializer
from incidents.support.services import ticket_create


def _incident_refs(incident_ids) -> dict:
    """One reference per linked incident, from the incidents app (None when it is not there)."""
    ids = {i for i in incident_ids if i}
    if not ids:
        return {}
    try:
        from incidents.services import incident_reference
    except ImportError:
        return {i: {"id": i} for i in ids}
    return {i: incident_reference(i) or {"id": i} for i in ids}


class TicketListCreate(generics.GenericAPIView):
    required_scopes = {"GET": "tickets:read", "POST": "tickets:write"}
    serializer_class = TicketSerializer

    def get_queryset(self):
        return Ticket.objects.select_related("assignee").order_by("-premium", "resolution_due", "id")

    @extend_schema(parameters=[TicketFilterSerializer], responses=TicketSerializer(many=True))
    def get(self, request):
        filters = TicketFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        qs = self.get_queryset()
        if data.get("status"):
            qs = qs.filter(status__in=data["status"])
        for name in ("tier", "severity", "requester_email"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        if data.get("premium") is not None:
            qs = qs.filter(premium=data["premium"])
        if data.get("open") is not None:
            qs = qs.filter(status__in=OPEN_STATUSES) if data["open"] else qs.exclude(status__in=OPEN_STATUSES)
        page = self.paginate_queryset(qs)
        context = {**self.get_serializer_context(), "incident_refs": _incident_refs(t.incident_id for t in page)}
        return self.get_paginated_response(TicketSerializer(page, many=True, context=context).data)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def post(self, request):
        incoming = TicketCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ticket = ticket_create(**incoming.validated_data, acting_user=request.user)
        return Response(TicketSerializer(ticket, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
