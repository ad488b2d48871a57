# Gym on a Server
#   make book   set up this machine, then build the book into _build/html
#   make test   set up this machine, then run the tests (they build the book too)
#   make clean  delete the build and its execution cache
#
# Setting up means: the Debian/Ubuntu packages below (installed with apt when run as
# root, otherwise the exact apt-get line is printed), then a virtualenv in .venv with
# requirements.txt installed. Both steps are skipped when already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# xvfb, xauth:                the virtual display (xvfb-run needs xauth)
# cmake, g++, zlib1g-dev:     to build atari-py 0.2.9 from source
# python3-venv:               to create .venv with Debian's python3
APT_PACKAGES := xvfb xauth cmake g++ zlib1g-dev python3-venv

# Chapters import helpers/render.py, and shell out to the virtualenv's python and pip.
export PYTHONPATH := $(CURDIR)
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Every chapter executes under one virtual display; xvfb-run stops it afterwards.
XVFB_RUN := xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24"

.PHONY: book test clean system-packages

book: $(VENV)/installed
	$(XVFB_RUN) jupyter-book build --warningiserror --keep-going .

test: $(VENV)/installed
	pytest -p no:cacheprovider tests

clean:
	rm -rf _build

system-packages:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
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

$(VENV)/installed: requirements.txt | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# Build Matplotlib's font cache now: building it during a chapter can print a notice to stderr.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $@
