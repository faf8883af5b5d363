"""The tables. Every change here needs an Alembic revision in storage/migrations/versions.

Roles are not stored as flags: a user is a *resident* once they chose a home community,
a *volunteer* with a volunteer profile, a *coordinator* with a coordinator binding, and an
*admin* when that binding is at the root (district) unit.

One module per part of the loop: ``people`` (users, units, teams, categories, profiles,
bindings, audit), ``orders`` (orders, claims, contact reveals), ``ratings`` (评单),
``points`` (the 公益银行 ledger, rewards and redemptions), ``machinery`` (flows, outbox,
jobs), ``broadcasts`` (campaigns). Import the models from here.
"""

from storage.models.broadcasts import Broadcast, BroadcastMute, Campaign
from storage.models.machinery import FlowState, Job, OutboxMessage
from storage.models.orders import Claim, ContactReveal, Order
from storage.models.people import (
    AuditEntry,
    Category,
    Certificate,
    CoordinatorBinding,
    OrgUnit,
    Team,
    User,
    VolunteerProfile,
    VolunteerTeam,
)
from storage.models.points import PointAccount, PointMovement, Redemption, Reward
from storage.models.ratings import Rating, RatingPrompt

__all__ = [
    "AuditEntry",
    "Broadcast",
    "BroadcastMute",
    "Campaign",
    "Category",
    "Certificate",
    "Claim",
    "ContactReveal",
    "CoordinatorBinding",
    "FlowState",
    "Job",
    "Order",
    "OrgUnit",
    "OutboxMessage",
    "PointAccount",
    "PointMovement",
    "Rating",
    "RatingPrompt",
    "Redemption",
    "Reward",
    "Team",
    "User",
    "VolunteerProfile",
    "VolunteerTeam",
]
