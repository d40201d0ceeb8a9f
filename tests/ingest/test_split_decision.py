"""Whether the reader process takes a share of the analysis: CPU pressure first, the load
average where the kernel keeps no pressure, never on one core."""

from __future__ import annotations

import pytest

from vaktpost.ingest import wire


@pytest.mark.parametrize(
    ("cores", "pressure", "load", "split"),
    [
        (2, 0.0, 1.9, True),  # our own scan just ended: the load average still counts it, no task waits
        (2, 12.0, 3.0, True),
        (2, wire.BUSY_PRESSURE, 0.2, False),  # tasks waiting now, whatever the minute said
        (2, 98.9, 5.6, False),
        (8, 45.0, 1.0, False),
        (2, None, 1.4, True),  # no PSI: the load average decides
        (2, None, 1.6, False),
        (4, None, 3.5, True),
        (2, None, None, True),
        (1, 0.0, 0.0, False),  # one core: two processes would share it
        (1, None, 0.0, False),
    ],
)
def test_split_pays(cores, pressure, load, split):
    assert wire.split_pays(cores, pressure, load) is split
    assert wire.split_pays(cores, pressure, load, 0) is split  # nothing else runnable now


@pytest.mark.parametrize(
    ("cores", "others", "split"),
    [
        (2, 0, True),
        (2, 1, False),  # one other task holds a core without waiting: the pressure stays low
        (4, 1, True),
        (4, 2, True),
        (4, 3, False),
        (2, None, True),  # unknown: the pressure alone
    ],
)
def test_a_core_held_by_other_work_now_stops_the_split(cores, others, split):
    assert wire.split_pays(cores, 5.0, 3.0, others) is split


@pytest.mark.parametrize(("text", "others"), [(b"2.50 2.75 4.41 3/89 9935\n", 2), (b"0.10 0.20 0.30 1/80 7\n", 0), (b"junk", None)])
def test_others_running_is_read_from_the_kernel_file(tmp_path, text, others):
    f = tmp_path / "loadavg"
    f.write_bytes(text)
    assert wire.others_running(str(f)) == others


def test_reader_share_reads_the_machine(monkeypatch):
    monkeypatch.setattr(wire.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(wire, "_load_average", lambda: 1.9)
    monkeypatch.setattr(wire, "cpu_pressure", lambda: 3.0)
    monkeypatch.setattr(wire, "others_running", lambda: 0)
    assert wire.reader_share() == wire.READER_SHARE
    monkeypatch.setattr(wire, "others_running", lambda: 1)
    assert wire.reader_share() == 0
    monkeypatch.setattr(wire, "others_running", lambda: 0)
    monkeypatch.setattr(wire, "cpu_pressure", lambda: 60.0)
    assert wire.reader_share() == 0
    monkeypatch.setattr(wire, "cpu_pressure", lambda: None)
    assert wire.reader_share() == 0  # 2 - 1.9 < SPARE_CORES


@pytest.mark.parametrize(
    ("text", "pressure"),
    [
        (b"some avg10=12.34 avg60=5.00 avg300=1.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 12.34),
        (b"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 0.0),
        (b"", None),
        (b"full avg10=1.00\n", None),
        (b"some avg10=x avg60=0.00\n", None),
    ],
)
def test_cpu_pressure_is_read_from_the_kernel_file(tmp_path, text, pressure):
    f = tmp_path / "cpu"
    f.write_bytes(text)
    assert wire.cpu_pressure(str(f)) == pressure


def test_no_pressure_file_reads_as_none(tmp_path):
    assert wire.cpu_pressure(str(tmp_path / "absent")) is None


def test_the_split_is_decided_before_any_process_of_ours_starts(monkeypatch, tmp_path):
    """Making the reader's queue starts multiprocessing's resource tracker, a python process of
    ours: asked after it, `others_running` counted it as other work and no scan split on a
    quiet 2-core machine (100k: 4.3 s instead of 3.3 s)."""
    from vaktpost.ingest import parallel

    order: list[str] = []

    class Ctx:
        def Queue(self, maxsize=0):  # noqa: N802 - multiprocessing's name
            order.append("queue")
            return object()

        def Process(self, **kwargs):  # noqa: N802
            order.append("process")

            class P:
                def start(self):
                    pass

            return P()

    monkeypatch.setattr(parallel.mp, "get_context", lambda kind: Ctx())
    monkeypatch.setattr(parallel, "reader_share", lambda: order.append("decide") or wire.READER_SHARE)
    parallel._start(tmp_path / "chats.jsonl", "jsonl", None, 100, True)
    assert order == ["decide", "queue", "process"]
