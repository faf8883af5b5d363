"""Coordinators' broadcasts: /broadcast composes and sends one, /broadcasts lists them;
volunteers mute their categories in /settings or from a broadcast's own button."""
