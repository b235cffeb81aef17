"""Markdown release notes rendered to sanitized HTML (nh3)."""

import markdown
import nh3
from django.utils.safestring import mark_safe


def render_markdown(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return mark_safe(nh3.clean(html))
