"""A CGI program (`git http-backend`) behind an ASGI response, streamed both ways: the request's
body is written to the program's stdin as it arrives (with back-pressure), its stdout is sent as
it is read, 64 KiB at a time, so a push of any size never sits whole in memory.

    process = await CgiProcess.start(["git", "http-backend"], env, request.stream())
    return CgiResponse(process, after=...)   # `after` runs once the program has exited
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import Response

log = logging.getLogger("conveyor.server")
CHUNK = 64 * 1024
MAX_HEAD = 64 * 1024  # the CGI headers
MAX_STDERR = 64 * 1024


class CgiFailed(Exception):
    """The program ended without writing its headers."""


class CgiProcess:
    def __init__(self, process: asyncio.subprocess.Process, feeding: asyncio.Task[None]) -> None:
        self.process = process
        self.feeding = feeding
        self.stderr = asyncio.ensure_future(_read_stderr(process))
        self.status = 200
        self.headers: list[tuple[str, str]] = []

    @classmethod
    async def start(
        cls, command: Sequence[str], env: Mapping[str, str], body: AsyncIterator[bytes]
    ) -> CgiProcess:
        """The running program, its headers read; CgiFailed when it wrote none."""
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(env),
            limit=MAX_HEAD,
        )
        started = cls(process, asyncio.ensure_future(_feed(process, body)))
        await started._read_head()
        return started

    async def _read_head(self) -> None:
        assert self.process.stdout is not None
        try:
            head = await self.process.stdout.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            await self.close()
            raise CgiFailed(await self.stderr) from None
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "status":
                self.status = int(value.split()[0])
            elif name.strip():
                self.headers.append((name.strip(), value.strip()))

    async def chunks(self) -> AsyncIterator[bytes]:
        assert self.process.stdout is not None
        while chunk := await self.process.stdout.read(CHUNK):
            yield chunk

    async def finish(self) -> int:
        """Wait for the program (its stdin fed whole) and log what it said on stderr."""
        await self.feeding
        code = await self.process.wait()
        said = (await self.stderr).strip()
        if code != 0 or said:
            log.info("git http-backend exit=%d stderr=%r", code, said[:500])
        return code

    async def close(self) -> None:
        """Stop the program if it still runs (the client went away)."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        self.feeding.cancel()


class CgiResponse(Response):
    """The program's answer, streamed; `after(exit code)` runs before the response ends (so a
    client sees its effects, e.g. the runs a push started, once its request is done)."""

    def __init__(
        self, process: CgiProcess, after: Callable[[int], Awaitable[None]] | None = None
    ) -> None:
        super().__init__(status_code=process.status)
        self.process = process
        self.after = after
        self.raw_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in process.headers
        ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Never reads `receive`: the request's body is the program's stdin, fed meanwhile.
        start = {"type": "http.response.start", "status": self.status_code}
        try:
            await send(start | {"headers": self.raw_headers})
            async for chunk in self.process.chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await self.process.finish()
            await self._after()
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await self.process.close()
            await self._after()  # also when the client went away: the program may have acted

    async def _after(self) -> None:
        after, self.after = self.after, None
        if after is not None:
            await after(self.process.process.returncode or 0)


async def _feed(process: asyncio.subprocess.Process, body: AsyncIterator[bytes]) -> None:
    stdin = process.stdin
    assert stdin is not None
    try:
        async for chunk in body:
            if chunk:
                stdin.write(chunk)
                await stdin.drain()
    except (BrokenPipeError, ConnectionResetError, ClientDisconnect):
        pass  # the program stopped reading, or the client went away: the program sees EOF
    finally:
        stdin.close()


async def _read_stderr(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    said = b""
    while chunk := await process.stderr.read(CHUNK):
        said = (said + chunk)[-MAX_STDERR:]
    return said.decode("utf-8", "replace")
