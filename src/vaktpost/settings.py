"""The one typed settings object. Every value can come from the environment (`VAKTPOST_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "sqlite:///vaktpost.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAKTPOST_", extra="ignore")

    db: str = Field(DEFAULT_DB, description="Database URL: sqlite:///… or postgresql+psycopg://…")
    batch_size: int = Field(10_000, ge=1, description="Messages per insert batch and scan batch.")
    engine: str = Field("local", description="Scan engine: local, or ray://host:port.")
    stream: str = Field("memory://", description="Stream source or sink: memory://, nats://…")
    timezone: str | None = Field(None, description="Zone for naive timestamps on import.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
