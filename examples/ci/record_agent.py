"""Record a few episodes of an agent to mp4, on a machine with no display: the Python part of a CI job.

    python record_agent.py --env CartPole-v1 --episodes 2 --out videos

Needs only ``pip install "gymnasium[classic-control,other]"``: ``render_mode="rgb_array"`` draws
each frame in memory, so no X display and no Xvfb are involved, and RecordVideo encodes with the
ffmpeg that imageio-ffmpeg ships. Replace ``act`` with your trained agent.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

# A CI runner has no sound card and no login session: keep SDL's complaints about both out of the log.
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp())

import gymnasium as gym  # noqa: E402
from gymnasium.wrappers import RecordVideo  # noqa: E402


def record(env_id: str, episodes: int, out: Path, seed: int = 0) -> list[float]:
    """Play ``episodes`` episodes of ``env_id`` with a random agent, film each, and return their returns.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> len(record("CartPole-v1", 1, folder)), sorted(p.name for p in folder.glob("*.mp4"))
        (1, ['agent-episode-0.mp4'])
    """
    env = RecordVideo(
        gym.make(env_id, render_mode="rgb_array"), str(out), episode_trigger=lambda _: True, name_prefix="agent"
    )
    env.action_space.seed(seed)
    returns = []
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())  # your agent acts here
            total, done = total + float(reward), terminated or truncated
        returns.append(total)
    env.close()  # finishes writing the last video
    return returns


def main() -> None:
    """Parse the command line, record, and print one line per episode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="CartPole-v1")
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("videos"))
    arguments = parser.parse_args()
    for episode, total in enumerate(record(arguments.env, arguments.episodes, arguments.out)):
        print(f"{arguments.env} episode {episode}: return {total:g}, video {arguments.out}/agent-episode-{episode}.mp4")


if __name__ == "__main__":
    main()
