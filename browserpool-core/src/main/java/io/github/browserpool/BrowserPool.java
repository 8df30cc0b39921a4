package io.github.browserpool;

import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.pool.LivePools;
import io.github.browserpool.pool.PoolEngine;
import java.lang.ref.Cleaner;
import java.time.Duration;
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

  /**
   * Starts a pool as {@link #start(PoolConfig)} does, except that a launcher that cannot be set up (no
   * Chromium executable, a {@code tempRoot} that is not writable, an unreachable Grid) does not fail the
   * start: the pool starts, every launch fails with that {@link BrowserLaunchException} (so {@code
   * acquire()} throws it), and each failure is counted in {@link PoolStats#launchFailures()} and reported
   * to {@link PoolListener#launchFailed}, the first one at once. For frameworks that start the application
   * and report the error through a health check (the Spring Boot starter does). Fix the cause and start a
   * new pool: this one never launches.
   *
   * @throws IllegalArgumentException when {@code config} is null
   * @throws BrowserPoolException when {@code registerMBean} is on and the poolName's MBean is taken
   */
  public static BrowserPool startLenient(PoolConfig config) {
    if (config == null) {
      throw new IllegalArgumentException(
          "config must not be null: pass PoolConfig.builder().build() for the defaults");
    }
    try {
      return start(config);
    } catch (BrowserLaunchException e) {
      LOG.error("[{}] cannot launch browsers: {} The pool starts anyway; every acquire() fails with this"
          + " error until the cause is fixed and the application restarts.", config.poolName(), e.getMessage());
      BrowserPool pool = start(config, BrowserLauncher.failing(e), false);
      pool.engine.recordLaunchFailure(e);
      return pool;
    }
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
   * Leases a fresh, isolated browser context in one of the pool's browsers, which may serve other
   * anonymous leases at the same time, each in its own context ({@link PoolConfig#maxContextsPerBrowser()}).
   *
   * @throws AcquireTimeoutException under WAIT (or EVICT_LRU) when none became free in time
   * @throws PoolExhaustedException under REJECT when the pool has no room for another lease
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
   * @throws PoolExhaustedException under REJECT when the pool has no room for another lease
   * @throws PoolClosedException when the pool is closed
   * @throws BrowserLaunchException when a new browser was needed and could not be launched
   */
  public BrowserLease acquire(LeaseOptions options) {
    Objects.requireNonNull(options, "options: pass LeaseOptions.defaults() for none");
    return new BrowserLease(engine.acquire(null, options), CLEANER, this);
  }

  /**
   * Leases the browser bound to {@code sessionKey}, with its persistent profile (cookies, storage), or
   * binds a browser to the key if there is none. One lease per key at a time; another caller of the same
   * key is treated as at capacity (it waits under WAIT). Idle keyed browsers are closed after {@code
   * idleTimeout}, and the least recently active one is closed when a new browser needs its place.
   *
   * @throws IllegalArgumentException when {@code sessionKey} is null or blank
   * @throws AcquireTimeoutException under WAIT (or EVICT_LRU) when the key's browser or a place for it did
   *     not become free in time
   * @throws PoolExhaustedException under REJECT when the key's browser is leased or there is no room for it
   * @throws PoolClosedException when the pool is closed
   * @throws BrowserLaunchException when a new browser was needed and could not be launched
   */
  public BrowserLease acquire(String sessionKey) {
    requireKey(sessionKey);
    return new BrowserLease(engine.acquire(sessionKey), CLEANER, this);
  }

  /**
   * A keyed lease ({@link #acquire(String)}) whose pages get {@code options}. In a pool with a {@link
   * SessionStore} every option applies, as to an anonymous lease (a proxy gives the key's context a fresh
   * one with it), and a {@link LeaseOptions.Builder#storageState} seeds a key with no stored state yet.
   * Without a store the key's lease is its browser's default profile: the page options (user agent,
   * locale, time zone, viewport) apply to its pages, but a proxy or a storageState cannot be set on a
   * profile and is refused. The options are not stored with the session: pass them on each acquire.
   *
   * @throws IllegalArgumentException when {@code sessionKey} is null or blank, or, without a store, the
   *     options set a proxy or a storageState
   * @throws NullPointerException when {@code options} is null
   * @throws SessionStateException when the key's stored state cannot be loaded or restored
   * @throws AcquireTimeoutException under WAIT (or EVICT_LRU) when the key's lease or a place for it did
   *     not become free in time
   * @throws PoolExhaustedException under REJECT when the key is leased or there is no room
   * @throws PoolClosedException when the pool is closed
   * @throws BrowserLaunchException when a new browser was needed and could not be launched
   */
  public BrowserLease acquire(String sessionKey, LeaseOptions options) {
    requireKey(sessionKey);
    Objects.requireNonNull(options, "options: pass LeaseOptions.defaults() for none");
    if (engine.config().sessionStore() == null && (options.proxyServer() != null || options.storageState() != null)) {
      throw new IllegalArgumentException("acquire(\"" + sessionKey + "\", options): a keyed lease without a"
          + " SessionStore is its browser's default profile, which cannot take "
          + (options.proxyServer() != null ? "a per-lease proxy" : "a storageState")
          + ". Configure PoolConfig.builder().sessionStore(SessionStore.inMemory()) to make keyed leases"
          + " contexts that take every option, or drop " + (options.proxyServer() != null ? "proxy" : "storageState")
          + " from the options.");
    }
    return new BrowserLease(engine.acquire(sessionKey, options), CLEANER, this);
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
   * In a pool with a {@link SessionStore}, deletes the key's stored state instead (within closeTimeout),
   * and a lease of the key open now does not save its state back when it closes.
   *
   * @return whether a browser was bound to the key; with a store, whether the key had a stored state or
   *     an open lease
   * @throws IllegalArgumentException when {@code sessionKey} is null or blank
   * @throws SessionStateException when the store failed to delete the state, or did not answer in time
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

  /**
   * Whether {@code acquire()} fails now with {@link PoolClosedException}: true from the call of {@link
   * #close()} or {@link #close(Duration)} on, also while the leases in flight are still finishing.
   */
  public boolean isClosed() {
    return engine.isClosing();
  }

  /** Whether the pool is suspended ({@code suspendPool()} through JMX): it hands out no lease until resumed. */
  public boolean isSuspended() {
    return engine.isSuspended();
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

  /**
   * Sets whether this pool is closed by browserpool's JVM shutdown hook, which closes every open pool at once
   * (revoking its leases) when the JVM exits. On by default. Turn it off when the application closes the
   * pool itself at shutdown, in its own order: Spring Boot's starter does, so that a SIGTERM first lets
   * the web server finish its requests and then calls {@link #close(Duration)}, instead of this hook
   * revoking the leases of the requests still running. The other safety nets stay: each browser exits when
   * the JVM dies (its CDP pipe closes), and the next start's sweep removes dirs left behind.
   */
  public void closeOnJvmShutdown(boolean close) {
    if (close && !engine.isClosing()) {
      LivePools.register(engine);
    } else {
      LivePools.unregister(engine);
    }
  }

  /** Whether browserpool's JVM shutdown hook closes this pool (see {@link #closeOnJvmShutdown}). */
  public boolean closesOnJvmShutdown() {
    return LivePools.isRegistered(engine);
  }

  /**
   * Closes the pool gracefully: from the call on, {@code acquire()} fails at once with {@link
   * PoolClosedException} (so do the calls waiting for a browser); the leases in flight get up to {@code
   * grace} to end, and a lease whose browser was already being launched or handed over for an earlier
   * {@code acquire()} counts as one. Then the pool closes as {@link #close()} does: the leases still out
   * are revoked ({@link CloseReason#SHUTDOWN}), every browser is closed and every dir deleted. Returns
   * once the pool is closed. For a web server's graceful shutdown or a Kubernetes {@code preStop} hook.
   * A concurrent {@code close()} ends the grace at once.
   *
   * @param grace how long the leases in flight may still run; zero closes as {@code close()} does
   * @throws IllegalArgumentException when {@code grace} is null or negative
   */
  public void close(Duration grace) {
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("invalid grace: " + grace + ". To fix it, pass zero or a positive"
          + " Duration, e.g. Duration.ofSeconds(30), or call close() to revoke every lease at once");
    }
    int left = engine.drain(grace);
    if (left > 0) {
      LOG.warn("{}grace of {} passed with {} leases in flight: revoking them", engine.prefix(), grace, left);
    }
    close();
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
