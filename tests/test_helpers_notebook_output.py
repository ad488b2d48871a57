"""helpers/notebook_output.py: glue, the values a chapter's prose shows, in the build and elsewhere."""

from __future__ import annotations

import importlib.util

from helpers import notebook_output
from helpers.render import glue


def test_glue_is_silent_where_myst_nb_can_take_the_value(capsys) -> None:
    assert importlib.util.find_spec("myst_nb") is not None

    glue("speed_up", 2)

    assert capsys.readouterr().out == ""


def test_glue_prints_the_name_and_value_where_myst_nb_is_missing(monkeypatch, capsys) -> None:
    monkeypatch.setattr(notebook_output.importlib.util, "find_spec", lambda name: None)

    glue("speed_up", 2)

    assert capsys.readouterr().out == "speed_up = 2\n"
