"""The progress display is silent unless enabled, and never fails a scan."""

from __future__ import annotations

from scanner.progress import Progress


def test_disabled_progress_prints_nothing(capsys):
    p = Progress("collecting", enabled=False)
    p.start(3)
    p.add(2, "details")
    for _ in range(5):
        p.advance("aws.s3.bucket", "cn-north-1")
    p.stop()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_enabled_progress_counts_work(capsys):
    p = Progress("collecting", enabled=True)
    p.start(2)
    p.add(3, "details")
    assert p._progress.tasks[0].total == 5
    p.advance("aws.s3.bucket", "cn-north-1", ok=False)
    assert p.failed == 1
    p.stop()
