"""RatingService: the 评单 in one service, as the composition root wires it
(``services.ratings``): asking, reminding and expiring (prompting), the stars
(rating), the comment (comment), low-rating alerts (alerts) and what people see
(views), on the shared views and errors (common)."""

from __future__ import annotations

from bot.services.ratings.alerts import Alerts
from bot.services.ratings.comment import Comment
from bot.services.ratings.prompting import Prompting
from bot.services.ratings.rating import Rating
from bot.services.ratings.views import Views


class RatingService(Prompting, Rating, Comment, Alerts, Views):
    """The resident's rating of a completed order, and what people see of it."""
