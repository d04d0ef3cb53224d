"""A listener on loopback that counts the connections it is offered: the witness that a refused
call never reached it."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class LoopbackListener:
    """Listens on 127.0.0.1 and, where the machine has IPv6, on ::1 at the same port; accepts and
    counts every connection and closes it at once."""

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []
        self.port = self._bind()
        self.accepted = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _bind(self) -> int:
        for _ in range(20):  # the IPv6 side may find the IPv4 side's port taken: try another
            ipv4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ipv4.bind(("127.0.0.1", 0))
            port = int(ipv4.getsockname()[1])
            if not socket.has_ipv6:
                self._sockets = [ipv4]
                return port
            ipv6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            try:
                ipv6.bind(("::1", port))
            except OSError:
                ipv4.close()
                ipv6.close()
                continue
            self._sockets = [ipv4, ipv6]
            return port
        raise RuntimeError("no port free on both 127.0.0.1 and ::1")

    def __enter__(self) -> LoopbackListener:
        for listening in self._sockets:
            listening.listen(64)
            listening.setblocking(False)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for listening in self._sockets:
            listening.close()

    @property
    def has_ipv6(self) -> bool:
        """Whether ::1 is listened on too."""
        return len(self._sockets) == 2

    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return self.accepted

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            for listening in self._sockets:
                selector.register(listening, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.05):
                    with contextlib.suppress(BlockingIOError):
                        connection, _ = key.fileobj.accept()  # type: ignore[union-attr]
                        connection.close()
                        with self._lock:
                            self.accepted += 1
