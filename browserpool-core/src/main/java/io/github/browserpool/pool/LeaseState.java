package io.github.browserpool.pool;

import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.cdp.CallGuard;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
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
  final PooledBrowser entry;
  final long id;
  final String key;
  final Throwable acquireSite;
  private final AtomicReference<Status> status = new AtomicReference<>(Status.ACTIVE);
  private volatile String revokeMessage;
  volatile ManagedBrowser.LeaseContext context;

  LeaseState(PoolEngine engine, PooledBrowser entry, long id, String key, Throwable acquireSite) {
    this.engine = engine;
    this.entry = entry;
    this.id = id;
    this.key = key;
    this.acquireSite = acquireSite;
  }

  public long browserPid() {
    return entry.browser.pid();
  }

  public java.nio.file.Path userDataDir() {
    return entry.browser.userDataDir();
  }

  public String browserId() {
    return entry.browser.browserId();
  }

  public String key() {
    return key;
  }

  /** Opens a page in this lease's context. */
  public ChromeDevToolsService newPage() {
    beforeCall();
    try {
      return context.newPage(this);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /** Stamps activity, or throws when the lease can no longer be used. */
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
    return status.get() == Status.ACTIVE;
  }

  @Override
  public void beforeCall() {
    Status s = status.get();
    if (s != Status.ACTIVE) {
      throw failure(s, null);
    }
    engine.stamp(entry);
  }

  @Override
  public RuntimeException translate(RuntimeException failure) {
    if (failure instanceof LeaseRevokedException || failure instanceof BrowserCrashedException) {
      return failure;
    }
    Status s = status.get();
    if (s != Status.ACTIVE) {
      return failure(s, failure);
    }
    if (browserConnectionLost(failure)) {
      // The pipe closed while the lease was active: the browser died under it.
      return new BrowserCrashedException(
          engine.prefix() + "lease #" + id + ": the browser (" + entry.browser.describe()
              + ") died during a call. Close this lease and acquire a new one.", failure);
    }
    return failure;
  }

  /** True when a call failed because the pipe to the whole browser closed (not just one page). */
  private static boolean browserConnectionLost(RuntimeException failure) {
    String msg = String.valueOf(failure.getMessage());
    if (failure instanceof io.github.browserpool.cdp.CdpConnectionClosedException) {
      return true;
    }
    return failure instanceof com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException
        && Long.valueOf(io.github.browserpool.cdp.CdpConnectionClosedException.CODE)
            .equals(((com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException) failure).getCode())
        && msg.contains("browser connection closed");
  }

  private RuntimeException failure(Status s, Throwable cause) {
    switch (s) {
      case CRASHED:
        return new BrowserCrashedException(
            engine.prefix() + "lease #" + id + ": the browser (" + entry.browser.describe()
                + ") died on its own. Close this lease and acquire a new one.", cause);
      case REVOKED:
        return new LeaseRevokedException(engine.prefix() + "lease #" + id + " was revoked: "
            + revokeMessage + ". Acquire a new lease.", cause);
      default:
        return new LeaseRevokedException(engine.prefix() + "lease #" + id
            + " is closed. Acquire a new lease for more work.", cause);
    }
  }

  /** ACTIVE -> CLOSED; false if it was already closed, revoked or crashed. */
  boolean markClosed() {
    return status.compareAndSet(Status.ACTIVE, Status.CLOSED);
  }

  /** ACTIVE -> REVOKED with the reason users will see; false if it had already ended. */
  boolean revoke(String message) {
    revokeMessage = message;
    return status.compareAndSet(Status.ACTIVE, Status.REVOKED);
  }

  /** ACTIVE -> CRASHED; false if it had already ended. */
  boolean markCrashed() {
    return status.compareAndSet(Status.ACTIVE, Status.CRASHED);
  }
}
