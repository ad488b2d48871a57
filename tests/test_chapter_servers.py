"""book/servers: GPU servers, no root, containers and CI, as a reader sees them, and the files they use."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, cell_output, chapter_body, embedded_videos

GPU_RECORD = json.loads((ROOT / "bench" / "gpu" / "nvidia-h200.json").read_text())
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
CI_EXAMPLE = ROOT / "examples" / "ci" / "record-agent.yml"


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, "book/servers")


def measured_error(label: str) -> str:
    return next(t for t in GPU_RECORD["trials"] if t["label"] == label)["error"].splitlines()[-1]


def test_the_page_shows_this_machines_renderer_next_to_the_gpus_from_its_record(soup: BeautifulSoup) -> None:
    here = cell_output(soup, 'here = try_mujoco_backend("egl"')
    there = cell_output(soup, "record = json.loads")

    assert re.fullmatch(r"\s*MUJOCO_GL=egl: works, [\d.]+ ms per frame, drawn by llvmpipe .*\s*", here)
    for trial in (t for t in GPU_RECORD["trials"] if t["ok"]):
        assert f"{trial['ms_per_frame']:5.1f} ms per frame, drawn by {trial['renderer']}" in there
    assert "drawn by NVIDIA H200" in there and GPU_RECORD["nvidia_smi"] in there


@pytest.mark.parametrize(
    "source, label, message",
    [
        ('"MUJOCO_EGL_DEVICE_ID": "1"', "egl device id 1 on a one-GPU machine", "must be an integer between 0 and 0"),
        ('"/nonexistent.json"},', "egl with no usable vendor file", "Cannot initialize a EGL device display"),
    ],
)
def test_each_gpu_mistake_executed_here_gives_the_message_measured_on_the_gpu(
    soup: BeautifulSoup, source: str, label: str, message: str
) -> None:
    executed_here = cell_output(soup, source).strip().splitlines()[-1].strip()

    assert message in executed_here
    assert executed_here == measured_error(label)
    assert measured_error(label) in soup.get_text()


def test_the_osmesa_message_is_quoted_from_the_gpu_record(soup: BeautifulSoup) -> None:
    assert cell_output(soup, 'measured("osmesa without libOSMesa")').strip() == measured_error(
        "osmesa without libOSMesa"
    )


def test_a_job_without_display_or_xvfb_renders_and_says_what_is_missing(soup: BeautifulSoup) -> None:
    job = cell_output(soup, "no_display_job = ")
    egl = cell_output(soup, 'environment={"DISPLAY": None, "PATH"')

    assert "CartPole frame: (400, 600, 3)" in job
    assert "start_virtual_display(): Xvfb is not installed" in job
    assert re.search(r"X display\s+missing\s+no DISPLAY and no Xvfb\s+-> sudo apt-get install -y xvfb", job)
    assert "Traceback" not in job
    assert egl.strip().startswith("MUJOCO_GL=egl: works")


def test_the_dockerfiles_packages_exist_in_debian_and_install_here(soup: BeautifulSoup) -> None:
    packages = re.search(r"apt-get install -y --no-install-recommends ([^\\\n]+)", DOCKERFILE)[1].split()
    shown = cell_output(soup, "apt_line = ")

    for package in packages:
        known = subprocess.run(["apt-cache", "show", package], capture_output=True, text=True)
        assert known.returncode == 0 and f"Package: {package}" in known.stdout, f"{package} is not in Debian's archive"
        assert f"# {package}" in DOCKERFILE or re.search(rf"#.*\b{re.escape(package)}\b.*:", DOCKERFILE), package
    assert f"{len(packages)} packages: {' '.join(packages)}" in shown
    assert "apt-get install --simulate: exit status 0" in shown


def test_the_dockerfile_pins_what_requirements_txt_pins() -> None:
    requirements = dict(
        line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line
    )
    for name, version in re.findall(r'"([\w-]+)(?:\[[\w,-]+\])?==([\w.]+)"', DOCKERFILE):
        pinned = next(v for k, v in requirements.items() if k.split("[")[0].lower() == name.lower())
        assert version == pinned, f"docker/Dockerfile pins {name}=={version}, requirements.txt {pinned}"


def test_the_ci_example_passes_actionlint_and_records_what_the_page_shows(soup: BeautifulSoup) -> None:
    actionlint = Path(sys.executable).parent / "actionlint"

    result = subprocess.run([actionlint, "-no-color", CI_EXAMPLE], cwd=ROOT, capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    printed = cell_output(soup, '"--episodes", "2"')
    returns = [float(r) for r in re.findall(r"CartPole-v1 episode \d: return ([\d.]+), video", printed)]
    assert len(returns) == 2 and "Warn" not in printed and "error" not in printed.lower()
    [video] = embedded_videos(soup)
    assert "h264" in video.stream and abs(video.frames - (returns[1] + 1)) <= 1  # reset frame, then a frame a step
