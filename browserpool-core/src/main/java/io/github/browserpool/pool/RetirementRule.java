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
    } else if (e.leaseCount() >= maxLeasesPerBrowser) {
      return CloseReason.MAX_LEASES;
    } else if (overMemory) {
      return CloseReason.MEMORY;
    }
    return e.drainReason(); // null unless drained (soft evict, invalidate)
  }

  /** What a browser does once one of its leases ended cleanly. */
  enum Next {
    /** It serves other leases and may take more. */
    STAYS_LEASED,
    /** It serves no lease now: back to IDLE. */
    GOES_IDLE,
    /** It must go but still serves leases: it takes no new one and is retired when its last one ends. */
    DRAINS,
    /** It must go and serves no lease: retired now. */
    RETIRES
  }

  /** {@link Next} with the close reason for {@link Next#DRAINS} and {@link Next#RETIRES} (else null). */
  record Release(Next next, CloseReason reason) {}

  /**
   * What a LEASED browser does once one of its leases ended and the lease's context was reset cleanly:
   * the reasons of {@link #afterLease} apply, and a browser that must go is drained while other leases
   * still hold it ({@code e.held()} counts them, and the grants not yet handed over).
   */
  Release afterRelease(PoolEntry e, long now, boolean poolClosed, boolean overMemory) {
    CloseReason reason = afterLease(e, now, true, poolClosed, overMemory);
    if (reason != null) {
      return new Release(e.held() > 0 ? Next.DRAINS : Next.RETIRES, reason);
    }
    return new Release(e.held() > 0 ? Next.STAYS_LEASED : Next.GOES_IDLE, null);
  }

  /**
   * Whether an idle browser must close now, and otherwise in how long it needs another look.
   *
   * @param idleFor how long it has been idle at {@code now} (read once by the caller)
   * @param overMemory whether its memory exceeds maxBrowserMemory
   * @param keptWarm whether it is one of the minIdle browsers kept warm: idleTimeout does not apply
   */
  Verdict whileIdle(PoolEntry e, long now, long idleFor, boolean overMemory, boolean keptWarm) {
    if (e.drained()) {
      return Verdict.close(e.drainReason());
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
