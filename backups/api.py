"""API: runs (read) and reports of backups other systems made (write, scope backups:report)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backups.models import BackupRun
from backups.serializers import (
    BackupRunDetailSerializer,
    BackupRunSerializer,
    ReportOutSerializer,
    ReportSerializer,
)


class RunList(generics.ListAPIView):
    required_scopes = {"GET": "backups:read"}
    serializer_class = BackupRunSerializer

    def get_queryset(self):
        queryset = BackupRun.objects.select_related("policy").order_by("-created_at", "-id")
        for field, param in (("status", "status"), ("policy__slug", "policy"), ("policy__target", "target")):
            if value := self.request.query_params.get(param):
                queryset = queryset.filter(**{field: value})
        return queryset


class RunDetail(generics.RetrieveAPIView):
    required_scopes = {"GET": "backups:read"}
    serializer_class = BackupRunDetailSerializer
    queryset = BackupRun.objects.select_related("policy")


class ReportCreate(APIView):
    required_scopes = {"POST": "backups:report"}

    @extend_schema(request=ReportSerializer, responses={201: ReportOutSerializer})
    def post(self, request):
        from backups.services import report_record

        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token = getattr(request, "auth", None)
        checksum = (data.get("checksum") or "").removeprefix("sha256:")
        report = report_record(
            component=data["component"], backup_type=data["type"], finished_at=data["finished_at"],
            outcome=data["outcome"], size_bytes=data.get("size"), sha256=checksum,
            location=data.get("location", ""), restore_seconds=data.get("restore_seconds"),
            message=data.get("message", ""), acting_user=request.user,
            reported_by=f"token:{token.name}" if token is not None else "",
        )
        return Response(ReportOutSerializer(report).data, status=status.HTTP_201_CREATED)
