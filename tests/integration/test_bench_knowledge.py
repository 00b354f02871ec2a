"""The knowledge benchmark runs end to end on a few articles (a smoke test: it prints figures and
asserts nothing of them; here only that it ran, found the change it published, and said so)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_knowledge_benchmark_runs_on_a_few_articles() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.knowledge", "--articles", "40", "--queries", "20", "--loads", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert "40 articles" in run.stdout
    assert "DynamoDB requests of 2 publishes: GetItem 2, UpdateItem 2." in run.stdout
    assert "The last change was found after its publish: True." in run.stdout
