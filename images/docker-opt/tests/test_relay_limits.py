"""The relay's limits, over real sockets on 127.0.0.1: connection caps, idle timeout,
bounded buffers with a write timeout. Short limits are set through the module's constants."""

import asyncio
import os
import socket
import time

import pytest

from mast import relay
from test_relay import KIB, FakeSite, client_send, fake_ssh, free_port, run, sink_handler


@pytest.fixture
def sockdir(tmp_path):
    return str(tmp_path)


async def hold_server(path, held):
    """A fake ssh forward that accepts and keeps every connection open, reading nothing."""
    async def h(r, w):
        held.append(w)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass
    return await asyncio.start_unix_server(h, path=path)


async def connect_and_wait_outcome(port, wait=1.0):
    """Open a connection; 'reset'/'closed' when the relay ends it within ``wait`` s, else 'open'
    (the connection is then returned still open)."""
    r, w = await asyncio.open_connection("127.0.0.1", port)
    try:
        d = await asyncio.wait_for(r.read(1), wait)
    except asyncio.TimeoutError:
        return "open", w
    except (ConnectionResetError, BrokenPipeError):
        w.close()
        return "reset", None
    w.close()
    return ("closed" if not d else "data"), None


def test_printer_cap_refuses_the_connection_beyond_it(sockdir, monkeypatch):
    monkeypatch.setattr(relay, "MAX_PER_PRINTER", 3, raising=False)

    async def main():
        site = FakeSite(sockdir)
        held = []
        srv = await hold_server(site.socket_path("p1"), held)
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        outcomes = []
        for _ in range(4):
            how, w = await connect_and_wait_outcome(port, wait=0.5)
            outcomes.append((how, w))
        stats = (r.stats.connections, getattr(r.stats, "refused", None))
        for _, w in outcomes:
            if w:
                w.close()
        srv.close()
        await r.stop()
        return [o for o, _ in outcomes], stats
    outcomes, (conns, refused) = run(main())
    # The first three stay open (the forward accepted them); the fourth is reset at once.
    assert outcomes == ["open", "open", "open", "reset"], outcomes
    assert conns == 3 and refused == 1


def test_a_slot_frees_when_a_connection_ends(sockdir, monkeypatch):
    monkeypatch.setattr(relay, "MAX_PER_PRINTER", 1, raising=False)

    async def main():
        site = FakeSite(sockdir)
        store = []
        srv = await fake_ssh(site.socket_path("p1"), await sink_handler(store))
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        res = [await client_send(port, b"job%d" % i) for i in range(3)]
        srv.close()
        await r.stop()
        return [x[0] for x in res], [bytes(b) for b in store if isinstance(b, bytearray)]
    hows, jobs = run(main())
    assert hows == ["closed"] * 3 and jobs == [b"job0", b"job1", b"job2"]


def test_site_cap_is_shared_by_the_printers_of_a_site(sockdir, monkeypatch):
    monkeypatch.setattr(relay, "MAX_PER_PRINTER", 10, raising=False)

    async def main():
        site = FakeSite(sockdir)
        site.slots = relay.Slots(3)
        held = []
        s1 = await hold_server(site.socket_path("p1"), held)
        s2 = await hold_server(site.socket_path("p2"), held)
        p1, p2 = free_port(), free_port()
        r1 = relay.Relay(site, "p1", "127.0.0.1", p1)
        r2 = relay.Relay(site, "p2", "127.0.0.1", p2)
        await r1.start()
        await r2.start()
        outcomes = []
        for port in (p1, p1, p2, p2, p1):
            outcomes.append(await connect_and_wait_outcome(port, wait=0.5))
        for _, w in outcomes:
            if w:
                w.close()
        for w in held:
            w.close()
        await asyncio.sleep(relay.GRACE + 0.3)
        used_after = site.slots.used
        for x in (s1, s2):
            x.close()
        await r1.stop()
        await r2.stop()
        return [o for o, _ in outcomes], used_after
    outcomes, used_after = run(main())
    assert outcomes == ["open", "open", "open", "reset", "reset"], outcomes
    assert used_after == 0


def test_idle_connection_is_closed_after_the_idle_timeout(sockdir, monkeypatch):
    monkeypatch.setattr(relay, "IDLE_TIMEOUT", 0.5, raising=False)

    async def main():
        site = FakeSite(sockdir)
        held = []
        srv = await hold_server(site.socket_path("p1"), held)
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        rd, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(b"some bytes, then silence")
        await w.drain()
        t0 = time.monotonic()
        try:
            how = "closed" if not await asyncio.wait_for(rd.read(1), 5) else "data"
        except asyncio.TimeoutError:
            how = "still open after 5 s"
        except ConnectionResetError:
            how = "reset"
        elapsed = time.monotonic() - t0
        w.close()
        srv.close()
        await r.stop()
        return how, elapsed, list(site.lines)
    how, elapsed, lines = run(main())
    assert how == "reset", how
    assert 0.4 <= elapsed < 2.0, elapsed
    assert any("idle" in line for line in lines), lines


def test_slow_shaped_job_is_not_idle(sockdir, monkeypatch):
    """The idle timeout is on silence, not on duration: a 3 s job at a shaped rate passes with a
    1 s idle timeout, byte for byte."""
    monkeypatch.setattr(relay, "IDLE_TIMEOUT", 1.0, raising=False)
    rate = 16 * KIB

    async def main():
        site = FakeSite(sockdir, up=rate)
        store = []
        srv = await fake_ssh(site.socket_path("p1"), await sink_handler(store))
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        data = os.urandom(48 * KIB)
        how, elapsed, _ = await client_send(port, data)
        srv.close()
        await r.stop()
        return how, elapsed, bytes(store[0]) == data
    how, elapsed, same = run(main())
    assert how == "closed" and same
    assert elapsed > 2.5, elapsed


def test_non_reading_client_is_bounded_and_dropped_after_the_write_timeout(sockdir, monkeypatch):
    """The printer answers with much more than the client reads: mast holds at most one chunk,
    the ssh side is back-pressured, and the client is reset after the write timeout."""
    monkeypatch.setattr(relay, "WRITE_TIMEOUT", 1.0, raising=False)
    monkeypatch.setattr(relay, "IDLE_TIMEOUT", 60.0, raising=False)
    total = 64 * 1024 * KIB
    written = []

    async def main():
        site = FakeSite(sockdir)

        async def h(r, w):
            await r.read(3)
            block = b"z" * (256 * KIB)
            n = 0
            try:
                while n < total:
                    w.write(block)
                    await w.drain()
                    n += len(block)
                    written[:] = [n]
            except (ConnectionError, OSError):
                pass
            w.close()
        srv = await fake_ssh(site.socket_path("p1"), h)
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        c = socket.create_connection(("127.0.0.1", port))
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * KIB)
        c.sendall(b"job")
        t0 = time.monotonic()
        while r.stats.total == 0 or r.stats.connections:   # wait for the relay to end it
            if time.monotonic() - t0 > 10:
                break
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - t0
        ended = r.stats.connections == 0 and r.stats.total == 1
        buffered = getattr(r.stats, "buffered_max", None)
        c.close()
        srv.close()
        await r.stop()
        return ended, elapsed, buffered, r.stats.bytes_down, list(site.lines)
    ended, elapsed, buffered, down, lines = run(main())
    assert ended, f"the relay still holds the non-reading client after {elapsed:.1f} s"
    assert elapsed < 5, elapsed
    assert buffered is not None and buffered <= relay.MAX_CHUNK, buffered
    assert down < 16 * 1024 * KIB and written[0] < total   # back-pressure reached the ssh side
    assert any("not reading" in line for line in lines), lines


def test_non_reading_forward_is_dropped_after_the_write_timeout(sockdir, monkeypatch):
    """The other way: the ssh side (a stuck printer) reads nothing; the job is reset, not held."""
    monkeypatch.setattr(relay, "WRITE_TIMEOUT", 1.0, raising=False)
    monkeypatch.setattr(relay, "IDLE_TIMEOUT", 60.0, raising=False)

    async def main():
        site = FakeSite(sockdir)
        held = []
        srv = await hold_server(site.socket_path("p1"), held)
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        res = await asyncio.wait_for(client_send(port, os.urandom(32 * 1024 * KIB)), 10)
        srv.close()
        await r.stop()
        return res[0], res[1], list(site.lines)
    try:
        how, elapsed, lines = run(main())
    except asyncio.TimeoutError:
        pytest.fail("the relay held a job to a non-reading forward for 10 s")
    assert how == "reset" and elapsed < 5, (how, elapsed)
    assert any("not reading" in line for line in lines), lines
