from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases and changes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from marketplace_ops.choices import Role
        from marketplace_ops.registry import DashboardWidget, registry
        from releases import notifications, widgets
        from releases.demo import seed

        for key, label, subscribable in notifications.EVENT_TYPES:
            registry.register_event_type(key, label, subscribable=subscribable)

        viewer = ["view_release", "view_releasechange", "view_releaseapproval", "view_verificationitem",
                  "view_patchsignoff", "view_rolloutstage", "view_changerequest", "view_cabvote",
                  "view_freezeperiod", "view_changetemplate"]
        approvers = [Role.PRODUCT, Role.ENGINEERING, Role.SECURITY, Role.OPERATIONS]
        for role in approvers:
            registry.grant(role, *(f"releases.{p}" for p in viewer), "releases.approve_release")
        registry.grant(Role.CAB, *(f"releases.{p}" for p in viewer), "releases.vote_changerequest")
        registry.grant(
            Role.ENGINEERING,
            *(f"releases.{p}" for p in ["add_release", "change_release", "add_releasechange",
                                         "change_releasechange", "delete_releasechange", "signoff_patch",
                                         "add_changerequest", "change_changerequest"]),
        )
        registry.grant(
            Role.OPERATIONS,
            *(f"releases.{p}" for p in ["add_release", "change_release", "add_releasechange",
                                         "change_releasechange", "delete_releasechange", "deploy_release",
                                         "complete_release", "rollback_release", "change_verificationitem",
                                         "add_rolloutstage", "add_freezeperiod", "change_freezeperiod",
                                         "delete_freezeperiod", "add_changerequest", "change_changerequest",
                                         "add_changetemplate", "change_changetemplate"]),
        )
        registry.grant(Role.SECURITY, "releases.signoff_patch")
        registry.grant(Role.PRODUCT, "releases.signoff_patch", "releases.add_changerequest", "releases.change_changerequest")
        registry.grant(Role.INCIDENT_RESPONSE, "releases.view_release", "releases.view_changerequest",
                       "releases.view_freezeperiod")

        registry.register_widget(DashboardWidget(
            key="releases.awaiting_my_approval", title="Releases awaiting my approval",
            template="releases/widgets/awaiting_approval.html", context=widgets.awaiting_my_approval,
            order=20, permission="releases.approve_release",
        ))
        registry.register_widget(DashboardWidget(
            key="releases.cab_votes_awaiting_me", title="CAB votes awaiting me",
            template="releases/widgets/cab_votes.html", context=widgets.cab_votes_awaiting_me,
            order=21, permission="releases.vote_changerequest",
        ))
        registry.register_demo_seeder("releases", seed, order=20)
