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


def error_json(question: str, message: str) -> str:
    """A question that failed, with every field an answer has (empty), intent "error"."""
    data: dict[str, Any] = {name: None for name in Answer.model_fields}
    data.update(
        question=question,
        intent="error",
        filters={},
        items=[],
        count=0,
        text=message,
        queries=[],
        suggestions=[],
        ok=False,
    )
    return json.dumps(data, ensure_ascii=False)
