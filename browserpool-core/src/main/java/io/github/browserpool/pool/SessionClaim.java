package io.github.browserpool.pool;

/**
 * A session key's claim on its one lease at a time (with a {@code SessionStore}): made when a caller of
 * {@code acquire(key)} is granted a place, held until its lease's state is saved (or the acquire failed),
 * and kept in {@link PoolState#sessionClaims} meanwhile. A second caller of the key waits for it.
 */
final class SessionClaim {
  final String key;
  /**
   * Set when the lease must not write its state back: the key was invalidated while it was leased, or
   * its state could not be restored (a half-restored context is never saved).
   */
  private volatile boolean noSave;

  SessionClaim(String key) {
    this.key = key;
  }

  void dontSave() {
    noSave = true;
  }

  boolean saves() {
    return !noSave;
  }
}
