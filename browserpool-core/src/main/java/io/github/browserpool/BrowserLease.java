package io.github.browserpool;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.pool.LeaseState;
import java.lang.ref.Cleaner;
import java.net.URI;
import java.nio.file.Path;

/**
 * A share of one pooled browser until {@link #close()}. Use it with try-with-resources.
 *
 * <p>An anonymous lease ({@link BrowserPool#acquire()}) works in a fresh browser context of its own that
 * is disposed, with its pages, cookies and storage, when the lease closes; the browser itself may serve
 * other anonymous leases at the same time, each in its own context (up to {@code
 * PoolConfig.maxContextsPerBrowser}, 8 by default; 1 gives each lease a browser to itself). A keyed
 * lease ({@link BrowserPool#acquire(String)}) has its browser to itself and works in the browser's
 * persistent profile, which the next lease with the same key gets again.
 *
 * <p>Once closed or revoked by the pool, every method but {@link #close()}, {@link #browserPid()},
 * {@link #userDataDir()} and {@link #browserId()} throws {@link LeaseRevokedException}; if the browser died on its own they throw
 * {@link BrowserCrashedException}. A lease that becomes unreachable without {@code close()} is reclaimed
 * after garbage collection, with a WARN naming where it was acquired.
 */
public final class BrowserLease implements AutoCloseable {
  private final LeaseState state;
  private final Cleaner.Cleanable cleanable;
  private final CleanerAction reclaim;
  /** Keeps the pool reachable while a lease lives: a dropped pool handle must not shut down under it. */
  @SuppressWarnings("unused")
  private final BrowserPool pool;

  BrowserLease(LeaseState state, Cleaner cleaner, BrowserPool pool) {
    this.state = state;
    this.pool = pool;
    this.reclaim = new CleanerAction(state::close, state::reclaim); // the state only, never this handle
    this.cleanable = cleaner.register(this, reclaim);
  }

  /**
   * Opens a new page (tab) in this lease's browser context and returns cdt-java-client's typed API for
   * it. Every command sent through it, and Chromium's reply, counts as activity; the page's events do
   * not. A call that gets no reply within {@code PoolConfig} callTimeout fails with {@link
   * CdpCallTimeoutException} and closes that page. Pages close with the lease.
   *
   * @throws LeaseRevokedException when the lease is closed or was revoked
   * @throws BrowserCrashedException when the browser died
   */
  public ChromeDevToolsService newPage() {
    return state.newPage(this); // every page keeps this lease reachable, and so unreclaimed
  }

  /**
   * This lease's CDP endpoint, {@code ws://127.0.0.1:<port>/devtools/browser/<token>}, for any CDP
   * client: {@code chromium().connectOverCDP(lease.cdpEndpoint().toString())} in Playwright-Java, {@code
   * puppeteer.connect({browserWSEndpoint})} in Puppeteer. The same address with {@code /json/version}
   * appended answers over HTTP as Chrome's would.
   *
   * <p>The client works inside this lease only: it sees the lease's browser context (for a keyed lease,
   * the browser's profile) as the browser's one default context, and can neither see nor touch other
   * contexts or targets, nor close, crash or trace the browser. Every message it sends counts as
   * activity. When the lease ends, its clients are closed (code 1001), what they made goes with the
   * lease, and the address answers 404. The first call starts the pool's endpoint server (one port on
   * 127.0.0.1 for all leases); later calls return the same address.
   *
   * <p>A lease of a {@code seleniumGrid(...)} pool has one too, with the same rules: the pool relays its
   * clients over the Grid session's {@code se:cdp} websocket, and the address is still on this host.
   *
   * @throws LeaseRevokedException when the lease is closed or was revoked
   * @throws BrowserCrashedException when the browser died
   */
  public URI cdpEndpoint() {
    return state.cdpEndpoint();
  }

  /**
   * Opens a new page in this lease's context spoken to in raw CDP: any method with JSON params, any
   * event by name. For what cdt-java-client lacks, such as the {@code Fetch} domain. Closes with the lease.
   * Works on local and Selenium Grid leases alike.
   *
   * @throws LeaseRevokedException when the lease is closed or was revoked
   * @throws BrowserCrashedException when the browser died
   */
  public RawPage newRawPage() {
    return state.newRawPage();
  }

  /**
   * The PID of the browser's main process, or -1 for a Selenium Grid session (its browser runs on a
   * node, in another PID space).
   */
  public long browserPid() {
    return state.browserPid();
  }

  /**
   * The browser's profile dir ({@code <tempRoot>/chromelambda-<uuid>}), deleted when the browser closes;
   * {@code null} for a Selenium Grid session, whose profile lives on its node.
   */
  public Path userDataDir() {
    return state.userDataDir();
  }

  /**
   * A stable id of the lease's browser: the Grid session id for a Selenium Grid lease, else the name of
   * its profile dir ({@code chromelambda-<uuid>}). Leases on the same browser get the same id.
   */
  public String browserId() {
    return state.browserId();
  }

  /** The session key of a keyed lease, or {@code null} for an anonymous one. */
  public String sessionKey() {
    return state.key();
  }

  /**
   * Whether this lease starts with a fresh profile. In a pool with a {@link SessionStore}, and for a lease
   * given {@link LeaseOptions.Builder#storageState}: true exactly when no state was restored into its
   * context. For a keyed lease without a store: true for the first lease of its key, and again after the
   * key's browser was retired, evicted, invalidated or crashed (the login is gone: log in again); false
   * for the next lease of the key in the same browser. An anonymous lease without a given state always
   * works in a fresh, empty context, so it is always true.
   */
  public boolean isNewSession() {
    return state.isNewSession();
  }

  /**
   * The lease's current state, as JSON in Playwright's {@code storageState} format: its cookies (httpOnly
   * and secure ones included) and, for each origin, its localStorage and IndexedDB. Playwright's {@code
   * Browser.NewContextOptions.setStorageState} opens it, and {@link LeaseOptions.Builder#storageState}
   * starts another lease from it. Works for every lease, keyed or anonymous, with or without a store;
   * bounded by {@code callTimeout}. In a pool with a {@link SessionStore}, the state a keyed lease read
   * last is what the pool saves should its browser crash before the lease closes.
   *
   * @throws LeaseRevokedException when the lease is closed or was revoked
   * @throws BrowserCrashedException when the browser died
   * @throws CdpCallTimeoutException when the browser did not answer within callTimeout
   */
  public String storageState() {
    return state.storageState();
  }

  /**
   * Marks the lease as active now, for callers that wait on events for longer than {@code idleTimeout}
   * (events are not activity) or drive the browser with their own client. Leases without activity for
   * {@code idleTimeout} are revoked as abandoned.
   *
   * @throws LeaseRevokedException when the lease is closed or was revoked
   */
  public void touch() {
    state.touch();
  }

  /** Whether the lease can still be used: not closed, revoked, or crashed. */
  public boolean isActive() {
    return state.isActive();
  }

  /**
   * Ends the lease and gives its place in the browser back to the pool; an anonymous lease's context goes
   * with it, pages, cookies and storage included. Idempotent; does nothing after a revocation.
   */
  @Override
  public void close() {
    reclaim.markClosed();
    cleanable.clean();
  }
}
