package io.github.browserpool.pool;

import io.github.browserpool.pool.PoolEntry.State;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * maxBrowserMemory: which browsers exceed it. Reads /proc through the {@link MemorySampler}, so never
 * under the pool lock.
 */
final class MemoryLimit {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolEngine engine;
  final MemorySampler sampler;
  /** maxBrowserMemory in bytes; 0 for no limit. */
  private final long limit;

  MemoryLimit(PoolEngine engine, MemorySampler sampler, long limit) {
    this.engine = engine;
    this.sampler = sampler;
    this.limit = limit;
  }

  boolean enabled() {
    return limit > 0;
  }

  /** The browser's PSS when it exceeds maxBrowserMemory, else 0. */
  long overLimit(PoolEntry entry) {
    long bytes = sampler.sample(entry).bytes();
    return bytes > limit ? bytes : 0;
  }

  void logOverLimit(PoolEntry entry, long bytes, String when) {
    LOG.info("{}{} uses {} MiB, over maxBrowserMemory {} MiB: retiring it ({})", engine.prefix,
        entry.describe(), bytes >> 20, limit >> 20, when);
  }

  /** Samples the idle browsers' memory (the states under the lock, /proc after it); those over the limit. */
  Map<PoolEntry, Long> idleOverLimit() {
    List<PoolEntry> idle;
    engine.state.lock.lock();
    try {
      idle = engine.state.bag.inState(State.IDLE);
    } finally {
      engine.state.lock.unlock();
    }
    Map<PoolEntry, Long> over = new HashMap<>();
    for (PoolEntry e : idle) {
      long bytes = e.browser != null ? overLimit(e) : 0;
      if (bytes > 0) {
        over.put(e, bytes);
      }
    }
    return over;
  }
}
