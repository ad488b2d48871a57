"""book/agents: agents that reach their environment's reward threshold, filmed next to the random agent."""

from __future__ import annotations

import re
from pathlib import Path

import gymnasium as gym
import pytest

from conftest import Video, chapter_body, embedded_videos

ENVIRONMENTS = ["MountainCar-v0", "CartPole-v1"]
REPORT = re.compile(
    r"^(?P<env>\S+), (?P<agent>[^:\n]+): mean return (?P<mean>-?\d+\.\d+) over (?P<episodes>\d+) episodes\n"
    r"  threshold (?P<threshold>-?[\d.]+): (?P<verdict>reached|not reached)$",
    re.MULTILINE,
)
CAPTION = re.compile(r"^(?P<env>\S+), (?P<agent>[^:]+): (?P<steps>\d+) steps, return (?P<total>-?[\d.]+)$")


def evaluations(built_book: Path) -> dict[str, dict[str, re.Match[str]]]:
    """The page's printed evaluations: {env id: {agent: report line}}."""
    found: dict[str, dict[str, re.Match[str]]] = {}
    for output in chapter_body(built_book, "book/agents").select("div.cell_output pre"):
        for match in REPORT.finditer(output.get_text()):
            found.setdefault(match["env"], {})[match["agent"]] = match
    return found


def filmed_episodes(built_book: Path) -> dict[str, dict[str, tuple[re.Match[str], Video]]]:
    """The page's captioned videos, decoded: {env id: {agent: (caption, video)}}."""
    found: dict[str, dict[str, tuple[re.Match[str], Video]]] = {}
    for figure in chapter_body(built_book, "book/agents").select("div.cell_output figure"):
        caption = CAPTION.match(figure.figcaption.get_text().strip())
        assert caption, f"unexpected caption: {figure.figcaption.get_text()!r}"
        [video] = embedded_videos(figure)
        found.setdefault(caption["env"], {})[caption["agent"]] = (caption, video)
    return found


def successful_agents(built_book: Path, env_id: str) -> list[str]:
    return [agent for agent, line in evaluations(built_book)[env_id].items() if line["verdict"] == "reached"]


@pytest.mark.parametrize("env_id", ENVIRONMENTS)
def test_an_agent_reaches_the_reward_threshold_over_at_least_20_seeded_episodes(built_book: Path, env_id: str) -> None:
    lines = evaluations(built_book)[env_id]
    threshold = gym.spec(env_id).reward_threshold

    for agent, line in lines.items():
        assert float(line["threshold"]) == threshold, f"{agent}: the page's threshold is not gym.spec's"
        assert int(line["episodes"]) >= 20
        assert (line["verdict"] == "reached") == (float(line["mean"]) >= threshold), f"{agent}: wrong verdict"
    assert float(lines["random agent"]["mean"]) < threshold
    assert successful_agents(built_book, env_id), f"no agent reaches {env_id}'s threshold: {list(lines)}"


@pytest.mark.parametrize("env_id", ENVIRONMENTS)
def test_the_random_and_the_successful_agents_videos_play_their_whole_episodes(built_book: Path, env_id: str) -> None:
    filmed = filmed_episodes(built_book)[env_id]

    assert "random agent" in filmed
    assert set(successful_agents(built_book, env_id)) <= set(filmed), f"a successful agent of {env_id} was not filmed"
    for agent, (caption, video) in filmed.items():
        assert abs(video.frames - int(caption["steps"])) <= 1, f"{env_id}, {agent}: {video.frames} frames"
        assert "h264" in video.stream and "yuv420p" in video.stream


def test_the_random_car_never_reaches_the_flag_and_the_balanced_pole_stays_up_to_the_limit(built_book: Path) -> None:
    filmed = filmed_episodes(built_book)

    car_limit = gym.spec("MountainCar-v0").max_episode_steps
    random_car, _ = filmed["MountainCar-v0"]["random agent"]
    assert int(random_car["steps"]) == car_limit and float(random_car["total"]) == -car_limit
    for agent in successful_agents(built_book, "MountainCar-v0"):
        assert int(filmed["MountainCar-v0"][agent][0]["steps"]) < car_limit, f"{agent} did not reach the flag"
    for agent in successful_agents(built_book, "CartPole-v1"):
        assert int(filmed["CartPole-v1"][agent][0]["steps"]) == gym.spec("CartPole-v1").max_episode_steps


def test_the_page_plots_each_environments_returns(built_book: Path) -> None:
    images = chapter_body(built_book, "book/agents").select("div.cell_output img")

    assert len(images) == 2
    assert all(Path(built_book, "book", image["src"]).is_file() for image in images)
