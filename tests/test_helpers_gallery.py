"""helpers/gallery.py: which ids the gallery shows, and what one row holds, rendered or failed."""

from __future__ import annotations

import base64
import io
import re

import gymnasium as gym
import pytest
from PIL import Image

from helpers import gallery as gallery_module
from helpers.render import gallery


def test_the_gallery_shows_every_registered_id_but_atari_once_per_game() -> None:
    ids = gallery_module.gallery_ids()

    atari = {env_id for env_id, spec in gym.registry.items() if str(spec.entry_point).startswith("ale_py")}
    games = {env_id for env_id in atari if re.fullmatch(r"ALE/\w+-v5", env_id)}
    assert set(ids) == (set(gym.registry) - atari) | games
    assert len(ids) == len(set(ids))
    assert {"CartPole-v1", "LunarLander-v3", "Taxi-v4", "HalfCheetah-v5", "ALE/Pong-v5"} <= set(ids)
    assert any(env_id.startswith("MiniGrid-") for env_id in ids) and "highway-v0" in ids


@pytest.mark.parametrize(
    ("env_id", "family"),
    [
        ("CartPole-v1", "Classic control"),
        ("LunarLander-v3", "Box2D"),
        ("FrozenLake-v1", "Toy Text"),
        ("Hopper-v5", "MuJoCo"),
        ("Hopper-v3", "MuJoCo"),
        ("ALE/Pong-v5", "Atari (ale-py)"),
        ("MiniGrid-Empty-5x5-v0", "Minigrid"),
        ("highway-v0", "highway-env"),
    ],
)
def test_each_id_is_put_in_its_family(env_id: str, family: str) -> None:
    gallery_module.gallery_ids()  # registers the third-party suites

    assert gallery_module.family_of(gym.spec(env_id).entry_point) == family


def test_a_rendered_row_has_a_small_thumbnail_and_the_registrations_facts() -> None:
    row = gallery_module.render_row("MountainCar-v0")

    png = base64.b64decode(row.thumbnail.removeprefix("data:image/png;base64,"))
    assert Image.open(io.BytesIO(png)).size == (96, 64) and len(png) < 20_000
    spec = gym.spec("MountainCar-v0")
    assert (row.max_episode_steps, row.reward_threshold) == (spec.max_episode_steps, spec.reward_threshold)
    assert row.frame_size == "600 x 400" and row.render_modes == ("human", "rgb_array") and row.ms_per_step > 0
    assert not row.error


def test_an_environment_that_fails_gets_a_row_with_its_error_not_a_crash() -> None:
    def broken(**kwargs):
        raise RuntimeError("no frames today")

    gym.register("BrokenForTheGallery-v0", entry_point=broken)
    try:
        shown = gallery(["BrokenForTheGallery-v0", "Blackjack-v1"])
    finally:
        del gym.registry["BrokenForTheGallery-v0"]

    broken_row, blackjack = shown.rows
    assert broken_row.error == "RuntimeError: no frames today" and not broken_row.thumbnail
    assert blackjack.thumbnail and not blackjack.error
    html = shown._repr_html_()
    assert html.count("<tr id=") == 2 and "RuntimeError: no frames today" in html


def test_human_mode_is_tried_once_per_family_in_a_process_without_a_display() -> None:
    shown = gallery(["CartPole-v1", "Acrobot-v1", "Hopper-v5"])

    assert set(shown.human) == {"Classic control", "MuJoCo"}
    assert shown.human["MuJoCo"].startswith("fails (needs Xvfb): ")
