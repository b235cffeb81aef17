from rest_framework import serializers

from marketplace_ops.models import Component, MaintenanceWindow
from releases.choices import ChangeType, PatchClassification, ReleaseType, RiskLevel
from releases.models import Release


class ReleaseChangeSerializer(serializers.Serializer):
    change_type = serializers.ChoiceField(choices=ChangeType.choices)
    description = serializers.CharField(max_length=500)
    ticket_id = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class ReleaseCreateSerializer(serializers.Serializer):
    """What a CI pipeline posts: the release with its changes; the version may be left out."""

    component = serializers.SlugRelatedField(slug_field="slug", queryset=Component.objects.all())
    release_type = serializers.ChoiceField(choices=ReleaseType.choices)
    version = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    release_notes = serializers.CharField(required=False, allow_blank=True, default="")
    scheduled_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    scheduled_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    maintenance_window = serializers.SlugRelatedField(
        slug_field="name", queryset=MaintenanceWindow.objects.all(), required=False, allow_null=True, default=None
    )
    deployment_plan = serializers.CharField(required=False, allow_blank=True, default="")
    rollback_plan = serializers.CharField(required=False, allow_blank=True, default="")
    verification_steps = serializers.ListField(child=serializers.CharField(max_length=500), required=False,
                                               default=list)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default=RiskLevel.MEDIUM)
    is_security_patch = serializers.BooleanField(required=False, default=False)
    patch_classification = serializers.ChoiceField(choices=PatchClassification.choices, required=False,
                                                   allow_blank=True, default="")
    changes = ReleaseChangeSerializer(many=True, required=False, default=list)


class ReleaseSerializer(serializers.ModelSerializer):
    component = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    changes = ReleaseChangeSerializer(many=True, read_only=True)
    approvals = serializers.SerializerMethodField()
    approval_progress = serializers.CharField(read_only=True)
    verification_items = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "id", "component", "version", "release_type", "title", "description", "release_notes", "status",
            "created_by", "scheduled_start", "scheduled_end", "risk_level", "is_security_patch",
            "patch_classification", "deployment_plan", "rollback_plan", "verification_steps", "required_roles", "changes",
            "approval_progress", "changes_requested", "approvals", "verification_items", "config_revision",
            "announcement_sent_at", "rollback_reason", "rollback_incident_id", "created_at", "approved_at",
            "deployed_at", "completed_at", "rolled_back_at",
        ]
        read_only_fields = fields

    def get_approvals(self, obj) -> list[dict]:
        return [{"role": a.role, "decision": a.decision, "approver": a.approver.get_username(),
                 "comment": a.comment, "decided_at": a.decided_at} for a in obj.active_approvals()]

    def get_verification_items(self, obj) -> list[dict]:
        return [{"id": i.pk, "position": i.position, "description": i.description,
                 "checked": i.checked_at is not None} for i in obj.verification_items.all()]


class ReleaseCompleteSerializer(serializers.Serializer):
    checked_items = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                          help_text="Ids of verification steps to check before completing.")


class ReleaseRollbackSerializer(serializers.Serializer):
    reason = serializers.CharField()
    incident_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    restore_config = serializers.BooleanField(required=False, default=False)
