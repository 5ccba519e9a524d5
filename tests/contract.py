"""The fields every `planbot ask --json` object must have (ARCHITECTURE.md's contract)."""

JSON_FIELDS = frozenset(
    {"question", "language", "intent", "filters", "items", "count", "summary", "text"}
)
