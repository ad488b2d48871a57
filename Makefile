# Gym on a Server
#   make book   set up this machine, then build the book into _build/html
#   make test   set up this machine, then lint and run the tests (they build the book too)
#   make clean  delete the build and its execution cache
#   make bench  time a cold build, a no-change rebuild, make test (its table of phases) and the
#               recordings; write bench/README.md
#   make notebooks  regenerate book/*.ipynb, the chapters as "Open in Colab" notebooks (commit them)
#   make colab-env  virtualenvs with the versions of Colab's runtimes (tools/colab/): .venv-colab and
#                   .venv-colab-2026.07, in which tests/test_colab.py runs the notebooks as Colab would
#   make kaggle-env .venv-kaggle, Kaggle's image (tools/kaggle/), where the notebooks run too
#
# Setting up means: the Debian/Ubuntu packages below (installed with apt when run as
# root, otherwise the exact apt-get line is printed), then a virtualenv in .venv with
# requirements.txt installed. Both steps are skipped when already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# xvfb, xauth:                the virtual display (xvfb-run needs xauth)
# x11-utils:                  xdpyinfo, run by book/troubleshooting-display
# cmake, g++, zlib1g-dev:     to build atari-py 0.2.9 from source
# python3-venv:               to create .venv with Debian's python3
# libegl1, libgl1, libgl1-mesa-dri, libosmesa6:
#                             OpenGL for MuJoCo's three back-ends (EGL, GLX for GLFW, OSMesa),
#                             drawn in software by Mesa on a machine without a GPU
# libx11-6:                   Xlib, which the glfw wheel's own libglfw loads for its X11 windows
# x11vnc:                     the VNC server that book/watch attaches to the virtual display
# novnc, websockify:          noVNC, the browser's VNC client, and the relay that serves it (book/watch)
# chromium:                   book/watch takes screenshots of noVNC and MuJoCo's web viewer in it,
#                             and the tests open every built page in it
# ccache:                     a compiler cache for the C++ that chapters compile (below)
APT_PACKAGES := xvfb xauth x11-utils cmake g++ zlib1g-dev python3-venv \
                libegl1 libgl1 libgl1-mesa-dri libosmesa6 libx11-6 \
                x11vnc novnc websockify chromium ccache

# book/box2d_toy_text builds box2d-py from source (a minute of g++) in the build and again in each host
# environment's run of its notebook, and installing atari-py 0.2.9 builds it the first time on each
# Python. ccache's gcc and g++ come first on the PATH, so each builds for real (pip, setup.py, swig
# and the compiler driver all run) and compiles only what this machine has not compiled before:
# the same sources, flags and compiler give back the same objects. Its cache is ~/.cache/ccache;
# pip builds in a new folder under /tmp each time, so paths there do not count.
CCACHE_BIN := /usr/lib/ccache
export CCACHE_BASEDIR := /tmp
export CCACHE_NOHASHDIR := true

# Chapters import helpers/render.py, and shell out to the virtualenv's python and pip.
export PYTHONPATH := $(CURDIR)
export PATH := $(CURDIR)/$(BIN):$(CCACHE_BIN):$(PATH)

# tools/execute_chapters.py executes the changed chapters first, several at once, each under its own
# virtual display, into the execution cache that jupyter-book build then reads. The build itself runs
# under one virtual display too (xvfb-run stops it afterwards), though it then has nothing to execute.
XVFB_RUN := xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24"

# Jupyter Book re-executes a chapter only when the chapter's own code changes. Every chapter
# also runs helpers/ and the packages of requirements.txt: when their fingerprint differs
# from the last build's, the build starts afresh, so no page shows what old code printed.
# The servers chapter also reads the container recipe, the CI example and the GPU record; every
# chapter runs under tools/execute_chapters.py.
FINGERPRINT := $(shell cat helpers/*.py requirements.txt tools/reproductions.txt tools/execute_chapters.py \
                 docker/Dockerfile examples/ci/* bench/gpu/*.json | sha256sum | cut -c1-16)

# Packages that chapters install into throwaway virtualenvs, to reproduce an old pin or a failing
# install by execution, are downloaded once here (tools/reproductions.txt: one line of `pip download`
# arguments each), so that the build itself needs no network. Chapters find them in
# $GYM_ON_A_SERVER_DOWNLOADS: pip install --no-index --find-links "$GYM_ON_A_SERVER_DOWNLOADS" ...
DOWNLOADS := $(VENV)/downloads
export GYM_ON_A_SERVER_DOWNLOADS := $(CURDIR)/$(DOWNLOADS)

# The site's own styles and scripts (_static/), its extensions (tools/build_report.py and others) and
# the notebooks its download buttons serve (book/*.ipynb, put there by tools/launch_links.py) reach
# _build/html only when Sphinx writes a page, and it writes none when no chapter changed: when they
# changed, every page is written again (nothing re-executes).
SITE_FINGERPRINT := $(shell cat _static/* _templates/*/* book/*.ipynb tools/build_report.py tools/launch_links.py tools/relative_paths.py tools/search_index_entries.py \
                      | sha256sum | cut -c1-16)

# When make started: `make test` counts the time until pytest starts as its setup (tests/phases.py).
MAKE_STARTED := $(shell date +%s.%N)

.PHONY: book test clean bench notebooks colab-env kaggle-env binder-env system-packages always

book: system-packages $(VENV)/installed $(DOWNLOADS)/done
	@if [ "$$(cat _build/fingerprint 2>/dev/null)" != "$(FINGERPRINT)" ]; then \
	  echo "helpers/ or requirements.txt changed since the last build: executing every chapter"; \
	  rm -rf _build; \
	fi
	@if [ "$$(cat _build/site-fingerprint 2>/dev/null)" != "$(SITE_FINGERPRINT)" ]; then rm -rf _build/html; fi
	python tools/execute_chapters.py
	$(XVFB_RUN) jupyter-book build --warningiserror --keep-going .
	echo $(FINGERPRINT) > _build/fingerprint
	echo $(SITE_FINGERPRINT) > _build/site-fingerprint

# The linter and formatter first (ruff.toml), then the helpers' docstring examples and the tests;
# pytest ends with the slowest tests and the table of phases (tests/phases.py).
test: system-packages $(VENV)/installed $(DOWNLOADS)/done
	ruff check .
	ruff format --check .
	GYM_ON_A_SERVER_MAKE_STARTED=$(MAKE_STARTED) pytest -p no:cacheprovider --durations=20 --doctest-modules helpers tools examples tests

clean:
	rm -rf _build

bench: system-packages $(VENV)/installed
	python bench/run.py > bench/README.md.new
	mv bench/README.md.new bench/README.md

# $(call apt_install,PACKAGES): as root, install those not installed yet; otherwise print
# the apt-get line that does it, and stop.
define apt_install
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "Missing Debian packages. Install them, then run make again:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi
endef

system-packages:
	$(call apt_install,$(APT_PACKAGES))

# pip installs uv at its pin, and uv the rest, copying files out of its cache (~/.cache/uv) rather
# than linking them: a chapter that writes into an installed package must not change the cache.
$(VENV)/installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip $$(grep '^uv==' requirements.txt)
	$(BIN)/uv pip install --quiet --link-mode copy --python $(BIN)/python -r requirements.txt
	# Build Matplotlib's font cache now: building it during a chapter can print a notice to stderr.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $@

$(DOWNLOADS)/done: tools/reproductions.txt $(VENV)/installed
	mkdir -p $(DOWNLOADS)
	grep -v -e '^#' -e '^$$' tools/reproductions.txt | while read -r arguments; do \
	  $(BIN)/pip download --quiet --no-deps --dest $(DOWNLOADS) $$arguments || exit 1; \
	done
	touch $@

# The chapters as notebooks for Colab's "Open in Colab" button: see tools/colab_notebooks.py.
notebooks: $(VENV)/installed
	$(BIN)/python tools/colab_notebooks.py

# Colab's runtimes, each a virtualenv in which tests/test_colab.py runs the notebooks: the current
# one (.venv-colab, Python 3.13) and the newest pinned past one (.venv-colab-2026.07, Python 3.12).
# Each gets the packages of tests/colab-requirements.txt at exactly the versions of the committed
# snapshot of that runtime (tools/colab/<runtime>/pip-freeze.txt). Python comes from pyenv or the
# system (Debian trixie has python3.13); set COLAB_PYTHON or COLAB_PYTHON_2026_07 to choose one.
COLAB_VENV   := .venv-colab
COLAB_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13))
COLAB_PYTHON_2026_07 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12))

colab-env: $(COLAB_VENV)/installed $(COLAB_VENV)-2026.07/installed

# The host environments' virtualenvs are made once per machine for the same inputs, and kept in
# $(VENV_CACHE), each in a folder named after a hash of this Makefile, the files it is made from
# and its Python; .venv-colab and the others are links to their folder there. So a fresh clone on a
# machine that made them before links at once, and a changed input makes a new one. The tests put a
# virtualenv back as it was made (its pristine.txt) before each use: two checkouts can share one,
# though not while both run their tests.
VENV_CACHE ?= $(HOME)/.cache/gym-on-a-server/venvs

# $(call cached_venv,NAME,FILES,PYTHON): the folder in the cache for virtualenv NAME made from FILES with PYTHON.
cached_venv = $(VENV_CACHE)/$(1)-$(shell { cat Makefile $(2)$(if $(3),; $(3) -VV; echo $(3)); } | sha256sum | cut -c1-16)

# $(call link_venv,VENV,CACHED): make VENV a link to its folder in the cache, unless it is already.
define link_venv
	@[ "$$(readlink $(1))" = "$(2)" ] || { rm -rf $(1) && ln -s $(2) $(1) && echo "$(1) -> $(2)"; }
endef

# $(call colab_venv,VENV,PYTHON,RUNTIME[,MORE]): MORE, more pip arguments. pristine.txt records the
# fresh environment, which the test puts back before each notebook.
define colab_venv
	@test -n "$(2)" || { echo "No Python $$(python3 tools/colab_snapshot.py python $(3)) found for the $(3) runtime (set COLAB_PYTHON / COLAB_PYTHON_2026_07 / KAGGLE_PYTHON)"; exit 3; }
	rm -rf $(1)
	mkdir -p $(VENV_CACHE)
	$(2) -m venv $(1)
	$(1)/bin/pip install --quiet --upgrade pip
	$(2) tools/colab_snapshot.py constraints $(3) > $(1)/constraints.txt
	$(1)/bin/pip install --quiet -r tests/colab-requirements.txt $(4) --constraint $(1)/constraints.txt
	$(1)/bin/pip freeze > $(1)/pristine.txt
	touch $(1)/installed
endef

COLAB_CACHED := $(call cached_venv,colab,tests/colab-requirements.txt tools/colab/latest/pip-freeze.txt,$(COLAB_PYTHON))
COLAB_2026_07_CACHED := $(call cached_venv,colab-2026.07,tests/colab-requirements.txt tools/colab/2026.07/pip-freeze.txt,$(COLAB_PYTHON_2026_07))

$(COLAB_VENV)/installed: $(COLAB_CACHED)/installed always
	$(call link_venv,$(COLAB_VENV),$(COLAB_CACHED))

$(COLAB_CACHED)/installed:
	$(call colab_venv,$(COLAB_CACHED),$(COLAB_PYTHON),latest)

$(COLAB_VENV)-2026.07/installed: $(COLAB_2026_07_CACHED)/installed always
	$(call link_venv,$(COLAB_VENV)-2026.07,$(COLAB_2026_07_CACHED))

$(COLAB_2026_07_CACHED)/installed:
	$(call colab_venv,$(COLAB_2026_07_CACHED),$(COLAB_PYTHON_2026_07),2026.07)

# Kaggle's image (tools/kaggle/SOURCE.md): Colab's runtime of 2026-05-14 on Python 3.12, plus what
# Kaggle adds that the notebooks may meet (tests/kaggle-requirements.txt). tests/test_colab.py runs
# every notebook in .venv-kaggle too, as a host that is not Colab.
# Its Python is 3.12.13, as on Colab's 2026.07 runtime.
KAGGLE_VENV   := .venv-kaggle
KAGGLE_PYTHON ?= $(COLAB_PYTHON_2026_07)

kaggle-env: $(KAGGLE_VENV)/installed

KAGGLE_CACHED := $(call cached_venv,kaggle,tests/colab-requirements.txt tests/kaggle-requirements.txt tools/kaggle/pip-freeze.txt,$(KAGGLE_PYTHON))

$(KAGGLE_VENV)/installed: $(KAGGLE_CACHED)/installed always
	$(call link_venv,$(KAGGLE_VENV),$(KAGGLE_CACHED))

$(KAGGLE_CACHED)/installed:
	$(call colab_venv,$(KAGGLE_CACHED),$(KAGGLE_PYTHON),kaggle,-r tests/kaggle-requirements.txt)

# Binder's environment (binder/: what mybinder.org builds for the Binder launch button): a
# virtualenv of runtime.txt's Python with binder/requirements.txt, plus the kernel and the client
# that run the notebooks (repo2docker brings its own Jupyter). tests/test_colab.py runs every
# notebook in it too, as a host that is not Colab.
BINDER_VENV   := .venv-binder
BINDER_PYTHON_VERSION := $(patsubst python-%,%,$(shell cat binder/runtime.txt))
BINDER_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(BINDER_PYTHON_VERSION)*/bin/python$(BINDER_PYTHON_VERSION) /usr/local/bin/python$(BINDER_PYTHON_VERSION) /usr/bin/python$(BINDER_PYTHON_VERSION)))

binder-env: $(BINDER_VENV)/installed

BINDER_CACHED := $(call cached_venv,binder,binder/requirements.txt binder/runtime.txt,$(BINDER_PYTHON))

$(BINDER_VENV)/installed: $(BINDER_CACHED)/installed always
	$(call link_venv,$(BINDER_VENV),$(BINDER_CACHED))

$(BINDER_CACHED)/installed:
	@test -n "$(BINDER_PYTHON)" || { echo "No Python $(BINDER_PYTHON_VERSION) found for Binder's environment (set BINDER_PYTHON)"; exit 3; }
	rm -rf $(BINDER_CACHED)
	mkdir -p $(VENV_CACHE)
	$(BINDER_PYTHON) -m venv $(BINDER_CACHED)
	$(BINDER_CACHED)/bin/pip install --quiet --upgrade pip
	$(BINDER_CACHED)/bin/pip install --quiet -r binder/requirements.txt ipykernel==7.4.0 nbclient==0.11.0
	$(BINDER_CACHED)/bin/pip freeze > $(BINDER_CACHED)/pristine.txt
	touch $@

# A prerequisite that is never up to date: the links above are checked on every make.
always:
