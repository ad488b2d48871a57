"""book/migrate: the 2021 recipe run with gym 0.26.2, each failure and its fix, from execution."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import cells, chapter_body, embedded_videos
from helpers.render import Agent, query_environment


@pytest.fixture(scope="module")
def migrate(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, "book/migrate")


# (the old line, as the page runs it; the error it gives today; a line of the fix that runs after it)
FAILURES_AND_FIXES = [
    (
        "from gym.wrappers import Monitor",
        "ImportError: cannot import name 'Monitor' from 'gym.wrappers'",
        "from gym.wrappers import RecordVideo",
    ),
    (
        "state, reward, done, info = env.step(",
        "AttributeError: module 'numpy' has no attribute 'bool8'",
        'gym.make("CartPole-v1", disable_env_checker=True)',
    ),
    (
        "state, reward, done, info = env.step(",
        "ValueError: too many values to unpack (expected 4)",
        "state, reward, terminated, truncated, info = env.step(",
    ),
    ('env.render(mode="rgb_array")', "render() got an unexpected keyword argument 'mode'", 'render_mode="rgb_array"'),
    (
        'gymnasium.make("CartPole-v1").reward_range',
        "object has no attribute 'reward_range'",
        "query_environment(env_id, gym_module=gym)",
    ),
    ('gym.make("PongNoFrameskip-v4")', "NameNotFound: Environment PongNoFrameskip doesn't exist", "import ale_py"),
    ('atari_py.get_game_path("pong")', "Exception: ROM is missing for pong", 'gymnasium.make("PongNoFrameskip-v4"'),
]


@pytest.mark.parametrize("old_line, message, fix", FAILURES_AND_FIXES, ids=[m for _, m, _ in FAILURES_AND_FIXES])
def test_each_old_line_fails_in_a_tagged_cell_and_a_later_cell_runs_its_fix(
    migrate: BeautifulSoup, old_line: str, message: str, fix: str
) -> None:
    page_cells = cells(migrate)
    failing = [i for i, cell in enumerate(page_cells) if old_line in cell.source and message in cell.error]

    assert failing, f"no cell running {old_line!r} shows {message!r}"
    assert page_cells[failing[0]].tagged_to_raise
    fixed = [cell for cell in page_cells[failing[0] + 1 :] if fix in cell.source and not cell.error]
    assert fixed and fixed[0].output, f"no cell after the failure runs {fix!r} with an output"


def test_the_plain_reset_shows_a_tuple_and_render_without_a_mode_shows_none_and_its_warning(
    migrate: BeautifulSoup,
) -> None:
    page_cells = cells(migrate)
    [reset] = [cell for cell in page_cells if "state = env.reset()" in cell.source]
    [render] = [cell for cell in page_cells if "frame = env.render()" in cell.source]

    assert reset.output.startswith("tuple (array(")
    assert "env.render() returned None" in render.output
    assert "You are calling render method without specifying any render mode" in render.output


def test_the_gym_notice_is_shown_as_output_not_stderr(migrate: BeautifulSoup) -> None:
    [first] = cells(migrate)[:1]

    assert "Gym has been unmaintained since 2022" in first.output
    assert not migrate.select("div.output.stderr")


def test_the_gym_atari_extra_is_shown_to_want_an_ale_py_that_is_not_installed(migrate: BeautifulSoup) -> None:
    text = migrate.get_text()

    assert "gym[atari] requires ale-py~=0.8.0; installed here: 0.12.1, which does not fit" in text
    assert "E: Unable to locate package python-opengl" in text


def test_the_2021_query_environment_and_todays_run_against_both_packages(migrate: BeautifulSoup, legacy_gym) -> None:
    text = migrate.get_text()

    assert "def query_environment(name):" in text
    for env_id in ("CartPole-v1", "FrozenLake-v1"):
        assert (
            f"--- {env_id} with gym {legacy_gym.__version__}\n{query_environment(env_id, gym_module=legacy_gym)}"
            in text
        )
        assert f"{query_environment(env_id)}" in text
    assert "Reward Range: (0, 1) (declared by the environment)" in text


def test_the_page_embeds_the_episode_that_gym_0_26_2_recorded(migrate: BeautifulSoup, legacy_gym) -> None:
    [video] = embedded_videos(migrate)
    [recording] = [cell for cell in cells(migrate) if "LegacyRecordVideo(env, " in cell.source]
    # The same seeded episode, replayed with legacy gym: the video has one frame per step, plus the reset's.
    env = legacy_gym.make("CartPole-v1", disable_env_checker=True)
    agent = Agent(env, seed=0)
    state, _ = env.reset(seed=0)
    steps, done = 0, False
    while not done:
        state, _, terminated, truncated, _ = env.step(agent.get_action(state))
        steps, done = steps + 1, terminated or truncated

    assert "video-gym/rl-video-episode-0.mp4" in recording.output and not recording.error
    assert video.frames == steps + 1
    assert "h264" in video.stream and "yuv420p" in video.stream and "600x400" in video.stream


def test_the_migration_table_maps_each_old_line_to_a_new_one_with_a_version(migrate: BeautifulSoup) -> None:
    [table] = [t for t in migrate.select("table") if "2021 line" in t.get_text()]
    header = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = {
        row.find_all("td")[0].get_text(): [td.get_text() for td in row.find_all("td")]
        for row in table.select("tbody tr")
    }

    assert header == ["2021 line", "Today", "Since", "Why"]
    for old_line in (
        "from gym.wrappers import Monitor",
        "state, reward, done, info = env.step(a)",
        "state = env.reset()",
        "pip install gym[atari]",
        "apt-get install -y xvfb python-opengl ffmpeg",
    ):
        assert old_line in rows, f"no row for {old_line!r}"
        assert all(cell.strip() for cell in rows[old_line])


def table_row(soup: BeautifulSoup, first_cell: str) -> list[str]:
    """The glued values in the migration table's row whose first cell is `first_cell`."""
    [row] = [tr for tr in soup.select("tbody tr") if tr.find("td").get_text().strip() == first_cell]
    return [span.get_text() for span in row.select("span.pasted-text")]


def test_the_table_names_the_environments_that_still_declare_a_reward_range(migrate: BeautifulSoup) -> None:
    import warnings

    import ale_py
    import gymnasium

    gymnasium.register_envs(ale_py)
    groups: dict[str, list[str]] = {}  # ids by the class that makes them
    for spec in gymnasium.registry.values():  # the page's kernel registers Gymnasium's and ale-py's ids only
        if isinstance(spec.entry_point, str) and spec.entry_point.startswith(("gymnasium.", "ale_py")):
            groups.setdefault(spec.entry_point, []).append(spec.id)
    declaring = []
    for ids in groups.values():
        for env_id in ids:  # the first of the group that can be made here
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    env = gymnasium.make(env_id)
            except Exception:  # an optional dependency missing (Box2D, JAX)
                continue
            declares = "reward_range" in vars(env.unwrapped)
            env.close()
            declaring += ids if declares else []
            break

    assert table_row(migrate, "env.reward_range") == [" and ".join(declaring)]
    assert declaring and all(env_id.startswith("FrozenLake") for env_id in declaring)


def test_the_table_gives_pong_v0s_settings_from_its_registration(migrate: BeautifulSoup) -> None:
    import ale_py
    import gymnasium

    gymnasium.register_envs(ale_py)
    kwargs = gymnasium.spec("Pong-v0").kwargs
    low, high = kwargs["frameskip"]

    assert table_row(migrate, 'gym.make("Pong-v0")') == [
        f"{low} to {high - 1}",
        str(kwargs["repeat_action_probability"]),
    ]


def test_the_table_names_the_system_on_which_python_opengl_is_missing(migrate: BeautifulSoup) -> None:
    import platform

    assert table_row(migrate, "apt-get install -y xvfb python-opengl ffmpeg") == [
        platform.freedesktop_os_release()["PRETTY_NAME"]
    ]
