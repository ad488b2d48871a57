"""Measure the book's build and its videos on this machine, and print a Markdown report.

    make bench                                 # runs this script and writes its report to bench/README.md
    python bench/run.py --recording-only       # only the recording section (about 10 minutes on 2 cores)
    python bench/run.py --phases-only          # only `make test`'s table of phases (the whole suite)

Figures, not assertions: they vary with the machine and its load.
  - a cold build (an empty execution cache) and a rebuild with no change, in a fresh clone of the
    repository's last commit (sharing .venv);
  - then `make test` in that clone (its host environments' virtualenvs from this machine's cache,
    made there where missing: see the Makefile's VENV_CACHE): the table of
    phases that it prints (tests/phases.py);
  - how long each chapter took to execute, from the execution cache;
  - each page's size, and each embedded video's size and seconds of footage;
  - recording long episodes (a 600- and a 1000-step HalfCheetah-v5, a long Atari game) with no
    recorder, Gymnasium's RecordVideo and wrap_env: peak memory of the process and its children
    (ffmpeg), sampled by helpers/memory.py's peak_memory, one process per case; wall time; video size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from host_runs import workers  # noqa: E402
from jupyter_cache import get_cache  # noqa: E402
from phases import table  # noqa: E402

from conftest import embedded_videos, page  # noqa: E402
from helpers.render import peak_memory  # noqa: E402
from tools.colab_notebooks import chapters  # noqa: E402

# (environment id, steps): a MuJoCo episode of 480x480 frames, cut by a TimeLimit, and a long
# Atari game (frame by frame, 210x160) that ends when the game does or at its step limit.
RECORDING_CASES = [("HalfCheetah-v5", 600), ("HalfCheetah-v5", 1000), ("PongNoFrameskip-v4", 10_000)]
RECORDERS = ["none", "RecordVideo", "wrap_env"]


def timed_make_book(repo: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["make", "--no-print-directory", "book"], cwd=repo, check=True, capture_output=True)
    return time.perf_counter() - start


def fresh_clone(prefix: str) -> Path:
    """A clone of the repository's last commit in a new temporary folder, sharing .venv."""
    clone = Path(tempfile.mkdtemp(prefix=prefix)) / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    return clone


def build_figures() -> tuple[float, float, dict[str, float], Path]:
    """Cold build and no-change rebuild of a fresh clone (sharing .venv)."""
    copy = fresh_clone("bench-book-")
    cold, rebuild = timed_make_book(copy), timed_make_book(copy)
    cache = get_cache(copy / "_build" / ".jupyter_cache")
    executed = {Path(record.uri).stem: record.data["execution_seconds"] for record in cache.list_cache_records()}
    return cold, rebuild, executed, copy


def phase_lines(copy: Path) -> list[str]:
    """`make test` in a fresh clone, and the table of its phases (its log's end on stderr, if it failed)."""
    rows_file = copy / "_build" / "phases.json"
    start = time.perf_counter()
    test = subprocess.run(
        ["make", "--no-print-directory", "test"],
        cwd=copy,
        env={**os.environ, "GYM_ON_A_SERVER_PHASES": str(rows_file)},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if test.returncode:
        print(test.stdout[-20_000:], test.stderr[-5_000:], sep="\n", file=sys.stderr)
    summary = test.stdout.strip().splitlines()[-1]  # pytest's last line: how many passed, failed, skipped
    return [
        "## The test suite",
        "",
        f"`make test` in the clone, after its builds: {seconds:.0f} s, exit status {test.returncode},",
        f"{summary.strip('= ')}.",
        f"Host environments side by side: {workers()} at a time. Its phases (tests/phases.py):",
        "",
        *table([tuple(row) for row in json.loads(rows_file.read_text())]),
        "",
        "Its slowest tests (pytest's --durations; a host environment's test waits for its notebook run,",
        "and a test's setup may include the build):",
        "",
        *slowest_tests(test.stdout),
    ]


def slowest_tests(log: str) -> list[str]:
    r"""The --durations lines of pytest's log, as a Markdown table.

    Example:
        >>> slowest_tests("== slowest 20 durations ==\n12.30s call     tests/test_a.py::test_b\n\n== 1 passed ==")
        ['| Seconds | Part | Test |', '| ---: | --- | --- |', '| 12.3 | call | `tests/test_a.py::test_b` |']
    """
    rows = re.findall(r"^([\d.]+)s (setup|call|teardown) +(\S+)$", log.partition("slowest")[2], re.M)
    return [
        "| Seconds | Part | Test |",
        "| ---: | --- | --- |",
        *(f"| {float(seconds):.1f} | {part} | `{test}` |" for seconds, part, test in rows),
    ]


def render_and_keep(env: object, observation: object) -> object:
    env.render()
    return observation


def record_case(env_id: str, steps: int, recorder: str) -> dict[str, float]:
    """In this process: play one seeded random episode of at most `steps` steps, rendering every frame."""
    import gymnasium as gym
    from gymnasium.wrappers import RecordVideo

    from helpers.render import Agent, play_episode, query_environment, wrap_env

    query_environment(env_id)  # registers the Atari ids
    folder = Path(tempfile.mkdtemp(prefix="bench-video-")) / "video"
    start = time.perf_counter()
    env = gym.make(env_id, render_mode="rgb_array", max_episode_steps=steps)
    if recorder == "RecordVideo":
        env = RecordVideo(env, str(folder), episode_trigger=lambda episode: True)
    elif recorder == "wrap_env":
        env = wrap_env(env, folder)
    else:  # render each frame and drop it, as a recorder renders it
        env = gym.wrappers.TransformObservation(env, lambda observation: render_and_keep(env, observation), None)
    episode = play_episode(env, Agent(env, seed=0), seed=0)
    env.close()
    seconds = time.perf_counter() - start
    video_bytes = sum(path.stat().st_size for path in folder.glob("*.mp4")) if folder.exists() else 0
    shutil.rmtree(folder.parent)
    return {"seconds": seconds, "steps": episode.steps, "video_bytes": video_bytes}


def measured_case(env_id: str, steps: int, recorder: str) -> dict[str, float]:
    """Run record_case in a new process (in a scratch folder: MuJoCo writes a log file), sampling its memory."""
    scratch = tempfile.mkdtemp(prefix="bench-case-")
    peak = peak_memory(
        [sys.executable, str(Path(__file__).resolve()), "--case", env_id, str(steps), recorder],
        env={**os.environ, "MUJOCO_GL": "egl", "SDL_AUDIODRIVER": "dummy"},
        cwd=scratch,
    )
    shutil.rmtree(scratch)
    return {**json.loads(peak.stdout.splitlines()[-1]), "peak_mb": peak.megabytes}


def recording_lines() -> list[str]:
    results = {
        (env_id, steps, rec): measured_case(env_id, steps, rec)
        for env_id, steps in RECORDING_CASES
        for rec in RECORDERS
    }
    lines = [
        "## Recording long episodes",
        "",
        "A seeded random episode, every frame rendered (`MUJOCO_GL=egl`, Mesa on the CPU), one process per",
        "case. Peak memory: the largest sum of PSS over the process and its children (ffmpeg, for",
        "`wrap_env`), sampled every 20 ms. Time: making the environment, playing, encoding and closing.",
        "",
        "| Environment | Steps | Recorder | Peak MB | MB above none | Seconds | Time / none | Video KB |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (env_id, steps, recorder), result in results.items():
        base = results[(env_id, steps, "none")]
        lines.append(
            f"| {env_id} | {result['steps']} | {recorder} | {result['peak_mb']:.0f} | "
            f"{result['peak_mb'] - base['peak_mb']:+.0f} | {result['seconds']:.1f} | "
            f"{result['seconds'] / base['seconds']:.2f} | {result['video_bytes'] / 1e3:.0f} |"
        )
    cheetah = {
        (steps, recorder): results[("HalfCheetah-v5", steps, recorder)]
        for steps in (600, 1000)
        for recorder in RECORDERS
    }
    wrap, plain, none = cheetah[(1000, "wrap_env")], cheetah[(1000, "RecordVideo")], cheetah[(1000, "none")]
    lines += [
        "",
        "Goals set for `wrap_env` on HalfCheetah-v5, against the figures above:",
        "",
        "| Goal | Measured |",
        "| --- | --- |",
        f"| the same peak memory for 600 and 1000 steps | {cheetah[(600, 'wrap_env')]['peak_mb']:.0f} MB and "
        f"{wrap['peak_mb']:.0f} MB (`RecordVideo`: {cheetah[(600, 'RecordVideo')]['peak_mb']:.0f} and "
        f"{plain['peak_mb']:.0f}) |",
        f"| at most 100 MB above no recording | {wrap['peak_mb'] - none['peak_mb']:+.0f} MB |",
        f"| wall time at most 1.1 times no recording | {wrap['seconds'] / none['seconds']:.2f} times |",
        f"| video at most 20 % larger than `RecordVideo`'s | {wrap['video_bytes'] / plain['video_bytes'] - 1:+.0%} |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording-only", action="store_true", help="measure only the recording cases")
    parser.add_argument("--phases-only", action="store_true", help="only make test's phases, in a fresh clone")
    parser.add_argument("--case", nargs=3, metavar=("ENV_ID", "STEPS", "RECORDER"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case:  # one measured case, in its own process
        env_id, steps, recorder = arguments.case
        print(json.dumps(record_case(env_id, int(steps), recorder)))
        return
    if arguments.recording_only:
        print("\n".join(recording_lines()))
        return
    if arguments.phases_only:
        copy = fresh_clone("bench-test-")
        print("\n".join(phase_lines(copy)))
        shutil.rmtree(copy.parent)
        return
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
    lines += ["", *phase_lines(copy), "", *recording_lines()]
    shutil.rmtree(copy.parent)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
