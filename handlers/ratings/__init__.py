"""handlers.ratings: the resident's 评单."""
