"""The bot object the application runs on: PTB's ``ExtBot`` with a lean answerCallbackQuery.

A grab storm answers a thousand button presses at once, and each answer passes through
PTB's layers for any Bot API call: the defaults inserted, every parameter converted into
``RequestData``, the envelope parsed. For answerCallbackQuery with a text and an alert —
the whole of what a storm's answers are — :class:`VolunteerBot` hands the three plain
values straight to the HTTP client's :meth:`~bot.runtime.http_client.ReqwestRequest.post_json`,
which sends the same JSON body and maps an error answer through PTB's own code. What it
buys: less of the event loop's CPU per answer, and so a lower p99 of the storm's taps
(``bench/grab_storm.py``; figures in ``bench/README.md``, section "Lean button answers").

Anything else — a URL, a cache time, ``api_kwargs``, a rate limiter, another HTTP client
— goes through PTB unchanged.

:meth:`VolunteerBot.edit_text` does the same for the other call a storm makes by the
thousand: the losers' pressed announcements edited to offer the waitlist. It sends what
``edit_message_text`` sends (the text, the default parse mode, the keyboard) and returns
nothing, so the edited message that comes back is not parsed into a ``Message`` — in a
10,000-tap storm that parsing was most of the edits' CPU (``bench/README.md``, section
"Lean waitlist edits").
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.runtime.http_client import ReqwestRequest
from bot.runtime.ptb_compat import DEFAULT_NONE, JSONDict, Timeout, TimePeriod

__all__ = ["Button", "VolunteerBot"]

Button = tuple[str, str]
"""An inline callback button: (its text, its callback data)."""


class VolunteerBot(ExtBot[None]):
    async def answer_callback_query(
        self,
        callback_query_id: str,
        text: str | None = None,
        show_alert: bool | None = None,
        url: str | None = None,
        cache_time: TimePeriod | None = None,
        *,
        read_timeout: Timeout = DEFAULT_NONE,
        write_timeout: Timeout = DEFAULT_NONE,
        connect_timeout: Timeout = DEFAULT_NONE,
        pool_timeout: Timeout = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
        rate_limit_args: None = None,
    ) -> bool:
        request = self.request
        if (
            url is None
            and cache_time is None
            and not api_kwargs
            and self.rate_limiter is None
            and isinstance(request, ReqwestRequest)
        ):
            params: JSONDict = {"callback_query_id": callback_query_id}
            if text is not None:
                params["text"] = text
            if show_alert is not None:
                params["show_alert"] = show_alert
            return bool(
                await request.post_json(
                    f"{self.base_url}/answerCallbackQuery",
                    params,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            )
        return await super().answer_callback_query(
            callback_query_id,
            text,
            show_alert,
            url,
            cache_time,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
            rate_limit_args=rate_limit_args,
        )

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[Button]]
    ) -> None:
        """``edit_message_text(text, chat_id=…, message_id=…, reply_markup=…)`` with the
        bot's default parse mode and an inline keyboard of callback buttons given as
        rows of (text, callback data), for an edit whose result nobody reads: sent lean
        (see the module; the keyboard as plain JSON, no ``InlineKeyboardButton`` built
        and serialised) when nothing else is in the way, else through PTB. Raises what
        PTB raises (BadRequest "message is not modified" …)."""
        request = self.request
        if self.rate_limiter is None and isinstance(request, ReqwestRequest):
            keyboard = [[{"text": t, "callback_data": data} for t, data in row] for row in buttons]
            params: JSONDict = {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": text,
                "reply_markup": {"inline_keyboard": keyboard},
            }
            parse_mode = self.defaults.parse_mode if self.defaults is not None else None
            if parse_mode is not None:
                params["parse_mode"] = parse_mode
            await request.post_json(f"{self.base_url}/editMessageText", params)
            return
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t, callback_data=data) for t, data in row] for row in buttons]
        )
        await self.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
