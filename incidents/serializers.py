from rest_framework import serializers

from incidents.choices import AffectedUsers, Audience, CommunicationChannel, Severity
from incidents.communication_templates import MESSAGE_TEMPLATES
from incidents.models import Communication, Incident, SlaBreach, TimelineEntry
from incidents.services.lifecycle import TRANSITIONS


class TimelineEntrySerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = TimelineEntry
        fields = ["at", "kind", "status", "message", "by"]


class CommunicationSerializer(serializers.ModelSerializer):
    sent_by = serializers.CharField(source="sent_by.username", default=None, read_only=True)

    class Meta:
        model = Communication
        fields = ["id", "channel", "audience", "status", "subject", "message", "is_public", "recipient_count",
                  "sent_by", "sent_at"]


class SlaBreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaBreach
        fields = ["clock", "due_at", "breached_at"]


class IncidentSerializer(serializers.ModelSerializer):
    components = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    assignee = serializers.CharField(source="assignee.username", default=None, read_only=True)
    commander = serializers.CharField(source="commander.username", default=None, read_only=True)
    breaches = SlaBreachSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "title", "description", "severity", "status", "components", "affected_users", "assignee",
            "commander", "source", "detected_at", "acknowledged_at", "resolved_at", "closed_at", "root_cause",
            "resolution", "response_due_at", "resolution_due_at", "update_due_at", "breaches",
        ]


class IncidentDetailSerializer(IncidentSerializer):
    timeline = TimelineEntrySerializer(many=True, read_only=True)
    communications = CommunicationSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "timeline", "communications"]


class IncidentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices)
    components = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    affected_users = serializers.ChoiceField(choices=AffectedUsers.choices, default=AffectedUsers.SOME)
    external_key = serializers.CharField(max_length=300, required=False, allow_null=True, default=None)


class TransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    message = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")


class UpdateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CommunicationChannel.choices)
    audience = serializers.ChoiceField(choices=Audience.choices)
    message = serializers.CharField(required=False, allow_blank=True, default="")
    template = serializers.ChoiceField(choices=sorted(MESSAGE_TEMPLATES), required=False, allow_blank=True, default="")
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class NoteSerializer(serializers.Serializer):
    message = serializers.CharField()
