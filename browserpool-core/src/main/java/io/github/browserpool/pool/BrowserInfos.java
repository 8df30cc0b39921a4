package io.github.browserpool.pool;

import io.github.browserpool.BrowserInfo;
import io.github.browserpool.pool.PoolEntry.State;
import io.github.browserpool.spi.LaunchedBrowser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link BrowserInfo} snapshots: rows taken under the pool lock, memory sampled after it. */
final class BrowserInfos {
  private BrowserInfos() {}

  /** What is read under the lock, once per entry. */
  record Row(PoolEntry e, State state, String key, long leases, int active) {}

  /** Every browser of {@code engine}: the states taken under its lock, memory sampled after it is released. */
  static List<BrowserInfo> snapshot(PoolEngine engine) {
    List<Row> rows;
    engine.state.lock.lock();
    try {
      rows = rows(engine.state.bag.all());
    } finally {
      engine.state.lock.unlock();
    }
    return describe(rows, engine.ticker.read(), engine.memory.sampler);
  }

  /** The rows of the live entries. Under the pool lock. */
  static List<Row> rows(List<PoolEntry> entries) {
    List<Row> rows = new ArrayList<>();
    for (PoolEntry e : entries) {
      State st = e.state();
      if (st != State.CLOSED) {
        rows.add(new Row(e, st, e.key(), e.leaseCount(), e.leases().size()));
      }
    }
    return rows;
  }

  /** The snapshots at {@code now}; samples memory (reads /proc), so never under the lock. */
  static List<BrowserInfo> describe(List<Row> rows, long now, MemorySampler memory) {
    List<BrowserInfo> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      PoolEntry e = r.e();
      LaunchedBrowser b = e.browser;
      MemorySampler.Sample m = r.state() == State.CLOSING ? e.memoryOrNone() : memory.sample(e);
      out.add(new BrowserInfo(
          b != null ? b.browserId() : "starting-" + e.id,
          b != null ? b.pid() : -1,
          BrowserInfo.State.valueOf(r.state().name()),
          r.key(),
          Duration.ofNanos(Math.max(0, now - e.createdAt)),
          Duration.ofNanos(Math.max(0, now - e.lastActivity())),
          r.leases(),
          r.active(),
          m.processes(),
          m.bytes()));
    }
    return out;
  }
}
