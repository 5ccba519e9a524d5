"""The long-lived objects a process needs, built once from Settings and passed around."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ask.answer import Answerer
from bot.config import Settings
from bot.store.database import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    answerer: Answerer

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        store = Store(
            settings.data_dir, row_cap=settings.row_cap, timeout_s=settings.query_timeout_s
        )
        answerer = Answerer(
            store, aliases_file=settings.vocabulary_file, municipality=settings.municipality
        )
        return cls(settings=settings, store=store, answerer=answerer)

    def close(self) -> None:
        self.store.close()
