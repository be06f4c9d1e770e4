"""Expiry rules: the interface the engine asks, and the two policies that answer it.

``"dotnet"`` (:class:`DotNetPolicy`) is the .NET tracker's timer-driven behaviour, the default;
``"mobile"`` (:class:`MobilePolicy`) is the Android/iOS trackers' event-driven one.
"""

from __future__ import annotations

from .base import Policy, PolicyError
from .dotnet import DotNetPolicy
from .mobile import MOBILE_KEYS, MobileControls, MobilePolicy, SessionCallback, iso_millis

__all__ = [
    "MOBILE_KEYS",
    "POLICY_NAMES",
    "DotNetPolicy",
    "MobileControls",
    "MobilePolicy",
    "Policy",
    "PolicyError",
    "SessionCallback",
    "iso_millis",
    "make_policy",
]

POLICY_NAMES = ("dotnet", "mobile")


def make_policy(policy: str | Policy, *, continue_session_on_restart: bool = False) -> Policy:
    """A policy object from its name (``"dotnet"``, ``"mobile"``) or the object itself."""
    if not isinstance(continue_session_on_restart, bool):
        raise TypeError(
            "continue_session_on_restart must be True or False, "
            f"got {continue_session_on_restart!r}"
        )
    if isinstance(policy, str) and policy == "mobile":
        return MobilePolicy(continue_session_on_restart=continue_session_on_restart)
    if isinstance(policy, str) and policy == "dotnet":
        policy = DotNetPolicy()
    if not isinstance(policy, Policy):
        names = ", ".join(repr(name) for name in POLICY_NAMES)
        raise ValueError(f"unknown session policy {policy!r}; choose one of {names}")
    if continue_session_on_restart and not policy.continue_session_on_restart:
        raise ValueError(
            f"continue_session_on_restart needs a policy that resumes sessions ('mobile'); "
            f"this {policy.name!r} policy starts a new session at every start"
        )
    return policy
