"""Read API for components: monitoring and the gateway read the marketplace's parts and status."""

from rest_framework import generics, serializers

from marketplace_ops.models import Component


class ComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["slug", "name", "description", "status", "is_public", "updated_at"]


class ComponentList(generics.ListAPIView):
    queryset = Component.objects.order_by("display_order", "name")
    serializer_class = ComponentSerializer
    required_scopes = {"GET": "components:read"}


class ComponentDetail(generics.RetrieveAPIView):
    queryset = Component.objects.all()
    serializer_class = ComponentSerializer
    lookup_field = "slug"
    required_scopes = {"GET": "components:read"}
