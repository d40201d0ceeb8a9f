"""Settings of the review web app, from the environment (`VAKTPOST_*`) like the rest."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAKTPOST_", extra="ignore")

    session_idle_minutes: float = Field(
        30, gt=0, description="A session ends after this long unused."
    )
    session_max_hours: float = Field(12, gt=0, description="A session ends this long after login.")
    cookie_secure: bool = Field(
        True, description="Send cookies over HTTPS only (localhost counts)."
    )
    lockout_threshold: int = Field(
        5, ge=1, description="Failed logins in a row that lock an account."
    )
    lockout_minutes: float = Field(15, gt=0, description="How long a locked account stays locked.")
    lease_minutes: float = Field(15, gt=0, description="How long a claim holds an item.")

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_max(self) -> timedelta:
        return timedelta(hours=self.session_max_hours)

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    @property
    def lease(self) -> timedelta:
        return timedelta(minutes=self.lease_minutes)
