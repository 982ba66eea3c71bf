"""Hooks accounts calls and apps above it fill (core.hooks): accounts imports no app above it.
Each is filled in the named app's AppConfig.ready(); calling an empty `Hook` raises
ImproperlyConfigured, so a missing registration fails loudly instead of skipping a check
(tests/test_hooks.py asserts they are filled)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.hooks import Hook, Providers

is_banned = Hook(
    "accounts.is_banned",
    "is_banned(user) -> bool: a ban is in force for the user. Asked at every authentication (the auth "
    "backend's user_can_authenticate), before a login or reset code is delivered, for a login by code and "
    "when an account closes. Filled by moderation (moderation.services.is_banned).",
)

screen_public_texts = Hook(
    "accounts.screen_public_texts",
    "screen_public_texts({field: text}) -> {field: text to store}: the one screening of public text that is "
    "not a post (display names); raises core.errors.Invalid for held words. Filled by moderation "
    "(moderation.services.screen_public_texts).",
)


@dataclass(frozen=True)
class PersonalData:
    """One app's part of a user's personal data (PIPL).

    export(user) -> {section: JSON-ready list}: added to the copy a user downloads (art. 45).
    erase(user): inside close_account's transaction, blanks what the user typed into the app's records.
    after_close(user_id): after close_account commits (e.g. drop cached pages showing the user's posts)."""

    export: Callable[[Any], dict[str, Any]] | None = None
    erase: Callable[[Any], None] | None = None
    after_close: Callable[[int], None] | None = None


personal_data = Providers(
    "accounts.personal_data",
    "Each app above accounts that holds a user's data registers a PersonalData under its app label: "
    "community (questions, answers, comments), stations (bookings).",
)


def register_personal_data(app_label: str, *, export=None, erase=None, after_close=None) -> PersonalData:
    return personal_data.register(app_label, PersonalData(export=export, erase=erase, after_close=after_close))
