"""Headless Chromium over the DevTools protocol on a pipe: print HTML to PDF, evaluate JavaScript.

No WebDriver, no network port, nothing downloaded: Chromium is started with
``--remote-debugging-pipe`` and reads commands on fd 3 / writes replies on fd 4 (NUL-separated
JSON). The binary is ``$CIVIC_PULSE_CHROMIUM`` when set, else ``chromium``, ``chromium-browser`` or
``google-chrome`` on ``PATH`` (``scripts/ensure_chromium.sh`` installs Debian's package).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM_ENV = "CIVIC_PULSE_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--force-device-scale-factor=1",
    "--font-render-hinting=none",
    "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer."""


def find_chromium(env: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """(absolute path or None, how it was found / why not)."""
    env = os.environ if env is None else env
    configured = env.get(CHROMIUM_ENV, "").strip()
    if configured:
        found = shutil.which(configured)
        if found:
            return found, f"{CHROMIUM_ENV}={configured}"
        return None, f"{CHROMIUM_ENV}={configured} is not an executable"
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found, f"{name} on PATH"
    return None, (
        f"no Chromium found ({CHROMIUM_ENV} unset; none of {', '.join(CANDIDATES)} on PATH):"
        " install Debian's chromium (scripts/ensure_chromium.sh) or set " + CHROMIUM_ENV
    )


@dataclass(frozen=True)
class Page:
    browser: Chromium
    target_id: str
    session_id: str

    def call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        return self.browser.call(method, params, self.session_id, timeout)

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        """Run JavaScript in the page and return its (JSON) value; raises on an exception."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def set_viewport(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event and its fonts."""
        self.browser.events.clear()
        self.call("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", self.session_id)
        self.evaluate("document.fonts.ready.then(() => true)", await_promise=True)

    def print_pdf(self, footer_html: str = "") -> bytes:
        """Print with the page's CSS size and margins, backgrounds on, an optional footer."""
        params: dict[str, Any] = {
            "printBackground": True,
            "preferCSSPageSize": True,
            "generateTaggedPDF": True,
            "generateDocumentOutline": True,
        }
        if footer_html:
            params.update(displayHeaderFooter=True, headerTemplate="<div></div>", footerTemplate=footer_html)
        result = self.call("Page.printToPDF", params, timeout=120)
        return base64.b64decode(result["data"])

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target_id})


class Chromium:
    """One headless Chromium process; use as a context manager."""

    def __init__(self, executable: str, timeout: float = 60.0) -> None:
        self.executable = executable
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self.version = ""
        self._pid: int | None = None
        self._next_id = 0
        self._buffer = b""
        self._replies: dict[int, dict[str, Any]] = {}
        self._profile = ""
        self._to_browser = -1
        self._from_browser = -1

    # --------------------------------------------------------------- process
    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="civic-pulse-chromium-")
        cmd_read, cmd_write = os.pipe()  # we write commands; Chromium reads them on fd 3
        res_read, res_write = os.pipe()  # Chromium writes replies on fd 4; we read them
        # Move the child's ends above fd 10 first, so the dup2 onto 3 / 4 cannot clobber each other.
        child_in = fcntl.fcntl(cmd_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(res_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(cmd_read)
        os.close(res_write)
        log = os.open(os.path.join(self._profile, "chromium.log"), os.O_WRONLY | os.O_CREAT, 0o600)
        args = [self.executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"]
        try:
            self._pid = os.posix_spawn(
                self.executable,
                args,
                dict(os.environ),
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, log, 1),
                    (os.POSIX_SPAWN_DUP2, log, 2),
                    (os.POSIX_SPAWN_DUP2, child_in, 3),
                    (os.POSIX_SPAWN_DUP2, child_out, 4),
                ],
                setsid=True,  # its own process group: one signal reaches renderer and GPU children
            )
        except OSError as exc:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise BrowserError(f"cannot start {self.executable}: {exc}") from exc
        finally:
            for fd in (child_in, child_out, log):
                os.close(fd)
        self._to_browser, self._from_browser = cmd_write, res_read
        try:
            self.version = str(self.call("Browser.getVersion").get("product", ""))
        except BrowserError:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pid is not None:
            try:
                self.call("Browser.close", timeout=5)
            except (BrowserError, OSError):
                pass
            if not self._wait(10):
                try:
                    os.killpg(self._pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._wait(10)
            self._pid = None
        for fd in (self._to_browser, self._from_browser):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_browser = self._from_browser = -1
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)

    def _wait(self, seconds: float) -> bool:
        assert self._pid is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid:
                return True
            time.sleep(0.05)
        return False

    def _log_tail(self) -> str:
        try:
            text = Path(self._profile, "chromium.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-15:])

    # -------------------------------------------------------------- protocol
    def _pump(self, deadline: float) -> None:
        """Read at least one message (replies are filed by id, events kept in order)."""
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"Chromium did not answer in time\n{self._log_tail()}")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the DevTools pipe\n{self._log_tail()}")
            self._buffer += chunk
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            message = json.loads(raw)
            if "id" in message:
                self._replies[int(message["id"])] = message
            else:
                self.events.append(message)

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session_id: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        if self._to_browser < 0:
            raise BrowserError("Chromium is not running")
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        data = json.dumps(message).encode("utf-8") + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data) :]
        except BrokenPipeError as exc:
            raise BrowserError(f"Chromium exited\n{self._log_tail()}") from exc
        deadline = time.monotonic() + (timeout or self.timeout)
        while ident not in self._replies:
            self._pump(deadline)
        reply = self._replies.pop(ident)
        if "error" in reply:
            raise BrowserError(f"{method} failed: {reply['error']}")
        return dict(reply.get("result", {}))

    def wait_event(
        self, method: str, session_id: str | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and (
                    session_id is None or event.get("sessionId") == session_id
                ):
                    return self.events.pop(i)
            self._pump(deadline)

    def open(self, url: str, width: int = 1280, height: int = 900) -> Page:
        """A new tab with the given viewport, navigated to ``url`` and fully loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.set_viewport(width, height)
        page.navigate(url)
        return page
