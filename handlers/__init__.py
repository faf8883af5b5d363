"""Telegram in/out only: parse the update, call one service, render the reply.

Registration order matters: PTB runs, in each group, only the first handler that
matches, and then goes on to the next group.
  -2  load the user and their roles (every update)
  -1  their chat's command menu, when it is not the one of their roles (rare)
   0  commands and buttons of each feature, then the catch-alls in the same group (so
      they see only what no feature took): text/contact/location/shared users go to
      the user's current flow; unknown commands and buttons get a kind answer

The flows (multi-step questions) are listed here too, from each feature's FLOWS, in one
FlowRegistry kept in the application's bot_data (handlers/flows/engine.py).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, TypeHandler, filters

from handlers import home, language
from handlers.broadcasts import channel as broadcast_channel
from handlers.broadcasts import compose as broadcast_compose
from handlers.broadcasts import listing as broadcast_listing
from handlers.broadcasts import progress as broadcast_progress
from handlers.broadcasts import settings as broadcast_settings
from handlers.common import domain_errors, keep_menu, load_user
from handlers.errors import on_error
from handlers.flows.dispatch import on_button, on_message
from handlers.flows.engine import PREFIX, REGISTRY_KEY, FlowRegistry
from handlers.grabs import grab, places
from handlers.people import approvals, coordinators, profile, registration
from handlers.points import adjust as points_adjust
from handlers.points import passbook, rewards, transfer
from handlers.ratings import rate
from handlers.recognition import certificate, rank
from handlers.reports import audit, chart, report
from handlers.requests import (
    activity,
    escalation,
    my_requests,
    request,
    review,
    review_defaults,
    review_edit,
    review_reject,
)
from handlers.requests import browse as orders_browse
from handlers.service_day import correct_hours, myplaces, order_view

PRE = -2
MENU = -1
FEATURES = 0

__all__ = ["flow_registry", "register", "registration"]


def flow_registry() -> FlowRegistry:
    """Every flow, by feature."""
    return FlowRegistry(
        (
            *registration.FLOWS,
            *profile.FLOWS,
            *coordinators.FLOWS,
            *request.FLOWS,
            *activity.FLOWS,
            *review_defaults.FLOWS,  # the approve flow (its steps: review_publish.py)
            *review_reject.FLOWS,
            *review_edit.FLOWS,
            *myplaces.FLOWS,
            *correct_hours.FLOWS,
            *rewards.FLOWS,
            *points_adjust.FLOWS,
            *transfer.FLOWS,
            *rate.FLOWS,
            *broadcast_compose.FLOWS,
        )
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.bot_data[REGISTRY_KEY] = flow_registry()

    # -1: who is this, and what may they do
    app.add_handler(TypeHandler(Update, load_user), group=PRE)
    app.add_handler(TypeHandler(Update, keep_menu), group=MENU)

    # what each button of the home screen opens
    home.set_actions(
        app,
        {
            "me": profile.show_profile,
            "lang": language.ask_language,
            "pending": lambda u, c: approvals.show_pending(u, c, 0),
            "coordinators": coordinators.show_coordinators,
            "request": request.start_request,
            "myrequests": lambda u, c: my_requests.show_page(u, c, 0),
            "orders": lambda u, c: orders_browse.show_orders(u, c, 0, 0),
            "review": lambda u, c: review.show_queue(u, c, 0),
            "myplaces": myplaces.show_places,
            "live_orders": lambda u, c: order_view.show_live(u, c, 0),
        },
    )

    # 0: features; the Grab buttons first, since a grab storm is the busiest moment and
    # PTB tries the handlers of a group in order (their patterns do not overlap)
    for handler in (
        *grab.HANDLERS,
        *places.HANDLERS,
        *home.HANDLERS,
        *language.HANDLERS,
        *profile.HANDLERS,
        *approvals.HANDLERS,
        *coordinators.HANDLERS,
        *review.HANDLERS,
        *escalation.HANDLERS,
        *myplaces.HANDLERS,
        *order_view.HANDLERS,
        *correct_hours.HANDLERS,
        *passbook.HANDLERS,
        *points_adjust.HANDLERS,
        *transfer.HANDLERS,
        *rate.HANDLERS,
        *orders_browse.HANDLERS,
        *request.HANDLERS,
        *activity.HANDLERS,
        *my_requests.HANDLERS,
        *broadcast_compose.HANDLERS,
        *broadcast_channel.HANDLERS,
        *broadcast_listing.HANDLERS,
        *broadcast_progress.HANDLERS,
        *broadcast_settings.HANDLERS,
        *rank.HANDLERS,
        *certificate.HANDLERS,
        *report.HANDLERS,
        *audit.HANDLERS,
        *chart.HANDLERS,
    ):
        app.add_handler(handler, group=FEATURES)
    rewards.register(app, FEATURES)  # 公益兑换: the catalogue and redemptions
    app.add_handler(
        CallbackQueryHandler(domain_errors(on_button), pattern=rf"^{PREFIX}:"), group=FEATURES
    )

    # 0, last: anything else the user sends belongs to their current flow (or a hint)
    app.add_handler(
        MessageHandler(
            (filters.TEXT & ~filters.COMMAND)
            | filters.CONTACT
            | filters.LOCATION
            | filters.PHOTO
            | filters.Document.ALL
            | filters.StatusUpdate.USERS_SHARED,
            on_message,
        ),
        group=FEATURES,
    )
    app.add_handler(MessageHandler(filters.COMMAND, home.unknown_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(home.unknown_button), group=FEATURES)
    app.add_error_handler(on_error)
