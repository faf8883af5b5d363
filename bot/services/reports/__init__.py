"""The coordinator's desk: exports of a unit's month (hours, points, orders, ratings)."""
