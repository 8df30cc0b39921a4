package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolStats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pool's cumulative counters. A browser's close is counted under its reason the moment it starts
 * closing, so that {@code launched == closed + total} holds at every moment.
 */
final class PoolCounters {
  final LongAdder launched = new LongAdder();
  final LongAdder launchFailures = new LongAdder();
  final LongAdder forcedKills = new LongAdder();
  final LongAdder leasesRevoked = new LongAdder();
  final LongAdder sweptDirs = new LongAdder();
  final LongAdder sweptProcesses = new LongAdder();
  private final EnumMap<CloseReason, LongAdder> closedByReason = new EnumMap<>(CloseReason.class);

  PoolCounters() {
    for (CloseReason r : CloseReason.values()) {
      closedByReason.put(r, new LongAdder());
    }
  }

  void closed(CloseReason reason) {
    closedByReason.get(reason).increment();
  }

  /** The stats, from the gauges and the number of waiters taken by the caller. */
  PoolStats snapshot(EntryBag.Gauges gauges, int waiting) {
    int starting = gauges.starting(), idle = gauges.idle(), leased = gauges.leased();
    Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
    closedByReason.forEach((r, n) -> byReason.put(r, n.sum()));
    return new PoolStats(starting + idle + leased, idle, leased, starting, waiting, launched.sum(),
        launchFailures.sum(), byReason, forcedKills.sum(), leasesRevoked.sum(), sweptDirs.sum(),
        sweptProcesses.sum(), gauges.leases(), gauges.preparedContexts());
  }
}
