"""helpers/episodes.py: the random Agent, play_episode and evaluate."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import pytest

from conftest import decode_video
from helpers.render import (
    Agent,
    Episode,
    evaluate,
    play_episode,
    wrap_env,
)


def test_agent_picks_valid_actions_reproducibly_with_a_seed() -> None:
    agent_a, agent_b = Agent(gym.make("MountainCar-v0"), seed=7), Agent(gym.make("MountainCar-v0"), seed=7)

    actions = [agent_a.get_action(None) for _ in range(50)]
    assert actions == [agent_b.get_action(None) for _ in range(50)]
    assert set(actions) == {0, 1, 2}


class AlwaysLeft:
    """A deterministic agent: push left whatever the state."""

    def get_action(self, state: object) -> int:
        """Push the cart left."""
        return 0


def test_play_episode_sums_the_rewards_and_counts_the_steps_of_a_recorded_episode(tmp_path: Path) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path)
    episode = play_episode(env, AlwaysLeft(), seed=3)
    env.close()

    assert isinstance(episode, Episode) and 0 < episode.steps < 500
    assert episode.total_reward == episode.steps  # CartPole pays 1 a step
    [path] = tmp_path.glob("*.mp4")
    assert abs(decode_video(path.read_bytes()).frames - episode.steps) <= 1


def test_evaluate_plays_one_seeded_episode_per_seed_and_repeats_exactly() -> None:
    returns = evaluate("CartPole-v1", AlwaysLeft(), episodes=5, seed=10)

    env = gym.make("CartPole-v1")
    assert returns == [play_episode(env, AlwaysLeft(), seed).total_reward for seed in range(10, 15)]
    assert len(set(returns)) > 1  # different seeds, different starts
    random_a = evaluate("CartPole-v1", Agent(gym.make("CartPole-v1"), seed=1), episodes=5)
    random_b = evaluate("CartPole-v1", Agent(gym.make("CartPole-v1"), seed=1), episodes=5)
    assert random_a == random_b


def test_evaluate_needs_at_least_one_episode() -> None:
    with pytest.raises(ValueError, match="at least one episode"):
        evaluate("CartPole-v1", AlwaysLeft(), episodes=0)
