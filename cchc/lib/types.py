"""Type names for the people who call services and views.

``Viewer`` is whoever asks to read: ``request.user``, signed in or anonymous. ``Actor`` is whoever performs a write
(a service's ``actor=``); views pass ``request.user``, which the access helpers have already required to be signed in
and allowed, so the type is the same union the request carries. ``ActorOrSystem`` adds ``None`` for the services that
the system itself also calls (demo loading, scheduled commands, background jobs). The aliases name the user model
only for the type checker: importing this module imports no app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cchc.accounts.models import User

Viewer: TypeAlias = "User | AnonymousUser"
Actor: TypeAlias = "User | AnonymousUser"
ActorOrSystem: TypeAlias = "User | AnonymousUser | None"
