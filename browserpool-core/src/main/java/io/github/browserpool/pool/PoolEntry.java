package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine's record of one browser: its state machine, last activity, age, and the leases it serves.
 *
 * <p>A browser serves up to its capacity of leases at once: {@code maxContextsPerBrowser} anonymous
 * leases, each in its own context, or one keyed lease. It is LEASED while it holds any (granted or
 * handed over), and IDLE when it holds none. State changes only by compare-and-set along these edges:
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
  /** The leases it serves now, in the order they were granted. */
  final List<LeaseState> leases = new ArrayList<>(1);
  /** Grants not yet turned into a lease: a caller is still waiting for its launch or opening its context. */
  int pending;
  /** Leases served since launch (including those served now). */
  int leaseCount;
  /** Leases served under its session key: the first one is a new session. */
  int keyedLeases;

  PoolEntry(int id, long now, long lifetimeNanos) {
    this.id = id;
    this.createdAt = now;
    this.expiresAt = now + lifetimeNanos;
    this.lastActivity = now;
  }

  /**
   * Its only lease, or null when it serves none or several: the browser-wide activity callback (the
   * lease's typed CDP traffic) stamps a lease only when there is no doubt whose traffic it is. Written
   * under the engine's lock, read by reader threads.
   */
  volatile LeaseState soleLease;

  /** Leases granted or served now, counted against the browser's capacity. Under lock. */
  int held() {
    return leases.size() + pending;
  }

  /** Adds a lease it now serves (one of its pending grants). Under lock. */
  void attach(LeaseState lease) {
    if (pending > 0) {
      pending--;
    }
    leases.add(lease);
    soleLease = leases.size() == 1 ? lease : null;
  }

  /** Removes a lease that ended or was revoked; true if it was served here. Under lock. */
  boolean detach(LeaseState lease) {
    boolean was = leases.remove(lease);
    soleLease = leases.size() == 1 ? leases.get(0) : null;
    return was;
  }

  /** Drops a grant that never became a lease. Under lock. */
  void ungrant() {
    if (pending > 0) {
      pending--;
    }
  }

  /** Whether a lease of its was handed over: the reaper and LRU may judge it. */
  static boolean handedOver(LeaseState l) {
    return l.context != null;
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
