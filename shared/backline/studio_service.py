"""Changing a studio's settings."""

from __future__ import annotations

from backline.clock import isoformat, utcnow
from backline.errors import require_version
from backline.studios import Studio, StudioEdit, StudioStore


class StudioService:
    def __init__(self, studios: StudioStore) -> None:
        self.studios = studios

    def edit(self, studio_id: str, edit: StudioEdit, expected: int | None) -> Studio:
        """Apply the fields sent (null leaves a field as it is), guarded by the version."""
        before = self.studios.get(studio_id)
        require_version(expected, before.version)
        changes = {
            name: getattr(edit, name)
            for name in edit.model_fields_set
            if getattr(edit, name) is not None
        }
        if "rooms" in changes:
            changes["rooms"] = tuple(changes["rooms"])
        after = before.model_copy(
            update={**changes, "version": before.version + 1, "updated_at": isoformat(utcnow())}
        )
        self.studios.save(before, after)
        return after
