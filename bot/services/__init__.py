"""Use cases, one package per step of the loop (kernel, people, org, requests, grabs,
service_day). Services hold the rules and the transaction, return DTOs and enums,
raise domain errors, tell people through the Notifier port, and import nothing from
``telegram``, ``handlers``, ``bot.i18n`` or ``bot.messages``. They are wired in
:func:`bot.app.build_services`."""
