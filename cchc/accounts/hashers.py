"""Password hashing parameters (docs/decisions.md, "Argon2 parameters")."""

from __future__ import annotations

from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with 7 MiB of memory, 5 passes and 1 lane: among the settings that the OWASP Password Storage Cheat
    Sheet gives as equally strong, the one that costs the least CPU and memory per check here (docs/decisions.md,
    decision 23 and its amendment). Django's defaults (100 MiB, 8 lanes) cost about 100 ms of CPU and 100 MiB per
    check on a 2-core server, so 50 people signing in at once waited seconds.

    The algorithm name stays ``argon2``: hashes made with other parameters still verify, and Django rewrites them
    with these on the next successful sign-in (``must_update``).
    """

    time_cost = 5
    memory_cost = 7 * 1024  # KiB
    parallelism = 1
