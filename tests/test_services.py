"""Services: what a serving process loads before it takes traffic."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.services import Services


def test_warm_up_loads_the_warehouse_and_freezes_the_heap(seed_warehouse: Path) -> None:
    settings = Settings(_env_file=None, data_dir=seed_warehouse)  # type: ignore[call-arg]
    services = Services.from_settings(settings)
    gc.unfreeze()
    try:
        services.warm_up()
        # The heap loaded so far is out of the collector's reach: full collections no
        # longer walk it.
        assert gc.get_freeze_count() > 0
        # A first question reads only its own rows: vocabulary, years and examples are
        # loaded already.
        ran: list[str] = []
        run = services.store.run

        def recording(name: str, **kwargs: Any) -> Any:
            ran.append(name)
            return run(name, **kwargs)

        services.store.run = recording  # type: ignore[method-assign]
        answer = services.answerer.answer("D評価の事業は？")
        assert [i.item_no for i in answer.items] == [16]
        assert ran == [q.name for q in answer.queries]
        services.answerer.answer("help")
        assert ran == [q.name for q in answer.queries]  # the examples were kept
    finally:
        gc.unfreeze()  # this test process goes on to run others
        services.close()
