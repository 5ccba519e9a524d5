"""Services: what a serving process loads before it takes traffic."""

from __future__ import annotations

import gc
from pathlib import Path

from bot.config import Settings
from bot.services import Services


def test_warm_up_loads_the_warehouse_and_freezes_the_heap(seed_warehouse: Path) -> None:
    settings = Settings(_env_file=None, data_dir=seed_warehouse)  # type: ignore[call-arg]
    services = Services.from_settings(settings)
    try:
        services.warm_up()
        # The heap loaded so far is out of the collector's reach: full collections no
        # longer walk it.
        assert gc.get_freeze_count() > 0
        answer = services.answerer.answer("D評価の事業は？")
        assert [i.item_no for i in answer.items] == [16]
    finally:
        gc.unfreeze()  # this test process goes on to run others
        services.close()
