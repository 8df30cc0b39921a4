package io.github.browserpool.cdp;

/**
 * A hook around every typed CDP call made through a service built by {@code DevToolsServices}: the
 * pool uses it to stamp activity, to fail fast on a revoked lease, and to translate failures.
 */
public interface CallGuard {
  /** A guard that does nothing. */
  CallGuard NONE =
      new CallGuard() {
        @Override
        public void beforeCall() {}

        @Override
        public RuntimeException translate(RuntimeException failure) {
          return failure;
        }
      };

  /** Runs before every command; throwing here fails the call without sending anything. */
  void beforeCall();

  /** Returns the exception to throw for a command that failed with {@code failure}. */
  RuntimeException translate(RuntimeException failure);
}
