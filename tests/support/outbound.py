"""Fakes of the outbound client's ports: a resolver that answers from a table and a connector that
serves canned answers from memory. With them the policy is tested without a single packet."""

from __future__ import annotations

import asyncio
from ipaddress import ip_address
from typing import Any

from fip_core.outbound.policy import NameNotResolvedError


class TableResolver:
    """Resolves names from a table, as a DNS server under someone else's control might."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> list[Any]:
        self.asked.append(host)
        if host not in self.table:
            raise NameNotResolvedError(f"{host} does not resolve")
        return [ip_address(address) for address in self.table[host]]


class MemoryWriter:
    """Collects what the client sends."""

    def __init__(self) -> None:
        self.sent = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        self.sent += data

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True


class CannedConnector:
    """Answers each connection from memory with the bytes given for its address; records every
    connection asked for. An address without an answer fails the test: nothing is ever sent."""

    def __init__(self, answers: dict[str, bytes] | None = None) -> None:
        self.answers = answers or {}
        self.connections: list[tuple[list[str], int, bool, str]] = []
        self.writers: list[MemoryWriter] = []

    async def connect(self, addresses, port, tls, server_hostname):
        self.connections.append(([str(a) for a in addresses], port, tls is not None, server_hostname))
        address = str(addresses[0])
        if address not in self.answers:
            raise AssertionError(f"the client tried to connect to {address}, which this test never allows")
        reader = asyncio.StreamReader()
        reader.feed_data(self.answers[address])
        reader.feed_eof()
        writer = MemoryWriter()
        self.writers.append(writer)
        return reader, writer


def answer(status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None) -> bytes:
    """The bytes of an HTTP/1.1 answer."""
    fields = {"Content-Length": str(len(body)), **(headers or {})}
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return f"HTTP/1.1 {status} X\r\n{head}\r\n".encode() + body
