"""Named queries loaded from ``queries/*.sql`` (aiosql style).

Each file holds one query: a ``-- name: <name>`` line, comment lines that document it
(the doc doubles as help text), then the SQL with ``$name`` parameters. SQL never
contains user text: values are bound by DuckDB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
SCHEMA_FILE = "_schema.sql"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    doc: str
    sql: str
    params: tuple[str, ...]
    path: Path


class QueryFileError(ValueError):
    pass


def default_queries_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "queries"


def load_queries(directory: Path) -> dict[str, NamedQuery]:
    queries: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.sql")):
        if path.name.startswith("_"):
            continue  # the schema and its parts, not named queries
        query = parse_query_file(path)
        if query.name in queries:
            raise QueryFileError(f"{path}: query name '{query.name}' is already defined")
        queries[query.name] = query
    return queries


def parse_query_file(path: Path) -> NamedQuery:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not (m := _NAME.match(lines[0])):
        raise QueryFileError(f"{path}:1: first line must be '-- name: <query_name>'")
    doc_lines: list[str] = []
    body_start = 1
    for i, line in enumerate(lines[1:], start=1):
        if line.startswith("--"):
            doc_lines.append(line[2:].strip())
            body_start = i + 1
        else:
            break
    sql = "\n".join(lines[body_start:]).strip().rstrip(";")
    if not sql:
        raise QueryFileError(f"{path}: no SQL after the header")
    params = tuple(dict.fromkeys(_PARAM.findall(sql)))
    return NamedQuery(
        name=m.group(1), doc=" ".join(doc_lines).strip(), sql=sql, params=params, path=path
    )


def schema_sql(directory: Path, snapshot: Path) -> str:
    """The views and macros over one snapshot."""
    # The snapshot path is ours, not the user's; quotes are still escaped for SQL.
    quoted = str(snapshot).replace("'", "''")
    return (directory / SCHEMA_FILE).read_text(encoding="utf-8").replace("{snapshot}", quoted)
