# Sourced by main.sh and test.sh: make .venv (Python >= 3.11) and install the package into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  py=""
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      py="$candidate"; break
    fi
  done
  [ -n "$py" ] || { echo "error: Python >= 3.11 is needed (python3.11 not found)" >&2; exit 2; }
  echo "creating .venv with $py" >&2
  "$py" -m venv .venv
fi
stamp=".venv/.carbon-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing the package and its dependencies into .venv (log: .venv/install.log)" >&2
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[test]"; } \
      > .venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "error: installation failed; the whole log is in .venv/install.log" >&2
    exit 2
  fi
  echo "$want" > "$stamp"
fi
