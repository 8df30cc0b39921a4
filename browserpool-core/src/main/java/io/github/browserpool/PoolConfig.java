package io.github.browserpool;

import static io.github.browserpool.ConfigChecks.nonNegative;
import static io.github.browserpool.ConfigChecks.positive;
import static io.github.browserpool.ConfigChecks.require;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The immutable settings of a {@link BrowserPool}. Build one with {@link #builder()}; every setter
 * rejects an impossible value at once with an {@link IllegalArgumentException} that names the setting,
 * the value, and what to pass instead. Cross-setting checks run in {@link Builder#build()}.
 */
public final class PoolConfig {
  /** Default for {@link Builder#maxBrowsers(int)}. */
  public static final int DEFAULT_MAX_BROWSERS = 4;
  /** Default for {@link Builder#minIdle(int)}. */
  public static final int DEFAULT_MIN_IDLE = 0;
  /** Default for {@link Builder#idleTimeout(Duration)}. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  /** Default for {@link Builder#acquireTimeout(Duration)}. */
  public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
  /** Default for {@link Builder#capacityPolicy(CapacityPolicy)}. */
  public static final CapacityPolicy DEFAULT_CAPACITY_POLICY = CapacityPolicy.WAIT;
  /** Default for {@link Builder#closeTimeout(Duration)}. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** Default for {@link Builder#launchTimeout(Duration)}. */
  public static final Duration DEFAULT_LAUNCH_TIMEOUT = Duration.ofSeconds(30);
  /** Default for {@link Builder#maxLifetime(Duration)}. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);
  /** Default for {@link Builder#maxLeasesPerBrowser(int)}. */
  public static final int DEFAULT_MAX_LEASES_PER_BROWSER = 1000;
  /**
   * Default for {@link Builder#maxContextsPerBrowser(int)}. See README, "Dense leases", for the
   * measurements it rests on.
   */
  public static final int DEFAULT_MAX_CONTEXTS_PER_BROWSER = 8;
  /** The most anonymous leases one browser may serve at once. */
  public static final int MAX_CONTEXTS_PER_BROWSER_LIMIT = 64;
  /** Default for {@link Builder#evictionProtection(Duration)}. */
  public static final Duration DEFAULT_EVICTION_PROTECTION = Duration.ofSeconds(30);
  /**
   * Default for {@link Builder#callTimeout(Duration)}: one minute, far above any ordinary CDP round trip
   * (well under a second) or page load, and far below the default idleTimeout.
   */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Default for {@link Builder#maxBrowserMemory(long)}: 0, no limit. */
  public static final long DEFAULT_MAX_BROWSER_MEMORY = 0;
  /** Default for {@link Builder#registerMBean(boolean)}. */
  public static final boolean DEFAULT_REGISTER_MBEAN = false;
  /** Default for {@link Builder#browserBinary(BrowserBinary)}: the headless shell, else full Chromium. */
  public static final BrowserBinary DEFAULT_BROWSER_BINARY = BrowserBinary.HEADLESS_SHELL;
  /**
   * Default for {@link Builder#captureAcquireSite(boolean)}: off, because capturing a stack costs more
   * than the rest of an acquire's bookkeeping together (see README, "Monitoring").
   */
  public static final boolean DEFAULT_CAPTURE_ACQUIRE_SITE = false;

  /** The capability that labels every Grid session with the pool that owns it. */
  public static final String GRID_OWNER_CAPABILITY = "browserpool:owner";

  /** Frozen (see {@link ConfigValues#frozen()}): nothing writes to it. */
  private final ConfigValues values;

  private PoolConfig(ConfigValues values) {
    this.values = values;
  }

  /** Returns a builder with every setting at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The name that starts every log line and names the pool's threads. */
  public String poolName() {
    return values.poolName;
  }

  /** The most browsers alive at once ({@link Builder#maxBrowsers(int)}). */
  public int maxBrowsers() {
    return values.maxBrowsers;
  }

  /** How many idle browsers are kept warm ({@link Builder#minIdle(int)}). */
  public int minIdle() {
    return values.minIdle;
  }

  /** How long a browser or lease may go without activity ({@link Builder#idleTimeout(Duration)}). */
  public Duration idleTimeout() {
    return values.idleTimeout;
  }

  /** How long {@code acquire()} waits at capacity ({@link Builder#acquireTimeout(Duration)}). */
  public Duration acquireTimeout() {
    return values.acquireTimeout;
  }

  /** What {@code acquire()} does at capacity ({@link Builder#capacityPolicy(CapacityPolicy)}). */
  public CapacityPolicy capacityPolicy() {
    return values.capacityPolicy;
  }

  /** Where the profile dirs are made and swept ({@link Builder#tempRoot(Path)}, else {@code java.io.tmpdir}). */
  public Path tempRoot() {
    return values.tempRoot;
  }

  /** The configured executable, or {@code null} to discover one (CHROME_PATH, then PATH). */
  public Path chromeExecutable() {
    return values.chromeExecutable;
  }

  /** Which build discovery looks for on PATH when neither chromeExecutable nor CHROME_PATH is set. */
  public BrowserBinary browserBinary() {
    return values.browserBinary;
  }

  /** The budget for closing one browser ({@link Builder#closeTimeout(Duration)}). */
  public Duration closeTimeout() {
    return values.closeTimeout;
  }

  /** How long a launch may take ({@link Builder#launchTimeout(Duration)}). */
  public Duration launchTimeout() {
    return values.launchTimeout;
  }

  /** The age at which a browser is retired ({@link Builder#maxLifetime(Duration)}). */
  public Duration maxLifetime() {
    return values.maxLifetime;
  }

  /** How many leases a browser serves before it is retired ({@link Builder#maxLeasesPerBrowser(int)}). */
  public int maxLeasesPerBrowser() {
    return values.maxLeasesPerBrowser;
  }

  /** How many anonymous leases one browser serves at once, each in its own BrowserContext. */
  public int maxContextsPerBrowser() {
    return values.maxContextsPerBrowser;
  }

  /** How many anonymous leases the pool serves at once: {@code maxBrowsers × maxContextsPerBrowser}. */
  public int maxConcurrentLeases() {
    return values.maxBrowsers * values.maxContextsPerBrowser;
  }

  /** How long a lease must be inactive before EVICT_LRU may evict it ({@link Builder#evictionProtection(Duration)}). */
  public Duration evictionProtection() {
    return values.evictionProtection;
  }

  /** How long one CDP call on a lease's page may wait for its reply. */
  public Duration callTimeout() {
    return values.callTimeout;
  }

  /** Extra Chromium command-line arguments, appended after the defaults. */
  public List<String> chromeArguments() {
    return values.chromeArguments;
  }

  /** {@code TRUE} or {@code FALSE} when set; {@code null} means: pass --no-sandbox only when running as root. */
  public Boolean noSandbox() {
    return values.noSandbox;
  }

  /** The time source for every deadline ({@link Builder#ticker(Ticker)}). */
  public Ticker ticker() {
    return values.ticker;
  }

  /** The most PSS a browser's process tree may use before it is recycled, in bytes; 0 means no limit. */
  public long maxBrowserMemory() {
    return values.maxBrowserMemory;
  }

  /** Whether the pool registers its {@link BrowserPoolMXBean} with the platform MBean server. */
  public boolean registerMBean() {
    return values.registerMBean;
  }

  /** Whether every {@code acquire()} records its stack, for the WARN about an abandoned lease. */
  public boolean captureAcquireSite() {
    return values.captureAcquireSite;
  }

  /** The listeners given to the builder, in the order they are called. */
  public List<PoolListener> listeners() {
    return values.listeners;
  }

  /** The Selenium Grid whose sessions are the pool's browsers, or {@code null} for local Chromium. */
  public URI seleniumGrid() {
    return values.seleniumGrid;
  }

  /** Extra capabilities merged into every Grid session request; empty unless set. */
  public Map<String, Object> gridCapabilities() {
    return values.gridCapabilities;
  }

  /** Where keyed sessions are kept, or {@code null} (the default): keyed leases are then browser profiles. */
  public SessionStore sessionStore() {
    return values.sessionStore;
  }

  @Override
  public String toString() {
    return values.describe();
  }

  /** Collects settings for a {@link PoolConfig}. Not thread-safe; build once and share the config. */
  public static final class Builder {
    private final ConfigValues values = new ConfigValues();

    private Builder() {}

    /** Names the pool in logs and thread names. Default: {@code browserpool-N}. */
    public Builder poolName(String poolName) {
      ConfigChecks.poolName(poolName);
      values.poolName = poolName;
      return this;
    }

    /** The most browsers alive at once (starting, idle or leased). Default {@value #DEFAULT_MAX_BROWSERS}. */
    public Builder maxBrowsers(int maxBrowsers) {
      require(maxBrowsers >= 1, "maxBrowsers", maxBrowsers, "pass 1 or more");
      values.maxBrowsers = maxBrowsers;
      return this;
    }

    /** How many idle browsers the reaper keeps warm. Default {@value #DEFAULT_MIN_IDLE}. */
    public Builder minIdle(int minIdle) {
      require(minIdle >= 0, "minIdle", minIdle, "pass 0 or more, and no more than maxBrowsers");
      values.minIdle = minIdle;
      return this;
    }

    /**
     * How long a browser or lease may go without activity. An idle browser is closed after it (down to
     * minIdle); a lease is treated as abandoned and revoked ({@link CloseReason#ABANDONED}): only its
     * context is disposed when its browser serves several anonymous leases, else the browser is closed.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      values.idleTimeout = positive("idleTimeout", idleTimeout, "Duration.ofMinutes(10)");
      return this;
    }

    /** How long {@code acquire()} waits for a browser under WAIT (and EVICT_LRU). Zero means do not wait. */
    public Builder acquireTimeout(Duration acquireTimeout) {
      values.acquireTimeout = nonNegative("acquireTimeout", acquireTimeout, "Duration.ofSeconds(30)");
      return this;
    }

    /** What {@code acquire()} does at capacity. Default WAIT. */
    public Builder capacityPolicy(CapacityPolicy capacityPolicy) {
      require(capacityPolicy != null, "capacityPolicy", null, "pass CapacityPolicy.WAIT, REJECT or EVICT_LRU");
      values.capacityPolicy = capacityPolicy;
      return this;
    }

    /** Where the chromelambda-* profile dirs are made and swept. Default: {@code java.io.tmpdir}. */
    public Builder tempRoot(Path tempRoot) {
      require(tempRoot != null, "tempRoot", null, "pass a writable directory, e.g. Path.of(\"/tmp\")");
      values.tempRoot = tempRoot.toAbsolutePath().normalize();
      return this;
    }

    /**
     * The Chromium executable. Default: CHROME_PATH, then what {@link #browserBinary(BrowserBinary)} looks
     * for on PATH: chromium-headless-shell, chrome-headless-shell, then chromium, chromium-browser,
     * google-chrome(-stable). A file whose name contains {@code headless-shell} is launched as the
     * headless shell, anything else as full Chromium.
     */
    public Builder chromeExecutable(Path chromeExecutable) {
      require(chromeExecutable != null, "chromeExecutable", null,
          "pass the path of a Chromium binary such as /usr/bin/chromium-headless-shell or /usr/bin/chromium,"
              + " or leave it unset to search PATH");
      values.chromeExecutable = chromeExecutable;
      return this;
    }

    /**
     * Which build to look for on PATH when neither {@link #chromeExecutable(Path)} nor the CHROME_PATH
     * environment variable names one (either of those wins). Default {@link BrowserBinary#HEADLESS_SHELL}:
     * the headless shell where it is installed, else full Chromium. {@link BrowserBinary#CHROMIUM} for
     * full Chromium on any machine, e.g. for pages that must see a desktop Chrome's user agent. A Selenium
     * Grid pool runs whatever browser its nodes are configured with; this does not apply to it.
     */
    public Builder browserBinary(BrowserBinary browserBinary) {
      require(browserBinary != null, "browserBinary", null,
          "pass BrowserBinary.HEADLESS_SHELL (the default) or BrowserBinary.CHROMIUM");
      values.browserBinary = browserBinary;
      return this;
    }

    /** The whole budget for closing one browser: graceful CDP close, then SIGTERM, then SIGKILL. */
    public Builder closeTimeout(Duration closeTimeout) {
      values.closeTimeout = positive("closeTimeout", closeTimeout, "Duration.ofSeconds(5)");
      return this;
    }

    /** How long a launch may take until Chromium answers its first CDP command. */
    public Builder launchTimeout(Duration launchTimeout) {
      values.launchTimeout = positive("launchTimeout", launchTimeout, "Duration.ofSeconds(30)");
      return this;
    }

    /** A browser older than this is retired when its lease ends (with a little jitter), or when idle. */
    public Builder maxLifetime(Duration maxLifetime) {
      values.maxLifetime = positive("maxLifetime", maxLifetime, "Duration.ofMinutes(30)");
      return this;
    }

    /** A browser that served this many leases is retired when the last one ends. */
    public Builder maxLeasesPerBrowser(int maxLeasesPerBrowser) {
      require(maxLeasesPerBrowser >= 1, "maxLeasesPerBrowser", maxLeasesPerBrowser, "pass 1 or more");
      values.maxLeasesPerBrowser = maxLeasesPerBrowser;
      return this;
    }

    /**
     * How many anonymous leases one browser serves at once, each in its own isolated BrowserContext, so
     * that a lease costs a context rather than a browser. The pool then serves {@code maxBrowsers ×
     * maxContextsPerBrowser} anonymous leases. A keyed lease still owns its browser (its default
     * profile), one key per browser. With 1, every lease has a browser of its own, and a revoked lease
     * closes it; above 1, abandoning, revoking or evicting a lease disposes its context only.
     */
    public Builder maxContextsPerBrowser(int maxContextsPerBrowser) {
      require(maxContextsPerBrowser >= 1 && maxContextsPerBrowser <= MAX_CONTEXTS_PER_BROWSER_LIMIT,
          "maxContextsPerBrowser", maxContextsPerBrowser,
          "pass 1 to " + MAX_CONTEXTS_PER_BROWSER_LIMIT + " (1: one browser per lease)");
      values.maxContextsPerBrowser = maxContextsPerBrowser;
      return this;
    }

    /**
     * Under EVICT_LRU, how long a lease must have been inactive before its browser may be evicted to
     * make room. Active leases are never evicted.
     */
    public Builder evictionProtection(Duration evictionProtection) {
      values.evictionProtection =
          nonNegative("evictionProtection", evictionProtection, "Duration.ofSeconds(30)");
      return this;
    }

    /**
     * How long one CDP call made through a lease's page ({@code lease.newPage()}) may wait for its reply.
     * A call still unanswered then fails with {@code CdpCallTimeoutException}, and that page is closed
     * (which also ends a renderer stuck in a script); the lease stays usable. It bounds the commands of
     * {@code cdpEndpoint()} clients too: a client whose command is unanswered that long (a frozen browser)
     * is closed with WebSocket code 1011, and the lease stays usable. Raise it for calls that
     * legitimately take long, such as an {@code evaluate} that awaits a slow promise, or a Playwright or
     * Puppeteer wait with a longer timeout.
     */
    public Builder callTimeout(Duration callTimeout) {
      values.callTimeout = positive("callTimeout", callTimeout, "Duration.ofSeconds(60)");
      return this;
    }

    /** Adds Chromium command-line arguments, each starting with "--", appended after the defaults. */
    public Builder addChromeArguments(String... arguments) {
      require(arguments != null, "chromeArguments", null, "pass arguments such as \"--lang=en-US\"");
      for (String a : arguments) {
        ConfigChecks.chromeArgument(a);
        values.chromeArguments.add(a);
      }
      return this;
    }

    /** Forces --no-sandbox on or off. By default it is passed only when the JVM runs as root. */
    public Builder noSandbox(boolean noSandbox) {
      values.noSandbox = noSandbox;
      return this;
    }

    /** The time source for every deadline. Default {@link Ticker#system()}; tests pass a fake. */
    public Builder ticker(Ticker ticker) {
      require(ticker != null, "ticker", null, "pass Ticker.system() or a test ticker");
      values.ticker = ticker;
      return this;
    }

    /**
     * Recycles a browser whose process tree uses more than {@code bytes} of memory (PSS, summed over the
     * browser, its helpers and crashpad): it takes no new lease and is closed with {@link
     * CloseReason#MEMORY} when its lease ends, or at once when idle. Checked at every release and about
     * once a second while idle. Default: no limit.
     */
    public Builder maxBrowserMemory(long bytes) {
      require(bytes > 0, "maxBrowserMemory", bytes,
          "pass a number of bytes greater than zero, e.g. 1024L * 1024 * 1024 for 1 GiB, or leave it unset for no limit");
      values.maxBrowserMemory = bytes;
      return this;
    }

    /**
     * Makes the pool's browsers Selenium Grid 4 sessions (W3C {@code POST /session} with headless
     * {@code goog:chromeOptions}) instead of local Chromium processes, driven over each session's
     * {@code se:cdp} websocket. {@code chromeExecutable} and {@code tempRoot} do not apply then.
     *
     * @param gridUrl the Grid's router (or standalone) address, e.g. {@code URI.create("http://grid:4444")}
     */
    public Builder seleniumGrid(URI gridUrl) {
      values.seleniumGrid = ConfigChecks.seleniumGrid(gridUrl);
      return this;
    }

    /**
     * Registers the pool's {@link BrowserPoolMXBean} as {@code
     * io.github.browserpool:type=BrowserPool,name=<poolName>} with the platform MBean server while the
     * pool is open. Default {@value #DEFAULT_REGISTER_MBEAN}. The poolName must then be unique in the JVM.
     */
    public Builder registerMBean(boolean registerMBean) {
      values.registerMBean = registerMBean;
      return this;
    }

    /**
     * Records the stack of every {@code acquire()} so the WARN about an abandoned or unclosed lease can
     * show where it was acquired. Default {@value #DEFAULT_CAPTURE_ACQUIRE_SITE}: without it, the WARN
     * still names the lease, the thread that acquired it and when.
     */
    public Builder captureAcquireSite(boolean captureAcquireSite) {
      values.captureAcquireSite = captureAcquireSite;
      return this;
    }

    /**
     * Adds a listener of the pool's events; call it again to add more. Listeners are called in the
     * order they were added, outside the pool's lock; one that throws is logged and skipped.
     */
    public Builder listener(PoolListener listener) {
      require(listener != null, "listener", null, "pass a PoolListener, e.g. new PoolListener() { ... }");
      values.listeners.add(listener);
      return this;
    }

    /**
     * Extra capabilities merged into every Grid session request, for example {@code platformName} or a
     * node stereotype's custom capability. A {@code goog:chromeOptions} map is merged into the pool's
     * own (its {@code args} are appended). Values must be JSON: strings, numbers, booleans, lists, maps.
     */
    public Builder gridCapabilities(Map<String, Object> capabilities) {
      ConfigChecks.gridCapabilities(capabilities);
      values.gridCapabilities.clear();
      values.gridCapabilities.putAll(capabilities);
      return this;
    }

    /**
     * Keeps keyed sessions in {@code store}: {@code acquire(key)} then leases a fresh context like an
     * anonymous lease (in any browser with room), restores the key's saved state (cookies, localStorage,
     * IndexedDB) into it before returning, and saves it back when the lease closes; one lease per key at
     * a time. {@code null} (the default) keeps today's keyed leases: a browser's persistent profile per
     * key, alive as long as that browser. See docs/sessions.md.
     */
    public Builder sessionStore(SessionStore store) {
      values.sessionStore = store;
      return this;
    }

    /** Checks the settings against each other and returns the immutable config. */
    public PoolConfig build() {
      ConfigChecks.validate(values);
      return new PoolConfig(values.frozen());
    }
  }
}
