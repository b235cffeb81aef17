from rest_framework import serializers

from backups.choices import BackupType, ReportOutcome
from backups.models import BackupRun, ExternalBackupReport


class BackupRunSerializer(serializers.ModelSerializer):
    policy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    target = serializers.CharField(source="policy.target", read_only=True)
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = BackupRun
        fields = ["id", "policy", "target", "backup_type", "parent", "status", "trigger", "started_at",
                  "finished_at", "duration_seconds", "size_bytes", "sha256", "storage_name", "compression",
                  "encrypted", "error", "verified_at", "verification_error", "expired_at"]

    def get_duration_seconds(self, obj) -> float | None:
        return obj.duration.total_seconds() if obj.duration else None


class BackupRunDetailSerializer(BackupRunSerializer):
    class Meta(BackupRunSerializer.Meta):
        fields = [*BackupRunSerializer.Meta.fields, "tool_output"]


class ReportSerializer(serializers.Serializer):
    component = serializers.SlugField()
    type = serializers.ChoiceField(choices=BackupType.choices, default=BackupType.FULL)
    finished_at = serializers.DateTimeField()
    size = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    checksum = serializers.RegexField(r"^(sha256:)?[0-9a-fA-F]{64}$", required=False, allow_blank=True,
                                      help_text="SHA-256 of the backup, hex (optionally 'sha256:' prefixed)")
    outcome = serializers.ChoiceField(choices=ReportOutcome.choices)
    location = serializers.CharField(max_length=500, required=False, allow_blank=True)
    restore_seconds = serializers.FloatField(min_value=0, required=False, allow_null=True)
    message = serializers.CharField(required=False, allow_blank=True)

    def validate_component(self, value):
        from marketplace_ops.models import Component

        component = Component.objects.filter(slug=value).first()
        if component is None:
            raise serializers.ValidationError(f"Unknown component '{value}'.")
        return component


class ReportOutSerializer(serializers.ModelSerializer):
    component = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ExternalBackupReport
        fields = ["id", "component", "backup_type", "finished_at", "size_bytes", "sha256", "outcome", "location",
                  "restore_seconds", "received_at"]
