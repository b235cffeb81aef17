from rest_framework import serializers

from incidents.support.choices import Channel, Severity, TicketStatus, Tier
from incidents.support.models import Ticket
from incidents.support.selectors import sla_state


class TicketCreateSerializer(serializers.Serializer):
    requester_name = serializers.CharField(max_length=200)
    requester_email = serializers.EmailField()
    requester_organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.EMAIL)


class TicketSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    incident = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id", "reference", "subject", "status", "tier", "severity", "channel", "premium",
            "requester_name", "requester_email", "requester_organisation", "assignee", "incident_id", "incident",
            "opened_at", "first_response_at", "response_due", "resolution_due", "paused_at", "resolved_at",
            "response_breached_at", "resolution_breached_at", "sla",
        ]
        read_only_fields = fields

    def get_incident(self, obj) -> dict | None:
        if not obj.incident_id:
            return None
        refs = self.context.get("incident_refs")
        if refs is not None:
            return refs.get(obj.incident_id)
        return {"id": obj.incident_id}

    def get_sla(self, obj) -> dict:
        state = sla_state(obj)
        return {"state": state["state"], "label": state["label"]}


class TicketFilterSerializer(serializers.Serializer):
    status = serializers.MultipleChoiceField(choices=TicketStatus.choices, required=False)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    premium = serializers.BooleanField(required=False, allow_null=True, default=None)
    requester_email = serializers.EmailField(required=False)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
