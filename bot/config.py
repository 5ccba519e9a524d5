"""Every knob planbot has, in one Settings object read from the environment (and .env).

Nothing deeper in the code reads os.environ: the Settings instance is passed in.
Each field is documented in .env.example.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
BUNDLED_ALIASES = Path(__file__).resolve().parents[1] / "data" / "aliases.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- data ---
    data_dir: Path = Field(default=Path("data"), validation_alias="PLANBOT_DATA_DIR")
    #: Pin answers to one municipality when the warehouse holds several.
    municipality: str | None = Field(default=None, validation_alias="PLANBOT_MUNICIPALITY")
    #: Department aliases and synonyms; default: <data_dir>/aliases.toml, else the bundled one.
    aliases_file: Path | None = Field(default=None, validation_alias="PLANBOT_ALIASES_FILE")
    #: Answers remembered per process (0 turns the cache off, as the benchmarks do).
    answer_cache_size: int = Field(default=256, ge=0, validation_alias="PLANBOT_ANSWER_CACHE")
    row_cap: int = Field(default=1000, ge=1, validation_alias="PLANBOT_ROW_CAP")
    query_timeout_s: float = Field(default=10.0, gt=0, validation_alias="PLANBOT_QUERY_TIMEOUT")
    #: Warehouses of at most this many evaluations are held in memory (a city's ten
    #: years are ~1,000 rows; measured ~4 KB a row); larger ones are read from their files.
    memory_rows: int = Field(default=10_000, ge=0, validation_alias="PLANBOT_MEMORY_ROWS")
    #: DuckDB's memory (joins, sorts, cached parquet pages) in MB; past it a query
    #: spills to disk. 0: DuckDB's default, 80 % of the machine's memory.
    duckdb_memory_mb: int = Field(default=300, ge=0, validation_alias="PLANBOT_DUCKDB_MEMORY_MB")
    #: Warehouse snapshots kept after a write: readers of the one before, and whole ones
    #: to fall back to should the newest be damaged.
    keep_snapshots: int = Field(default=3, ge=1, validation_alias="PLANBOT_KEEP_SNAPSHOTS")

    # --- report files (ingest and Slack uploads) ---
    #: A report file larger than this is refused before it is read.
    max_upload_mb: float = Field(default=20, gt=0, validation_alias="PLANBOT_MAX_UPLOAD_MB")
    #: A workbook unpacking to more than this is refused as a decompression bomb.
    max_unpacked_mb: float = Field(default=200, gt=0, validation_alias="PLANBOT_MAX_UNPACKED_MB")
    #: Rows and columns a workbook sheet may have (a city's sheet has a few hundred rows).
    max_sheet_rows: int = Field(default=20_000, ge=1, validation_alias="PLANBOT_MAX_SHEET_ROWS")
    max_sheet_columns: int = Field(default=100, ge=1, validation_alias="PLANBOT_MAX_SHEET_COLUMNS")

    # --- Slack ---
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_api_url: str = Field(default=SLACK_DEFAULT_API_URL, validation_alias="SLACK_API_URL")
    admins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), validation_alias="PLANBOT_ADMINS"
    )
    allowed_channels: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), validation_alias="PLANBOT_ALLOWED_CHANNELS"
    )
    port: int = Field(default=3000, validation_alias=AliasChoices("PORT", "PLANBOT_PORT"))
    #: Interface HTTP mode listens on; 0.0.0.0 because PaaS routers connect from outside.
    http_host: str = Field(default="0.0.0.0", validation_alias="PLANBOT_HTTP_HOST")

    #: How long a worker's claim on a Slack event holds before another worker may answer
    #: it instead (the claim of a worker that died on this host is taken over at once).
    event_lease_s: float = Field(default=120.0, gt=0, validation_alias="PLANBOT_EVENT_LEASE")
    #: An answer not ready after this many seconds gets a "集計中…" message first, which
    #: the answer then replaces in place.
    working_notice_s: float = Field(default=1.0, ge=0, validation_alias="PLANBOT_WORKING_NOTICE")
    #: The same button (or menu entry) of the same message pressed again within this
    #: many seconds acts once.
    button_repeat_s: float = Field(default=10.0, ge=0, validation_alias="PLANBOT_BUTTON_REPEAT")

    # --- schedule ---
    timezone: str = Field(default="Asia/Tokyo", validation_alias="PLANBOT_TIMEZONE")
    digest_channel: str | None = Field(default=None, validation_alias="DIGEST_CHANNEL")
    #: A digest whose fire time passed while the clock was down still posts within this.
    digest_grace_s: int = Field(default=3600, ge=0, validation_alias="PLANBOT_DIGEST_GRACE")
    #: Seconds between the messages of one digest (Slack allows ~1 message/s per channel).
    digest_pace_s: float = Field(default=1.0, ge=0, validation_alias="PLANBOT_DIGEST_PACE")
    #: Evaluation rounds: reminders go to assignees with open items this many days before
    #: the deadline (0 = on it), at this time, on business days.
    round_reminder_days: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(7, 3, 1, 0), validation_alias="PLANBOT_ROUND_REMINDER_DAYS"
    )
    round_reminder_time: time = Field(
        default=time(9, 0), validation_alias="PLANBOT_ROUND_REMINDER_TIME"
    )
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    log_retention_days: int = Field(
        default=365, ge=1, validation_alias="PLANBOT_LOG_RETENTION_DAYS"
    )
    #: A report previewed in Slack and neither confirmed nor cancelled within this many
    #: days expires: its kept copy is deleted, and 取り込む then asks for the file again.
    upload_preview_days: int = Field(
        default=7, ge=1, validation_alias="PLANBOT_UPLOAD_PREVIEW_DAYS"
    )
    #: The audit of uploads is kept this many days, and an evaluation round's audit this
    #: many days from the round's closing (an open round keeps all of it).
    audit_retention_days: int = Field(
        default=1826, ge=1, validation_alias="PLANBOT_AUDIT_RETENTION_DAYS"
    )
    #: Where the state database lives (question log, seen events); default <data_dir>/state.
    #: Set it when the data dir is read-only or shared by several deployments.
    state_dir_override: Path | None = Field(default=None, validation_alias="PLANBOT_STATE_DIR")

    @field_validator("admins", "allowed_channels", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(v for v in (p.strip() for p in value.replace(",", " ").split()) if v)
        return value

    @field_validator("round_reminder_time", mode="before")
    @classmethod
    def _clock_time(cls, value: object) -> object:
        # "9:00" as people write it; pydantic wants "09:00".
        if isinstance(value, str) and ":" in value:
            hour, _, minute = value.strip().partition(":")
            return time(int(hour), int(minute))
        return value

    @field_validator("round_reminder_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(p) for p in value.replace(",", " ").split())
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL: it must end with "/".
        return value if value.endswith("/") else value + "/"

    @property
    def vocabulary_file(self) -> Path:
        if self.aliases_file is not None:
            return self.aliases_file
        local = self.data_dir / "aliases.toml"
        return local if local.is_file() else BUNDLED_ALIASES

    @property
    def state_dir(self) -> Path:
        if self.state_dir_override is not None:
            return self.state_dir_override
        return self.data_dir / "state"

    @property
    def state_db_file(self) -> Path:
        return self.state_dir / "planbot.sqlite3"

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None
