package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.cdp.CallGuard;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import java.nio.file.Path;

/** One launched browser as the engine sees it: it can serve leases and be closed. */
public interface ManagedBrowser {
  long pid();

  Path userDataDir();

  /**
   * A stable id of this browser: the profile dir's name for a local browser (the default), the session
   * id for a Grid session.
   */
  default String browserId() {
    Path dir = userDataDir();
    return dir == null ? null : dir.getFileName().toString();
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
  }
}
