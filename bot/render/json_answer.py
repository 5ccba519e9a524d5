"""The JSON contract of ``planbot ask --json``: one object per question."""

from __future__ import annotations

import json
from typing import Any

from bot.models import Answer


def answer_dict(answer: Answer) -> dict[str, Any]:
    data = answer.model_dump(mode="json")
    data["items"] = [
        {
            **item,
            "source": {**item["source"], "report": item["source"]["file"]},
        }
        for item in data["items"]
    ]
    return data


def answer_json(answer: Answer) -> str:
    return json.dumps(answer_dict(answer), ensure_ascii=False)
