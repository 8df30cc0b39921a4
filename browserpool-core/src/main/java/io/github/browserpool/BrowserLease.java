package io.github.browserpool;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.pool.LeaseState;
import java.lang.ref.Cleaner;
import java.nio.file.Path;

/**
 * Exclusive use of one pooled browser until {@link #close()}. Use it with try-with-resources.
 *
 * <p>An anonymous lease ({@link BrowserPool#acquire()}) works in a fresh browser context that is
 * disposed, with its pages, cookies and storage, when the lease closes. A keyed lease ({@link
 * BrowserPool#acquire(String)}) works in the browser's persistent profile, which the next lease with
 * the same key gets again.
 *
 * <p>Once closed or revoked by the pool, every method but {@link #close()}, {@link #browserPid()},
 * {@link #userDataDir()} and {@link #browserId()} throws {@link LeaseRevokedException}; if the browser died on its own they throw
 * {@link BrowserCrashedException}. A lease that becomes unreachable without {@code close()} is reclaimed
 * after garbage collection, with a WARN naming where it was acquired.
 */
public final class BrowserLease implements AutoCloseable {
  private final LeaseState state;
  private final Cleaner.Cleanable cleanable;
  private final Reclaim reclaim;

  BrowserLease(LeaseState state, Cleaner cleaner) {
    this.state = state;
    this.reclaim = new Reclaim(state);
    this.cleanable = cleaner.register(this, reclaim);
  }

  /**
   * Opens a new page (tab) in this lease's browser context and returns cdt-java-client's typed API for
   * it. Every command sent through it counts as activity. Pages close with the lease.
   *
   * @throws LeaseRevokedException when the lease is closed or was revoked
   * @throws BrowserCrashedException when the browser died
   */
  public ChromeDevToolsService newPage() {
    return state.newPage();
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
   * Marks the lease as active now, for callers that drive the browser with their own client. Leases
   * without activity for {@code idleTimeout} are revoked as abandoned.
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

  /** Returns the browser to the pool. Idempotent; does nothing after a revocation. */
  @Override
  public void close() {
    reclaim.explicit = true;
    cleanable.clean();
  }

  /** The Cleaner action: holds the engine-side state only, never the lease handle. */
  private static final class Reclaim implements Runnable {
    private final LeaseState state;
    private volatile boolean explicit;

    Reclaim(LeaseState state) {
      this.state = state;
    }

    @Override
    public void run() {
      if (explicit) {
        state.close();
      } else {
        state.reclaim();
      }
    }
  }
}
