"""Reading the daemon's frames from a socket (the daemon's side, and its spare child's): whole
frames, and the `run` frame with the descriptors that come with it (SCM_RIGHTS)."""

from __future__ import annotations

import os
import socket

from conveyor.cli.daemon import wire

RunBody = tuple[list[str], int, dict[bytes, bytes]]  # argv, umask, environment


def read_exactly(connection: socket.socket, size: int, data: bytes = b"") -> bytes:
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise ValueError("the client closed the connection mid-frame")
        data += chunk
    return data


def read_frame(connection: socket.socket) -> bytes:
    header = read_exactly(connection, 4)
    return read_exactly(connection, wire.frame_length(header))


def read_run(
    connection: socket.socket, descriptors: int = wire.DESCRIPTORS
) -> tuple[RunBody, list[int]]:
    """The `run` frame and the (up to `descriptors`) descriptors that came with it."""
    data, received, _, _ = socket.recv_fds(connection, 1 << 16, descriptors)
    try:
        data = read_exactly(connection, 4, data)
        body = read_exactly(connection, 4 + wire.frame_length(data), data)[4:]
        return wire.parse_run(body), list(received)
    except BaseException:
        for descriptor in received:
            os.close(descriptor)
        raise


def send_run(connection: socket.socket, body: RunBody, descriptors: list[int]) -> None:
    """A `run` frame of `body` with `descriptors` attached (they stay open here). Nothing more
    is written once the frame is out: the reader may have closed its end already."""
    data = wire.frame(wire.run_body(*body))
    sent = socket.send_fds(connection, [data], descriptors)
    if sent < len(data):
        connection.sendall(data[sent:])
