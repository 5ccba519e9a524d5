"""Giving listener functions their SlackServices while Bolt injects everything else.

Bolt passes a listener only the arguments its signature names (``event``,
``client``, ``respond`` …) and copies the request deeply for lazy listeners, so
services cannot travel in the request context. Listener functions therefore take
``services`` first, and ``bind`` hides that parameter from Bolt.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from bot.slack.context import SlackServices

Listener = Callable[..., None]


def bind(func: Callable[..., None], services: SlackServices) -> Listener:
    signature = inspect.signature(func)
    params = [p for name, p in signature.parameters.items() if name != "services"]

    def listener(**kwargs: Any) -> None:
        func(services, **kwargs)

    listener.__name__ = func.__name__  # Bolt finds a lazy listener again by its name
    listener.__qualname__ = func.__qualname__
    listener.__doc__ = func.__doc__
    listener.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return listener
