"""Function settings: one pydantic model, read from the environment once at cold start.

A missing or malformed setting stops the function at start-up with a message that names
it; nothing invents a default resource name.
"""

from __future__ import annotations

import os
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(RuntimeError):
    """The function's environment is incomplete or wrong."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(min_length=3)
    cursor_secret: str = Field(min_length=16, repr=False)
    default_country: str = Field(pattern=r"^[A-Z]{2}$")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Self:
        source = os.environ if environ is None else environ
        values = {name: source[name.upper()] for name in cls.model_fields if name.upper() in source}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = ", ".join(
                f"{str(e['loc'][0]).upper()}: {e['msg']}" for e in error.errors(include_url=False)
            )
            raise SettingsError(f"function settings are incomplete: {problems}") from error
