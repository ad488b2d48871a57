"""Agents and episodes: playing an environment with an agent, and judging the returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import gymnasium as gym

__all__ = ["Agent", "AgentLike", "Episode", "evaluate", "play_episode"]


class AgentLike(Protocol):
    """Anything that picks an action for a state: the one method an agent needs."""

    def get_action(self, state: Any) -> Any:
        """The action to take in ``state``."""
        ...


class Agent:
    """The 2021 recipe's agent: it picks a random action, whatever the state.

    Example:
        >>> import gymnasium as gym
        >>> agent = Agent(gym.make("CartPole-v1"), seed=0)
        >>> agent.get_action(None) in (0, 1)
        True
    """

    def __init__(self, env: gym.Env[Any, Any], seed: int | None = None) -> None:
        self.action_space = env.action_space
        if seed is not None:
            self.action_space.seed(seed)

    def get_action(self, state: Any) -> Any:
        """A random action from the environment's action space."""
        return self.action_space.sample()


@dataclass(frozen=True)
class Episode:
    """One finished episode: its return (the sum of its rewards) and how many steps it took."""

    total_reward: float
    steps: int


def play_episode(env: gym.Env[Any, Any], agent: AgentLike, seed: int | None = None) -> Episode:
    """Play one episode of ``env``, acting with ``agent.get_action(state)``, and sum its rewards.

    The episode starts from ``env.reset(seed=seed)`` and ends when the environment
    terminates or truncates it. Any object with a ``get_action(state)`` method is an
    agent. With ``env = wrap_env(...)`` the episode is recorded; call ``env.close()``
    afterwards to finish writing the video.

    Example:
        >>> import gymnasium as gym
        >>> env = gym.make("CartPole-v1")
        >>> episode = play_episode(env, Agent(env, seed=0), seed=0)
        >>> episode.steps == episode.total_reward  # CartPole pays 1 a step
        True
    """
    state, _ = env.reset(seed=seed)
    total_reward, steps, done = 0.0, 0, False
    while not done:
        state, reward, terminated, truncated, _ = env.step(agent.get_action(state))
        total_reward, steps, done = total_reward + float(reward), steps + 1, terminated or truncated
    return Episode(total_reward, steps)


def evaluate(env_id: str, agent: AgentLike, episodes: int = 20, seed: int = 0) -> list[float]:
    """The returns of ``agent`` over ``episodes`` episodes of ``env_id``, seeded ``seed``, ``seed + 1``, ...

    Fixed seeds give every agent the same starting states, so two agents' returns
    compare fairly and a rerun gives the same numbers. Compare their mean with
    ``gymnasium.spec(env_id).reward_threshold``.

    Example:
        >>> import gymnasium as gym
        >>> returns = evaluate("MountainCar-v0", Agent(gym.make("MountainCar-v0"), seed=0), episodes=3)
        >>> returns  # a random agent never reaches the flag: -1 a step for 200 steps
        [-200.0, -200.0, -200.0]
    """
    import gymnasium as gym

    if episodes < 1:
        raise ValueError(f"evaluate needs at least one episode, not episodes={episodes}.")
    env = gym.make(env_id)
    try:
        return [play_episode(env, agent, seed + i).total_reward for i in range(episodes)]
    finally:
        env.close()
