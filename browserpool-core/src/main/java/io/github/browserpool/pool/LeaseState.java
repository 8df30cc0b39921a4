package io.github.browserpool.pool;

import io.github.browserpool.LeaseOptions;
import io.github.browserpool.RawPage;
import io.github.browserpool.cdp.RawSessionPage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.CdpCallTimeoutException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import io.github.browserpool.CdpSessionClosedException;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine-side state of one lease. The public {@code BrowserLease} is a thin handle over it; the
 * Cleaner and the CDP call guard hold this object, never the handle, so an unclosed handle can still be
 * collected and reclaimed.
 */
public final class LeaseState implements CallGuard {
  enum Status {
    ACTIVE,
    CLOSED,
    REVOKED,
    CRASHED
  }

  private final PoolEngine engine;
  final PoolEntry entry;
  final long id;
  final String key;
  final Throwable acquireSite;
  /** How the lease's pages present themselves; applied to each page before it is handed out. */
  final LeaseOptions options;
  /** The status with the message of the transition that won: a losing revoke never overwrites it. */
  private record Ending(Status status, String message) {}

  private static final Ending ACTIVE = new Ending(Status.ACTIVE, null);
  private final AtomicReference<Ending> ending = new AtomicReference<>(ACTIVE);
  /** The lease's context; null until {@link #handedOver}. */
  private volatile LaunchedBrowser.LeaseContext context;
  /** The thread that acquired it and when (wall clock), for the WARN about an abandoned lease. */
  private final String acquiredBy = Thread.currentThread().getName();
  private final long acquiredAtMillis = System.currentTimeMillis();
  /**
   * Ticker time of the lease's last activity: its client's commands (and their replies), newPage(),
   * touch(), the hand-over. The reaper and LRU judge leases by it, also when several share a browser.
   */
  private volatile long lastActivity;
  /** Ticker time it was handed over; 0 until then. */
  private volatile long grantedAt;
  /** See {@link #isNewSession()}; set by {@link #granted} before the lease is published. */
  private volatile boolean newSession;
  private volatile URI cdpEndpoint;
  /**
   * The session key's claim, for a keyed lease of a pool with a {@code SessionStore} (its lease is a
   * context, and its state is saved when it ends); null otherwise.
   */
  final SessionClaim claim;
  /** The state last read from the context ({@link #storageState()}, or at release); null until then. */
  private volatile String lastRead;

  LeaseState(PoolEngine engine, PoolEntry entry, long id, String key, Throwable acquireSite,
      LeaseOptions options) {
    this(engine, entry, id, key, acquireSite, options, null);
  }

  LeaseState(PoolEngine engine, PoolEntry entry, long id, String key, Throwable acquireSite,
      LeaseOptions options, SessionClaim claim) {
    this.engine = engine;
    this.claim = claim;
    this.options = options;
    this.entry = entry;
    this.id = id;
    this.key = key;
    this.acquireSite = acquireSite;
  }

  public long browserPid() {
    return entry.browser.pid();
  }

  public Path userDataDir() {
    return entry.browser.userDataDir();
  }

  public String browserId() {
    return entry.browser.browserId();
  }

  public String key() {
    return key;
  }

  /**
   * True when the lease starts with a fresh profile: for a keyed lease without a store the first one of
   * its key on this browser; otherwise (a context) when no state was restored into it.
   */
  public boolean isNewSession() {
    return newSession;
  }

  /** "It was acquired by thread 'main' at 2026-12-01T09:00:00Z." for log lines. */
  String origin() {
    return "It was acquired by thread '" + acquiredBy + "' at " + Instant.ofEpochMilli(acquiredAtMillis) + ".";
  }

  /** Opens a page in this lease's context, anchored to nothing (engine-level callers and tests). */
  public ChromeDevToolsService newPage() {
    return newPage(null);
  }

  /**
   * Opens a page in this lease's context.
   *
   * @param anchor kept reachable for as long as the page is (the public lease handle): a page in use
   *     keeps its lease from being reclaimed by the Cleaner
   */
  public ChromeDevToolsService newPage(Object anchor) {
    beforeCall();
    try {
      // The pool keeps the real page; the user gets it behind a proxy that holds the lease handle.
      ChromeDevToolsService page = context.newPage(this);
      try {
        PageEmulation.apply(options, page);
      } catch (RuntimeException e) {
        closeQuietly(page);
        throw e;
      }
      return AnchoredPage.wrap(page, anchor);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }


  private static void closeQuietly(ChromeDevToolsService page) {
    try {
      page.close();
    } catch (RuntimeException ignored) {
      // the page goes with its context when the lease ends
    }
  }

  /**
   * This lease's CDP WebSocket endpoint, made on the first call (which starts the pool's endpoint
   * server if it is not running yet).
   */
  public URI cdpEndpoint() {
    beforeCall();
    URI uri = cdpEndpoint;
    if (uri != null) {
      return uri;
    }
    synchronized (this) { // per lease: two first calls must not make two tokens
      if (cdpEndpoint == null) {
        cdpEndpoint = engine.endpoints().register(new EndpointLease(this, rawCdp("cdpEndpoint()"),
            engine.prefix()));
      }
      return cdpEndpoint;
    }
  }

  /** Opens a page in this lease's context, spoken to in raw CDP. */
  public RawPage newRawPage() {
    beforeCall();
    try {
      LaunchedBrowser.RawCdp raw = rawCdp("newRawPage()");
      RawPage page =
          RawSessionPage.over(raw.newRawSession(), this, raw.rawCallTimeout());
      try {
        PageEmulation.apply(options, page);
      } catch (RuntimeException e) {
        page.close();
        throw e;
      }
      return page;
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /** The raw CDP of the lease's context, which the endpoint and raw pages need (a local or Grid Chromium). */
  private LaunchedBrowser.RawCdp rawCdp(String what) {
    LaunchedBrowser.LeaseContext c = context;
    LaunchedBrowser.RawCdp raw = c == null ? null : c.rawCdp();
    if (raw != null) {
      return raw;
    }
    throw new UnsupportedOperationException(engine.prefix() + what + " needs a real Chromium browser, local or"
        + " a Selenium Grid session, spoken to in CDP; this pool's launcher made "
        + (c == null ? "no context" : c.getClass().getName()) + ", which offers no raw CDP");
  }

  /**
   * The lease's current state (cookies, localStorage, IndexedDB) as Playwright's {@code storageState}
   * JSON, read within callTimeout. A keyed lease of a pool with a store keeps it as the state to save
   * should its browser crash before the lease closes.
   */
  public String storageState() {
    beforeCall();
    try {
      String json = context.collectStorageState(engine.config.callTimeout());
      lastRead = json;
      return json;
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /** Records activity, or throws when the lease can no longer be used. */
  public void touch() {
    beforeCall();
  }

  /** Returns the browser to the pool. Idempotent; a no-op once revoked. */
  public void close() {
    engine.release(this, false);
  }

  /** Reclaims the lease for the Cleaner: the client dropped it without close(). */
  public void reclaim() {
    engine.release(this, true);
  }

  public boolean isActive() {
    return ending.get().status() == Status.ACTIVE;
  }

  @Override
  public void beforeCall() {
    Ending s = ending.get();
    if (s.status() != Status.ACTIVE) {
      throw failure(s, null);
    }
    engine.recordActivity(this);
  }

  /**
   * Refuses a command that would reach beyond the lease's own pages in a browser that other leases share
   * (see {@link PageScope}).
   */
  @Override
  public void beforeCommand(String method) {
    if (!engine.capacity.shared(entry)) {
      return;
    }
    String why = PageScope.refusal(method);
    if (why != null) {
      throw new UnsupportedOperationException(engine.prefix() + "lease #" + id + ": " + method + " is refused"
          + " on a page of a browser shared with other leases (maxContextsPerBrowser "
          + engine.config.maxContextsPerBrowser() + "): " + why + ". Open pages with lease.newPage(), use"
          + " lease.cdpEndpoint() for a client that needs the Target domain (it sees this lease's pages only),"
          + " or set maxContextsPerBrowser(1) to give each lease a browser of its own.");
    }
  }

  /** A reply to one of the lease's own commands arrived: activity, unless the lease has ended. */
  @Override
  public void replied() {
    if (ending.get().status() == Status.ACTIVE) {
      engine.recordActivity(this);
    }
  }

  @Override
  public RuntimeException translate(RuntimeException failure) {
    if (failure instanceof LeaseRevokedException || failure instanceof BrowserCrashedException) {
      return failure;
    }
    Ending s = ending.get();
    if (s.status() != Status.ACTIVE) {
      return failure(s, failure);
    }
    // By code only: our made-up codes lie outside the range Chromium's own error replies use.
    long code = codeOf(failure);
    if (code == CdpConnectionClosedException.CODE) {
      // The pipe to the whole browser closed while the lease was active: the browser died under it.
      return new BrowserCrashedException(
          engine.prefix() + "lease #" + id + ": the browser (" + entry.browser.describe()
              + ") died during a call. Close this lease and acquire a new one.", failure);
    }
    if (failure instanceof ChromeDevToolsInvocationException) {
      if (code == CdpCallTimeoutException.CODE) {
        return new CdpCallTimeoutException(engine.prefix() + "lease #" + id + ": " + failure.getMessage()
            + ". The page is busy (a script in an endless loop?) or the browser does not answer. The lease"
            + " is still usable: open a new page with newPage(), or raise PoolConfig callTimeout for calls"
            + " that take longer.", failure);
      }
      if (code == CdpSessionClosedException.CODE) {
        return new CdpSessionClosedException(engine.prefix() + "lease #" + id + ": " + failure.getMessage()
            + ". The lease is still usable: open a new page with newPage().", failure);
      }
    }
    return failure;
  }

  /** The error code of a failed call: ours or Chromium's; {@link CdpException#NO_CODE} if it has none. */
  private static long codeOf(RuntimeException failure) {
    if (failure instanceof CdpException cdp) {
      return cdp.code();
    }
    if (failure instanceof ChromeDevToolsInvocationException cdt && cdt.getCode() != null) {
      return cdt.getCode();
    }
    return CdpException.NO_CODE;
  }

  private RuntimeException failure(Ending s, Throwable cause) {
    switch (s.status()) {
      case CRASHED:
        return new BrowserCrashedException(
            engine.prefix() + "lease #" + id + ": the browser (" + entry.browser.describe()
                + ") died on its own. Close this lease and acquire a new one.", cause);
      case REVOKED:
        return new LeaseRevokedException(engine.prefix() + "lease #" + id + " was revoked: "
            + s.message() + ". Acquire a new lease.", cause);
      default:
        return new LeaseRevokedException(engine.prefix() + "lease #" + id
            + " is closed. Acquire a new lease for more work.", cause);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions: the only writers of the fields above (as PoolEntry's are of its own)

  /**
   * The lease was granted its place in {@code entry} (under the engine's lock): whether it starts a new
   * session, and its activity so far, the browser's.
   */
  void granted(boolean newSession, long activity) {
    this.newSession = newSession;
    this.lastActivity = activity;
  }

  /**
   * The lease's context is open and it is handed over at {@code at}. The activity is written before
   * the context is published: the reaper ignores a lease without a context, and must never see the
   * context with the activity from before a slow hand-over.
   */
  void handedOver(LaunchedBrowser.LeaseContext context, long at) {
    this.lastActivity = at;
    this.grantedAt = at;
    this.context = context;
  }

  /** A state was restored into the context: the lease does not start a new session. */
  void restored() {
    this.newSession = false;
  }

  /** The state {@code json} was read from the context. */
  void read(String json) {
    this.lastRead = json;
  }

  /** The state last read from the context, or null. */
  String lastRead() {
    return lastRead;
  }

  /** Whether the lease owns its browser's default profile (a keyed lease without a store). */
  boolean bindsBrowser() {
    return key != null && claim == null;
  }

  /** Its client did something at {@code now}. */
  void active(long now) {
    this.lastActivity = now;
  }

  /** Ticker time of the lease's last activity. */
  long lastActivity() {
    return lastActivity;
  }

  /** Ticker time it was handed over; 0 until then. */
  long grantedAt() {
    return grantedAt;
  }

  /** The lease's context, or null before it is handed over. */
  LaunchedBrowser.LeaseContext context() {
    return context;
  }

  /** ACTIVE -> CLOSED; false if it was already closed, revoked or crashed. */
  boolean markClosed() {
    return ending.compareAndSet(ACTIVE, new Ending(Status.CLOSED, null));
  }

  /** ACTIVE -> REVOKED with the reason users will see; false (and the first reason kept) if it had ended. */
  boolean revoke(String message) {
    return ending.compareAndSet(ACTIVE, new Ending(Status.REVOKED, message));
  }

  /** ACTIVE -> CRASHED; false if it had already ended. */
  boolean markCrashed() {
    return ending.compareAndSet(ACTIVE, new Ending(Status.CRASHED, null));
  }

  /** The message users see for a revoked lease, or null while it is not revoked (tests, logs). */
  String revokeMessage() {
    Ending s = ending.get();
    return s.status() == Status.REVOKED ? s.message() : null;
  }
}
