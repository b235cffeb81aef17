"""Kernel demo data: components, one staff user per role, stakeholder lists. Idempotent."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from marketplace_ops.choices import Role
from marketplace_ops.models import Component, DistributionList, DistributionListMember

DEMO_PASSWORD = "marketplace-ops-demo"

COMPONENTS = [
    ("API Gateway", "api-gateway", "Routes, authenticates and rate-limits every API call.", "operations"),
    ("API Portal", "api-portal", "The developer portal where consumers sign up and read docs.", "product"),
    ("API Catalog", "api-catalog", "The searchable catalog of published APIs.", "product"),
    ("User Database", "user-database", "Accounts, organisations and API keys of consumers.", "engineering"),
    ("Analytics", "analytics", "Usage analytics and billing metrics.", "engineering"),
]

# username, first name, role
DEMO_STAFF = [
    ("pat.product", "Pat", Role.PRODUCT),
    ("erin.engineering", "Erin", Role.ENGINEERING),
    ("sam.security", "Sam", Role.SECURITY),
    ("omar.operations", "Omar", Role.OPERATIONS),
    ("cara.cab", "Cara", Role.CAB),
    ("carl.cab", "Carl", Role.CAB),
    ("ivy.incident", "Ivy", Role.INCIDENT_RESPONSE),
    ("lena.l1", "Lena", Role.SUPPORT_L1),
    ("leo.l2", "Leo", Role.SUPPORT_L2),
    ("lou.l3", "Lou", Role.SUPPORT_L3),
    ("ada.auditor", "Ada", Role.AUDITOR),
]


def seed_kernel(*, stdout=None):
    user_model = get_user_model()
    for index, (name, slug, description, group) in enumerate(COMPONENTS):
        Component.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "owning_group": Group.objects.filter(name=group).first(),
                "display_order": (index + 1) * 10,
            },
        )
    for username, first_name, role in DEMO_STAFF:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "email": f"{username}@marketplace.example", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))

    lists = [
        ("Gateway stakeholders", "gateway-stakeholders", ["api-gateway"],
         ["platform-team@partner.example", "integrations@acme.example"]),
        ("All API consumers", "all-consumers", [], ["announcements@acme.example", "ops@globex.example"]),
        ("Data stakeholders", "data-stakeholders", ["user-database", "analytics"], ["dpo@marketplace.example"]),
    ]
    for name, slug, component_slugs, emails in lists:
        dlist, created = DistributionList.objects.get_or_create(slug=slug, defaults={"name": name})
        if created:
            dlist.components.set(Component.objects.filter(slug__in=component_slugs))
        for email in emails:
            DistributionListMember.objects.get_or_create(distribution_list=dlist, email=email)
    if stdout:
        stdout.write(f"kernel: {Component.objects.count()} components, {len(DEMO_STAFF)} demo staff (password {DEMO_PASSWORD})")
