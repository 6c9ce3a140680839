"""The OpenAPI document checked by a real client: schemathesis against `chaja serve`, every check on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Served

pytestmark = pytest.mark.slow

ST = Path(sys.executable).with_name("st")  # schemathesis's command, installed with the test extra
# /api/articles/{article_id} with made-up ids only ever answers 404: one real id lets the article's
# schema (and ?q= marks) be checked too. The made-up ids are still tried in the coverage phase.
CONFIG = """
[[operations]]
include-path = "/api/articles/{article_id}"
parameters = { "path.article_id" = "busan-port" }
"""


@pytest.mark.parametrize("seed", [2])
def test_schemathesis_with_every_check_finds_nothing(web_index: Path, chaja_server, tmp_path: Path, seed: int) -> None:
    # a server of its own: hostile requests may hold a worker until its timeout, which other tests would feel
    web_server: Served = chaja_server(web_index, "--workers", "2")
    (tmp_path / "schemathesis.toml").write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [str(ST), "--config-file", str(tmp_path / "schemathesis.toml"), "run", f"{web_server.base}/api/openapi.json",
         "--checks", "all", "--max-examples", "100", "--seed", str(seed), "--no-color",
         "--report-dir", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert counts and counts[1] == counts[2] and int(counts[1]) > 100, done.stdout[-2000:]
    assert "No issues found" in done.stdout
