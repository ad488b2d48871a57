"""Keep native libraries from writing noise into notebooks.

pygame prints a greeting, SDL complains about ``XDG_RUNTIME_DIR`` and ALSA about
missing sound cards, all on stderr, which a built page would show. The settings
must be in place before pygame is first imported, which is why
``helpers/render.py`` applies them as its first act.
"""

from __future__ import annotations

import os
import tempfile


def quiet_native_libraries() -> None:
    """Set the environment variables that keep pygame, SDL and ALSA quiet, unless already set.

    A missing or unwritable ``XDG_RUNTIME_DIR`` is replaced by a private
    temporary folder.

    Example:
        >>> quiet_native_libraries()
        >>> "SDL_AUDIODRIVER" in os.environ, os.access(os.environ["XDG_RUNTIME_DIR"], os.W_OK)
        (True, True)
    """
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR", "")
    if not (os.path.isdir(runtime_dir) and os.access(runtime_dir, os.W_OK)):
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-runtime-")
