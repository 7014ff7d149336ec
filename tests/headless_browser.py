"""Headless Chromium driven over the DevTools protocol, with the standard library only.

The browser talks on two pipes (``--remote-debugging-pipe``: it reads commands on file
descriptor 3 and writes answers and events on 4, each a JSON text ended by a NUL byte).
Debian's ``/usr/bin/chromium`` is a shell script, so the descriptors are set up in Python.
:meth:`Browser.open` loads a page in a fresh tab and returns what the docs' tests check:
the DOM once the scripts have run, a screenshot, and every request the page made (from the
tab's own network events, so the browser's background traffic is not counted).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _above_9(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or more, closed at exec (the original is closed)."""
    copy = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return copy


@dataclass
class LoadedPage:
    dom: str
    screenshot: bytes  # PNG
    requests: list[str]  # every URL the page asked for, file:// ones included
    evaluated: Any = None  # what the ``evaluate`` expression returned, when one was given


class Browser:
    """One headless Chromium; use as a context manager."""

    def __init__(self, executable: str, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # Copies numbered 10 or more (closed at exec), so that moving them onto 3 and 4 in
        # the child cannot overwrite one with the other.
        commands_read, answers_write = (_above_9(fd) for fd in (commands_read, answers_write))

        def onto_3_and_4() -> None:  # in the child, before exec; the copies stay open
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self._process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            preexec_fn=onto_3_and_4,
            close_fds=False,  # closing would come after preexec_fn and take 3 and 4 too
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
        os.close(self._commands)
        os.close(self._answers)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result; events read meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _read(self, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError("Chromium stopped answering")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(text)

    def open(
        self,
        url: str,
        width: int = 1000,
        height: int = 1100,
        settle: float = 1.0,
        evaluate: str | None = None,
    ) -> LoadedPage:
        """Load ``url`` in a new tab of ``width``×``height`` pixels; wait for its load event
        and ``settle`` seconds more for late scripts and requests; then evaluate the
        JavaScript expression ``evaluate`` in the page, if given."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Network", "Page", "Runtime"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self._events = []
        self.send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + 60
        while not any(
            e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session
            for e in self._events
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading in 60 s")
            self._events.append(self._read())
        time.sleep(settle)
        dom = self.send(
            "Runtime.evaluate",
            {"expression": "document.documentElement.outerHTML", "returnByValue": True},
            session=session,
        )["result"]["value"]
        evaluated = None
        if evaluate is not None:
            evaluated = self.send(
                "Runtime.evaluate", {"expression": evaluate, "returnByValue": True}, session=session
            )["result"].get("value")
        shot = self.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        requests = [
            e["params"]["request"]["url"]
            for e in self._events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
        ]
        self.send("Target.closeTarget", {"targetId": target})
        return LoadedPage(dom, base64.b64decode(shot), requests, evaluated)
