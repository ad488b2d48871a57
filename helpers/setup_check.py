"""Checking a machine: what it has for rendering environments, and how to mend what is missing."""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import io
import os
import platform
import shutil
import sys
import warnings
from dataclasses import dataclass

from .display import XVFB_INSTALL, display_is_live
from .notebook_output import html_table

__all__ = ["Check", "SetupReport", "check_setup"]

# The troubleshooting section (page, heading) that explains each problem a check can find: the
# heading is the message a reader meets, so the fix line names what to search the book for.
TROUBLESHOOTING = {
    "X display": ("book/troubleshooting-display", "FileNotFoundError: [Errno 2] No such file or directory: 'Xvfb'"),
    "pyvirtualdisplay": ("book/troubleshooting-display", "ModuleNotFoundError: No module named 'pyvirtualdisplay'"),
    "pygame": (
        "book/troubleshooting-install",
        "gymnasium.error.DependencyNotInstalled: pygame is not installed, "
        'run `pip install "gymnasium[classic-control]"`',
    ),
    "moviepy": (
        "book/troubleshooting-video",
        'gymnasium.error.DependencyNotInstalled: moviepy is not installed, run `pip install "gymnasium[other]"`',
    ),
    "ale-py": (
        "book/troubleshooting-api",
        "gymnasium.error.NamespaceNotFound: Namespace ALE not found. Have you installed the proper package for ALE?",
    ),
    "Atari ROMs": (
        "book/troubleshooting-install",
        'Error: We\'re Unable to find the game "Assault". Note: Gymnasium no longer distributes ROMs. If you own a '
        "license to use the necessary ROMs for research purposes you can download them via `pip install "
        'gymnasium[accept-rom-license]`. Otherwise, you should try importing "Assault" via the command '
        '`ale-import-roms`. If you believe this is a mistake perhaps your copy of "Assault" is unsupported. To '
        "check if this is the case try providing the environment variable "
        "`PYTHONWARNINGS=default::ImportWarning:ale_py.roms`",
    ),
}


@dataclass(frozen=True)
class Check:
    """One line of a setup report."""

    name: str
    ok: bool
    found: str
    fix: str = ""


@dataclass(frozen=True)
class SetupReport:
    """What this machine has for rendering environments, and how to mend what is missing."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(check.ok for check in self.checks)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Each check as (piece, status, what was found, the fix if it failed, naming its troubleshooting section)."""
        return [(c.name, "ok" if c.ok else "missing", c.found, "" if c.ok else _with_section(c)) for c in self.checks]

    def __str__(self) -> str:
        width = max(len(c.name) for c in self.checks)
        return "\n".join(
            f"{name:<{width}}  {status:<7}  {found}" + (f"  -> {fix}" if fix else "")
            for name, status, found, fix in self.rows()
        )

    def _repr_html_(self) -> str:
        """The report as a table, with a Fix column only when something is missing."""
        header = ("Piece", "Status", "Found", "Fix")
        columns = len(header) if not self.ok else len(header) - 1
        return html_table("Setup check", [row[:columns] for row in self.rows()], header[:columns])


def _with_section(check: Check) -> str:
    """The check's fix, followed by the troubleshooting section that explains the problem, if there is one."""
    if check.name not in TROUBLESHOOTING:
        return check.fix
    page, heading = TROUBLESHOOTING[check.name]
    return f"{check.fix} (troubleshooting, {page}: {heading})"


SETUP_PACKAGES = {  # distribution name: what to install when it is missing
    "gymnasium": 'pip install "gymnasium[classic-control,other]"',
    "numpy": "pip install numpy",
    "pygame": 'pip install "gymnasium[classic-control]"',
    "moviepy": 'pip install "gymnasium[other]"',
    "ale-py": "pip install ale-py",
    "pyvirtualdisplay": "pip install pyvirtualdisplay",
}


def _package_check(name: str, fix: str) -> Check:
    """Whether a distribution is installed; pygame-ce counts as pygame."""
    for distribution in (name, f"{name}-ce"):
        try:
            return Check(name, True, f"{distribution} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return Check(name, False, "not installed", fix)


def _display_check() -> Check:
    display = os.environ.get("DISPLAY", "")
    if display_is_live(display):
        return Check("X display", True, f"DISPLAY={display}")
    if shutil.which("Xvfb"):
        return Check("X display", True, "none yet; Xvfb is installed, start_virtual_display() starts one")
    return Check("X display", False, "no DISPLAY and no Xvfb", XVFB_INSTALL)


def _ffmpeg_check() -> Check:
    try:
        import imageio_ffmpeg

        return Check("ffmpeg", True, imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        system_ffmpeg = shutil.which("ffmpeg")
        if system_ffmpeg:
            return Check("ffmpeg", True, system_ffmpeg)
        return Check("ffmpeg", False, "not found", "pip install imageio-ffmpeg")


def _atari_roms_check() -> Check:
    """How many of ale-py's games have a ROM file that ale-py opens: in ``ALE_ROMS_DIR`` if set, else its own."""
    try:
        roms = importlib.import_module("ale_py.roms")
    except ImportError:
        return Check("Atari ROMs", False, "ale-py not installed", "pip install ale-py")
    custom = os.environ.get("ALE_ROMS_DIR")
    where = f"ALE_ROMS_DIR={custom}" if custom else "bundled with ale-py"
    if custom:
        fix = "put the games' .bin files (as ale-py ships them) in that folder, or unset ALE_ROMS_DIR"
    else:
        fix = "pip install --force-reinstall ale-py (ale-py 0.9 and later ship the ROMs)"
    ids = roms.get_all_rom_ids()
    opened = 0
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():  # get_rom_path prints its folder
        warnings.simplefilter("ignore")
        for rom_id in ids:
            try:
                opened += roms.get_rom_path(rom_id) is not None
            except NotADirectoryError:
                return Check("Atari ROMs", False, f"{where}, which is not a folder", fix)
            except OSError:  # missing, unreadable, or not the dump whose checksum ale-py expects
                continue
    found = f"{opened} of {len(ids)} games' ROMs open, {where}"
    return Check("Atari ROMs", opened > 0, found, fix)


def check_setup() -> SetupReport:
    """Report Python and package versions, the X display, ffmpeg and Atari ROMs.

    Each missing piece comes with the command that installs it; ``ok`` says
    whether everything is there. pyvirtualdisplay counts as there when Xvfb
    is installed, since :func:`start_virtual_display` can start Xvfb without it.

    Example:
        >>> report = check_setup()
        >>> [check.name for check in report.checks]  # doctest: +NORMALIZE_WHITESPACE
        ['Python', 'gymnasium', 'numpy', 'pygame', 'moviepy', 'ale-py', 'pyvirtualdisplay',
         'X display', 'ffmpeg', 'Atari ROMs']
        >>> report.ok
        True
    """
    python = Check(
        "Python",
        sys.version_info >= (3, 10),
        f"{platform.python_version()} ({platform.python_implementation()})",
        "Gymnasium 1.x needs Python 3.10 or newer",
    )
    packages = [_optional_when_xvfb(_package_check(name, fix)) for name, fix in SETUP_PACKAGES.items()]
    return SetupReport((python, *packages, _display_check(), _ffmpeg_check(), _atari_roms_check()))


def _optional_when_xvfb(check: Check) -> Check:
    """A missing pyvirtualdisplay passes where Xvfb is installed: start_virtual_display() then starts Xvfb itself."""
    if check.name != "pyvirtualdisplay" or check.ok or shutil.which("Xvfb") is None:
        return check
    return Check(check.name, True, "not installed (optional here: start_virtual_display() starts Xvfb itself)")
