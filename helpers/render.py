"""Run Gymnasium environments on a machine without a screen, and watch them.

The one module that every chapter of *Gym on a Server* imports. It keeps the
names of the 2021 recipe (``query_environment``, ``wrap_env``, ``show_video``
and a random ``Agent``) on top of today's stack: Gymnasium 1.x, ale-py,
pyvirtualdisplay and Xvfb. Each name lives in a small module of its own concern
beside this one, and is re-exported here:

- ``display``: the X display (``start_virtual_display``, ``screenshot_display``);
- ``facts``: what an environment is (``query_environment``, ``compare_environments``), and
  which package its suite needs (``SuiteNotInstalled``);
- ``video``: recording and showing episodes (``wrap_env``, ``show_video``, ``write_video``);
- ``recorder``: streaming recorders, also of vector environments and their observations (``StreamingVectorRecorder``);
- ``episodes``: agents and their returns (``Agent``, ``play_episode``, ``evaluate``);
- ``live``: an episode shown live in a notebook, then as its video (``watch_episode``);
- ``setup_check``: what this machine has (``check_setup``);
- ``mujoco_backends``: MuJoCo's OpenGL back-ends (``try_mujoco_backend``);
- ``notebook_output``: how answers look in a notebook (``glue``, a computed value for the prose);
- ``memory``: a program's peak memory with its children (``peak_memory``);
- ``reproduce``: running a program to reproduce a message (``reproduce``, ``child_environment``);
- ``gallery``: every registered environment rendered without a display (``gallery``, ``gallery_ids``);
- ``vnc``: a display watched from a browser (``start_vnc_view``, ``screenshot_page``, ``free_port``).

Importing it first quiets the native libraries that otherwise write noise into
notebooks (pygame's greeting, SDL's ``XDG_RUNTIME_DIR`` complaint, ALSA's audio
errors), so import it before anything imports pygame.

Example:
    >>> from helpers.render import query_environment
    >>> query_environment("CartPole-v1").max_episode_steps
    500
"""

from __future__ import annotations

from .quiet import quiet_native_libraries

quiet_native_libraries()  # before anything below can bring in pygame

from .display import XvfbNotFound, screenshot_display, start_virtual_display, stop_virtual_display  # noqa: E402
from .episodes import Agent, AgentLike, Episode, evaluate, play_episode  # noqa: E402
from .facts import (  # noqa: E402
    EnvironmentFacts,
    EnvironmentNotFound,
    EnvironmentTable,
    SuiteNotInstalled,
    compare_environments,
    query_environment,
)
from .gallery import Gallery, GalleryRow, gallery, gallery_ids  # noqa: E402
from .live import watch_episode  # noqa: E402
from .memory import MemoryPeak, peak_memory  # noqa: E402
from .mujoco_backends import BackendTrial, try_mujoco_backend  # noqa: E402
from .notebook_output import glue  # noqa: E402
from .recorder import StreamingVectorRecorder, observation_frames, tile_frames  # noqa: E402
from .reproduce import Reproduction, child_environment, reproduce  # noqa: E402
from .setup_check import SetupReport, check_setup  # noqa: E402
from .video import show_video, show_videos, wrap_env, write_video  # noqa: E402
from .vnc import PortInUse, VncNotInstalled, VncView, free_port, screenshot_page, start_vnc_view  # noqa: E402

__all__ = [
    "Agent",
    "AgentLike",
    "BackendTrial",
    "EnvironmentFacts",
    "EnvironmentNotFound",
    "EnvironmentTable",
    "Episode",
    "Gallery",
    "GalleryRow",
    "MemoryPeak",
    "PortInUse",
    "Reproduction",
    "SetupReport",
    "StreamingVectorRecorder",
    "SuiteNotInstalled",
    "VncNotInstalled",
    "VncView",
    "XvfbNotFound",
    "check_setup",
    "child_environment",
    "compare_environments",
    "evaluate",
    "free_port",
    "gallery",
    "gallery_ids",
    "glue",
    "observation_frames",
    "peak_memory",
    "play_episode",
    "query_environment",
    "reproduce",
    "screenshot_display",
    "screenshot_page",
    "show_video",
    "show_videos",
    "start_virtual_display",
    "start_vnc_view",
    "stop_virtual_display",
    "tile_frames",
    "try_mujoco_backend",
    "watch_episode",
    "wrap_env",
    "write_video",
]
