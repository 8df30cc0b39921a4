package io.github.browserpool.pool;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.SessionStateException;
import io.github.browserpool.SessionStore;
import io.github.browserpool.Ticker;
import io.github.browserpool.cdp.DaemonThreads;
import io.github.browserpool.session.StorageState;
import io.github.browserpool.spi.LaunchedBrowser;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed sessions kept in the pool's {@link SessionStore}: a lease's state restored into its context before
 * {@code acquire} returns, and saved back when the lease ends. Every store call runs on the pool's bounded
 * {@code <pool>-session-N} threads and is waited for up to its deadline only: a store that hangs is
 * abandoned there (and logged), so neither {@code acquire} nor {@code close()} waits past its own. No store
 * call and no CDP call is made under the pool lock. Without a store only a lease's own {@code
 * LeaseOptions.storageState} is restored, and nothing is saved.
 */
public final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);
  /** The least time a load and a restore get, when the acquire deadline is nearer (acquireTimeout 0). */
  static final long MIN_RESTORE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final SessionStore store;
  private final String prefix;
  private final Ticker ticker;
  private final Decisions decisions;
  private final PoolState state;
  private final long closeNanos;
  /** The store's threads; null without a store. */
  private final ThreadPoolExecutor calls;

  Sessions(PoolConfig config, PoolState state, Decisions decisions) {
    this.store = config.sessionStore();
    this.prefix = state.prefix;
    this.ticker = config.ticker();
    this.decisions = decisions;
    this.state = state;
    this.closeNanos = PoolEngine.saturatedNanos(config.closeTimeout());
    int bound = (int) Math.min(64, (long) config.maxBrowsers() * config.maxContextsPerBrowser() + 2);
    this.calls = store == null ? null : DaemonThreads.bounded(config.poolName() + "-session-", bound);
  }

  /** Whether the pool keeps keyed sessions in a store (keyed leases are then contexts, one per key). */
  boolean stored() {
    return store != null;
  }

  /**
   * Restores the lease's state into its context: its key's stored state (with a store), else the state
   * its options carry; nothing when there is neither. Bounded by {@code deadline} (the acquire's, at
   * least {@link #MIN_RESTORE_NANOS}). Outside the lock.
   *
   * @param given the options' state, parsed before the grant; null for none
   * @throws SessionStateException naming the key when the store fails or hangs, the state does not parse,
   *     or the browser cannot restore it (the caller disposes the context)
   */
  void restore(LeaseState lease, StorageState given, long deadline) {
    StorageState restoring = given;
    String source = "LeaseOptions.storageState";
    if (lease.claim != null) {
      String key = lease.key;
      Optional<String> loaded = call(() -> store.load(key), remaining(deadline),
          "load(\"" + key + "\")", "its state could not be loaded");
      if (loaded != null && loaded.isPresent()) {
        source = "the state of session key \"" + key + "\" in " + describe(store);
        try {
          restoring = StorageState.parse(loaded.get(), source);
        } catch (SessionStateException e) {
          throw new SessionStateException(prefix + e.getMessage() + ". Call pool.invalidate(\"" + key
              + "\") to delete it and start the key afresh.", e);
        }
      }
    }
    if (restoring == null || restoring.isEmpty()) {
      return; // nothing to restore: a new session
    }
    try {
      lease.context().restoreStorageState(restoring, Duration.ofNanos(remaining(deadline)));
    } catch (RuntimeException e) {
      throw new SessionStateException(prefix + "lease #" + lease.id + (lease.key == null ? "" : " of session key \""
          + lease.key + "\"") + ": " + source + " could not be restored into its context on "
          + lease.entry.describe() + " (" + e + "); the context was disposed.", e);
    }
    lease.restored();
    LOG.debug("{}restored {} into lease #{}", prefix, source, lease.id);
  }

  private long remaining(long deadline) {
    return Math.max(MIN_RESTORE_NANOS, deadline - ticker.read());
  }

  /**
   * Reads the state to save from a lease of a session key, before its context is reset: its context's
   * state now, or when that cannot be read, what was last read ({@code lease.storageState()}). Null when
   * nothing is to be saved. Bounded by {@code deadline}. Outside the lock.
   */
  String collect(LeaseState lease, long deadline) {
    SessionClaim claim = lease.claim;
    LaunchedBrowser.LeaseContext ctx = lease.context();
    if (claim == null || !claim.saves() || ctx == null) {
      return null;
    }
    try {
      String json = ctx.collectStorageState(Duration.ofNanos(Math.max(0, deadline - ticker.read())));
      lease.read(json);
      return json;
    } catch (RuntimeException e) {
      LOG.warn("{}lease #{} of session key \"{}\": its state could not be read from its context ({}); {}",
          prefix, lease.id, lease.key, e.toString(), lease.lastRead() != null
              ? "saving the state lease.storageState() last returned" : "keeping the state saved before");
      return lease.lastRead();
    }
  }

  /**
   * Saves {@code json} as the lease's key's state (unless null, or the key was invalidated meanwhile),
   * then frees the key for its next caller. Waits for the store up to {@code deadline}; a store that
   * fails or hangs is logged at WARN with the key, and the key is freed all the same. Outside the lock.
   */
  void saveAndFree(LeaseState lease, String json, long deadline) {
    SessionClaim claim = lease.claim;
    if (claim == null) {
      return;
    }
    try {
      if (json != null && json.length() > SessionStore.MAX_STATE_CHARS) {
        LOG.warn("{}lease #{} of session key \"{}\": its state ({} chars) is over SessionStore.MAX_STATE_CHARS ({});"
            + " not saved, the store keeps what it had", prefix, lease.id, lease.key, json.length(),
            SessionStore.MAX_STATE_CHARS);
      } else if (json != null && claim.saves()) {
        String key = lease.key;
        Object done = call(() -> {
          store.save(key, json);
          return Boolean.TRUE;
        }, Math.max(0, deadline - ticker.read()), "save(\"" + key + "\")", null);
        if (done != null) {
          LOG.debug("{}saved the state of session key \"{}\" from lease #{} ({} chars)", prefix, key, lease.id,
              json.length());
        }
      }
    } finally {
      decisions.change(fx -> state.unclaim(claim));
    }
  }

  /**
   * A lease of a session key that the pool ended (revoked, crashed, closed with the pool) and whose
   * context is not read again: saves what was last read from it (nothing when nothing was), frees its key.
   */
  void endRevoked(LeaseState lease, long deadline) {
    saveAndFree(lease, lease.lastRead(), deadline);
  }

  /** {@link #endRevoked} for each lease, all on one deadline: {@code closeTimeout} from now. */
  void endAllRevoked(List<LeaseState> leases) {
    long deadline = ticker.read() + closeNanos;
    for (LeaseState lease : leases) {
      endRevoked(lease, deadline);
    }
  }

  /** The deadline of a lease's save: closeTimeout from now. */
  long saveDeadline() {
    return ticker.read() + closeNanos;
  }

  /**
   * Deletes the key's stored state ({@code pool.invalidate}), waiting for the store up to closeTimeout.
   *
   * @throws SessionStateException when the store fails or does not answer in time
   */
  boolean delete(String key) {
    Boolean deleted = call(() -> store.delete(key), closeNanos, "delete(\"" + key + "\")",
        "its stored state may still be there");
    LOG.debug("{}invalidated session key \"{}\": {}", prefix, key, deleted ? "its stored state was deleted"
        : "the store held no state for it");
    return deleted;
  }

  /**
   * Runs one store call on the store's threads and waits up to {@code nanos}. With {@code failure} set,
   * a failure or a timeout throws {@link SessionStateException} saying so; without it (a save), it is
   * logged at WARN with the key and null is returned.
   */
  private <T> T call(Callable<T> task, long nanos, String what, String failure) {
    Future<T> f;
    try {
      f = calls.submit(task);
    } catch (RejectedExecutionException e) {
      return failed(what, failure, "the pool is closed", e);
    }
    try {
      return f.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return failed(what, failure, "it did not return within " + Duration.ofNanos(nanos).toMillis()
          + " ms; the call was abandoned on its thread", e);
    } catch (ExecutionException e) {
      return failed(what, failure, "it threw " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      return failed(what, failure, "the caller was interrupted", e);
    }
  }

  private <T> T failed(String what, String failure, String why, Throwable cause) {
    String msg = prefix + "SessionStore." + what + " failed: " + why;
    if (failure != null) {
      throw new SessionStateException(msg + "; " + failure + ". Check the store (" + describe(store)
          + "), or call pool.invalidate() on the key to start it afresh.", cause);
    }
    LOG.warn("{}; the lease closed without saving its state, and the store keeps what it had", msg);
    return null;
  }

  /**
   * How a config and messages name a store: a built-in one by itself, a user's by its class only (never
   * by its {@code toString()}, which might show what it holds).
   */
  public static String describe(SessionStore store) {
    if (store == null) {
      return "none";
    }
    Class<?> type = store.getClass();
    boolean builtIn = type.getName().startsWith(SessionStore.class.getName())
        || type.getPackageName().equals(StorageState.class.getPackageName());
    return builtIn ? store.toString() : type.getName();
  }

  /** Ends the store's threads (pool close); a call still hanging there is left to end on its own. */
  void shutdown() {
    if (calls != null) {
      calls.shutdownNow();
    }
  }
}
