import gc

from townhall.platform.bulk import collector_paused


def test_collector_is_paused_for_the_block_and_restored_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_block_that_fails_still_restores_the_collector():
    try:
        with collector_paused():
            raise RuntimeError("the bulk step failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_an_already_paused_collector_stays_paused():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
