"""What an environment is: its spaces, limits and reward facts, from Gymnasium's registry."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

from .notebook_output import html_table

__all__ = ["EnvironmentFacts", "EnvironmentNotFound", "EnvironmentTable", "compare_environments", "query_environment"]

CONVENTIONAL_REWARD_RANGE = (-float("inf"), float("inf"))


class EnvironmentNotFound(LookupError):
    """No environment is registered under the id asked for."""


@dataclass(frozen=True)
class EnvironmentFacts:
    """The six facts the 2021 recipe printed about an environment, plus its id."""

    env_id: str
    action_space: Any
    observation_space: Any
    max_episode_steps: int | None
    nondeterministic: bool
    reward_range: tuple[float, float]
    reward_range_declared: bool
    reward_threshold: float | None

    def rows(self) -> list[tuple[str, str]]:
        """The facts as (label, value) pairs, in the 2021 recipe's order."""
        origin = (
            "declared by the environment" if self.reward_range_declared else "not declared; the conventional default"
        )
        return [
            ("Action Space", str(self.action_space)),
            ("Observation Space", str(self.observation_space)),
            ("Max Episode Steps", str(self.max_episode_steps)),
            ("Nondeterministic", str(self.nondeterministic)),
            ("Reward Range", f"{self.reward_range} ({origin})"),
            ("Reward Threshold", str(self.reward_threshold)),
        ]

    def __str__(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows())

    def _repr_html_(self) -> str:
        return html_table(self.env_id, self.rows(), ("Fact", "Value"))


def import_atari_environments() -> None:
    """Register ale-py's Atari ids with Gymnasium, keeping ALE's banner out of outputs; no-op without ale-py.

    Example:
        >>> import gymnasium as gym
        >>> import_atari_environments()
        >>> "ALE/Pong-v5" in gym.registry
        True
    """
    try:
        import ale_py
    except ImportError:
        return
    import gymnasium as gym

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    gym.register_envs(ale_py)


def _registered_spec(env_id: str) -> Any:
    """Gymnasium's spec for env_id, or an EnvironmentNotFound naming close matches."""
    import gymnasium as gym

    if env_id not in gym.registry:
        import_atari_environments()
    if env_id in gym.registry:
        return gym.spec(env_id)
    matches = difflib.get_close_matches(env_id, list(gym.registry), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
    atari = " Atari ids need ale-py: pip install ale-py." if "ale_py" not in sys.modules else ""
    raise EnvironmentNotFound(
        f"No environment {env_id!r} is registered with Gymnasium.{hint}{atari} "
        "List every id with gymnasium.pprint_registry()."
    )


def _declared_reward_range(env: Any, gym_module: ModuleType) -> tuple[float, float] | None:
    """The unwrapped env's own ``reward_range``; None when it has none, or inherits ``Env``'s default unchanged.

    Legacy gym's ``Env`` class sets ``reward_range = (-inf, inf)`` for every environment, so a
    range counts as declared only when it is not that very class attribute.
    """
    declared = getattr(env, "reward_range", None)
    if declared is None or declared is getattr(gym_module.Env, "reward_range", None):
        return None
    return tuple(declared)


def _legacy_spec(env_id: str, gym_module: ModuleType) -> Any:
    """The spec of env_id in another gym-like module (legacy ``gym``), or an EnvironmentNotFound."""
    try:
        return gym_module.spec(env_id)
    except gym_module.error.Error as error:
        version = getattr(gym_module, "__version__", "")
        raise EnvironmentNotFound(
            f"No environment {env_id!r} is registered with {gym_module.__name__} {version}: {error}"
        ) from error


def query_environment(env_id: str, *, gym_module: ModuleType | None = None) -> EnvironmentFacts:
    """Describe a registered environment: its spaces, limits and reward facts.

    ``str()`` of the answer gives the 2021 recipe's six lines; a notebook shows a
    table. Atari ids work without importing ale_py first. Gymnasium 1.0 removed
    ``reward_range``: the answer says whether the range was declared by the
    environment or is the conventional ``(-inf, inf)``. An unknown id raises
    :class:`EnvironmentNotFound`, naming the closest registered ids.

    Example:
        >>> print(query_environment("CartPole-v1"))  # doctest: +ELLIPSIS
        Action Space: Discrete(2)
        Observation Space: Box(..., (4,), float32)
        Max Episode Steps: 500
        Nondeterministic: False
        Reward Range: (-inf, inf) (not declared; the conventional default)
        Reward Threshold: 475.0

    ``gym_module`` asks another gym-like module instead of Gymnasium, such as the
    legacy ``gym`` 0.26 that the 2021 recipe used:

        >>> import contextlib, io
        >>> with contextlib.redirect_stderr(io.StringIO()):  # gym's unmaintained notice
        ...     import gym as legacy_gym
        >>> query_environment("FrozenLake-v1", gym_module=legacy_gym).reward_range
        (0, 1)
    """
    if gym_module is None:
        import gymnasium

        gym_module, spec = gymnasium, _registered_spec(env_id)
    else:
        spec = _legacy_spec(env_id, gym_module)
    env = gym_module.make(env_id)
    try:
        declared = _declared_reward_range(env.unwrapped, gym_module)
        return EnvironmentFacts(
            env_id=env_id,
            action_space=env.action_space,
            observation_space=env.observation_space,
            max_episode_steps=spec.max_episode_steps,
            nondeterministic=spec.nondeterministic,
            reward_range=tuple(declared) if declared is not None else CONVENTIONAL_REWARD_RANGE,
            reward_range_declared=declared is not None,
            reward_threshold=spec.reward_threshold,
        )
    finally:
        env.close()


def _space_summary(space: Any) -> str:
    """A space in a few characters: Box shows its shape and dtype instead of its bounds."""
    if type(space).__name__ == "Box":
        return f"Box({space.shape}, {space.dtype})"
    return str(space)


@dataclass(frozen=True)
class EnvironmentTable:
    """Facts about several environments, one row each."""

    facts: tuple[EnvironmentFacts, ...]
    header: ClassVar[tuple[str, ...]] = (
        "Id",
        "Action Space",
        "Observation Space",
        "Max Episode Steps",
        "Reward Threshold",
    )

    def rows(self) -> list[tuple[str, ...]]:
        """One row per environment; a Box space shows its shape and dtype, not its bounds."""
        return [
            (
                f.env_id,
                _space_summary(f.action_space),
                _space_summary(f.observation_space),
                str(f.max_episode_steps),
                str(f.reward_threshold),
            )
            for f in self.facts
        ]

    def __str__(self) -> str:
        lines = [self.header, *self.rows()]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)

    def _repr_html_(self) -> str:
        return html_table(f"{len(self.facts)} environments", self.rows(), self.header)


def compare_environments(env_ids: Iterable[str]) -> EnvironmentTable:
    """Query several environments and put their facts side by side, one row each.

    Any registered id works, as with ``query_environment``; an unknown id raises
    ``EnvironmentNotFound``.

    Example:
        >>> print(compare_environments(["CartPole-v1", "MountainCar-v0"]))
        Id              Action Space  Observation Space   Max Episode Steps  Reward Threshold
        CartPole-v1     Discrete(2)   Box((4,), float32)  500                475.0
        MountainCar-v0  Discrete(3)   Box((2,), float32)  200                -110.0
    """
    return EnvironmentTable(tuple(query_environment(env_id) for env_id in env_ids))
