package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine's record of one browser: its state machine, last activity, age and lease count.
 *
 * <p>State changes only by compare-and-set along these edges:
 *
 * <pre>
 *   STARTING -> IDLE | LEASED | CLOSING
 *   IDLE     -> LEASED | CLOSING
 *   LEASED   -> IDLE | CLOSING
 *   CLOSING  -> CLOSED
 * </pre>
 */
final class PoolEntry {
  enum State {
    STARTING,
    IDLE,
    LEASED,
    CLOSING,
    CLOSED
  }

  final int id;
  final long createdAt;
  final long expiresAt;
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  final CompletableFuture<Void> closed = new CompletableFuture<>();

  /** Set once the launch succeeded. */
  volatile LaunchedBrowser browser;
  /** Ticker time of the last activity: a command the lease's client sent or its reply, touch(), acquire or release. */
  volatile long lastActivity;
  /** The reason it is being closed, set with the move to CLOSING. */
  volatile CloseReason closeReason;
  /** The process exited on its own while the launch was still being finished. */
  volatile boolean exitedEarly;
  /** Its acquirer stopped waiting for the launch (acquireTimeout): it joins the pool IDLE. Set under the lock. */
  volatile boolean orphaned;

  /** Set when it must take no new lease: closed with this reason once idle (memory, soft evict, invalidate). */
  volatile CloseReason drain;
  /** The last memory sample of its tree (see MemorySampler), or null. */
  volatile MemorySampler.Sample memory;

  // Guarded by the engine's lock.
  String key;
  LeaseState lease;
  int leaseCount;
  /** Leases served under its session key: the first one is a new session. */
  int keyedLeases;

  PoolEntry(int id, long now, long lifetimeNanos) {
    this.id = id;
    this.createdAt = now;
    this.expiresAt = now + lifetimeNanos;
    this.lastActivity = now;
  }

  /** Leased, and its lease's context handed over: the lease is in use (the reaper and LRU may judge it). */
  boolean handedOver() {
    LeaseState l = lease;
    return state() == State.LEASED && l != null && l.context != null;
  }

  State state() {
    return state.get();
  }

  boolean transition(State from, State to) {
    return state.compareAndSet(from, to);
  }

  /** Moves to CLOSING from any live state; returns false when it was already closing or closed. */
  boolean beginClose(CloseReason reason) {
    while (true) {
      State s = state.get();
      if (s == State.CLOSING || s == State.CLOSED) {
        return false;
      }
      if (state.compareAndSet(s, State.CLOSING)) {
        closeReason = reason;
        return true;
      }
    }
  }

  void markClosed() {
    state.set(State.CLOSED);
  }

  MemorySampler.Sample memoryOrNone() {
    MemorySampler.Sample m = memory;
    return m != null ? m : new MemorySampler.Sample(0, 0, 0);
  }

  String describe() {
    LaunchedBrowser b = browser;
    return "browser #" + id + (b != null ? " (" + b.describe() + ")" : "");
  }
}
