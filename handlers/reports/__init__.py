"""The coordinator's desk: /report (exports of their unit's month)."""
