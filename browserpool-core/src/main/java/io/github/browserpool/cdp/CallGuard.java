package io.github.browserpool.cdp;

/**
 * Wraps every typed call made through a service built by {@link DevToolsServices}, including calls on
 * domain proxies such as {@code getPage().navigate(...)}.
 *
 * <p>The pool uses it to refuse calls on a revoked lease before anything is sent, to stamp activity
 * (every command and subscription is the client's own act), and to turn cdt's failures into
 * browserpool's exceptions by their codes ({@link CdpConnectionClosedException#CODE}, {@link
 * CdpSessionClosedException#CODE}, {@link CdpCallTimeoutException#CODE}).
 */
public interface CallGuard {
  /**
   * Runs before every command and event subscription. It may throw (for example because the lease
   * was revoked) to fail the call at once without sending anything; the exception reaches the caller
   * as it is. It must not block.
   */
  void beforeCall();

  /**
   * Returns the exception to throw instead of {@code failure}, a RuntimeException a command failed with
   * (cdt's {@code ChromeDevToolsInvocationException}, a {@link CdpConnectionClosedException}, ...). Tell
   * failures apart by their code, never by message text.
   * Returning {@code failure} itself is fine; returning null means the same.
   */
  RuntimeException translate(RuntimeException failure);

  /**
   * Runs before every command with its CDP method name (for example {@code "Target.getTargets"}), after
   * {@link #beforeCall()}. It may throw to refuse the command without sending it. It must not block.
   */
  default void beforeCommand(String method) {}

  /**
   * The browser context whose targets alone the guarded page may learn of, or null for no limit. The pool
   * sets it for a page of a browser that other leases share: a {@code Target.getTargetInfo} reply about a
   * target of another context is then replaced by Chromium's own "No target with given id found" error.
   */
  default String confinedToContext() {
    return null;
  }

  /**
   * Runs when the reply to a command sent through the guard arrived (or the command failed). It must not
   * block or throw; the pool stamps the lease's activity here.
   */
  default void replied() {}

  /** A guard that does nothing and lets every failure through unchanged. */
  CallGuard NONE =
      new CallGuard() {
        @Override
        public void beforeCall() {}

        @Override
        public RuntimeException translate(RuntimeException failure) {
          return failure;
        }

        @Override
        public String toString() {
          return "CallGuard.NONE";
        }
      };
}
