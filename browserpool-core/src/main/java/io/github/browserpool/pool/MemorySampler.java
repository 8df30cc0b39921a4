package io.github.browserpool.pool;

import io.github.browserpool.Ticker;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Samples the memory of a browser's process tree, at most once a second per browser (by the pool's
 * ticker): a sample younger than that is returned from the browser's record. Reads /proc, so it is
 * never called under the pool lock.
 */
final class MemorySampler {
  static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** One reading: when, how many live processes, and their PSS summed. */
  record Sample(long at, int processes, long bytes) {}

  private static final Sample NONE = new Sample(0, 0, 0);

  private final MemoryReader reader;
  private final Ticker ticker;

  MemorySampler(MemoryReader reader, Ticker ticker) {
    this.reader = reader;
    this.ticker = ticker;
  }

  /** The browser's sample: the cached one if younger than a second, else a new reading. */
  Sample sample(PoolEntry e) {
    LaunchedBrowser b = e.browser;
    if (b == null) {
      return NONE;
    }
    long now = ticker.read();
    Sample cached = e.memory();
    if (cached != null && now - cached.at() < MAX_AGE_NANOS) {
      return cached;
    }
    Set<Long> pids;
    try {
      pids = b.treePids();
    } catch (RuntimeException ex) {
      return cached != null ? cached : NONE;
    }
    int processes = 0;
    long bytes = 0;
    for (long pid : pids) {
      long pss = reader.pssBytes(pid);
      if (pss >= 0) {
        processes++;
        bytes += pss;
      }
    }
    Sample s = new Sample(now, processes, bytes);
    e.sampled(s);
    return s;
  }
}
