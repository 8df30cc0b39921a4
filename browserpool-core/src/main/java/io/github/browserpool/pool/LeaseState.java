package io.github.browserpool.pool;

import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.cdp.CdpCallTimeoutException;
import io.github.browserpool.cdp.CdpConnectionClosedException;
import io.github.browserpool.cdp.CdpException;
import io.github.browserpool.cdp.CdpSessionClosedException;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
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
    // By code only: our made-up codes lie outside the range Chromium's own error replies use.
    long code = codeOf(failure);
    if (code == CdpConnectionClosedException.CODE) {
      // The pipe to the whole browser closed while the lease was active: the browser died under it.
      return new BrowserCrashedException(
          engine.prefix() + "lease #" + id + ": the browser (pid " + browserPid()
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

  private RuntimeException failure(Status s, Throwable cause) {
    switch (s) {
      case CRASHED:
        return new BrowserCrashedException(
            engine.prefix() + "lease #" + id + ": the browser (pid " + browserPid()
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
