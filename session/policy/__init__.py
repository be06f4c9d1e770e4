"""The rules of a session's life: the interface the engine asks, and the policies that answer.

``"dotnet"`` (:class:`DotNetPolicy`) is the .NET tracker's timer-driven behaviour, the default;
``"mobile"`` (:class:`MobilePolicy`) is the Android/iOS trackers' event-driven one. Another
policy is a subclass of :class:`Policy` in a file of its own, passed as ``policy=`` (or added
to :data:`POLICIES` to be chosen by name).
"""

from __future__ import annotations

from .base import Control, Moment, Policy, PolicyError, Resumed, Trigger
from .dotnet import DotNetPolicy
from .mobile import MOBILE_KEYS, MobilePolicy, iso_millis

__all__ = [
    "DEFAULT_POLICY",
    "MOBILE_KEYS",
    "POLICIES",
    "POLICY_NAMES",
    "Control",
    "DotNetPolicy",
    "MobilePolicy",
    "Moment",
    "Policy",
    "PolicyError",
    "Resumed",
    "Trigger",
    "iso_millis",
    "make_policy",
    "require",
]

POLICIES: dict[str, type[DotNetPolicy] | type[MobilePolicy]] = {
    DotNetPolicy.name: DotNetPolicy,
    MobilePolicy.name: MobilePolicy,
}
"""The policies ``ClientSession(policy=NAME)`` knows by name, the default first."""

POLICY_NAMES = tuple(POLICIES)
"""Their names: ``("dotnet", "mobile")``."""

DEFAULT_POLICY = POLICY_NAMES[0]
"""The policy a session follows unless told otherwise: the .NET tracker's."""


def make_policy(policy: str | Policy, *, continue_session_on_restart: bool = False) -> Policy:
    """A policy object from its name (``"dotnet"``, ``"mobile"``) or the object itself."""
    if not isinstance(continue_session_on_restart, bool):
        raise TypeError(
            "continue_session_on_restart must be True or False, "
            f"got {continue_session_on_restart!r}"
        )
    if isinstance(policy, str) and policy in POLICIES:
        return POLICIES[policy](continue_session_on_restart=continue_session_on_restart)
    if not isinstance(policy, Policy):
        names = ", ".join(repr(name) for name in POLICY_NAMES)
        raise ValueError(f"unknown session policy {policy!r}; choose one of {names}")
    if continue_session_on_restart and not policy.continue_session_on_restart:
        raise ValueError(
            f"continue_session_on_restart needs a policy that resumes sessions ('mobile'); "
            f"this {policy.name!r} policy starts a new session at every start"
        )
    return policy


def require(policy: Policy, control: Control, feature: str) -> None:
    """Raise :class:`PolicyError` unless ``policy`` gives ``control`` (used as ``feature``)."""
    if control not in policy.controls:
        names = [name for name, kind in POLICIES.items() if control in kind.controls]
        raise PolicyError(
            f"{feature} needs {' or '.join(f'policy={name!r}' for name in names)}; this session "
            f"uses the {policy.name!r} policy, which has no such control"
        )
