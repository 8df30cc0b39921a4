package io.github.browserpool.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * What one decision of the engine leaves to do once the pool lock is released: the browsers it retired
 * (to close), the warm-up slots it added (to launch), the contexts of the leases it dropped (to
 * dispose), the log lines it wants written, and the reaper's next deadline.
 *
 * <p>A decision fills it while holding the lock ({@link PoolEngine#decide}); {@link PoolEngine#apply}
 * carries it out after the lock is released, in one place. Listener events raised under the lock wait
 * in {@link Listeners}' queue, and the same apply delivers them first. Not thread-safe: one decision,
 * one thread.
 */
final class Effects {
  private final List<PoolEntry> closes = new ArrayList<>();
  private final List<PoolEntry> warmUps = new ArrayList<>();
  private final List<LeaseState> disposals = new ArrayList<>();
  private final List<Runnable> logs = new ArrayList<>();
  private List<LeaseState> sessionEnds = List.of();
  private boolean waiterJoined;
  private boolean wakes;
  private long wakeAt;

  /** A browser now CLOSING, to be closed (kill, verify, delete its dir) under its close reason. */
  void close(PoolEntry e) {
    closes.add(e);
  }

  /** A STARTING slot added to keep minIdle browsers, to be launched. */
  void warmUp(PoolEntry e) {
    warmUps.add(e);
  }

  /** The context of a lease that left its shared browser, to be disposed on the worker. */
  void dispose(LeaseState lease) {
    disposals.add(lease);
  }

  /** Session leases the pool ended: their state is saved and their key freed once the lock is released. */
  void endSessions(List<LeaseState> ended) {
    if (!ended.isEmpty()) {
      if (sessionEnds.isEmpty()) {
        sessionEnds = new ArrayList<>();
      }
      sessionEnds.addAll(ended);
    }
  }

  List<LeaseState> sessionEnds() {
    return sessionEnds;
  }

  /** A log line to write once the lock is released. */
  void log(Runnable line) {
    logs.add(line);
  }

  /** A caller joined the queue: once waiters are served, the reaper must watch for an evictable lease. */
  void waiterJoined() {
    waiterJoined = true;
  }

  boolean joinedWaiter() {
    return waiterJoined;
  }

  /** The reaper must run no later than {@code deadline} (ticker time); the earliest asked for wins. */
  void wakeBy(long deadline) {
    if (!wakes || deadline - wakeAt < 0) {
      wakes = true;
      wakeAt = deadline;
    }
  }

  List<PoolEntry> closes() {
    return closes;
  }

  List<PoolEntry> warmUps() {
    return warmUps;
  }

  List<LeaseState> disposals() {
    return disposals;
  }

  List<Runnable> logs() {
    return logs;
  }

  boolean wakes() {
    return wakes;
  }

  long wakeAt() {
    return wakeAt;
  }
}
