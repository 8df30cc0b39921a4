package io.github.browserpool.spring;

import io.github.browserpool.CapacityPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The pool's settings, bound from {@code browserpool.*}: one property for each {@code PoolConfig}
 * setting that a property can say. A property left unset keeps {@code PoolConfig}'s default. Listeners, a
 * Grid's capabilities and a ticker are set in code, with a {@link BrowserPoolCustomizer} bean. Each
 * property is described on its field, where Boot's configuration metadata reads it; the getters and
 * setters only bind it.
 */
@ConfigurationProperties(prefix = "browserpool")
public class BrowserPoolProperties {
  /** Whether to start a BrowserPool bean (when the application does not define one). */
  private boolean enabled = true;

  /**
   * Fail the application's start when the pool can never launch a browser (no Chromium at
   * chrome-executable or on PATH, a temp-root that is not writable, a Grid that does not answer). By
   * default the application starts, every acquire() fails with that error, and the browserpool health
   * is DOWN with it in its details.
   */
  private boolean failFast = false;

  /** The pool's name, in its log lines, thread names, metrics tag and MBean name. Default: browserpool-N. */
  private String poolName;

  /** The most browsers alive at once (starting, idle or leased). Default: 4. */
  private Integer maxBrowsers;

  /** How many idle browsers are kept warm (launched ahead). Default: 0. */
  private Integer minIdle;

  /**
   * How long a browser may go without activity: an idle browser is closed after it (down to min-idle),
   * a leased one is treated as abandoned and its lease revoked. Default: 10m.
   */
  private Duration idleTimeout;

  /** How long acquire() waits for a browser under WAIT and EVICT_LRU; 0 means do not wait. Default: 30s. */
  private Duration acquireTimeout;

  /** What acquire() does when the pool has no room for another lease: WAIT, REJECT or EVICT_LRU. Default: WAIT. */
  private CapacityPolicy capacityPolicy;

  /** The directory where browser profile dirs are made and swept. Default: java.io.tmpdir. */
  private Path tempRoot;

  /**
   * The Chromium executable. Default: the CHROME_PATH environment variable, then chromium,
   * chromium-browser, google-chrome-stable and google-chrome on PATH.
   */
  private Path chromeExecutable;

  /** The whole budget for closing one browser: CDP close, then SIGTERM, then SIGKILL. Default: 5s. */
  private Duration closeTimeout;

  /** How long a launch may take until Chromium answers its first CDP command. Default: 30s. */
  private Duration launchTimeout;

  /** A browser older than this is retired when its lease ends, or when idle. Default: 30m. */
  private Duration maxLifetime;

  /** A browser that served this many leases is retired when the last one ends. Default: 1000. */
  private Integer maxLeasesPerBrowser;

  /**
   * How many anonymous leases one browser serves at once, each in its own isolated browser context
   * (1 to 64; 1 gives every lease a browser of its own). Default: 8.
   */
  private Integer maxContextsPerBrowser;

  /**
   * Under EVICT_LRU, how long a lease must have been inactive before its browser may be evicted to make
   * room. Default: 30s.
   */
  private Duration evictionProtection;

  /** How long one CDP call made through a lease's page may wait for its reply. Default: 60s. */
  private Duration callTimeout;

  /** Chromium command-line arguments, each starting with "--", added after the pool's own. */
  private List<String> chromeArguments = new ArrayList<>();

  /** Forces --no-sandbox on or off. Default: on only when the JVM runs as root. */
  private Boolean noSandbox;

  /**
   * Recycle a browser whose process tree uses more memory than this (PSS), when its lease ends or at
   * once when idle, for example 1GB. Default: no limit.
   */
  private DataSize maxBrowserMemory;

  /**
   * The address of a Selenium Grid 4 router or standalone server, for example http://grid:4444: the
   * browsers are then Grid sessions instead of local Chromium processes. Default: local Chromium.
   */
  private URI seleniumGrid;

  /**
   * Whether to register the pool's BrowserPoolMXBean (io.github.browserpool:type=BrowserPool,name=...).
   * Default: the value of spring.jmx.enabled.
   */
  private Boolean registerMbean;

  /**
   * Record the stack of every acquire() so that the warning about an abandoned or unclosed lease shows
   * where it was acquired. Default: false.
   */
  private Boolean captureAcquireSite;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isFailFast() {
    return failFast;
  }

  public void setFailFast(boolean failFast) {
    this.failFast = failFast;
  }

  public String getPoolName() {
    return poolName;
  }

  public void setPoolName(String poolName) {
    this.poolName = poolName;
  }

  public Integer getMaxBrowsers() {
    return maxBrowsers;
  }

  public void setMaxBrowsers(Integer maxBrowsers) {
    this.maxBrowsers = maxBrowsers;
  }

  public Integer getMinIdle() {
    return minIdle;
  }

  public void setMinIdle(Integer minIdle) {
    this.minIdle = minIdle;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Duration getAcquireTimeout() {
    return acquireTimeout;
  }

  public void setAcquireTimeout(Duration acquireTimeout) {
    this.acquireTimeout = acquireTimeout;
  }

  public CapacityPolicy getCapacityPolicy() {
    return capacityPolicy;
  }

  public void setCapacityPolicy(CapacityPolicy capacityPolicy) {
    this.capacityPolicy = capacityPolicy;
  }

  public Path getTempRoot() {
    return tempRoot;
  }

  public void setTempRoot(Path tempRoot) {
    this.tempRoot = tempRoot;
  }

  public Path getChromeExecutable() {
    return chromeExecutable;
  }

  public void setChromeExecutable(Path chromeExecutable) {
    this.chromeExecutable = chromeExecutable;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public Duration getLaunchTimeout() {
    return launchTimeout;
  }

  public void setLaunchTimeout(Duration launchTimeout) {
    this.launchTimeout = launchTimeout;
  }

  public Duration getMaxLifetime() {
    return maxLifetime;
  }

  public void setMaxLifetime(Duration maxLifetime) {
    this.maxLifetime = maxLifetime;
  }

  public Integer getMaxLeasesPerBrowser() {
    return maxLeasesPerBrowser;
  }

  public void setMaxLeasesPerBrowser(Integer maxLeasesPerBrowser) {
    this.maxLeasesPerBrowser = maxLeasesPerBrowser;
  }

  public Integer getMaxContextsPerBrowser() {
    return maxContextsPerBrowser;
  }

  public void setMaxContextsPerBrowser(Integer maxContextsPerBrowser) {
    this.maxContextsPerBrowser = maxContextsPerBrowser;
  }

  public Duration getEvictionProtection() {
    return evictionProtection;
  }

  public void setEvictionProtection(Duration evictionProtection) {
    this.evictionProtection = evictionProtection;
  }

  public Duration getCallTimeout() {
    return callTimeout;
  }

  public void setCallTimeout(Duration callTimeout) {
    this.callTimeout = callTimeout;
  }

  public List<String> getChromeArguments() {
    return chromeArguments;
  }

  public void setChromeArguments(List<String> chromeArguments) {
    this.chromeArguments = chromeArguments;
  }

  public Boolean getNoSandbox() {
    return noSandbox;
  }

  public void setNoSandbox(Boolean noSandbox) {
    this.noSandbox = noSandbox;
  }

  public DataSize getMaxBrowserMemory() {
    return maxBrowserMemory;
  }

  public void setMaxBrowserMemory(DataSize maxBrowserMemory) {
    this.maxBrowserMemory = maxBrowserMemory;
  }

  public URI getSeleniumGrid() {
    return seleniumGrid;
  }

  public void setSeleniumGrid(URI seleniumGrid) {
    this.seleniumGrid = seleniumGrid;
  }

  public Boolean getRegisterMbean() {
    return registerMbean;
  }

  public void setRegisterMbean(Boolean registerMbean) {
    this.registerMbean = registerMbean;
  }

  public Boolean getCaptureAcquireSite() {
    return captureAcquireSite;
  }

  public void setCaptureAcquireSite(Boolean captureAcquireSite) {
    this.captureAcquireSite = captureAcquireSite;
  }
}
