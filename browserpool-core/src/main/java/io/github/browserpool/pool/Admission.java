package io.github.browserpool.pool;

import io.github.browserpool.CapacityPolicy;

/**
 * What a caller gets when every browser is in use: one rule per {@link CapacityPolicy}. The engine
 * grants idle browsers and free slots itself; an admission rule decides only what happens at capacity.
 * Its methods run under the pool lock and are functions of the bag and {@code now}.
 */
abstract class Admission {
  static Admission of(CapacityPolicy policy, long protectionNanos) {
    switch (policy) {
      case WAIT: return new Wait();
      case REJECT: return new Reject();
      case EVICT_LRU: return new EvictLru(protectionNanos);
      default: throw new IllegalArgumentException("unknown capacity policy " + policy);
    }
  }

  /** Whether a caller that finds no room joins the queue (false: it is refused at once). */
  abstract boolean queues();

  /**
   * A lease that may be evicted at {@code now} to make room, or null; with {@code alone}, only one that
   * has its browser to itself (a keyed caller needs a whole browser).
   */
  LeaseState leasedVictim(EntryBag bag, long now, boolean alone) {
    return null;
  }

  /**
   * When a waiter can next be served by eviction (ticker time), or {@code Long.MAX_VALUE}: the reaper
   * must run then.
   */
  long nextEvictableAt(EntryBag bag) {
    return Long.MAX_VALUE;
  }

  /** Nanoseconds until a lease quiet for {@code quietFor} becomes evictable, or {@code Long.MAX_VALUE}. */
  long untilEvictable(long quietFor) {
    return Long.MAX_VALUE;
  }

  /** WAIT: queue, bounded by acquireTimeout. */
  private static final class Wait extends Admission {
    @Override
    boolean queues() {
      return true;
    }
  }

  /** REJECT: refuse at once with {@code PoolExhaustedException}. */
  private static final class Reject extends Admission {
    @Override
    boolean queues() {
      return false;
    }
  }

  /** EVICT_LRU: revoke the least recently active lease once it is past evictionProtection, else queue. */
  private static final class EvictLru extends Admission {
    private final long protectionNanos;

    EvictLru(long protectionNanos) {
      this.protectionNanos = protectionNanos;
    }

    @Override
    boolean queues() {
      return true;
    }

    @Override
    LeaseState leasedVictim(EntryBag bag, long now, boolean alone) {
      return bag.leastRecentlyActiveLease(now - protectionNanos, alone);
    }

    @Override
    long nextEvictableAt(EntryBag bag) {
      LeaseState lru = bag.leastRecentlyActiveLease(Long.MIN_VALUE, false);
      return lru == null ? Long.MAX_VALUE : lru.lastActivity() + protectionNanos;
    }

    @Override
    long untilEvictable(long quietFor) {
      long until = protectionNanos - quietFor;
      return until > 0 ? until : Long.MAX_VALUE;
    }
  }
}
