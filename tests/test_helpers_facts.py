"""helpers/facts.py: query_environment and compare_environments, as a reader's notebook uses them."""

from __future__ import annotations

import gymnasium as gym
import pytest

from conftest import run_python
from helpers import facts
from helpers.render import (
    EnvironmentNotFound,
    compare_environments,
    query_environment,
)


def test_query_environment_prints_the_2021_recipes_six_lines_for_cartpole() -> None:
    lines = str(query_environment("CartPole-v1")).splitlines()

    assert [line.split(":")[0] for line in lines] == [
        "Action Space",
        "Observation Space",
        "Max Episode Steps",
        "Nondeterministic",
        "Reward Range",
        "Reward Threshold",
    ]
    assert lines[0] == "Action Space: Discrete(2)"
    assert lines[1].startswith("Observation Space: Box(") and lines[1].endswith("(4,), float32)")
    assert lines[2:4] == ["Max Episode Steps: 500", "Nondeterministic: False"]
    assert lines[4] == "Reward Range: (-inf, inf) (not declared; the conventional default)"
    assert lines[5] == "Reward Threshold: 475.0"


def test_query_environment_reports_a_declared_reward_range() -> None:
    facts = query_environment("FrozenLake-v1")

    assert facts.reward_range == (0, 1) and facts.reward_range_declared
    assert "Reward Range: (0, 1) (declared by the environment)" in str(facts)


@pytest.mark.parametrize("env_id", ["Acrobot-v1", "Pendulum-v1", "CliffWalking-v1", "Blackjack-v1", "ALE/Breakout-v5"])
def test_query_environment_answers_ids_the_book_never_uses(env_id: str) -> None:
    facts = query_environment(env_id)

    spec = gym.spec(env_id)
    env = gym.make(env_id)
    assert (facts.action_space, facts.observation_space) == (env.action_space, env.observation_space)
    assert (facts.max_episode_steps, facts.nondeterministic, facts.reward_threshold) == (
        spec.max_episode_steps,
        spec.nondeterministic,
        spec.reward_threshold,
    )
    env.close()


def test_query_environment_renders_as_a_table_in_a_notebook() -> None:
    table = query_environment("MountainCar-v0")._repr_html_()

    assert table.startswith("<table>") and "<caption" in table and "MountainCar-v0" in table
    assert "<td style='text-align:left'>Max Episode Steps</td><td style='text-align:left'>200</td>" in table


def test_query_environment_names_an_unknown_id_and_suggests_close_matches() -> None:
    with pytest.raises(EnvironmentNotFound) as error:
        query_environment("CartPol-v1")

    message = str(error.value)
    assert "'CartPol-v1'" in message and "'CartPole-v1'" in message and "pprint_registry" in message
    assert error.value.__cause__ is None and error.value.__context__ is None


def test_atari_ids_work_without_importing_ale_py_and_without_the_ale_banner() -> None:
    result = run_python(
        """
        from helpers.render import query_environment
        print(query_environment("PongNoFrameskip-v4"))
        """
    )

    assert result.returncode == 0, result.stderr
    assert "Action Space: Discrete(6)" in result.stdout and "(210, 160, 3), uint8" in result.stdout
    assert "A.L.E" not in result.stdout + result.stderr


def test_compare_environments_puts_one_row_per_id_in_the_order_asked() -> None:
    ids = ["Taxi-v4", "MountainCarContinuous-v0", "Pendulum-v1"]

    table = compare_environments(ids)

    assert [row[0] for row in table.rows()] == ids
    for env_id, row in zip(ids, table.rows()):
        spec = gym.spec(env_id)
        assert row[3:] == (str(spec.max_episode_steps), str(spec.reward_threshold))
    assert table.rows()[1][1:3] == ("Box((1,), float32)", "Box((2,), float32)")
    assert table.rows()[0][1] == "Discrete(6)"


def test_compare_environments_prints_aligned_columns_and_renders_an_html_table() -> None:
    table = compare_environments(["Acrobot-v1", "Blackjack-v1"])

    header, *lines = str(table).splitlines()
    assert header.split() == [
        "Id",
        "Action",
        "Space",
        "Observation",
        "Space",
        "Max",
        "Episode",
        "Steps",
        "Reward",
        "Threshold",
    ]
    assert [line.index(cell) for line, cell in zip(lines, ["500", "None"])] == [header.index("Max Episode Steps")] * 2
    html = table._repr_html_()
    assert "<caption style='text-align:left'>2 environments</caption>" in html and html.count("<tr>") == 3


def test_compare_environments_names_an_unknown_id() -> None:
    with pytest.raises(EnvironmentNotFound, match="'MountainCar-v9'"):
        compare_environments(["CartPole-v1", "MountainCar-v9"])


@pytest.mark.parametrize("env_id", ["SpaceInvadersNoFrameskip-v4", "ALE/MsPacman-v5", "Breakout-v4"])
def test_query_environment_describes_atari_ids_of_every_naming_scheme(env_id: str) -> None:
    facts = query_environment(env_id)

    env = gym.make(env_id)
    assert (facts.action_space, facts.observation_space) == (env.action_space, env.observation_space)
    assert facts.observation_space.shape == (210, 160, 3)
    env.close()


def test_query_environment_asks_legacy_gym_when_given_its_module(legacy_gym) -> None:
    facts = query_environment("CartPole-v1", gym_module=legacy_gym)
    spec = legacy_gym.spec("CartPole-v1")

    assert str(facts.action_space) == "Discrete(2)" and type(facts.action_space).__module__.startswith("gym.")
    assert (facts.max_episode_steps, facts.reward_threshold) == (spec.max_episode_steps, spec.reward_threshold)
    assert facts.reward_range == (-float("inf"), float("inf")) and not facts.reward_range_declared


def test_query_environment_tells_legacy_gyms_class_default_from_a_declared_range(legacy_gym) -> None:
    frozen_lake = query_environment("FrozenLake-v1", gym_module=legacy_gym)

    class DeclaresTheDefaultRange(legacy_gym.Env):
        reward_range = (-float("inf"), float("inf"))  # declared, even though it equals the default

    assert frozen_lake.reward_range == (0, 1) and frozen_lake.reward_range_declared
    assert facts._declared_reward_range(DeclaresTheDefaultRange(), legacy_gym) == (-float("inf"), float("inf"))


def test_query_environment_names_legacy_gym_when_it_lacks_an_id(legacy_gym) -> None:
    with pytest.raises(EnvironmentNotFound, match=r"registered with gym 0\.26\.2: .*Did you mean: `CartPole`"):
        query_environment("CartPol-v1", gym_module=legacy_gym)


@pytest.mark.parametrize("env_id", ["LunarLander-v3", "LunarLanderContinuous-v3", "CarRacing-v3", "BipedalWalker-v3"])
def test_query_environment_answers_box2d_ids(env_id: str) -> None:
    facts = query_environment(env_id)

    spec = gym.spec(env_id)
    env = gym.make(env_id)
    assert (facts.action_space, facts.observation_space) == (env.action_space, env.observation_space)
    assert (facts.max_episode_steps, facts.reward_threshold) == (spec.max_episode_steps, spec.reward_threshold)
    env.close()


def test_compare_environments_puts_box2d_and_toy_text_ids_side_by_side() -> None:
    table = compare_environments(["LunarLander-v3", "FrozenLake-v1"])

    assert table.rows()[0] == ("LunarLander-v3", "Discrete(4)", "Box((8,), float32)", "1000", "200")
    assert table.rows()[1][:3] == ("FrozenLake-v1", "Discrete(4)", "Discrete(16)")


def hidden(*modules: str) -> str:
    """Python code that makes ``modules`` unimportable in the process that runs it, as if not installed."""
    return "import sys\n" + "".join(f"sys.modules[{module!r}] = None\n" for module in modules)


def test_a_box2d_id_without_box2d_names_the_package_instead_of_gymnasiums_swig_advice() -> None:
    result = run_python(
        hidden("Box2D")
        + """
from helpers.render import SuiteNotInstalled, compare_environments, query_environment
for ask in (query_environment, lambda env_id: compare_environments(["CartPole-v1", env_id])):
    try:
        ask("LunarLander-v3")
    except SuiteNotInstalled as error:
        print(f"{type(error).__name__}: {error}")
        print(f"cause: {error.__cause__}")
"""
    )

    assert result.returncode == 0, result.stderr
    ours = (
        "SuiteNotInstalled: 'LunarLander-v3' belongs to Box2D, which is not installed here. "
        'Install it with: pip install "gymnasium[box2d]"'
    )
    assert result.stdout.splitlines().count(ours) == 2
    assert "cause: Box2D is not installed, you can install it by run `pip install swig`" in result.stdout


@pytest.mark.parametrize(
    ("env_id", "module", "package"),
    [
        ("MiniGrid-Empty-5x5-v0", "minigrid", "minigrid"),
        ("BabyAI-GoToRedBall-v0", "minigrid", "minigrid"),
        ("highway-fast-v0", "highway_env", "highway-env"),
        ("ALE/Pong-v5", "ale_py", "ale-py"),
        ("PongNoFrameskip-v4", "ale_py", "ale-py"),
    ],
)
def test_a_third_party_id_whose_package_is_missing_names_the_package(env_id: str, module: str, package: str) -> None:
    result = run_python(
        hidden(module)
        + f"""
from helpers.render import SuiteNotInstalled, query_environment
try:
    query_environment({env_id!r})
except SuiteNotInstalled as error:
    print(error)
"""
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"which is not installed here. Install it with: pip install {package}")
    assert result.stdout.startswith(f"{env_id!r} belongs to ")


def test_an_unknown_id_that_belongs_to_no_suite_still_suggests_close_matches() -> None:
    with pytest.raises(EnvironmentNotFound, match=r"'LunarLandr-v3'.*Did you mean 'LunarLander-v3'"):
        query_environment("LunarLandr-v3")
