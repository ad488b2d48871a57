"""helpers/render.py, as a reader's notebook uses it."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import gymnasium as gym
import PIL.Image
import pytest

from conftest import ROOT, decode_video, running_xvfb, xvfb_left_running
from helpers import render
from helpers.render import (
    Agent,
    EnvironmentNotFound,
    XvfbNotFound,
    check_setup,
    compare_environments,
    play_episode,
    query_environment,
    show_video,
    start_virtual_display,
    try_mujoco_backend,
    wrap_env,
)


def run_python(code: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter that can import helpers, with env vars changed (None unsets)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, value in env_changes.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


# --- query_environment ------------------------------------------------------------------


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


# --- wrap_env, show_video and Agent --------------------------------------------------------


def test_wrap_env_records_each_episode_to_an_h264_mp4_with_one_frame_a_step(tmp_path: Path) -> None:
    env = wrap_env(gym.make("MountainCar-v0", render_mode="rgb_array"), tmp_path)
    steps = play_episode(env, Agent(env, seed=0), seed=0).steps
    env.close()

    [path] = tmp_path.glob("*.mp4")
    video = decode_video(path.read_bytes())
    assert steps == 200 and abs(video.frames - steps) <= 1
    assert "h264" in video.stream and "yuv420p" in video.stream


def test_wrap_env_records_only_the_episodes_the_trigger_picks(tmp_path: Path) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, episode_trigger=lambda i: i == 1)
    agent = Agent(env, seed=0)
    for seed in range(3):
        play_episode(env, agent, seed)
    env.close()

    assert [p.name for p in tmp_path.glob("*.mp4")] == ["rl-video-episode-1.mp4"]


def test_wrap_env_replaces_the_folders_earlier_videos(tmp_path: Path) -> None:
    (tmp_path / "rl-video-episode-7.mp4").write_bytes(b"an old recording")
    (tmp_path / "keep-me.mp4").write_bytes(b"another program's video")

    wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path).close()

    assert sorted(p.name for p in tmp_path.glob("*.mp4")) == ["keep-me.mp4"]


def test_wrap_env_explains_that_it_needs_rgb_array_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"render_mode=None.*render_mode='rgb_array'.*'CartPole-v1'"):
        wrap_env(gym.make("CartPole-v1"), tmp_path)


def test_show_video_embeds_the_newest_mp4_as_an_autoplaying_html5_video(tmp_path: Path) -> None:
    older, newer = tmp_path / "a.mp4", tmp_path / "b.mp4"
    older.write_bytes(b"older video")
    newer.write_bytes(b"newer video")
    os.utime(older, (1, 1))

    html = show_video(tmp_path).data

    assert re.match(r"<video autoplay loop muted playsinline controls[^>]*>", html)
    [data] = re.findall(r'src="data:video/mp4;base64,([^"]+)"', html)
    assert base64.b64decode(data) == b"newer video"
    assert base64.b64decode(re.findall(r"base64,([^\"]+)", show_video(older).data)[0]) == b"older video"


@pytest.mark.parametrize("where", ["empty-folder", "no-such-folder", "no-such-file.mp4"])
def test_show_video_says_how_to_record_when_there_is_no_video(tmp_path: Path, where: str) -> None:
    (tmp_path / "empty-folder").mkdir()

    notice = show_video(tmp_path / where)

    assert str(tmp_path / where) in repr(notice)
    assert "No mp4 video" in repr(notice) and "wrap_env" in repr(notice) and "env.close()" in repr(notice)
    assert "<strong>No mp4 video" in notice._repr_html_()


def test_agent_picks_valid_actions_reproducibly_with_a_seed() -> None:
    agent_a, agent_b = Agent(gym.make("MountainCar-v0"), seed=7), Agent(gym.make("MountainCar-v0"), seed=7)

    actions = [agent_a.get_action(None) for _ in range(50)]
    assert actions == [agent_b.get_action(None) for _ in range(50)]
    assert set(actions) == {0, 1, 2}


# --- The virtual display ---------------------------------------------------------------------


def test_start_virtual_display_without_xvfb_names_the_package_to_install(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(render, "_virtual_display", None)

    with pytest.raises(XvfbNotFound, match=r"apt-get install -y xvfb"):
        start_virtual_display()


def test_start_virtual_display_starts_xvfb_once_and_stops_it_at_exit() -> None:
    before = running_xvfb()
    result = run_python(
        """
        import os
        from helpers.render import start_virtual_display
        first = start_virtual_display()
        print(first, start_virtual_display(), os.environ["DISPLAY"])
        """,
        DISPLAY=None,
    )

    assert result.returncode == 0, result.stderr
    first, second, environment = result.stdout.split()
    assert re.fullmatch(r":\d+", first) and first == second == environment
    assert not xvfb_left_running(before)


@pytest.mark.parametrize("display, reused", [("remotehost:10.0", True), (":987", False)])
def test_start_virtual_display_reuses_a_live_display_only(display: str, reused: bool) -> None:
    result = run_python(
        """
        from helpers.render import start_virtual_display
        print(start_virtual_display())
        """,
        DISPLAY=display,
    )

    assert result.returncode == 0, result.stderr
    assert (result.stdout.strip() == display) is reused


def test_rendering_writes_no_sdl_or_alsa_noise_to_stderr() -> None:
    result = run_python(
        """
        import helpers.render
        import gymnasium as gym
        env = gym.make("CartPole-v1", render_mode="rgb_array")
        env.reset(seed=0)
        print(env.render().shape)
        """,
        XDG_RUNTIME_DIR=None,
        SDL_AUDIODRIVER=None,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(400, 600, 3)" and result.stderr == ""


# --- check_setup ---------------------------------------------------------------------------


def test_check_setup_passes_on_the_build_machine() -> None:
    report = check_setup()

    assert report.ok, str(report)
    names = [check.name for check in report.checks]
    assert names[:2] == ["Python", "gymnasium"] and names[-3:] == ["X display", "ffmpeg", "Atari ROMs"]
    assert f"gymnasium {gym.__version__}" in str(report)


def test_check_setup_reports_a_missing_xvfb_with_its_fix(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)

    report = check_setup()

    assert not report.ok
    [display_row] = [row for row in report.rows() if row[0] == "X display"]
    assert display_row[1] == "missing" and "apt-get install -y xvfb" in display_row[3]
    assert "apt-get install -y xvfb" in str(report) and "<th" in report._repr_html_()


# --- issue 3: compare_environments and screenshot_display ------------------------------------


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
    assert header.split() == ["Id", "Action", "Space", "Observation", "Space", "Max", "Episode", "Steps", "Reward", "Threshold"]
    assert [line.index(cell) for line, cell in zip(lines, ["500", "None"])] == [header.index("Max Episode Steps")] * 2
    html = table._repr_html_()
    assert "<caption style='text-align:left'>2 environments</caption>" in html and html.count("<tr>") == 3


def test_compare_environments_names_an_unknown_id() -> None:
    with pytest.raises(EnvironmentNotFound, match="'MountainCar-v9'"):
        compare_environments(["CartPole-v1", "MountainCar-v9"])


def test_screenshot_display_shows_a_human_mode_window_on_a_fresh_virtual_display(tmp_path: Path) -> None:
    result = run_python(
        f"""
        import gymnasium as gym
        from helpers.render import screenshot_display, start_virtual_display
        start_virtual_display()
        open("{tmp_path}/blank.png", "wb").write(screenshot_display(width=350).data)
        env = gym.make("CartPole-v1", render_mode="human")
        env.reset(seed=0)
        open("{tmp_path}/window.png", "wb").write(screenshot_display(width=350).data)
        env.close()
        """,
        DISPLAY=None,
    )

    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr
    blank, window = (PIL.Image.open(tmp_path / name).convert("L") for name in ("blank.png", "window.png"))
    assert blank.size == window.size == (350, 225)  # the 1400x900 screen, scaled
    assert blank.getextrema() == (0, 0)  # an empty X screen is black
    assert window.getextrema()[1] == 255  # CartPole's white window is on it


def test_screenshot_display_without_a_display_says_what_to_do(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)

    with pytest.raises(RuntimeError, match=r"no X display.*start_virtual_display\(\)"):
        render.screenshot_display()
# --- issue 4: Atari ids the chapter does not play, and write_video ----------------------------


@pytest.mark.parametrize("env_id", ["SpaceInvadersNoFrameskip-v4", "ALE/MsPacman-v5", "Breakout-v4"])
def test_query_environment_describes_atari_ids_of_every_naming_scheme(env_id: str) -> None:
    facts = query_environment(env_id)

    env = gym.make(env_id)
    assert (facts.action_space, facts.observation_space) == (env.action_space, env.observation_space)
    assert facts.observation_space.shape == (210, 160, 3)
    env.close()


@pytest.mark.parametrize("env_id", ["ALE/Breakout-v5", "SpaceInvadersNoFrameskip-v4"])
def test_wrap_env_records_atari_games_at_their_screen_size(tmp_path: Path, env_id: str) -> None:
    query_environment(env_id)  # registers the Atari ids and quiets ALE, as in the chapter
    env = wrap_env(gym.make(env_id, render_mode="rgb_array"), tmp_path)
    agent = Agent(env, seed=0)
    state, _ = env.reset(seed=0)
    for _ in range(40):
        state, *_ = env.step(agent.get_action(state))
    env.close()  # ends the recording mid-episode

    [path] = tmp_path.glob("*.mp4")
    video = decode_video(path.read_bytes())
    assert abs(video.frames - 41) <= 1 and "160x210" in video.stream and "h264" in video.stream


@pytest.mark.parametrize("height, width", [(210, 160), (5, 7)])
def test_write_video_writes_one_h264_frame_per_image_at_even_size(tmp_path: Path, height: int, width: int) -> None:
    import numpy as np

    frames = (np.full((height, width, 3), shade, dtype=np.uint8) for shade in range(0, 240, 8))

    path = render.write_video(frames, tmp_path / "sub" / "clip.mp4", fps=30)

    video = decode_video(path.read_bytes())
    assert video.frames == 30 and abs(video.seconds - 1.0) < 0.05
    assert "h264" in video.stream and "yuv420p" in video.stream
    assert f"{width + width % 2}x{height + height % 2}" in video.stream
    assert "<video" in str(show_video(path).data)


@pytest.mark.parametrize("frames, message", [([], "got no frames"), ([[[1, 2, 3]]], "shape (height, width, 3)")])
def test_write_video_says_what_is_wrong_with_its_frames(tmp_path: Path, frames: list, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        render.write_video(frames, tmp_path / "clip.mp4")
# --- issue 6: query_environment against legacy gym ----------------------------------------


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
    assert render._declared_reward_range(DeclaresTheDefaultRange(), legacy_gym) == (-float("inf"), float("inf"))


def test_query_environment_names_legacy_gym_when_it_lacks_an_id(legacy_gym) -> None:
    with pytest.raises(EnvironmentNotFound, match=r"registered with gym 0\.26\.2: .*Did you mean: `CartPole`"):
        query_environment("CartPol-v1", gym_module=legacy_gym)
# --- issue 8: try_mujoco_backend -------------------------------------------------------------


def test_try_mujoco_backend_renders_with_egl_and_reports_time_and_renderer() -> None:
    trial = try_mujoco_backend("egl", frames=3)

    assert trial.ok and trial.error == "" and trial.renderer, trial
    assert trial.ms_per_frame is not None and trial.ms_per_frame > 0
    assert str(trial).startswith("MUJOCO_GL=egl: works, ") and trial.renderer in str(trial)


def test_try_mujoco_backend_reports_glfws_and_mujocos_errors_without_a_display() -> None:
    trial = try_mujoco_backend("glfw", frames=3, environment={"DISPLAY": None})

    assert not trial.ok and trial.ms_per_frame is None
    lines = trial.error.splitlines()
    assert lines[0] == "GLFWError: (65550) b'X11: The DISPLAY environment variable is missing'"
    assert len(lines) == len(set(lines)), "GLFW's repeated errors are listed once"
    assert lines[-1].startswith("mujoco.FatalError: ")
    assert str(trial).splitlines()[0] == "MUJOCO_GL=glfw: fails"


def test_try_mujoco_backend_starts_from_a_clean_slate_not_this_processs_choice(monkeypatch) -> None:
    monkeypatch.setenv("MUJOCO_GL", "egl")
    monkeypatch.setenv("PYOPENGL_PLATFORM", "egl")  # what importing MuJoCo with egl leaves behind

    assert try_mujoco_backend("osmesa", frames=1).ok


def test_try_mujoco_backend_reports_an_invalid_backend_with_mujocos_message() -> None:
    trial = try_mujoco_backend("vulkan", frames=1)

    assert not trial.ok
    assert trial.error == "RuntimeError: invalid value for environment variable MUJOCO_GL: vulkan"


def test_try_mujoco_backend_reports_an_interpreter_that_dies_or_hangs() -> None:
    died = try_mujoco_backend("egl", environment={"PYTHONHOME": "/nonexistent"})
    hung = try_mujoco_backend("egl", timeout=0.01)

    assert not died.ok and died.error.startswith("Python exited with status 1: Fatal Python error: ")
    assert (hung.ok, hung.error) == (False, "timed out after 0.01 s")
# --- issue 9: play_episode, evaluate and show_videos ---------------------------------------


class AlwaysLeft:
    """A deterministic agent: push left whatever the state."""

    def get_action(self, state: object) -> int:
        return 0


def test_play_episode_sums_the_rewards_and_counts_the_steps_of_a_recorded_episode(tmp_path: Path) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path)
    episode = render.play_episode(env, AlwaysLeft(), seed=3)
    env.close()

    assert isinstance(episode, render.Episode) and 0 < episode.steps < 500
    assert episode.total_reward == episode.steps  # CartPole pays 1 a step
    [path] = tmp_path.glob("*.mp4")
    assert abs(decode_video(path.read_bytes()).frames - episode.steps) <= 1


def test_evaluate_plays_one_seeded_episode_per_seed_and_repeats_exactly() -> None:
    returns = render.evaluate("CartPole-v1", AlwaysLeft(), episodes=5, seed=10)

    env = gym.make("CartPole-v1")
    assert returns == [render.play_episode(env, AlwaysLeft(), seed).total_reward for seed in range(10, 15)]
    assert len(set(returns)) > 1  # different seeds, different starts
    random_a = render.evaluate("CartPole-v1", Agent(gym.make("CartPole-v1"), seed=1), episodes=5)
    random_b = render.evaluate("CartPole-v1", Agent(gym.make("CartPole-v1"), seed=1), episodes=5)
    assert random_a == random_b


def test_evaluate_needs_at_least_one_episode() -> None:
    with pytest.raises(ValueError, match="at least one episode"):
        render.evaluate("CartPole-v1", AlwaysLeft(), episodes=0)


def test_show_videos_embeds_each_video_in_order_under_its_escaped_caption(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.mp4").write_bytes(b"video a")
    (tmp_path / "b.mp4").write_bytes(b"video b")

    html = render.show_videos([tmp_path / "a", tmp_path / "b.mp4", tmp_path / "missing"], ["a <1>", "b", "c"]).data

    assert [base64.b64decode(data) for data in re.findall(r"base64,([^\"]+)", html)] == [b"video a", b"video b"]
    assert re.findall(r"<figcaption>(.*?)</figcaption>", html) == ["a &lt;1&gt;", "b", "c"]
    assert html.count("<figure") == 3 and "No mp4 video" in html


def test_show_videos_wants_one_caption_a_video(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 videos but 1 captions"):
        render.show_videos([tmp_path, tmp_path], ["only one"])
