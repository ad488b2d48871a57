"""The gallery page: one row per registered environment, each with a thumbnail or its error, on a light page."""

from __future__ import annotations

import base64
from pathlib import Path

import gymnasium as gym
import pytest
from bs4 import BeautifulSoup

from conftest import page
from helpers.gallery import HEADER, gallery_ids

CHAPTER = "book/gallery"
PAGE_LIMIT = 3_000_000  # bytes of HTML, thumbnails included
THUMBNAIL_LIMIT = 20_000  # bytes of PNG


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return page(built_book, CHAPTER)


@pytest.fixture(scope="module")
def rows(soup: BeautifulSoup) -> dict[str, dict[str, object]]:
    """Each row of the gallery by id: its cells' text by column, and its thumbnail's PNG bytes."""
    [table] = soup.select("table.gallery")
    assert [th.get_text() for th in table.select("thead th")] == list(HEADER)
    found = {}
    for tr in table.select("tbody tr"):
        cells = dict(zip(HEADER, (td.get_text() for td in tr.select("td"))))
        image = tr.select_one("img")
        cells["png"] = base64.b64decode(image["src"].split(",", 1)[1]) if image else b""
        found[tr["id"]] = cells
    return found


def test_the_gallery_has_one_row_for_each_registered_id(rows) -> None:
    ids = gallery_ids()

    assert list(rows) == ids
    families = {"CartPole-v1", "LunarLander-v3", "FrozenLake-v1", "HalfCheetah-v5", "ALE/Pong-v5", "highway-v0"}
    assert families <= set(rows)


def test_every_row_has_a_small_thumbnail_or_its_error(rows) -> None:
    for env_id, cells in rows.items():
        assert bool(cells["png"]) != bool(cells["Error"]) or cells["Error"].startswith("(warning)"), env_id
        assert len(cells["png"]) < THUMBNAIL_LIMIT, env_id
        if cells["png"]:
            assert cells["png"].startswith(b"\x89PNG") and " x " in cells["Frame (w x h)"], env_id


def test_rendered_rows_show_the_registrations_threshold_and_limit(rows) -> None:
    rendered = [env_id for env_id, cells in rows.items() if cells["png"]]

    assert len(rendered) > 0.8 * len(rows)
    for env_id in rendered:
        spec = gym.spec(env_id)
        assert rows[env_id]["Reward threshold"] == str(spec.reward_threshold), env_id
        assert rows[env_id]["Max episode steps"] == str(spec.max_episode_steps), env_id
        assert float(rows[env_id]["ms per rendered step"]) > 0


def test_environments_that_cannot_be_made_here_show_why(rows) -> None:
    assert "gymnasium-robotics" in rows["HalfCheetah-v2"]["Error"]
    assert not rows["HalfCheetah-v5"]["Error"] and rows["HalfCheetah-v5"]["png"]


def test_the_page_was_rendered_without_a_display_and_stays_light(built_book: Path, soup: BeautifulSoup) -> None:
    text = soup.get_text()

    assert "DISPLAY: None | MUJOCO_GL: egl" in text
    assert "Sampling rejected" not in text  # BabyAI's prints stay out of the page
    assert (built_book / f"{CHAPTER}.html").stat().st_size < PAGE_LIMIT
