package io.github.browserpool;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The values behind a {@link PoolConfig}. A {@link PoolConfig.Builder} fills one in, each value checked
 * by {@link ConfigChecks} as it is set; {@link #frozen()} makes the copy a config keeps, with the unset
 * names and paths defaulted and the lists unmodifiable. Nothing writes to a frozen copy, and the config
 * holds it in a final field, so it is safely shared. Package-private: users see the config's accessors
 * and the builder's setters only.
 */
final class ConfigValues implements Cloneable {
  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  String poolName;
  int maxBrowsers = PoolConfig.DEFAULT_MAX_BROWSERS;
  int minIdle = PoolConfig.DEFAULT_MIN_IDLE;
  Duration idleTimeout = PoolConfig.DEFAULT_IDLE_TIMEOUT;
  Duration acquireTimeout = PoolConfig.DEFAULT_ACQUIRE_TIMEOUT;
  CapacityPolicy capacityPolicy = PoolConfig.DEFAULT_CAPACITY_POLICY;
  Path tempRoot;
  Path chromeExecutable;
  BrowserBinary browserBinary = PoolConfig.DEFAULT_BROWSER_BINARY;
  Duration closeTimeout = PoolConfig.DEFAULT_CLOSE_TIMEOUT;
  Duration launchTimeout = PoolConfig.DEFAULT_LAUNCH_TIMEOUT;
  Duration maxLifetime = PoolConfig.DEFAULT_MAX_LIFETIME;
  int maxLeasesPerBrowser = PoolConfig.DEFAULT_MAX_LEASES_PER_BROWSER;
  int maxContextsPerBrowser = PoolConfig.DEFAULT_MAX_CONTEXTS_PER_BROWSER;
  Duration evictionProtection = PoolConfig.DEFAULT_EVICTION_PROTECTION;
  Duration callTimeout = PoolConfig.DEFAULT_CALL_TIMEOUT;
  List<String> chromeArguments = new ArrayList<>();
  Boolean noSandbox;
  Ticker ticker = Ticker.system();
  long maxBrowserMemory = PoolConfig.DEFAULT_MAX_BROWSER_MEMORY;
  boolean registerMBean = PoolConfig.DEFAULT_REGISTER_MBEAN;
  boolean captureAcquireSite = PoolConfig.DEFAULT_CAPTURE_ACQUIRE_SITE;
  List<PoolListener> listeners = new ArrayList<>();
  URI seleniumGrid;
  Map<String, Object> gridCapabilities = new LinkedHashMap<>();
  SessionStore sessionStore;

  /**
   * The copy a config keeps: an unset poolName becomes {@code browserpool-N} (numbered in the order
   * configs are built), an unset tempRoot {@code java.io.tmpdir}; lists and maps are copied, unmodifiable,
   * so the builder's later use cannot reach the copy. Every other field is copied as it is: an immutable
   * value, or the user's own ticker.
   */
  ConfigValues frozen() {
    ConfigValues f;
    try {
      f = (ConfigValues) clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
    f.poolName = poolName != null ? poolName : "browserpool-" + POOL_NUMBER.incrementAndGet();
    f.tempRoot = tempRoot != null ? tempRoot : Path.of(System.getProperty("java.io.tmpdir"));
    f.chromeArguments = Collections.unmodifiableList(new ArrayList<>(chromeArguments));
    f.listeners = Collections.unmodifiableList(new ArrayList<>(listeners));
    f.gridCapabilities = Collections.unmodifiableMap(new LinkedHashMap<>(gridCapabilities));
    return f;
  }

  /** {@link PoolConfig#toString()}: every setting, the Grid's and the session store's only when set. */
  String describe() {
    return "PoolConfig{poolName=" + poolName + ", maxBrowsers=" + maxBrowsers + ", minIdle=" + minIdle
        + ", idleTimeout=" + idleTimeout + ", acquireTimeout=" + acquireTimeout
        + ", capacityPolicy=" + capacityPolicy + ", tempRoot=" + tempRoot
        + ", chromeExecutable=" + chromeExecutable + ", browserBinary=" + browserBinary
        + ", closeTimeout=" + closeTimeout
        + ", launchTimeout=" + launchTimeout + ", maxLifetime=" + maxLifetime
        + ", maxLeasesPerBrowser=" + maxLeasesPerBrowser + ", maxContextsPerBrowser=" + maxContextsPerBrowser + ", evictionProtection=" + evictionProtection
        + ", callTimeout=" + callTimeout + ", chromeArguments=" + chromeArguments + ", noSandbox=" + noSandbox
        + ", maxBrowserMemory=" + (maxBrowserMemory == 0 ? "none" : maxBrowserMemory)
        + ", registerMBean=" + registerMBean + ", captureAcquireSite=" + captureAcquireSite
        + ", listeners=" + listeners.size()
        + (seleniumGrid != null ? ", seleniumGrid=" + seleniumGrid + ", gridCapabilities=" + gridCapabilities : "")
        + (sessionStore != null ? ", sessionStore=" + io.github.browserpool.pool.Sessions.describe(sessionStore) : "")
        + "}";
  }
}
