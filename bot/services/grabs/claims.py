"""Volunteers' claims on orders (接单): grabbing places exactly first come, first served
and the waitlist (:mod:`bot.services.grabs.grabbing`); giving a place up and the offers of
freed places (:mod:`bot.services.grabs.place_changes`); what both share
(:mod:`bot.services.grabs.rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.grabs.grabbing import Grabbing
from bot.services.grabs.place_changes import PlaceChanges


@dataclass(eq=False, kw_only=True)
class ClaimService(Grabbing, PlaceChanges):
    """Every use case of claims, for the composition root (``services.claims``)."""
