from rest_framework import serializers

from configuration.choices import OperationKind


class OperationSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=200)
    op = serializers.ChoiceField(choices=OperationKind.choices, default=OperationKind.SET)
    value = serializers.JSONField(required=False, allow_null=True)
    base_version = serializers.IntegerField(min_value=0)
    sensitive = serializers.BooleanField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["op"] == OperationKind.SET and "value" not in attrs:
            raise serializers.ValidationError({"value": "A set operation needs a value."})
        return attrs


class ChangeSetCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reason = serializers.CharField()
    operations = OperationSerializer(many=True, allow_empty=False, max_length=5000)
    submit = serializers.BooleanField(default=True)


class KeyWriteSerializer(serializers.Serializer):
    value = serializers.JSONField(allow_null=True)
    reason = serializers.CharField()
    sensitive = serializers.BooleanField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


def changeset_data(change_set) -> dict:
    """Operations by key with their kind and base version; values are never echoed."""
    return {
        "id": change_set.pk,
        "environment": change_set.environment,
        "title": change_set.title,
        "state": change_set.state,
        "kind": change_set.kind,
        "author": change_set.author.get_username(),
        "content_hash": change_set.content_hash,
        "applied_revision": change_set.applied_revision,
        "operations": [
            {"key": o.key, "op": o.op, "base_version": o.base_version, "sensitive": o.sensitive}
            for o in change_set.operations.all()
        ],
    }


class EnvironmentSnapshotSerializer(serializers.Serializer):
    """Documents GET /api/v1/config/<env>/ (the body is built by the view)."""

    environment = serializers.CharField()
    revision = serializers.IntegerField()
    items = serializers.DictField(child=serializers.JSONField(), help_text="key → value (secrets only with reveal)")
    sensitive_keys = serializers.ListField(child=serializers.CharField(), help_text="secrets withheld from this token")


class KeyValueSerializer(serializers.Serializer):
    environment = serializers.CharField()
    key = serializers.CharField()
    version = serializers.IntegerField()
    sensitive = serializers.BooleanField()
    revision = serializers.IntegerField()
    description = serializers.CharField()
    value = serializers.JSONField(required=False, help_text="absent for a secret without reveal")


class ChangeSetOperationOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    op = serializers.ChoiceField(choices=OperationKind.choices)
    base_version = serializers.IntegerField()
    sensitive = serializers.BooleanField(allow_null=True)


class ChangeSetOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    environment = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    kind = serializers.CharField()
    author = serializers.CharField()
    content_hash = serializers.CharField()
    applied_revision = serializers.IntegerField(allow_null=True)
    operations = ChangeSetOperationOutSerializer(many=True)


class KeyWriteResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    change_set = ChangeSetOutSerializer()
    revision = serializers.IntegerField()
