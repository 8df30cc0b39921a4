package io.github.browserpool;

import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.pool.LivePools;
import io.github.browserpool.pool.PoolEngine;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of headless Chromium browsers that owns every process from launch until its profile dir is
 * deleted. Start one with {@link #start(PoolConfig)}, take browsers with {@link #acquire()} in
 * try-with-resources, and close the pool when done.
 *
 * <p>Safety nets: idle browsers are closed after {@code idleTimeout}; leases without activity for
 * {@code idleTimeout} are revoked as abandoned; an unclosed lease is reclaimed after garbage collection;
 * an unclosed pool is closed after garbage collection or at JVM shutdown; and each browser exits by
 * itself when the JVM dies, because its CDP pipe closes.
 */
public final class BrowserPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BrowserPool.class);
  static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "browserpool-cleaner");
    t.setDaemon(true);
    return t;
  });

  private final PoolEngine engine;
  private final Cleaner.Cleanable cleanable;
  private final CleanerAction shutdown;

  private BrowserPool(PoolEngine engine) {
    this.engine = engine;
    this.shutdown = new CleanerAction(() -> closeEngine(engine), () -> closeUnreachable(engine)); // never this
    this.cleanable = CLEANER.register(this, shutdown);
  }

  /**
   * Starts a pool: sweeps stale {@code chromelambda-*} dirs of dead owners under {@code tempRoot},
   * starts the reaper, and launches {@code minIdle} browsers in the background.
   *
   * <p>With {@link PoolConfig.Builder#seleniumGrid} the browsers are Grid sessions: start checks that the
   * Grid answers and deletes the sessions left on it by dead pools on this host instead.
   *
   * @throws IllegalArgumentException when {@code config} is null
   * @throws BrowserLaunchException when {@code tempRoot} is not a writable directory, or the Grid is
   *     unreachable
   * @throws BrowserPoolException when {@code registerMBean} is on and another pool in this JVM
   *     registered its MBean under the same {@code poolName}; nothing is started
   */
  public static BrowserPool start(PoolConfig config) {
    if (config == null) {
      throw new IllegalArgumentException(
          "config must not be null: pass PoolConfig.builder().build() for the defaults");
    }
    return start(config, BrowserKinds.of(config).create(config), true);
  }

  /** Starts a pool over any launcher; unit tests pass a fake one and skip the sweep. */
  static BrowserPool start(PoolConfig config, BrowserLauncher launcher, boolean sweep) {
    PoolEngine engine = new PoolEngine(config, launcher, true);
    if (config.registerMBean()) {
      try {
        engine.registerMBean(); // first: a clash must fail before the sweep touches anything
      } catch (RuntimeException e) {
        engine.discardUnstarted();
        throw e;
      }
    }
    if (sweep) {
      launcher.sweep(engine::recordSweep);
    }
    BrowserPool pool = new BrowserPool(engine);
    LivePools.register(engine);
    engine.start();
    LOG.info("[{}] started: {}", config.poolName(), config);
    return pool;
  }

  /**
   * Leases a browser with a fresh, isolated browser context.
   *
   * @throws AcquireTimeoutException under WAIT (or EVICT_LRU) when none became free in time
   * @throws PoolExhaustedException under REJECT when all are leased
   * @throws PoolClosedException when the pool is closed
   * @throws BrowserLaunchException when a new browser was needed and could not be launched
   */
  public BrowserLease acquire() {
    return new BrowserLease(engine.acquire(null), CLEANER, this);
  }

  /**
   * Leases an anonymous browser whose pages present themselves as {@code options} say (user agent,
   * locale, time zone, viewport), applied to every page before {@code newPage()} or {@code
   * newRawPage()} returns it. {@code acquire()} equals {@code acquire(LeaseOptions.defaults())}.
   *
   * @throws NullPointerException when {@code options} is null
   * @throws AcquireTimeoutException under WAIT (or EVICT_LRU) when none became free in time
   * @throws PoolExhaustedException under REJECT when all are leased
   * @throws PoolClosedException when the pool is closed
   * @throws BrowserLaunchException when a new browser was needed and could not be launched
   */
  public BrowserLease acquire(LeaseOptions options) {
    Objects.requireNonNull(options, "options: pass LeaseOptions.defaults() for none");
    return new BrowserLease(engine.acquire(null, options), CLEANER, this);
  }

  /**
   * Leases the browser bound to {@code sessionKey}, with its persistent profile (cookies, storage), or
   * binds a browser to the key if there is none. One lease per key at a time; other callers wait.
   * Idle keyed browsers are closed after {@code idleTimeout} and evicted LRU at capacity.
   *
   * @throws IllegalArgumentException when {@code sessionKey} is null or blank
   */
  public BrowserLease acquire(String sessionKey) {
    requireKey(sessionKey);
    return new BrowserLease(engine.acquire(sessionKey), CLEANER, this);
  }

  private static void requireKey(String sessionKey) {
    if (sessionKey == null || sessionKey.isBlank()) {
      throw new IllegalArgumentException("sessionKey must be a non-blank string, but was "
          + (sessionKey == null ? "null" : "\"" + sessionKey + "\"")
          + ": pass a stable key such as a user id, or call acquire() for an anonymous lease");
    }
  }

  /**
   * A snapshot of every browser in the pool (starting, idle, leased or closing): state, session key,
   * age, leases, and the processes and memory (PSS) of its tree. Memory is read from /proc at most once
   * a second per browser, so calling this often is cheap, but it is never free: it scans /proc.
   */
  public List<BrowserInfo> browsers() {
    return engine.browsers();
  }

  /**
   * Ends a keyed session: the browser bound to {@code sessionKey} takes no new lease and closes once its
   * lease ends, or now if it is idle ({@link CloseReason#EVICTED}). The next {@code acquire(sessionKey)}
   * gets a fresh profile ({@link BrowserLease#isNewSession()} is true). A key with no browser is a no-op.
   *
   * @return whether a browser was bound to the key
   * @throws IllegalArgumentException when {@code sessionKey} is null or blank
   */
  public boolean invalidate(String sessionKey) {
    requireKey(sessionKey);
    return engine.invalidate(sessionKey);
  }

  /**
   * Adds a listener to a running pool, after those of {@link PoolConfig.Builder#listener}; the
   * Micrometer binder adds itself this way. The pool holds it until {@link #removeListener} or close,
   * so it must not hold this {@code BrowserPool} (or an unclosed pool could never be collected).
   *
   * @throws IllegalArgumentException when {@code listener} is null
   */
  public void addListener(PoolListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("listener must not be null: pass a PoolListener");
    }
    engine.addListener(listener);
  }

  /** Removes a listener added to this pool; returns whether it was there. */
  public boolean removeListener(PoolListener listener) {
    return engine.removeListener(listener);
  }

  /** A snapshot of the pool's gauges and counters. */
  public PoolStats stats() {
    return engine.stats();
  }

  /** The pool's name, as in its log lines. */
  public String name() {
    return engine.config().poolName();
  }

  /** The pool's configuration. */
  public PoolConfig config() {
    return engine.config();
  }

  /**
   * Closes the pool: fails waiting {@code acquire} calls with {@link PoolClosedException}, revokes
   * every lease, closes all browsers in parallel and returns once every process tree is verified dead
   * and every profile dir deleted. Idempotent: a second call, concurrent or later, returns only once the
   * pool is closed.
   */
  @Override
  public void close() {
    shutdown.markClosed();
    cleanable.clean(); // runs the close once; a concurrent second caller returns from here at once...
    engine.awaitTermination(); // ...so every caller waits until the pool is really closed
  }

  /** The pool handle became unreachable without close(): close its engine on a thread of its own. */
  private static void closeUnreachable(PoolEngine engine) {
    LOG.warn("{}pool not closed: it became unreachable without close(); closing its browsers."
        + " Close every BrowserPool, ideally with try-with-resources.", engine.prefix());
    // Do not block the shared Cleaner thread for the whole close.
    Thread t = new Thread(() -> closeEngine(engine), engine.config().poolName() + "-gc-close");
    t.setDaemon(false);
    t.start();
  }

  private static void closeEngine(PoolEngine engine) {
    try {
      engine.close();
    } finally {
      LivePools.unregister(engine);
    }
  }
}
