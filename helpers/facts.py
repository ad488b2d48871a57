"""What an environment is: its spaces, limits and reward facts, from Gymnasium's registry."""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

from .notebook_output import html_table

__all__ = [
    "EnvironmentFacts",
    "EnvironmentNotFound",
    "EnvironmentTable",
    "SuiteNotInstalled",
    "compare_environments",
    "query_environment",
]

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


@dataclass(frozen=True)
class Suite:
    """A family of environments that needs a package of its own, and how to install it."""

    name: str
    module: str  # the module it needs; importing it registers a third-party suite's ids
    install: str  # what to type after `pip install`
    entry_point: str  # the start of its registered entry points
    ids: str = ""  # a regular expression of its ids, to recognise them before its package registers them


SUITES = (
    Suite("Box2D", "Box2D", '"gymnasium[box2d]"', "gymnasium.envs.box2d"),  # ids registered by Gymnasium
    Suite("MuJoCo", "mujoco", '"gymnasium[mujoco]"', "gymnasium.envs.mujoco"),
    Suite("Atari", "ale_py", "ale-py", "ale_py", r"(ALE/.+|.+(NoFrameskip|Deterministic)-v4)"),
    Suite("Minigrid", "minigrid", "minigrid", "minigrid", r"(MiniGrid|BabyAI)-.+"),
    Suite(
        "highway-env",
        "highway_env",
        "highway-env",
        "highway_env",
        r"(highway|highway-fast|merge|roundabout|parking|intersection|racetrack|u-turn|two-way|exit|lane-keeping)-v\d+",
    ),
)
THIRD_PARTY = tuple(suite for suite in SUITES if not suite.entry_point.startswith("gymnasium."))


class SuiteNotInstalled(ImportError):
    """An environment belongs to a suite whose package is not installed here."""

    def __init__(self, env_id: str, suite: Suite) -> None:
        self.env_id, self.suite = env_id, suite
        message = f"{env_id!r} belongs to {suite.name}, which is not installed here. "
        message += f"Install it with: pip install {suite.install}"
        if suite.name == "Box2D" and sys.version_info >= (3, 14):
            message += (
                " (on Python 3.14 that builds box2d-py from source and needs swig: apt-get install swig,"
                ' or pip install swig setuptools, then pip install --no-build-isolation "gymnasium[box2d]")'
            )
        super().__init__(message, name=suite.module)


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here, without importing it.

    Example:
        >>> installed("gymnasium"), installed("no_such_module")
        (True, False)
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return False


def import_atari_environments() -> None:
    """Register ale-py's Atari ids with Gymnasium, keeping ALE's banner out of outputs; no-op without ale-py.

    Example:
        >>> import gymnasium as gym
        >>> import_atari_environments()
        >>> "ALE/Pong-v5" in gym.registry
        True
    """
    if not installed("ale_py"):
        return
    import ale_py
    import gymnasium as gym

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    gym.register_envs(ale_py)


def import_third_party_environments() -> None:
    """Register the ids of every installed third-party suite of ``SUITES`` with Gymnasium.

    Example:
        >>> import gymnasium as gym
        >>> import_third_party_environments()
        >>> "ALE/Pong-v5" in gym.registry
        True
    """
    import_atari_environments()
    for suite in THIRD_PARTY:
        if suite.module != "ale_py" and installed(suite.module):
            importlib.import_module(suite.module)


def suite_of(env_id: str, entry_point: str = "") -> Suite | None:
    """The suite of ``SUITES`` that an id (or its registered entry point) belongs to, if any.

    Example:
        >>> suite_of("MiniGrid-Empty-5x5-v0").install
        'minigrid'
        >>> suite_of("CartPole-v1") is None
        True
    """
    for suite in SUITES:
        if entry_point.startswith(suite.entry_point) or (suite.ids and re.fullmatch(suite.ids, env_id)):
            return suite
    return None


def _registered_spec(env_id: str) -> Any:
    """Gymnasium's spec for env_id, or why there is none: a suite to install, or close matches."""
    import gymnasium as gym

    if env_id not in gym.registry:
        import_third_party_environments()
    if env_id in gym.registry:
        return gym.spec(env_id)
    suite = suite_of(env_id)
    if suite is not None and not installed(suite.module):
        raise SuiteNotInstalled(env_id, suite)
    matches = difflib.get_close_matches(env_id, list(gym.registry), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
    raise EnvironmentNotFound(
        f"No environment {env_id!r} is registered with Gymnasium.{hint} List every id with gymnasium.pprint_registry()."
    )


def _make(env_id: str, spec: Any, **make_arguments: Any) -> Any:
    """gymnasium.make(env_id, **make_arguments), or SuiteNotInstalled when its suite's package cannot be imported."""
    import gymnasium as gym

    try:
        return gym.make(env_id, **make_arguments)
    except (gym.error.DependencyNotInstalled, ImportError) as error:
        suite = suite_of(env_id, spec.entry_point if isinstance(spec.entry_point, str) else "")
        if suite is None or installed(suite.module):
            raise
        raise SuiteNotInstalled(env_id, suite) from error


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
    table. Atari ids, and the ids of the third-party suites in ``SUITES``
    (Minigrid, highway-env), work without importing their package first.
    Gymnasium 1.0 removed ``reward_range``: the answer says whether the range was
    declared by the environment or is the conventional ``(-inf, inf)``. An id of a
    suite whose package is missing (Box2D, a third-party suite) raises
    :class:`SuiteNotInstalled`, naming what to ``pip install``; an unknown id
    raises :class:`EnvironmentNotFound`, naming the closest registered ids.

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
        env = _make(env_id, spec)
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
