"""Fair token bucket: one per site and direction, shared by all its connections.

The core (Bucket) is pure: it is driven by an explicit clock value, so tests
can use a fake clock. AsyncShaper wraps it for asyncio.

Grants are FIFO and at most one chunk (clamp(rate/16, 256, 65536) bytes)
each; a connection re-queues after every chunk, so N active connections
share the rate round-robin and a small job waits about one chunk time per
connection ahead of it. The bucket holds at most one chunk of tokens (small
burst), which keeps the long-run rate within ~1 % of the limit.
"""

import asyncio
import collections

KIB = 1024


def chunk_for(rate):
    return int(max(256, min(65536, rate // 16)))


class Bucket:
    def __init__(self, rate, now=0.0, chunk=None, burst=None):
        self.rate = float(rate)
        self.chunk = chunk or chunk_for(rate)
        self.burst = float(burst or self.chunk)
        self.tokens = self.burst
        self.last = now
        self.queue = collections.deque()  # [ticket, want]
        self.granted = 0

    def _refill(self, now):
        # Idle, the bucket holds at most one burst. While connections wait, the
        # timer's lateness must not be lost (it would cost ~2 % of the rate), so
        # up to one more burst may accrue; it is granted at once.
        if now > self.last:
            cap = self.burst * (2 if self.queue else 1)
            self.tokens = min(max(self.tokens, cap),
                              self.tokens + (now - self.last) * self.rate)
            self.last = now

    def enqueue(self, ticket, want, now=None):
        if now is not None:
            self._refill(now)  # account the idle time before this waiter arrives
        self.queue.append((ticket, max(1, min(int(want), self.chunk))))

    def cancel(self, ticket):
        self.queue = collections.deque(e for e in self.queue if e[0] is not ticket)

    def refund(self, n, now):
        self._refill(now)
        self.tokens = min(max(self.burst, self.tokens), self.tokens + n)
        self.granted -= n

    def poll(self, now):
        """Serve the queue head-first. Returns (grants [(ticket, n)], delay or None)."""
        self._refill(now)
        grants = []
        while self.queue:
            ticket, want = self.queue[0]
            if self.tokens + 1e-6 >= want:
                self.tokens -= want
                self.granted += want
                self.queue.popleft()
                grants.append((ticket, want))
            else:
                return grants, (want - self.tokens) / self.rate
        return grants, None


class AsyncShaper:
    """asyncio front end of Bucket. rate in bytes/s."""

    def __init__(self, rate, loop=None):
        self.loop = loop or asyncio.get_running_loop()
        self.bucket = Bucket(rate, now=self.loop.time())
        self.chunk = self.bucket.chunk
        self._timer = None

    async def acquire(self, want):
        fut = self.loop.create_future()
        self.bucket.enqueue(fut, want, self.loop.time())
        self._service()
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.refund(fut.result())
            else:
                self.bucket.cancel(fut)
            raise

    def refund(self, n):
        if n > 0:
            self.bucket.refund(n, self.loop.time())
            self._service()

    def _service(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        grants, delay = self.bucket.poll(self.loop.time())
        for fut, n in grants:
            if fut.cancelled():
                self.bucket.refund(n, self.loop.time())
            else:
                fut.set_result(n)
        if delay is not None:
            self._timer = self.loop.call_later(max(delay, 0.0005), self._service)
