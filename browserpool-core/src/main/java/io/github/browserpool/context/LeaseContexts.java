package io.github.browserpool.context;

import io.github.browserpool.Ticker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.DevToolsServices;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.spi.LaunchedBrowser.LeaseContext;
import io.github.browserpool.spi.LaunchedBrowser.NotReadyInTimeException;
import io.github.browserpool.spi.LaunchedBrowser;
import io.github.browserpool.session.StorageState;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * The lease contexts of one browser, over its CDP connection: the one home of that logic for every kind
 * of browser (a {@code local.LocalBrowser} over its pipe, a Grid session over {@code se:cdp}).
 *
 * <p>Most of a lease's cost is the browser making a context and a page, so that work is done off the
 * caller's path: after launch ({@link #prepareNext()}), after each anonymous lease ends and when the last
 * prepared context is taken, isolated contexts with one page each (attached, its renderer running) are
 * prepared in the background, up to {@link PreparedContexts#target()}. The next {@code acquire()} and its
 * first {@code newPage()} then only hand one over (or, through the CDP endpoint, a client's first new
 * page: {@code endpoint.WarmPage}). A keyed lease uses the browser's default profile and
 * its browser prepares no context.
 */
public final class LeaseContexts {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** What the contexts need to know of the browser they belong to. */
  public interface Browser {
    /** How messages name the browser, e.g. {@code "pid 1234"}. */
    String describe();

    /**
     * Throws IllegalStateException when the browser cannot serve a lease now (it is frozen, or its
     * session ended); called before every context is opened.
     */
    void requireUsable();

    /** Whether the browser can serve another lease, asked when a lease ends (its connection is open). */
    boolean reusable();
  }

  private final PoolConfig config;
  private final PipeConnection conn;
  private final Browser browser;
  private final boolean keeperPage;
  private final Duration cdpTimeout;
  /**
   * How long a browser may take to give a lease its context before it counts as unresponsive. It is
   * launchTimeout, not closeTimeout: browsers launched together on a loaded machine can take seconds
   * to prepare their first context, and must not be killed for it. A stopped browser is caught at once.
   */
  private final Duration healthTimeout;
  /** The contexts prepared ahead for the next isolated leases. */
  private final PreparedContexts prepared;
  /**
   * Whether the default profile has its keeper page (only with {@code keeperPage}). Chromium run with
   * --no-startup-window tears the default profile down, session cookies included, when its last page
   * closes; a keyed browser therefore keeps one blank page open for its whole life.
   */
  private volatile boolean keeperOpen;
  /**
   * The target id of the page that keeps the default profile alive (the keeper page, or a page something
   * else keeps open), hidden from a keyed lease's endpoint clients; null if none is known.
   */
  private volatile String keeperTargetId;
  /**
   * @param keeperPage whether a keyed lease needs a blank page that keeps the default profile alive
   *     (Chromium started with --no-startup-window); false when something else keeps a page open in it
   */
  public LeaseContexts(PoolConfig config, PipeConnection conn, Browser browser, boolean keeperPage) {
    this(config, conn, browser, keeperPage, null);
  }

  /**
   * For a browser whose default profile something else keeps alive with a page of its own, such as
   * chromedriver's tab in a Grid session: no keeper page is made, and {@code keptPageId} (null if
   * unknown) is kept from keyed leases' endpoint clients as the keeper page would be.
   */
  public LeaseContexts(PoolConfig config, PipeConnection conn, Browser browser, String keptPageId) {
    this(config, conn, browser, false, keptPageId);
  }

  private LeaseContexts(PoolConfig config, PipeConnection conn, Browser browser, boolean keeperPage,
      String keptPageId) {
    this.config = config;
    this.conn = conn;
    this.browser = browser;
    this.keeperPage = keeperPage;
    this.keeperTargetId = keptPageId;
    this.cdpTimeout = config.launchTimeout();
    this.healthTimeout = config.launchTimeout();
    this.prepared = new PreparedContexts(config, conn, browser);
  }

  /** No more contexts are prepared: the browser is closing. */
  public void stop() {
    prepared.stop();
  }

  /** How many contexts are prepared or being prepared now (the stats count them). */
  public int preparedContexts() {
    return prepared.count();
  }

  /** Starts preparing contexts with their pages in the background, up to {@link PreparedContexts#target()}. */
  public void prepareNext() {
    prepared.topUp();
  }

  /**
   * Prepares the browser for one lease: the prepared (or a new) isolated context when {@code isolated},
   * else the default profile; {@code proxyServer} (null for none) makes it a fresh context with that
   * proxy, whose challenge each page answers with {@code proxyUser} and {@code proxyPassword}. See
   * {@link LaunchedBrowser#openContext(boolean, Duration, String, String, String)}.
   */
  public LeaseContext open(boolean isolated, Duration timeout, String proxyServer, String proxyUser,
      String proxyPassword) {
    browser.requireUsable();
    if (isolated) {
      long began = System.nanoTime();
      // A prepared context has no proxy.
      PreparedContexts.Prepared p = proxyServer == null ? prepared.take(timeout) : null;
      if (p != null) {
        prepared.leaseTook();
        if (prepared.count() == 0) {
          // The last prepared context went: the next lease of a browser that serves several must find one
          // too. While another is left, the refill waits for a release: making a context and its renderer busies
          // the browser, and would slow the lease that was just handed over.
          prepared.topUp();
        }
        return new Context(this, p.contextId(), p.page(), p.tabId());
      }
      ObjectNode params = JSON.objectNode().put("disposeOnDetach", false);
      if (proxyServer != null) {
        // Chromium bypasses loopback for proxies unless told not to: the lease's proxy takes everything.
        params.put("proxyServer", proxyServer).put("proxyBypassList", "<-loopback>");
      }
      // A prepared context that turned out unusable spent part of the caller's time: the new context gets the rest.
      Duration left = timeout.minusNanos(System.nanoTime() - began);
      left = left.isNegative() ? Duration.ZERO : left;
      String contextId = call("Target.createBrowserContext", params, left).path("browserContextId").asText(null);
      if (contextId == null) {
        throw new IllegalStateException("Target.createBrowserContext returned no browserContextId");
      }
      prepared.leaseTook();
      Context made = new Context(this, contextId, null, null);
      if (proxyUser != null) {
        made.proxyCredentials = new ProxyAuth.Credentials(proxyUser, proxyPassword);
      }
      return made;
    }
    prepared.becomeKeyed(); // a keyed browser prepares no isolated context
    if (!conn.isOpen()) {
      throw new IllegalStateException("the CDP connection of " + browser.describe() + " is closed");
    }
    if (keeperPage && !keeperOpen) {
      keeperTargetId = call("Target.createTarget", JSON.objectNode().put("url", "about:blank"), timeout)
          .path("targetId").asText(null);
      keeperOpen = true;
    }
    return new Context(this, null, null, null);
  }

  /**
   * One browser-level call, bounded by {@code timeout}. A timeout shorter than the health timeout is the
   * caller's deadline ({@link NotReadyInTimeException}); otherwise the browser counts as unresponsive.
   */
  private JsonNode call(String method, JsonNode params, Duration timeout) {
    CompletableFuture<JsonNode> f = conn.send(method, params);
    boolean callerBound = timeout.compareTo(healthTimeout) < 0;
    try {
      return f.get(Ticker.nanos(callerBound ? timeout : healthTimeout), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
    } catch (TimeoutException e) {
      f.cancel(false);
      if (callerBound) {
        throw new NotReadyInTimeException(method + " got no reply within " + timeout + " from " + browser.describe());
      }
      throw new IllegalStateException(method + " got no reply within " + healthTimeout + " from " + browser.describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " was interrupted", e);
    }
  }

  /**
   * One lease's context: an isolated browser context, or (contextId null) the default profile.
   *
   * <p>A {@link #newPage} that races with {@link #release} never leaks its page: the page is published
   * into {@code pages} under the lock only while the context is not released, and a page that comes too
   * late closes its own target (which matters in a keyed browser, whose pages are not disposed with a
   * context). Closing pages happens outside the lock.
   */
  static final class Context implements LeaseContext, LaunchedBrowser.RawCdp {
    private final LeaseContexts owner;
    private final String contextId;
    /** Guarded by {@code this}. */
    private final List<ChromeDevToolsService> pages = new ArrayList<>();
    /** Guarded by {@code this}. */
    private boolean released;
    private final List<CdpSession> rawPages = new CopyOnWriteArrayList<>();
    /** Run first on release: the CDP endpoint closes its clients and what they made (see endpoint/). */
    private final List<Runnable> releaseHooks = new CopyOnWriteArrayList<>();
    /** The origins of the state restored into this context, collected again even when no page is at them. */
    private final Set<String> restoredOrigins = ConcurrentHashMap.newKeySet();
    /**
     * The prepared page until someone takes it: the lease's first {@link #newPage}, or the CDP endpoint
     * for a client's first new page ({@link #takePreparedPage}); taken once, whoever comes first.
     */
    private final AtomicReference<CdpSession> preparedPage;
    private final String preparedTabId;
    /** The lease's proxy credentials, answered on each of its pages; null for none. */
    volatile ProxyAuth.Credentials proxyCredentials;

    Context(LeaseContexts owner, String contextId, CdpSession preparedPage, String preparedTabId) {
      this.owner = owner;
      this.contextId = contextId;
      this.preparedPage = new AtomicReference<>(preparedPage);
      this.preparedTabId = preparedTabId;
    }

    @Override
    public ChromeDevToolsService newPage(CallGuard guard) {
      if (isReleased()) {
        throw closedLease(guard);
      }
      CdpSession ready = preparedPage.getAndSet(null);
      CdpSession session;
      if (ready != null && !ready.closed()) {
        session = ready;
      } else {
        String targetId = createTarget();
        try {
          session = owner.conn.attach(targetId, owner.cdpTimeout);
        } catch (RuntimeException e) {
          owner.conn.send("Target.closeTarget", JSON.objectNode().put("targetId", targetId));
          throw e;
        }
      }
      if (proxyCredentials != null) {
        ProxyAuth.install(owner.conn, session, proxyCredentials, owner.cdpTimeout);
      }
      ChromeDevToolsService page = DevToolsServices.create(session, guard, owner.config.callTimeout());
      try {
        guard.beforeCall(); // the lease may have ended while the page was made; also stamps activity
      } catch (RuntimeException e) {
        page.close();
        throw e;
      }
      synchronized (this) {
        if (!released) {
          pages.add(page);
          return page;
        }
      }
      page.close(); // lost the race with release(): nobody else will close this target
      throw closedLease(guard);
    }

    private String createTarget() {
      ObjectNode params = JSON.objectNode().put("url", "about:blank");
      if (contextId != null) {
        params.put("browserContextId", contextId);
      }
      return owner.call("Target.createTarget", params, owner.cdpTimeout).path("targetId").asText();
    }

    private synchronized boolean isReleased() {
      return released;
    }

    /** The exception for a newPage() on a released context: the lease's own, else a generic one. */
    private RuntimeException closedLease(CallGuard guard) {
      guard.beforeCall(); // throws the lease's own reason (closed, revoked, crashed) when it has ended
      return new LeaseRevokedException("[" + owner.config.poolName() + "] " + owner.browser.describe()
          + ": the lease is closed, so newPage() opened no page. Acquire a new lease for more work.");
    }

    /** Collects over CDP ({@link StateTransfer}): this context's cookies, and its touched origins' storage. */
    @Override
    public String collectStorageState(Duration timeout) {
      return StateTransfer.collect(owner.conn, contextId, restoredOrigins, timeout, describe());
    }

    /** Restores over CDP ({@link StateTransfer}); its origins are collected again at the end of the lease. */
    @Override
    public void restoreStorageState(StorageState state, Duration timeout) {
      state.origins().forEach(o -> restoredOrigins.add(o.origin()));
      StateTransfer.restore(owner.conn, contextId, state, timeout, describe(), preparedPage.get());
    }

    private String describe() {
      return "[" + owner.config.poolName() + "] " + owner.browser.describe() + "'s " + (contextId == null
          ? "default context" : "context " + contextId);
    }

    /** Every context of a browser the pool speaks CDP to offers raw CDP. */
    @Override
    public LaunchedBrowser.RawCdp rawCdp() {
      return this;
    }

    @Override
    public PipeConnection connection() {
      return owner.conn;
    }

    @Override
    public String contextId() {
      return contextId;
    }

    @Override
    public String keeperTargetId() {
      return owner.keeperTargetId;
    }

    @Override
    public Duration rawCallTimeout() {
      return owner.config.launchTimeout();
    }

    @Override
    public String preparedTargetId() {
      CdpSession page = preparedPage.get();
      return page == null || page.closed() ? null : page.targetId();
    }

    @Override
    public String preparedTabId() {
      return preparedTabId;
    }

    @Override
    public CdpSession takePreparedPage() {
      CdpSession page = preparedPage.getAndSet(null);
      return page == null || page.closed() ? null : page;
    }

    /** Adds a hook that {@link #release()} runs before it resets the context. */
    @Override
    public void onRelease(Runnable hook) {
      releaseHooks.add(hook);
    }

    @Override
    public CdpSession newRawSession() {
      CdpSession session = owner.conn.attach(createTarget(), owner.cdpTimeout);
      if (proxyCredentials != null) {
        ProxyAuth.install(owner.conn, session, proxyCredentials, owner.cdpTimeout);
      }
      rawPages.add(session);
      return session;
    }

    @Override
    public boolean release() {
      for (Runnable hook : releaseHooks) {
        try {
          hook.run();
        } catch (RuntimeException e) {
          LoggerFactory.getLogger(LeaseContexts.class)
              .warn("[{}] a release hook of {} failed", owner.config.poolName(), owner.browser.describe(), e);
        }
      }
      releaseHooks.clear();
      for (CdpSession raw : rawPages) {
        raw.close();
      }
      rawPages.clear();
      PipeConnection conn = owner.conn;
      long skipsBefore = conn.busySkips();
      List<ChromeDevToolsService> toClose;
      synchronized (this) {
        released = true;
        toClose = new ArrayList<>(pages);
        pages.clear();
      }
      for (ChromeDevToolsService page : toClose) {
        page.close(); // closes the target for keyed leases; frees cdt's event queue either way
      }
      if (contextId != null) {
        owner.prepared.leaseEnded();
      }
      if (contextId != null && conn.isOpen()) {
        conn.sendQuietly("Target.disposeBrowserContext", JSON.objectNode().put("browserContextId", contextId));
        if (conn.busySkips() == skipsBefore) {
          owner.prepareNext();
        }
      }
      // A browser that cannot serve another lease (frozen, its session ended), or one whose connection
      // stayed busy so that this release could not close its pages or context, must be retired now, not
      // handed to the next acquire() to hang on.
      return conn.isOpen() && owner.browser.reusable() && conn.busySkips() == skipsBefore;
    }
  }
}
