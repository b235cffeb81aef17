"""Machine API: CI creates releases; deploy/complete/rollback go through the same services."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from releases import services
from releases.models import Release, ReleaseApproval
from releases.serializers import (
    ReleaseCompleteSerializer,
    ReleaseCreateSerializer,
    ReleaseRollbackSerializer,
    ReleaseSerializer,
)

SCOPES = {"GET": "releases:read", "POST": "releases:write"}


def release_queryset():
    return Release.objects.select_related("component", "created_by").prefetch_related(
        "changes", "verification_items", Prefetch("approvals", queryset=ReleaseApproval.objects.select_related("approver"))
    )


class ReleaseListCreate(generics.ListAPIView):
    required_scopes = SCOPES
    serializer_class = ReleaseSerializer

    def get_queryset(self):
        qs = release_queryset().order_by("-id")
        for param in ("status", "release_type"):
            if self.request.query_params.get(param):
                qs = qs.filter(**{param: self.request.query_params[param]})
        if self.request.query_params.get("component"):
            qs = qs.filter(component__slug=self.request.query_params["component"])
        return qs

    @extend_schema(request=ReleaseCreateSerializer, responses={201: ReleaseSerializer})
    def post(self, request):
        incoming = ReleaseCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["verification_steps"] = "\n".join(step.strip() for step in data["verification_steps"] if step.strip())
        release = services.release_create(acting_user=request.user, **data)
        return Response(ReleaseSerializer(release_queryset().get(pk=release.pk)).data, status=status.HTTP_201_CREATED)


class ReleaseDetail(generics.RetrieveAPIView):
    required_scopes = SCOPES
    serializer_class = ReleaseSerializer

    def get_queryset(self):
        return release_queryset()


class _ReleaseAction(APIView):
    required_scopes = {"POST": "releases:write"}

    def respond(self, release):
        return Response(ReleaseSerializer(release_queryset().get(pk=release.pk)).data)


class ReleaseDeploy(_ReleaseAction):
    @extend_schema(request=None, responses={200: ReleaseSerializer})
    def post(self, request, pk):
        release = get_object_or_404(Release, pk=pk)
        return self.respond(services.release_deploy(release=release, acting_user=request.user))


class ReleaseComplete(_ReleaseAction):
    @extend_schema(request=ReleaseCompleteSerializer, responses={200: ReleaseSerializer})
    def post(self, request, pk):
        release = get_object_or_404(Release, pk=pk)
        incoming = ReleaseCompleteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self.respond(services.release_complete(
            release=release, acting_user=request.user, checked_item_ids=incoming.validated_data["checked_items"]))


class ReleaseRollback(_ReleaseAction):
    @extend_schema(request=ReleaseRollbackSerializer, responses={200: ReleaseSerializer})
    def post(self, request, pk):
        release = get_object_or_404(Release, pk=pk)
        incoming = ReleaseRollbackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self.respond(services.release_rollback(release=release, acting_user=request.user,
                                                      **incoming.validated_data))
