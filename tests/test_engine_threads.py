"""Public methods from many threads at once: the invariants hold after any interleaving."""

from __future__ import annotations

import itertools
import random
import threading
import time

from conftest import Recorder

from session import SessionStarted, read_save_file


def test_interleaved_calls_keep_the_invariants(make_session, save_path, clock):
    seen = Recorder()
    s = make_session(foreground_timeout=0.2, background_timeout=0.15, check_interval=0.05)
    s.subscribe(seen)
    stop = threading.Event()
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            n = 0
            while not stop.is_set():
                n += 1
                action = rng.random()
                if action < 0.7:
                    context = s.get_session_context(f"{seed}-{n}")
                    assert context.data["userId"] == s.user_id
                elif action < 0.85:
                    s.set_background(rng.random() < 0.5)
                elif action < 0.9:
                    s.stop_checker()
                elif action < 0.95:
                    s.start_checker()
                else:
                    s.check_interval = rng.choice([0.05, 0.1, 0.2])
                time.sleep(rng.uniform(0, 0.02))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for _ in range(1000):  # virtual time runs ~100x faster than the workers act
        clock.advance(0.1)
        time.sleep(0.001)
    stop.set()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert errors == []

    starts = seen.of(SessionStarted)
    assert len(starts) > 20
    for before, after in itertools.pairwise(starts):
        assert after.old.session_id == before.new.session_id
        assert after.new.session_index == before.new.session_index + 1
        assert after.new.previous_session_id == before.new.session_id
    assert starts[-1].new.session_id == s.current_session_id
    assert s.flush(timeout=5)
    saved = read_save_file(save_path).saved
    assert (saved.session_id, saved.previous_session_id, saved.session_index) == (
        s.current_session_id,
        s.previous_session_id,
        s.session_index,
    )
