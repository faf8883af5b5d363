"""The bot's fast paths: what keeps a storm of button presses quick (figures: bench/README.md).

- ``http_client``: PTB's ``BaseRequest`` on pyreqwest (Rust), the bot's HTTP client.
- ``volunteer_bot``: the application's ``ExtBot``, with answerCallbackQuery sent lean.
- ``ptb_compat``: what the two above need of PTB beyond its public API, in one place.
- ``update_processor``: updates concurrent across users, in order per user; follow-ups.
- ``gc_tuning``: start-up objects frozen, higher thresholds, no collection in a burst.
- ``event_loop``: uvloop for the bot, its commands, the sandbox and the benchmarks.
- ``batching``: concurrent calls on one key share one unit of work (``Batcher``).
- ``debounce``: work that waits for a burst to end, with a ceiling (``Debounce``).
"""
