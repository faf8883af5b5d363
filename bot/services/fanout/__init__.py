"""The fan-out of announcements and broadcasts: a campaign (who, what, its audience as a
query) committed at once, its recipients written page by page afterwards
(``campaigns``); the audiences it walks (``audience``)."""
