"""The long-lived objects a process needs, built once from Settings and passed around."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass

from bot.ask.answer import Answerer
from bot.config import Settings
from bot.store.database import Store, WarehouseMissing


@dataclass
class Services:
    settings: Settings
    store: Store
    answerer: Answerer

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        store = Store(
            settings.data_dir,
            row_cap=settings.row_cap,
            timeout_s=settings.query_timeout_s,
            memory_rows=settings.memory_rows,
            memory_limit_mb=settings.duckdb_memory_mb or None,
        )
        answerer = Answerer(
            store,
            aliases_file=settings.vocabulary_file,
            municipality=settings.municipality,
            cache_size=settings.answer_cache_size,
        )
        return cls(settings=settings, store=store, answerer=answerer)

    @classmethod
    def for_command(cls, settings: Settings) -> Services | None:
        """Services for a CLI command, or None after telling the user no data is ingested."""
        services = cls.from_settings(settings)
        try:
            services.store.refresh()
        except WarehouseMissing as exc:
            services.close()
            print(f"planbot: {exc}", file=sys.stderr)
            return None
        return services

    def warm_up(self) -> None:
        """Load what every answer reads, then take the loaded heap out of the collector's way.

        A serving process keeps hundreds of thousands of long-lived objects (modules,
        schemas, the vocabulary); each full collection walked all of them, pausing every
        request in flight for 35–40 ms a few times a minute under load. Frozen, they are
        left out of collections (anything created later is collected as usual).
        """
        # The vocabulary; the examples read the years (both open the warehouse first).
        self.answerer.lexicon()
        for lang in ("ja", "en"):
            self.answerer.examples(lang)
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        self.store.close()
