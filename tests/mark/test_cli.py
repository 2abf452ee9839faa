"""``nndl-grade mark OUT`` as a real process: it prints its address, refuses a second
instance on the folder, and a mark saved before the process is killed outright is in
manual.csv, whole; the folder opens again afterwards."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

from autograder.report import manual
from tests.support import CHAPTER, ROOT


def start(out):
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "mark", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = ""
    deadline = time.monotonic() + 120
    while "token=" not in line and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError(proc.stderr.read())
    m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
    assert m, line
    return proc, int(m.group(1)), m.group(2)


def post(port, token, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, body=json.dumps(body),
                 headers={"X-Mark-Token": token, "Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, json.loads(r.read())


def keys(port, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/part/ex5_2-proof?token={token}")
    page = conn.getresponse().read().decode()
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>',
                                page, re.S).group(1))
    return [e["key"] for e in data["entries"]]


def test_a_second_instance_is_refused_and_a_kill_loses_nothing_saved(out):
    proc, port, token = start(out)
    try:
        second = subprocess.run([sys.executable, "-m", "autograder", "mark", str(out)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert "another nndl-grade mark" in second.stderr and "另一个" in second.stderr
        k = keys(port, token)
        for i, key in enumerate(k[:3]):
            status, body = post(port, token, f"/api/mark/ex5_2-proof/{key}",
                                {"points": i + 1, "comment": f"第 {i} 份 / answer {i}"})
            assert status == 200 and body["mark"]["points"] == i + 1
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    sheet = manual.read(out / "manual.csv", CHAPTER)
    assert sheet.problems == []
    given = sorted((m.points, m.comment) for ms in sheet.marks.values() for m in ms)
    assert given == [(1.0, "第 0 份 / answer 0"), (2.0, "第 1 份 / answer 1"),
                     (3.0, "第 2 份 / answer 2")]
    proc, port, token = start(out)  # the lock went with the process
    try:
        assert keys(port, token) == k  # the same order
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
