"""评单: the resident rates the service of a completed order (steps 6)."""
