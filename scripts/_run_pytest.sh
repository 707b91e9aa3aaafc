# Runs pytest for scripts/test (inside its D-Bus session and virtual display).
#
# With test paths among the arguments, one pytest run gets them all. Without, the
# suite runs as two processes, the Qt-free tests first and then tests/gui, so Qt state
# left by GUI tests (pytest-qt processes Qt events after every test once a
# QApplication exists) can never crash or slow a non-GUI test. Options apply to both.
set -uo pipefail

has_path=0
for arg in "$@"; do
    case "$arg" in
        -*) ;;
        *) [ -e "${arg%%::*}" ] && has_path=1 ;;
    esac
done
if [ "$has_path" -eq 1 ]; then
    exec python -m pytest "$@"
fi

python -m pytest tests --ignore=tests/gui "$@"
core=$?
python -m pytest tests/gui "$@"
gui=$?
# 5 means "no test collected" (e.g. -k matched only one half): fine if the other ran.
if [ "$core" -eq 5 ] && [ "$gui" -eq 5 ]; then exit 5; fi
[ "$core" -eq 5 ] && core=0
[ "$gui" -eq 5 ] && gui=0
if [ "$core" -ne 0 ]; then exit "$core"; fi
exit "$gui"
