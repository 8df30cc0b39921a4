package io.github.browserpool.pool;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.LeaseOptions;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a part of the engine ({@link Grants}, {@link Launches}, {@link LeaseLifecycle}, {@link Reaper},
 * {@link Steering}) asks of {@link PoolEngine}: to make a decision under the lock and apply its effects
 * after it, and the few engine-wide messages and records. The parts get {@link PoolState} and their
 * collaborators through their constructors, and this instead of the whole engine.
 */
interface Decisions {
  /** See {@link PoolEngine#decide}. */
  <T> T decide(Function<Effects, T> decision);

  /** {@link #decide} for a decision that returns nothing. */
  void change(Consumer<Effects> decision);

  /** The error for an acquire that found no browser within acquireTimeout. */
  AcquireTimeoutException timeout();

  /** The timeout of a caller of {@code key} (null for anonymous): names a session key still leased. */
  AcquireTimeoutException timeout(String key);

  /** The pool's gauges for messages. */
  String gauges();

  /** Counts a failed launch and reports it to the listeners. */
  void recordLaunchFailure(Throwable error);

  /** Stamps a lease's activity, and its browser's. */
  void recordActivity(LeaseState lease);

  /** A new lease's state, bound to the engine (its calls and its release go there). */
  LeaseState newLease(PoolEntry entry, long id, String key, Throwable acquireSite, LeaseOptions options,
      SessionClaim claim);
}
