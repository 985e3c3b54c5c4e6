"""Relay: TCP listener per printer -> ssh's unix forward socket, shaped per site.

Job integrity rules:
* forward socket absent or refusing -> RST the client at once;
* ssh side ends (EOF or error) before the client finished sending -> RST;
* ssh side ends after the client's EOF -> wait GRACE s, RST if the site's
  ssh died meanwhile, otherwise a normal close.
"""

import asyncio
import errno
import logging
import socket
import struct

log = logging.getLogger("mast.relay")
GRACE = 0.3
UNLIMITED_READ = 262144


def rst(sock):
    """Abort a TCP connection: SO_LINGER on with timeout 0, then close."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class SideError(Exception):
    def __init__(self, side, exc):
        super().__init__(f"{side}: {exc}")
        self.side = side


async def wait_readable(loop, sock):
    fut = loop.create_future()
    fd = sock.fileno()

    def ready():
        if not fut.done():
            fut.set_result(None)

    loop.add_reader(fd, ready)
    try:
        await fut
    finally:
        loop.remove_reader(fd)


async def pump(loop, src, dst, shaper, count):
    """Copy src -> dst until EOF on src. Reads only what the shaper grants.

    count(n) is called after n bytes were written to dst. Raises SideError.
    Unshaped, it reads and sends first and waits only when the socket would block:
    the event loop round trip per chunk is what bounds an unshaped tunnel's rate."""
    while True:
        if shaper:
            try:
                await wait_readable(loop, src)
            except OSError as e:
                raise SideError("src", e)
        want = await shaper.acquire(shaper.chunk) if shaper else UNLIMITED_READ
        try:
            data = src.recv(want)
        except (BlockingIOError, InterruptedError):
            if shaper:
                shaper.refund(want)
            else:
                try:
                    await wait_readable(loop, src)
                except OSError as e:
                    raise SideError("src", e)
            continue
        except OSError as e:
            if shaper:
                shaper.refund(want)
            raise SideError("src", e)
        if shaper and len(data) < want:
            shaper.refund(want - len(data))
        if not data:
            return
        try:
            try:
                sent = dst.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent < len(data):
                await loop.sock_sendall(dst, memoryview(data)[sent:])
        except OSError as e:
            raise SideError("dst", e)
        count(len(data))


class PrinterStats:
    def __init__(self):
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.total = 0
        self.aborted = 0


class Relay:
    """Listens on (address, port) for one printer.

    site: object with .upload / .download (AsyncShaper or None),
    .socket_path(printer) and .ssh_alive()."""

    def __init__(self, site, printer, address, port):
        self.site = site
        self.printer = printer
        self.address = address
        self.port = port
        self.stats = PrinterStats()
        self.lsock = None
        self.task = None
        self.conns = set()

    async def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setblocking(False)
        try:
            s.bind((self.address, self.port))
            s.listen(128)
        except OSError:
            s.close()
            raise
        self.lsock = s
        self.task = asyncio.get_running_loop().create_task(self._accept_loop())

    async def _accept_loop(self):
        loop = asyncio.get_running_loop()
        while True:
            try:
                csock, addr = await loop.sock_accept(self.lsock)
            except asyncio.CancelledError:
                raise
            except OSError as e:
                if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    await asyncio.sleep(0.1)
                continue
            t = loop.create_task(self._handle(csock, addr))
            self.conns.add(t)
            t.add_done_callback(self.conns.discard)

    async def stop(self):
        if self.task:
            self.task.cancel()
        if self.lsock:
            self.lsock.close()
        for t in list(self.conns):
            t.cancel()
        if self.conns:
            await asyncio.gather(*self.conns, return_exceptions=True)
        if self.task:
            await asyncio.gather(self.task, return_exceptions=True)

    async def _handle(self, client, addr):
        loop = asyncio.get_running_loop()
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        name = f"{self.printer}<-{addr[0]}:{addr[1]}"
        path = self.site.socket_path(self.printer)
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.setblocking(False)
        try:
            await loop.sock_connect(unix, path)
        except (OSError, asyncio.TimeoutError) as e:
            unix.close()
            rst(client)
            self.stats.aborted += 1
            self.site.log(f"relay {name}: forward socket unavailable ({e.__class__.__name__}): reset")
            return
        self.stats.connections += 1
        self.stats.total += 1
        st = self.stats

        def up_count(n):
            st.bytes_up += n

        def down_count(n):
            st.bytes_down += n

        up = loop.create_task(pump(loop, client, unix, self.site.upload, up_count))
        down = loop.create_task(pump(loop, unix, client, self.site.download, down_count))
        outcome = "reset"
        try:
            outcome = await self._supervise(up, down, client, unix)
        except asyncio.CancelledError:
            outcome = "reset (stopping)"
            raise
        finally:
            for t in (up, down):
                t.cancel()
            await asyncio.gather(up, down, return_exceptions=True)
            if outcome == "closed":
                client.close()
            else:
                rst(client)
                self.stats.aborted += 1
            unix.close()
            self.stats.connections -= 1
            self.site.log(f"relay {name}: {outcome}")

    async def _supervise(self, up, down, client, unix):
        up_done = False
        while True:
            pending = [t for t in (up, down) if not t.done()]
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if up in done and not up_done:
                exc = up.exception()
                if exc is not None:
                    if exc.side == "src":
                        return "reset (client error)"
                    return "reset (ssh side error while sending)"
                up_done = True
                try:
                    unix.shutdown(socket.SHUT_WR)
                except OSError:
                    return "reset (ssh side gone at client EOF)"
            if down in done:
                exc = down.exception()
                if exc is not None and exc.side == "dst":
                    return "reset (client gone)"
                if not up_done:
                    return "reset (ssh side closed before the job was complete)"
                await asyncio.sleep(GRACE)
                if not self.site.ssh_alive():
                    return "reset (ssh session died)"
                if exc is not None:
                    return "reset (ssh side error)"
                return "closed"
