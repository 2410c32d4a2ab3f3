# Sourced by the scripts: makes the project's environment (.tools/ holds uv, .venv/ the locked
# dependencies) with nothing but Python 3.11+ as python3.
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "$0: python3 is $(python3 --version 2>&1); Python 3.11 or newer is needed." >&2
    exit 1
}
if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
export UV_PYTHON_DOWNLOADS=never UV_PYTHON=python3
.tools/bin/uv sync --frozen --quiet --compile-bytecode
