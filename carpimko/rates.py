"""``N/secondes`` settings: at most N events per window, for every rate limit of the project
(the portal's, the chat channels')."""

from __future__ import annotations

from dataclasses import dataclass

from carpimko.deployment import SettingError


@dataclass(frozen=True)
class RateLimit:
    """At most `count` events per `seconds` for one key."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, text: str) -> RateLimit:
        """``"20/3600"`` → RateLimit(20, 3600); a French SettingError naming `name` otherwise."""
        try:
            count_text, seconds_text = text.split("/", 1)
            limit = cls(int(count_text), int(seconds_text))
        except ValueError as exc:
            raise SettingError(f"{name} doit être de la forme N/secondes, reçu {text!r}") from exc
        if limit.count < 1 or limit.seconds < 1:
            raise SettingError(f"{name} doit être strictement positif")
        return limit
