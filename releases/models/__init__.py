from releases.models.change import CabVote, CalendarFeedToken, ChangeRequest, ChangeTemplate, FreezePeriod
from releases.models.release import (
    PatchSignoff,
    Release,
    ReleaseApproval,
    ReleaseChange,
    RolloutStage,
    VerificationItem,
)

__all__ = [
    "CabVote",
    "CalendarFeedToken",
    "ChangeRequest",
    "ChangeTemplate",
    "FreezePeriod",
    "PatchSignoff",
    "Release",
    "ReleaseApproval",
    "ReleaseChange",
    "RolloutStage",
    "VerificationItem",
]
