"""``leadpulse.client``: the Python client (implemented in :mod:`leadpulse.sdk.client`).

::

    from leadpulse.client import Client

    client = Client("sk_...", host="http://localhost:4000")
    client.track("user-42", "signup", {"plan": "pro"})
    client.identify("user-42", "ada@example.com", {"name": "Ada"})
"""

from __future__ import annotations

from leadpulse.sdk.client import AsyncClient, Client, Stats

__all__ = ["AsyncClient", "Client", "Stats"]
