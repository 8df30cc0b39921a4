package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.ArrayList;
import java.util.Collections;
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
 *
 * <p>It owns its transitions, as HikariCP's {@code PoolEntry} does: its fields are written only by its
 * own methods, each named for what happened ({@link #launched}, {@link #grant}, {@link #startLease},
 * {@link #detach}, {@link #drain}, {@link #orphan}, {@link #beginClose}, ...); the engine's parts call
 * those and read the rest.
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

  // Every field below is written only by this class's methods, each named for the transition it makes.

  /** Set once the launch succeeded ({@link #launched}). */
  volatile LaunchedBrowser browser;
  /** The reason it is being closed, set with the move to CLOSING ({@link #beginClose}). */
  volatile CloseReason closeReason;
  /** Ticker time of the last activity: a command the lease's client sent or its reply, touch(), acquire or release. */
  private volatile long lastActivity;
  /** The process exited on its own while the launch was still being finished. */
  private volatile boolean exitedEarly;
  /** Its acquirer stopped waiting for the launch (acquireTimeout): it joins the pool IDLE. Set under the lock. */
  private volatile boolean orphaned;
  /** Set when it must take no new lease: retired with this reason once idle (memory, soft evict, invalidate). */
  private volatile CloseReason drain;
  /** The last memory sample of its tree (see MemorySampler), or null. */
  private volatile MemorySampler.Sample memory;
  /**
   * Its only lease, or null when it serves none or several: the browser-wide activity callback (the
   * lease's typed CDP traffic) stamps a lease only when there is no doubt whose traffic it is. Written
   * under the engine's lock, read by reader threads.
   */
  private volatile LeaseState soleLease;

  // Guarded by the engine's lock.
  private String key;
  /** The leases it serves now, in the order they were granted. */
  private final List<LeaseState> leases = new ArrayList<>(1);
  /** Grants not yet turned into a lease: a caller is still waiting for its launch or opening its context. */
  private int grants;
  /** Leases served since launch (including those served now). */
  private int leaseCount;
  /** Leases served under its session key: the first one is a new session. */
  private int keyedLeases;

  PoolEntry(int id, long now, long lifetimeNanos) {
    this.id = id;
    this.createdAt = now;
    this.expiresAt = now + lifetimeNanos;
    this.lastActivity = now;
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions

  /** Its launch succeeded: it has a browser, active from {@code now}. */
  void launched(LaunchedBrowser b, long now) {
    browser = b;
    lastActivity = now;
  }

  /** Activity at {@code now}: a lease's command or reply, a hand-over, a release, or going idle. */
  void touch(long now) {
    lastActivity = now;
  }

  /** Its process exited while the launch was still being finished. Under lock. */
  void markExitedEarly() {
    exitedEarly = true;
  }

  /** Its acquirer gave up waiting for the launch: it joins the pool IDLE, holding no grant. Under lock. */
  void orphan() {
    orphaned = true;
    ungrant();
  }

  /** It takes no new lease from now on, and is retired with {@code reason} once idle. */
  void drain(CloseReason reason) {
    drain = reason;
  }

  /** The latest memory sample of its process tree. */
  void sampled(MemorySampler.Sample sample) {
    memory = sample;
  }

  /** Binds it to a session key for its whole life. Under lock. */
  void bindKey(String sessionKey) {
    key = sessionKey;
  }

  /** One more grant, given at {@code now}: not an LRU victim while it is handed over. Under lock. */
  void grant(long now) {
    grants++;
    lastActivity = now;
  }

  /** Drops a grant that never became a lease. Under lock. */
  void ungrant() {
    if (grants > 0) {
      grants--;
    }
  }

  /**
   * One of its grants becomes {@code lease}, at {@code now}. Under lock.
   *
   * @return whether the lease starts a new session: always for an anonymous lease, and for a keyed
   *     lease the first one of its key on this browser
   */
  boolean startLease(LeaseState lease, long now) {
    boolean newSession = !lease.bindsBrowser() || keyedLeases++ == 0;
    ungrant();
    leases.add(lease);
    soleLease = leases.size() == 1 ? lease : null;
    leaseCount++;
    lastActivity = now;
    return newSession;
  }

  /** Removes a lease that ended or was revoked; true if it was served here. Under lock. */
  boolean detach(LeaseState lease) {
    boolean was = leases.remove(lease);
    soleLease = leases.size() == 1 ? leases.get(0) : null;
    return was;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  long lastActivity() {
    return lastActivity;
  }

  boolean exitedEarly() {
    return exitedEarly;
  }

  boolean orphaned() {
    return orphaned;
  }

  /** The reason it is drained with, or null while it takes leases. */
  CloseReason drainReason() {
    return drain;
  }

  boolean drained() {
    return drain != null;
  }

  MemorySampler.Sample memory() {
    return memory;
  }

  LeaseState soleLease() {
    return soleLease;
  }

  /** Its session key, or null for an anonymous browser. Under lock. */
  String key() {
    return key;
  }

  /** The leases it serves now (a read-only view). Under lock. */
  List<LeaseState> leases() {
    return Collections.unmodifiableList(leases);
  }

  /** Grants not yet turned into a lease. Under lock. */
  int grants() {
    return grants;
  }

  /** Leases served since launch. Under lock. */
  int leaseCount() {
    return leaseCount;
  }

  /** Leases granted or served now, counted against the browser's capacity. Under lock. */
  int held() {
    return leases.size() + grants;
  }

  /** Whether a lease of its was handed over: the reaper and LRU may judge it. */
  static boolean handedOver(LeaseState l) {
    return l.context() != null;
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
