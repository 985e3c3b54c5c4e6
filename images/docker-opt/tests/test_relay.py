"""Local integration: relay over loopback TCP -> a fake "ssh" unix socket server."""

import asyncio
import os
import socket
import time

import pytest

from mast import relay
from mast.shaper import AsyncShaper

KIB = 1024


class FakeSite:
    def __init__(self, sockdir, up=None, down=None):
        self.sockdir = sockdir
        self.upload = AsyncShaper(up) if up else None
        self.download = AsyncShaper(down) if down else None
        self.alive = True
        self.lines = []

    def socket_path(self, printer):
        return os.path.join(self.sockdir, f"{printer}.sock")

    def ssh_alive(self):
        return self.alive

    def log(self, msg):
        self.lines.append(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


async def fake_ssh(path, handler):
    return await asyncio.start_unix_server(handler, path=path)


async def sink_handler(store, close_after=None):
    async def h(r, w):
        buf = bytearray()
        store.append(buf)
        while True:
            d = await r.read(65536)
            if not d:
                break
            buf.extend(d)
            store.append(time.monotonic())
            if close_after and len(buf) >= close_after:
                break
        w.close()
    return h


async def client_send(port, data, read_reply=True):
    """Send data + EOF; returns ('closed'|'reset', elapsed, reply)."""
    r, w = await asyncio.open_connection("127.0.0.1", port)
    t0 = time.monotonic()
    try:
        w.write(data)
        await w.drain()
        w.write_eof()
        reply = await r.read() if read_reply else b""
        return "closed", time.monotonic() - t0, reply
    except (ConnectionResetError, BrokenPipeError):
        return "reset", time.monotonic() - t0, b""
    finally:
        w.close()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def sockdir(tmp_path):
    return str(tmp_path)


def test_absent_socket_is_reset(sockdir):
    async def main():
        site = FakeSite(sockdir)
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        reader, w = await asyncio.open_connection("127.0.0.1", port)
        with pytest.raises(ConnectionResetError):
            await reader.read()
        w.close()
        await r.stop()
        assert r.stats.aborted == 1
    run(main())


def test_upload_shaped_64k_accuracy_and_integrity(sockdir):
    rate = 64 * KIB

    async def main():
        site = FakeSite(sockdir, up=rate)
        store = []
        srv = await fake_ssh(site.socket_path("p1"), await sink_handler(store))
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        data = os.urandom(320 * KIB)   # ~5 s at 64 KiB/s
        t0 = time.monotonic()
        how, _, _ = await client_send(port, data)
        last = max(x for x in store if isinstance(x, float))
        got = store[0]
        srv.close()
        await r.stop()
        return how, bytes(got) == data, len(data) / (last - t0)
    how, same, measured = run(main())
    print(f"measured {measured / rate:.4f} of the limit")
    assert how == "closed" and same
    assert 0.97 <= measured / rate <= 1.02, measured / rate


def test_download_shaped_64k_accuracy(sockdir):
    rate = 64 * KIB
    data = os.urandom(320 * KIB)

    async def main():
        site = FakeSite(sockdir, down=rate)

        async def h(r, w):
            await r.read()           # job, then the printer answers (e.g. status)
            w.write(data)
            await w.drain()
            w.close()
        srv = await fake_ssh(site.socket_path("p1"), h)
        port = free_port()
        rl = relay.Relay(site, "p1", "127.0.0.1", port)
        await rl.start()
        how, elapsed, reply = await client_send(port, b"job")
        srv.close()
        await rl.stop()
        return how, reply == data, len(data) / (elapsed - relay.GRACE)
    how, same, measured = run(main())
    print(f"measured {measured / rate:.4f} of the limit")
    assert how == "closed" and same
    assert 0.97 <= measured / rate <= 1.02, measured / rate


def test_small_job_not_starved_by_big_one(sockdir):
    rate = 16 * KIB

    async def main():
        site = FakeSite(sockdir, up=rate)
        s1, s2 = [], []
        a = await fake_ssh(site.socket_path("big"), await sink_handler(s1))
        b = await fake_ssh(site.socket_path("small"), await sink_handler(s2))
        pb, ps = free_port(), free_port()
        rb = relay.Relay(site, "big", "127.0.0.1", pb)
        rs = relay.Relay(site, "small", "127.0.0.1", ps)
        await rb.start()
        await rs.start()
        big = asyncio.ensure_future(client_send(pb, os.urandom(96 * KIB)))
        await asyncio.sleep(1.0)      # the big job saturates the site
        how, elapsed, _ = await client_send(ps, os.urandom(KIB))
        assert not big.done()
        await big
        for x in (a, b):
            x.close()
        await rb.stop()
        await rs.stop()
        return how, elapsed, len(s2[0])
    how, elapsed, n = run(main())
    print(f"1 KiB job behind a saturating one: {elapsed:.3f}s")
    assert how == "closed" and n == KIB
    assert elapsed < 2.0, elapsed


def test_ssh_side_closes_mid_job_resets_client(sockdir):
    async def main():
        site = FakeSite(sockdir, up=64 * KIB)
        store = []
        srv = await fake_ssh(site.socket_path("p1"), await sink_handler(store, close_after=10000))
        port = free_port()
        r = relay.Relay(site, "p1", "127.0.0.1", port)
        await r.start()
        res = await client_send(port, os.urandom(200 * KIB))
        srv.close()
        await r.stop()
        return res[0]
    assert run(main()) == "reset"


def test_ssh_dies_after_client_eof_resets(sockdir):
    async def main():
        site = FakeSite(sockdir)

        async def h(r, w):
            await r.read()
            site.alive = False          # the session died, which closed the channel
            w.close()
        srv = await fake_ssh(site.socket_path("p1"), h)
        port = free_port()
        rl = relay.Relay(site, "p1", "127.0.0.1", port)
        await rl.start()
        res = await client_send(port, b"x" * 5000)
        srv.close()
        await rl.stop()
        return res[0]
    assert run(main()) == "reset"


def test_normal_close_after_eof_with_live_ssh(sockdir):
    async def main():
        site = FakeSite(sockdir)
        store = []
        srv = await fake_ssh(site.socket_path("p1"), await sink_handler(store))
        port = free_port()
        rl = relay.Relay(site, "p1", "127.0.0.1", port)
        await rl.start()
        res = await client_send(port, b"y" * 5000)
        await asyncio.sleep(0.05)
        stats = rl.stats
        srv.close()
        await rl.stop()
        return res[0], bytes(store[0]), stats
    how, got, stats = run(main())
    assert how == "closed" and got == b"y" * 5000
    assert stats.bytes_up == 5000 and stats.connections == 0 and stats.total == 1
