"""book/query: the six facts of query_environment, what they mean, and how to find ids."""

from __future__ import annotations

import re
from pathlib import Path

import ale_py
import gymnasium as gym
import pytest
from bs4 import BeautifulSoup

from conftest import chapter_body, page
from helpers.render import compare_environments, query_environment
from tools.colab_notebooks import chapters

gym.register_envs(ale_py)  # the Atari ids, which the page registers too
pytestmark = pytest.mark.filterwarnings("ignore:.*is out of date")  # old versions warn when made, as the page shows


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, "book/query")


def outputs(soup: BeautifulSoup) -> list[str]:
    """The text of every cell output on the page, in order."""
    return [output.get_text() for output in soup.select("div.cell_output")]


def table_rows(soup: BeautifulSoup, caption: str) -> list[tuple[str, ...]]:
    """The body rows of the table with this caption."""
    table = soup.find("caption", string=caption).find_parent("table")
    return [tuple(cell.get_text() for cell in row.find_all("td")) for row in table.select("tbody tr")]


def test_the_page_prints_the_2021_six_facts_for_cartpole(soup: BeautifulSoup) -> None:
    [facts] = [text for text in outputs(soup) if "Action Space: Discrete(2)" in text]
    lines = facts.strip().splitlines()

    assert lines[0] == "Action Space: Discrete(2)"
    assert re.fullmatch(r"Observation Space: Box\(.*, \(4,\), float32\)", lines[1])
    assert lines[2:4] == ["Max Episode Steps: 500", "Nondeterministic: False"]
    assert lines[4].startswith("Reward Range: (-inf, inf)")
    assert lines[5] == "Reward Threshold: 475.0"
    assert facts.strip() == str(query_environment("CartPole-v1"))  # the page is today's answer


def test_the_page_shows_mountaincar_as_a_table_of_the_same_facts(soup: BeautifulSoup) -> None:
    rows = dict(table_rows(soup, "MountainCar-v0"))

    assert rows == dict(query_environment("MountainCar-v0").rows())
    assert rows["Max Episode Steps"] == str(gym.spec("MountainCar-v0").max_episode_steps)


def test_the_page_explains_each_fact_by_running_it(soup: BeautifulSoup) -> None:
    text = "\n".join(outputs(soup))

    assert "<TimeLimit<" in text
    assert f"after {gym.spec('MountainCar-v0').max_episode_steps} steps: terminated=False, truncated=True" in text
    assert "same first observation for the same seed: True" in text
    average = float(re.search(r"random agent: ([\d.]+) on average over 100 episodes", text).group(1))
    assert average < gym.spec("CartPole-v1").reward_threshold / 10
    assert "Reward Range: (0, 1) (declared by the environment)" in text


def test_reward_range_is_gone_and_a_typo_names_the_closest_ids(soup: BeautifulSoup) -> None:
    errors = [cell.get_text() for cell in soup.select("div.cell.tag_raises-exception div.cell_output")]

    assert len(errors) == 2
    assert "AttributeError: 'TimeLimit' object has no attribute 'reward_range'" in errors[0]
    assert "EnvironmentNotFound: No environment 'Mountaincar-v0'" in errors[1]
    assert "Did you mean 'MountainCar-v0'" in errors[1] and "Traceback" not in errors[1]


def test_the_page_lists_the_registry_by_group_and_counts_the_atari_ids(soup: BeautifulSoup) -> None:
    text = "\n".join(outputs(soup))

    for group in ("classic_control", "toy_text", "box2d", "mujoco"):
        assert f"===== {group} =====" in text
    atari = sum(spec.namespace == "ALE" for spec in gym.registry.values())
    assert re.search(rf"after importing ale_py: .*'ALE': {atari}\b", text) and atari > 50


def test_the_classic_control_table_has_every_classic_control_environment(soup: BeautifulSoup) -> None:
    ids = [env_id for env_id, spec in gym.registry.items() if "classic_control" in str(spec.entry_point)]

    rows = table_rows(soup, f"{len(ids)} environments")

    assert [row[0] for row in rows] == ids and len(ids) >= 6
    assert rows == compare_environments(ids).rows()
    assert "WARN: The environment CartPole-v0 is out of date" in "\n".join(outputs(soup))


def ids_the_book_never_uses(built_book: Path) -> list[str]:
    """Registered ids, of the kinds this machine can make, that no page of the book mentions."""
    text = "\n".join(page(built_book, chapter).get_text() for chapter in chapters())
    makeable = ("classic_control", "toy_text", "ale_py")
    unused = [
        env_id
        for env_id, spec in gym.registry.items()
        if any(kind in str(spec.entry_point) for kind in makeable) and not re.search(rf"\b{re.escape(env_id)}\b", text)
    ]
    return unused[::15]  # a spread of them, from every kind


def test_the_helpers_answer_ids_the_book_never_uses(built_book: Path) -> None:
    unused = ids_the_book_never_uses(built_book)

    assert len(unused) >= 10 and any(i.startswith("ALE/") for i in unused) and "Acrobot-v1" not in unused
    table = compare_environments(unused)
    for env_id, row in zip(unused, table.rows()):
        spec = gym.spec(env_id)
        assert row[0] == env_id and row[3:] == (str(spec.max_episode_steps), str(spec.reward_threshold))
