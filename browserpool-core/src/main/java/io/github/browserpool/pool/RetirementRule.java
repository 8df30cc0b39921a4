package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;

/**
 * When a browser must go, and why: a pure function of an entry and {@code now}. The reaper and the
 * release path apply it under the pool lock; it reads the entry and decides, nothing more.
 */
final class RetirementRule {
  /** A decision about an idle browser: the reason it must close (null: it stays), and when to look again. */
  record Verdict(CloseReason reason, long recheckInNanos) {
    static final long NEVER = Long.MAX_VALUE;

    static Verdict close(CloseReason reason) {
      return new Verdict(reason, NEVER);
    }
  }

  private final long idleNanos;
  private final int maxLeasesPerBrowser;

  RetirementRule(long idleNanos, int maxLeasesPerBrowser) {
    this.idleNanos = idleNanos;
    this.maxLeasesPerBrowser = maxLeasesPerBrowser;
  }

  /**
   * Why a browser whose lease just ended must close instead of going back to IDLE, or null to keep it.
   *
   * @param reusable whether its lease's context was reset cleanly
   * @param poolClosed whether the pool is shutting down
   * @param overMemory whether its memory exceeds maxBrowserMemory
   */
  CloseReason afterLease(PoolEntry e, long now, boolean reusable, boolean poolClosed, boolean overMemory) {
    if (!reusable) {
      return CloseReason.UNRESPONSIVE;
    } else if (poolClosed) {
      return CloseReason.SHUTDOWN;
    } else if (now - e.expiresAt >= 0) {
      return CloseReason.LIFETIME;
    } else if (e.leaseCount >= maxLeasesPerBrowser) {
      return CloseReason.MAX_LEASES;
    } else if (overMemory) {
      return CloseReason.MEMORY;
    }
    return e.drain; // null unless drained (soft evict, invalidate)
  }

  /**
   * Whether an idle browser must close now, and otherwise in how long it needs another look.
   *
   * @param idleFor how long it has been idle at {@code now} (read once by the caller)
   * @param overMemory whether its memory exceeds maxBrowserMemory
   * @param keptWarm whether it is one of the minIdle browsers kept warm: idleTimeout does not apply
   */
  Verdict whileIdle(PoolEntry e, long now, long idleFor, boolean overMemory, boolean keptWarm) {
    if (e.drain != null) {
      return Verdict.close(e.drain);
    }
    if (overMemory) {
      return Verdict.close(CloseReason.MEMORY);
    }
    if (now - e.expiresAt >= 0) {
      return Verdict.close(CloseReason.LIFETIME);
    }
    long untilExpired = e.expiresAt - now;
    if (keptWarm) {
      return new Verdict(null, untilExpired);
    }
    if (idleFor - idleNanos >= 0) {
      return Verdict.close(CloseReason.IDLE);
    }
    return new Verdict(null, Math.min(idleNanos - idleFor, untilExpired));
  }

  /** Nanoseconds until a handed-over lease quiet for {@code quietFor} is abandoned; 0 or less: it is now. */
  long untilAbandoned(long quietFor) {
    return idleNanos - quietFor;
  }
}
