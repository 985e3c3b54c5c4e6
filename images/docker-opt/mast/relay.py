"""Relay: TCP listener per printer -> ssh's unix forward socket, shaped per site.

Job integrity rules:
* forward socket absent or refusing -> RST the client at once;
* ssh side ends (EOF or error) before the client finished sending -> RST;
* ssh side ends after the client's EOF -> wait GRACE s, RST if the site's
  ssh died meanwhile, otherwise a normal close.

Limits (a flood, a silent or a non-reading peer cannot hold a site's channel):
* at most MAX_PER_PRINTER connections per printer and MAX_PER_SITE per site; a
  connection beyond either is accepted and reset at once (never queued);
* a connection on which no byte moved either way for IDLE_TIMEOUT s is reset;
* each direction holds at most one read (MAX_CHUNK bytes) in mast: it reads again
  only once the peer took the previous one, so a peer that does not read stops the
  other side (back-pressure down to ssh's channel window); a write that makes no
  progress for WRITE_TIMEOUT s resets the connection.
The timeouts are on silence, not on duration: a big job over a slow (or shaped)
site moves bytes all along and passes.
"""

import asyncio
import errno
import logging
import socket
import struct

log = logging.getLogger("mast.relay")
GRACE = 0.3
UNLIMITED_READ = 262144
MAX_CHUNK = UNLIMITED_READ       # the most one direction of a connection holds in mast
MAX_PER_PRINTER = 16             # connections at once to one printer
MAX_PER_SITE = 64                # connections at once through one site (all its printers)
IDLE_TIMEOUT = 300.0             # seconds without a byte either way
WRITE_TIMEOUT = 300.0            # seconds a peer may take no byte while mast has some for it
CONNECT_TIMEOUT = 10.0           # to ssh's forward socket
REFUSAL_LOG_EVERY = 10.0         # during a flood, one log line per printer at most this often


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
        self.exc = exc


class Stalled(Exception):
    """The peer took no byte for WRITE_TIMEOUT seconds."""


class Slots:
    """A counter with a ceiling: the connections open to one printer, or through one site."""

    def __init__(self, limit):
        self.limit = limit
        self.used = 0

    def free(self):
        return self.used < self.limit


class Activity:
    """When a byte last moved on a connection, and the most it held unsent."""

    def __init__(self, loop, stats):
        self.loop = loop
        self.last = loop.time()
        self.stats = stats

    def moved(self):
        self.last = self.loop.time()

    def holding(self, n):
        if n > self.stats.buffered_max:
            self.stats.buffered_max = n


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


async def wait_writable(loop, sock, timeout):
    fut = loop.create_future()
    fd = sock.fileno()

    def ready():
        if not fut.done():
            fut.set_result(None)

    loop.add_writer(fd, ready)
    try:
        await asyncio.wait_for(fut, timeout)
    finally:
        loop.remove_writer(fd)


async def send_all(loop, dst, data, activity):
    """Send data, waiting while dst would block; Stalled when no byte goes for WRITE_TIMEOUT s."""
    view = memoryview(data)
    while view:
        try:
            sent = dst.send(view)
        except (BlockingIOError, InterruptedError):
            sent = 0
        if sent:
            view = view[sent:]
            activity.moved()
            continue
        try:
            await wait_writable(loop, dst, WRITE_TIMEOUT)
        except asyncio.TimeoutError:
            raise Stalled(f"no byte taken for {WRITE_TIMEOUT:g} s") from None


async def pump(loop, src, dst, shaper, count, activity=None):
    """Copy src -> dst until EOF on src. Reads only what the shaper grants.

    count(n) is called after n bytes were written to dst. Raises SideError.
    Unshaped, it reads and sends first and waits only when the socket would block:
    the event loop round trip per chunk is what bounds an unshaped tunnel's rate.
    It holds at most one read (MAX_CHUNK bytes) and reads again only once dst took it."""
    while True:
        if shaper:
            try:
                await wait_readable(loop, src)
            except OSError as e:
                raise SideError("src", e)
        want = min(await shaper.acquire(shaper.chunk), MAX_CHUNK) if shaper else MAX_CHUNK
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
        if activity:
            activity.moved()
            activity.holding(len(data))
        try:
            await send_all(loop, dst, data, activity or Activity(loop, PrinterStats()))
        except (OSError, Stalled) as e:
            raise SideError("dst", e)
        count(len(data))


class PrinterStats:
    def __init__(self):
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.total = 0
        self.aborted = 0
        self.refused = 0
        self.buffered_max = 0


class Relay:
    """Listens on (address, port) for one printer.

    site: object with .upload / .download (AsyncShaper or None),
    .socket_path(printer) and .ssh_alive(), and optionally .slots (Slots shared by the
    relays of the site: the site's connection cap)."""

    def __init__(self, site, printer, address, port):
        self.site = site
        self.printer = printer
        self.address = address
        self.port = port
        self.stats = PrinterStats()
        self.slots = Slots(MAX_PER_PRINTER)
        self.lsock = None
        self.task = None
        self.conns = set()
        self._refusals = 0
        self._refusal_logged = None

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
            site_slots = getattr(self.site, "slots", None)
            if not self.slots.free() or (site_slots and not site_slots.free()):
                self._refuse(csock, addr, site_slots)
                continue
            self.slots.used += 1
            if site_slots:
                site_slots.used += 1
            t = loop.create_task(self._handle(csock, addr))
            self.conns.add(t)
            t.add_done_callback(self.conns.discard)
            t.add_done_callback(lambda _t, s=site_slots: self._release(s))

    def _release(self, site_slots):
        self.slots.used -= 1
        if site_slots:
            site_slots.used -= 1

    def _refuse(self, csock, addr, site_slots):
        """Beyond a cap: reset at once (the sender retries later), and say so in the site's log,
        at most once every REFUSAL_LOG_EVERY s per printer during a flood."""
        rst(csock)
        self.stats.refused += 1
        self._refusals += 1
        now = asyncio.get_running_loop().time()
        if self._refusal_logged is None or now - self._refusal_logged >= REFUSAL_LOG_EVERY:
            if not self.slots.free():
                why = f"{self.slots.used} connections open to printer {self.printer} (limit {self.slots.limit})"
            else:
                why = f"{site_slots.used} connections open through the site (limit {site_slots.limit})"
            self.site.log(f"relay {self.printer}<-{addr[0]}:{addr[1]}: refused, {why}; "
                          f"{self._refusals} refused since the last such line")
            self._refusal_logged = now
            self._refusals = 0

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
            await asyncio.wait_for(loop.sock_connect(unix, path), CONNECT_TIMEOUT)
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

        activity = Activity(loop, st)
        up = loop.create_task(pump(loop, client, unix, self.site.upload, up_count, activity))
        down = loop.create_task(pump(loop, unix, client, self.site.download, down_count, activity))
        outcome = "reset"
        try:
            outcome = await self._supervise(up, down, client, unix, activity)
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

    async def _supervise(self, up, down, client, unix, activity):
        loop = asyncio.get_running_loop()
        up_done = False
        while True:
            pending = [t for t in (up, down) if not t.done()]
            left = activity.last + IDLE_TIMEOUT - loop.time()
            if left <= 0:
                return f"reset (idle: no byte either way for {IDLE_TIMEOUT:g} s)"
            done, _ = await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                continue
            if up in done and not up_done:
                exc = up.exception()
                if exc is not None:
                    if exc.side == "src":
                        return "reset (client error)"
                    if isinstance(exc.exc, Stalled):
                        return f"reset (ssh side not reading: {exc.exc})"
                    return "reset (ssh side error while sending)"
                up_done = True
                try:
                    unix.shutdown(socket.SHUT_WR)
                except OSError:
                    return "reset (ssh side gone at client EOF)"
            if down in done:
                exc = down.exception()
                if exc is not None and exc.side == "dst":
                    if isinstance(exc.exc, Stalled):
                        return f"reset (client not reading: {exc.exc})"
                    return "reset (client gone)"
                if not up_done:
                    return "reset (ssh side closed before the job was complete)"
                await asyncio.sleep(GRACE)
                if not self.site.ssh_alive():
                    return "reset (ssh session died)"
                if exc is not None:
                    return "reset (ssh side error)"
                return "closed"
