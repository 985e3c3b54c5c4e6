import pytest

from mast.shaper import Bucket, chunk_for


def test_chunk_clamp():
    assert chunk_for(16 * 1024) == 1024
    assert chunk_for(1024) == 256
    assert chunk_for(10 * 1024 * 1024) == 65536


def run(bucket, tickets, seconds, now=0.0, wants=None):
    """Consumers that always want a chunk and re-queue at once. Fake clock."""
    got = {t: 0 for t in tickets}
    for t in tickets:
        bucket.enqueue(t, (wants or {}).get(t, bucket.chunk))
    while now < seconds:
        grants, delay = bucket.poll(now)
        for t, n in grants:
            got[t] += n
            bucket.enqueue(t, (wants or {}).get(t, bucket.chunk))
        if delay is not None:
            now += delay
    return got, now


@pytest.mark.parametrize("kib", [16, 64, 1024, 10 * 1024])
def test_rate_held(kib):
    rate = kib * 1024
    b = Bucket(rate, now=0.0)
    got, end = run(b, ["a"], 60.0)
    ratio = got["a"] / (rate * end)
    assert 0.99 <= ratio <= 1.01, ratio


def test_fair_between_consumers():
    b = Bucket(16 * 1024, now=0.0)
    got, _ = run(b, ["a", "b", "c"], 30.0)
    vals = list(got.values())
    assert max(vals) - min(vals) <= b.chunk
    assert 0.99 <= sum(vals) / (16 * 1024 * 30) <= 1.01


def test_small_request_served_within_a_chunk_time():
    rate = 16 * 1024
    b = Bucket(rate, now=0.0)
    b.tokens = 0
    b.enqueue("big", b.chunk)     # a big job is already waiting
    b.enqueue("small", 1024)      # 1 KiB job arrives
    now, done = 0.0, None
    while done is None:
        grants, delay = b.poll(now)
        for t, n in grants:
            if t == "small":
                done = now
            else:
                b.enqueue(t, b.chunk)
        if done is None:
            now += delay
    chunk_time = b.chunk / rate
    assert done <= 2 * chunk_time + 1e-9


def test_refund_and_cancel():
    b = Bucket(1024, now=0.0)
    grants, _ = b.poll(0.0)
    b.enqueue("a", 256)
    grants, _ = b.poll(0.0)
    assert grants == [("a", 256)] and b.tokens == 0
    b.refund(200, 0.0)
    assert b.tokens == 200
    b.enqueue("x", 256)
    b.cancel("x")
    assert not b.queue


def test_burst_is_small():
    b = Bucket(64 * 1024, now=0.0)
    b.poll(1000.0)   # long idle
    assert b.tokens <= b.chunk
