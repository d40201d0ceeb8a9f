"""The one typed settings object. Every value can come from the environment (`VAKTPOST_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "sqlite:///vaktpost.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAKTPOST_", extra="ignore")

    db: str = Field(DEFAULT_DB, description="Database URL: sqlite:///… or postgresql+psycopg://…")
    batch_size: int = Field(10_000, ge=1, description="Messages per insert batch and scan batch.")
    engine: str = Field("local", description="Scan engine: local, or ray://host:port.")
    stream: str = Field("memory://", description="Stream source or sink: memory://, nats://…")
    timezone: str | None = Field(None, description="Zone for naive timestamps on import.")

    # --- reporting and evidence (issue 7) ---
    ncmec_url: str = Field(
        "https://exttest.cybertip.org/ispws",
        description="CyberTipline base URL: the test environment unless production is set here.",
    )
    ncmec_user: str | None = Field(None, description="CyberTipline Basic-auth user.")
    ncmec_password: SecretStr | None = Field(None, description="CyberTipline Basic-auth password.")
    reporter_email: str | None = Field(None, description="reportingPerson email in every report.")
    reporter_first_name: str | None = None
    reporter_last_name: str | None = None
    reporter_company_template: str | None = None
    reporter_terms_of_service: str | None = None
    evidence_dir: str = Field("evidence", description="Folder of encrypted evidence objects.")
    evidence_key: SecretStr | None = Field(
        None, description="Master key (64 hex characters = 32 bytes) wrapping every object's key."
    )
    preservation_days: int = Field(365, ge=365, description="Days evidence is kept after a report is finished.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
