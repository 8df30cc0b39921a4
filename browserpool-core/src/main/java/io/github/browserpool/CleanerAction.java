package io.github.browserpool;

/**
 * What the Cleaner runs for a handle ({@link BrowserPool}, {@link BrowserLease}): one action when the
 * handle was closed, another when it became unreachable without {@code close()}. It must hold the
 * engine-side objects only, never the handle, or the handle could never become unreachable.
 */
final class CleanerAction implements Runnable {
  private final Runnable onClose;
  private final Runnable onUnreachable;
  private volatile boolean closed;

  CleanerAction(Runnable onClose, Runnable onUnreachable) {
    this.onClose = onClose;
    this.onUnreachable = onUnreachable;
  }

  /** Marks the handle closed; call before {@code Cleanable.clean()}. */
  void markClosed() {
    closed = true;
  }

  @Override
  public void run() {
    (closed ? onClose : onUnreachable).run();
  }
}
