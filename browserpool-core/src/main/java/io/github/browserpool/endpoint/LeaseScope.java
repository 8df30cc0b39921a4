package io.github.browserpool.endpoint;

import io.github.browserpool.cdp.PipeConnection;

/**
 * What the endpoint needs of one lease: its browser's pipe, the context its clients are confined to,
 * and its activity stamp. Implemented by the pool for each lease that calls {@code cdpEndpoint()}.
 */
public interface LeaseScope {
  /** The pipe of the lease's browser. */
  PipeConnection connection();

  /** The lease's isolated browser context, or null for a keyed lease (the browser's default profile). */
  String browserContextId();

  /** A target of the default profile that a keyed lease's clients must neither see nor close, or null. */
  String hiddenTargetId();

  /** Stamps the lease's activity. @throws RuntimeException (the lease's own exception) once it ended */
  void touch();

  /** Whether the lease can still be used. */
  boolean isActive();

  /**
   * Whether other leases may share the lease's browser (an anonymous lease with maxContextsPerBrowser
   * above 1), even if none does right now; then what records the whole browser (tracing) is refused.
   */
  default boolean sharesBrowser() {
    return true;
  }

  /** Names the lease in log lines and close reasons, for example {@code "lease #3"}. */
  String describe();

  /** The pool's log prefix, {@code "[poolName] "}. */
  String logPrefix();

  /** Adds a hook run when the lease is released, before its context is reset. */
  void onRelease(Runnable hook);

  /** The target id of the lease's prepared page while nobody has taken it and it lives; else null. */
  default String preparedTargetId() {
    return null;
  }

  /** The {@code tab} target of the prepared page, or null if unknown. */
  default String preparedTabId() {
    return null;
  }

  /**
   * Takes the prepared page for one client's first new page (see {@link WarmPage}): at most once, never
   * once the lease's own {@code newPage()} took it. Returns the pool's session id on the page, for the
   * caller to detach, or null when there is none left or it died.
   */
  default String takePreparedPage() {
    return null;
  }
}
