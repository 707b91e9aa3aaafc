import sys

from relaydesk.ui import switch_interval


def test_overlapping_holders_restore_the_original_interval_once_all_are_done() -> None:
    original = sys.getswitchinterval()
    switch_interval.hold()   # e.g. a body loading in one tab
    switch_interval.hold()   # and an import running meanwhile
    assert sys.getswitchinterval() == switch_interval.FAST_SWITCH_INTERVAL
    switch_interval.release()
    assert sys.getswitchinterval() == switch_interval.FAST_SWITCH_INTERVAL  # one still runs
    switch_interval.release()
    assert sys.getswitchinterval() == original
    switch_interval.release()  # an extra release changes nothing
    assert sys.getswitchinterval() == original


def test_context_manager_restores_on_error() -> None:
    original = sys.getswitchinterval()
    try:
        with switch_interval.fast_switching():
            raise ValueError
    except ValueError:
        pass
    assert sys.getswitchinterval() == original
