"""Measure the book's build and its videos on this machine, and print a Markdown report.

    make bench        # runs this script and writes its report to bench/README.md

Figures, not assertions: they vary with the machine and its load.
  - a cold build (an empty execution cache) and a rebuild with no change, in a copy of the repository;
  - how long each chapter took to execute, from the execution cache;
  - each page's size, and each embedded video's size and seconds of footage;
  - recording and encoding one 200-step MountainCar episode through wrap_env and through
    Gymnasium's plain RecordVideo.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import gymnasium as gym  # noqa: E402
from gymnasium.wrappers import RecordVideo  # noqa: E402
from jupyter_cache import get_cache  # noqa: E402

from conftest import chapters, copy_repository, embedded_videos, page  # noqa: E402
from helpers.render import Agent, play_episode, wrap_env  # noqa: E402


def timed_make_book(repo: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["make", "--no-print-directory", "book"], cwd=repo, check=True, capture_output=True)
    return time.perf_counter() - start


def build_figures() -> tuple[float, float, dict[str, float], Path]:
    """Cold build and no-change rebuild of a copy of the repository (sharing .venv)."""
    copy = copy_repository(Path(tempfile.mkdtemp(prefix="bench-book-")) / "repo", with_build=False)
    cold, rebuild = timed_make_book(copy), timed_make_book(copy)
    cache = get_cache(copy / "_build" / ".jupyter_cache")
    executed = {Path(record.uri).stem: record.data["execution_seconds"] for record in cache.list_cache_records()}
    return cold, rebuild, executed, copy


def record_seconds(wrapper: str, repeats: int = 3) -> float:
    """Median seconds to play, record and encode one 200-step random MountainCar episode."""
    times = []
    for _ in range(repeats):
        scratch = tempfile.mkdtemp(prefix="bench-video-")
        folder = Path(scratch) / "video"  # a new folder, or RecordVideo warns that it overwrites
        start = time.perf_counter()
        env = gym.make("MountainCar-v0", render_mode="rgb_array")
        env = (
            wrap_env(env, folder) if wrapper == "wrap_env" else RecordVideo(env, folder, episode_trigger=lambda e: True)
        )
        play_episode(env, Agent(env, seed=0), seed=0)
        env.close()
        times.append(time.perf_counter() - start)
        shutil.rmtree(scratch)
    return statistics.median(times)


def main() -> None:
    cold, rebuild, executed, copy = build_figures()
    html = copy / "_build" / "html"
    lines = [
        "# Benchmark",
        "",
        "Written by `make bench` (`bench/run.py`); figures from one run, not assertions.",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}.",
        "",
        "## Builds",
        "",
        "| Build | Seconds |",
        "| --- | ---: |",
        f"| cold (empty execution cache) | {cold:.1f} |",
        f"| rebuild, nothing changed | {rebuild:.1f} |",
        f"| ratio cold / no-change | {cold / rebuild:.1f} |",
        "",
        "## Chapters",
        "",
        "| Chapter | Executed in (s) | Page (KB) | Videos: KB and seconds of footage |",
        "| --- | ---: | ---: | --- |",
    ]
    for chapter in chapters():
        name = chapter.split("/")[-1]
        soup = page(html, chapter)
        videos = ", ".join(f"{v.size / 1e3:.0f} KB / {v.seconds:.1f} s" for v in embedded_videos(soup)) or "none"
        size = (html / f"{chapter}.html").stat().st_size / 1e3
        lines.append(f"| {name} | {executed.get(name, float('nan')):.1f} | {size:.0f} | {videos} |")
    wrap, plain = record_seconds("wrap_env"), record_seconds("RecordVideo")
    lines += [
        "",
        "## Recording one 200-step MountainCar episode (median of 3)",
        "",
        "| Recorder | Seconds |",
        "| --- | ---: |",
        f"| `wrap_env` (helpers/render.py) | {wrap:.2f} |",
        f"| Gymnasium's `RecordVideo` | {plain:.2f} |",
    ]
    shutil.rmtree(copy.parent)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
