"""Execute one chapter notebook as Colab would, in the Python that runs this script (.venv-colab).

    python tests/colab_execute.py book/video.ipynb WORKDIR            # as on Colab
    python tests/colab_execute.py book/video.ipynb WORKDIR binder     # as on another host

On Colab, a first cell makes ``google.colab`` importable, as it is in every Colab kernel, so the
setup cell takes its Colab branch. The kernel starts in WORKDIR (Colab's /content) with this process's
environment. The executed notebook is saved as WORKDIR/executed.ipynb. Prints one JSON line: the
cells run, the seconds taken and any stderr outputs; exits 1 with the failing cell on an error.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

FAKE_COLAB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")  # as in Colab'


def main(notebook_path: str, workdir: str, host: str = "colab") -> int:
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(FAKE_COLAB if host == "colab" else "# not on Colab"))
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": workdir}})
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as error:
        print(str(error)[-4000:])
        return 1
    finally:
        nbformat.write(notebook, Path(workdir) / "executed.ipynb")
    stderr = [
        output["text"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr"
    ]
    print(json.dumps({"cells": len(notebook.cells) - 1, "seconds": time.monotonic() - start, "stderr": stderr}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
