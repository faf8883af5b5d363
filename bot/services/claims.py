"""Volunteers' claims on orders (接单): grabbing places exactly first come, first served
and the waitlist (:mod:`bot.services.grabbing`); giving a place up and the offers of
freed places (:mod:`bot.services.place_changes`); what both share
(:mod:`bot.services.claim_rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.grabbing import Grabbing
from bot.services.place_changes import PlaceChanges


@dataclass(eq=False, kw_only=True)
class ClaimService(Grabbing, PlaceChanges):
    """Every use case of claims, for the composition root (``services.claims``)."""
