"""Registries the kernel owns and the domain apps fill from `AppConfig.ready()`.

This is how the top floor (dashboard, seed_demo, roles, notification events) composes the
domains without the kernel importing any of them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DashboardWidget:
    key: str
    title: str
    template: str
    context: Callable  # (request) -> dict
    order: int = 100
    permission: str | None = None  # "app_label.codename" needed to see it


@dataclass(frozen=True)
class EventType:
    key: str  # "<app>.<event>", templates under <app>/email/<event>.{subject.txt,txt,html}
    label: str
    subscribable: bool = True  # may distribution lists subscribe to it?


@dataclass(frozen=True)
class DemoSeeder:
    key: str
    seed: Callable  # (*, stdout) -> None, must be idempotent
    order: int = 100


@dataclass
class Registry:
    dashboard_widgets: dict[str, DashboardWidget] = field(default_factory=dict)
    event_types: dict[str, EventType] = field(default_factory=dict)
    demo_seeders: dict[str, DemoSeeder] = field(default_factory=dict)
    # role slug -> set of "app_label.codename"
    role_permissions: dict[str, set[str]] = field(default_factory=dict)
    status_sections: dict[str, DashboardWidget] = field(default_factory=dict)

    def register_widget(self, widget: DashboardWidget):
        self.dashboard_widgets[widget.key] = widget

    def register_event_type(self, key: str, label: str, *, subscribable: bool = True):
        self.event_types[key] = EventType(key=key, label=label, subscribable=subscribable)

    def register_demo_seeder(self, key: str, seed: Callable, *, order: int = 100):
        self.demo_seeders[key] = DemoSeeder(key=key, seed=seed, order=order)

    def grant(self, role: str, *permissions: str):
        """Give a role group permissions ("app_label.codename"); applied after migrate."""
        self.role_permissions.setdefault(role, set()).update(permissions)

    def widgets(self):
        return sorted(self.dashboard_widgets.values(), key=lambda w: (w.order, w.key))

    def seeders(self):
        return sorted(self.demo_seeders.values(), key=lambda s: (s.order, s.key))

    def event_type_choices(self):
        return sorted((e.key, e.label) for e in self.event_types.values() if e.subscribable)


registry = Registry()
