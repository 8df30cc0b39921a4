package io.github.browserpool.spi;

import java.util.Set;
import io.github.browserpool.CloseReason;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.session.StorageState;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One launched browser as the engine sees it: it can serve leases and be closed. Two kinds exist: a
 * {@code local.LocalBrowser} (a Chromium process on this host, driven over its pipe) and a {@code
 * grid.GridBrowser} (a Selenium Grid session). The engine records each in a {@code pool.PoolEntry}.
 */
public interface LaunchedBrowser {
  long pid();

  Path userDataDir();

  /**
   * The live PIDs of the browser's process tree: the main process, its descendants and its crashpad
   * handlers. Reads /proc; never called under the pool lock. The default is the main PID alone.
   */
  default Set<Long> treePids() {
    return Set.of(pid());
  }

  /**
   * The browser's one id, the same in {@code BrowserLease.browserId()}, {@code BrowserInfo}, listener
   * events and logs: the profile dir's name for a local browser (the default; {@code pid-<pid>} for a
   * browser without a dir), the session id for a Grid session. Stable for the browser's life.
   */
  default String browserId() {
    Path dir = userDataDir();
    Path name = dir == null ? null : dir.getFileName();
    return name == null ? "pid-" + pid() : name.toString();
  }

  /** How logs and exception messages name this browser, e.g. {@code "pid 1234"}. */
  default String describe() {
    return "pid " + pid();
  }

  /**
   * Prepares the browser for one lease: a fresh, disposable browser context when {@code isolated}, or
   * the browser's default context (its persistent profile) for a keyed lease.
   *
   * @throws RuntimeException when the browser cannot serve a lease (it died, or CDP failed)
   */
  LeaseContext openContext(boolean isolated);

  /**
   * Like {@link #openContext(boolean)}, but gives up after {@code timeout} (the rest of the acquire
   * deadline) with {@link NotReadyInTimeException} when the browser is healthy but not ready yet; the
   * work it started goes on, and the browser can serve the next lease. The default ignores the timeout.
   */
  default LeaseContext openContext(boolean isolated, Duration timeout) {
    return openContext(isolated);
  }

  /**
   * Like {@link #openContext(boolean, java.time.Duration)}, in a fresh isolated context whose traffic goes
   * through {@code proxyServer} ({@code scheme://host:port}; null for none, which may use a prepared one);
   * with {@code proxyUser} set, each page answers the proxy's challenge with it and {@code proxyPassword}.
   *
   * @throws UnsupportedOperationException when this kind of browser cannot set a proxy per context
   */
  default LeaseContext openContext(boolean isolated, Duration timeout, String proxyServer,
      String proxyUser, String proxyPassword) {
    if (proxyServer == null) {
      return openContext(isolated, timeout);
    }
    throw new UnsupportedOperationException(describe() + " cannot set a proxy per lease");
  }

  /**
   * Whether the browser is gone: its process exited or its connection closed (a Grid session that
   * ended). The pool asks when a context could not be reset, to tell a dead browser (a crash: its leases
   * fail with BrowserCrashedException) from a frozen one. Never blocks. The default is false.
   */
  default boolean exited() {
    return false;
  }

  /**
   * How many contexts this browser holds prepared for the next anonymous leases (ready or being made):
   * counted in the stats, and the pool prefers a browser with one ready. The default is none.
   */
  default int preparedContexts() {
    return 0;
  }

  /** The browser is healthy, but could not hand over a context within the caller's time. */
  final class NotReadyInTimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotReadyInTimeException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Closes the whole process tree with escalation, verifies it dead and deletes the profile dir.
   * Blocks until done. Idempotent: later calls return the first call's result.
   */
  CloseResult close(CloseReason reason);

  /** What a close did. */
  record CloseResult(boolean forced, boolean dirDeleted) {}

  /** The part of a browser one lease uses. */
  interface LeaseContext {
    /** Opens a page in this lease's context and returns cdt's typed API for it. */
    ChromeDevToolsService newPage(CallGuard guard);

    /**
     * Ends the lease's use of the browser: disposes the isolated context (with its pages, cookies and
     * storage), or closes the keyed lease's pages. Returns false when the browser cannot be reused.
     */
    boolean release();

    /**
     * Raw CDP to this lease's context, which {@code cdpEndpoint()} and {@code newRawPage()} are built on;
     * null (the default) when this kind of browser offers none, and those two then refuse.
     */
    default RawCdp rawCdp() {
      return null;
    }

    /**
     * The context's state now, as Playwright's {@code storageState} JSON: its cookies (of the browser's
     * default context for a keyed lease without a context of its own), and the localStorage and IndexedDB
     * of the http(s) origins the lease touched (those of the state it was restored from, and those its
     * pages and frames are at now). Every CDP call is bounded by {@code timeout} in all. An origin with no
     * live page is read in a page the pool opens in the context and closes before returning; while it
     * lives, the lease's CDP endpoint clients that watch targets can see it.
     *
     * @throws RuntimeException when the state cannot be read within {@code timeout} (the browser died, a
     *     call failed or timed out); nothing is left behind
     * @throws UnsupportedOperationException when this kind of browser cannot (the default)
     */
    default String collectStorageState(Duration timeout) {
      throw new UnsupportedOperationException("this kind of browser cannot collect a storage state");
    }

    /**
     * Restores {@code state} into this context, which must be fresh (before the lease is handed out):
     * cookies, then each origin's localStorage and IndexedDB (its databases deleted and recreated). All or
     * nothing as far as the lease is concerned: on any failure it throws, and the caller must dispose the
     * context rather than hand it out half restored. Bounded by {@code timeout} in all.
     *
     * @throws RuntimeException when the state cannot be restored within {@code timeout}
     * @throws UnsupportedOperationException when this kind of browser cannot (the default)
     */
    default void restoreStorageState(StorageState state, Duration timeout) {
      throw new UnsupportedOperationException("this kind of browser cannot restore a storage state");
    }
  }

  /**
   * A CDP connection to the lease's browser on which the pool can open raw routes and sessions of its
   * own, with what confines them to one lease: the CDP endpoint relays its clients over it, and {@code
   * newRawPage()} attaches pages on it. A local browser's pipe and a Grid session's {@code se:cdp}
   * websocket both offer it.
   */
  interface RawCdp {
    /** The browser's CDP connection. */
    PipeConnection connection();

    /** The lease's isolated browser context, or null for a keyed lease (the browser's default profile). */
    String contextId();

    /**
     * A page of the default profile that keeps it alive (the pool's keeper page, or chromedriver's own
     * tab in a Grid session), which a keyed lease's clients must neither see nor close; null if none.
     */
    String keeperTargetId();

    /** Adds a hook that the lease's release runs before it resets the context. */
    void onRelease(Runnable hook);

    /** Opens a page in the lease's context and returns its attached session; it closes with the lease. */
    CdpSession newRawSession();

    /** How long a raw page's call waits for its reply. */
    Duration rawCallTimeout();

    /** The target id of the lease's prepared page while nobody has taken it and it lives; else null. */
    default String preparedTargetId() {
      return null;
    }

    /** The {@code tab} target of the prepared page, or null if unknown. */
    default String preparedTabId() {
      return null;
    }

    /**
     * Takes the prepared page for a CDP endpoint client: at most once per lease, and never once the
     * lease's own {@code newPage()} took it. Returns the pool's session on it (which the caller detaches),
     * or null when there is none left or it died.
     */
    default CdpSession takePreparedPage() {
      return null;
    }
  }
}
