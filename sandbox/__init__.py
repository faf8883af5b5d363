"""The sandbox: a Telegram Bot API emulator with simulated users, for tests, demos and dev.

>>> sb = Sandbox(); await sb.start()            # in a running event loop
>>> user = sb.user(1001, first_name="王芳")
>>> await user.send("/start"); reply = await user.next_reply()

See ``sandbox.py`` (the Python API), ``control.py`` (HTTP control API) and ``client.py``;
``rate_limits.py`` for Telegram's flood limits (opt-in), ``process.py`` to run it in a process
of its own (``python -m sandbox --port 0`` prints ``SANDBOX_URL=…``).
"""

from sandbox.errors import ApiError, NoSuchButton, SandboxTimeout
from sandbox.faults import FaultRule, Faults
from sandbox.rate_limits import RateLimits
from sandbox.runner import run_forever, serve
from sandbox.sandbox import DEFAULT_TOKEN, Sandbox
from sandbox.users import SandboxGroup, SandboxUser
from sandbox.views import BotMessage, CallbackAnswer, ChatEvent, LoggedRequest

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "ChatEvent",
    "FaultRule",
    "Faults",
    "LoggedRequest",
    "NoSuchButton",
    "RateLimits",
    "Sandbox",
    "SandboxGroup",
    "SandboxTimeout",
    "SandboxUser",
    "run_forever",
    "serve",
]
