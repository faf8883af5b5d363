"""Step 7, the 公益银行 (points bank): hours become points in each volunteer's passbook
(存折), coordinators adjust them with a reason, volunteers spend them on their unit's
rewards (公益兑换) or give them away. Amounts are whole tenths of a point
(:mod:`bot.services.points.amounts`); the ledger is double-entry and append-only
(:mod:`storage.models.points`)."""
