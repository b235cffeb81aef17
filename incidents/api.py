"""Machine API: incidents and the Alertmanager webhook. Views call the same services as the admin."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import alertmanager, services
from incidents.models import Communication, Incident, TimelineEntry
from incidents.models.incident import OPEN
from incidents.serializers import (
    CommunicationSerializer,
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentSerializer,
    NoteSerializer,
    TimelineEntrySerializer,
    TransitionSerializer,
    UpdateSerializer,
)
from marketplace_ops.models import Component

SCOPES = {"GET": "incidents:read", "POST": "incidents:write"}


def incident_queryset():
    return Incident.objects.select_related("assignee", "commander").prefetch_related("components", "breaches")


class IncidentListCreate(generics.ListAPIView):
    required_scopes = SCOPES
    serializer_class = IncidentSerializer

    def get_queryset(self):
        qs = incident_queryset().order_by("-detected_at", "-id")
        params = self.request.query_params
        for param in ("status", "severity", "source"):
            if params.get(param):
                qs = qs.filter(**{param: params[param]})
        if params.get("open") in ("1", "true", "yes"):
            qs = qs.filter(status__in=OPEN)
        if params.get("component"):
            qs = qs.filter(components__slug=params["component"])
        return qs

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentDetailSerializer})
    def post(self, request):
        incoming = IncidentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        slugs = data.pop("components")
        found = dict(Component.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise ApiValidationError({"components": [f"Unknown component: {s}" for s in unknown]})
        incident = services.incident_open(acting_user=request.user, component_ids=list(found.values()), source="manual", **data)
        return Response(IncidentDetailSerializer(incident_queryset().get(pk=incident.pk)).data, status=status.HTTP_201_CREATED)


class IncidentDetail(generics.RetrieveAPIView):
    required_scopes = SCOPES
    serializer_class = IncidentDetailSerializer

    def get_queryset(self):
        return incident_queryset().prefetch_related(
            Prefetch("timeline", queryset=TimelineEntry.objects.select_related("created_by")),
            Prefetch("communications", queryset=Communication.objects.select_related("sent_by")),
        )


class IncidentTransition(APIView):
    required_scopes = {"POST": "incidents:write"}

    @extend_schema(request=TransitionSerializer, responses={200: IncidentSerializer})
    def post(self, request, pk):
        incident = get_object_or_404(Incident, pk=pk)
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        incident = services.incident_transition(incident=incident, acting_user=request.user, **incoming.validated_data)
        return Response(IncidentSerializer(incident_queryset().get(pk=incident.pk)).data)


class IncidentPostUpdate(APIView):
    required_scopes = {"POST": "incidents:write"}

    @extend_schema(request=UpdateSerializer, responses={201: CommunicationSerializer})
    def post(self, request, pk):
        incident = get_object_or_404(Incident, pk=pk)
        incoming = UpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        communication = services.incident_communicate(incident=incident, acting_user=request.user, **incoming.validated_data)
        return Response(CommunicationSerializer(communication).data, status=status.HTTP_201_CREATED)


class IncidentAddNote(APIView):
    required_scopes = {"POST": "incidents:write"}

    @extend_schema(request=NoteSerializer, responses={201: TimelineEntrySerializer})
    def post(self, request, pk):
        incident = get_object_or_404(Incident, pk=pk)
        incoming = NoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = services.incident_add_note(incident=incident, acting_user=request.user, **incoming.validated_data)
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class AlertmanagerWebhook(APIView):
    """Prometheus Alertmanager webhook receiver (payload version 4). Answers 202 at once; Celery
    processes the stored delivery."""

    required_scopes = {"POST": "alerts:write"}
    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request):
        errors = alertmanager.validate_payload(request.data)
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        delivery = services.alert_delivery_accept(payload=request.data)
        return Response({"accepted": True, "delivery": delivery.pk, "alerts": delivery.alert_count},
                        status=status.HTTP_202_ACCEPTED)
