package io.github.browserpool.grid;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the sessions of requests the pool gave up on. Grid may still create such a session from its
 * queue, and nobody would use it; it carries the request's id in its owner label, so it is deleted when
 * {@code /status} shows it, for {@link #ORPHAN_HUNT} after the request was given up, or until the pool
 * closes: without the probe's keep-alive, the Grid then drops such a session after its session-timeout.
 */
final class OrphanHunter {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanHunter.class);
  /** How long sessions of requests the pool gave up on are hunted for (and deleted) in the Grid. */
  static final Duration ORPHAN_HUNT = Duration.ofMinutes(10);
  private static final Duration ORPHAN_HUNT_PERIOD = Duration.ofSeconds(2);

  private final String prefix;
  private final GridClient client;
  private final Duration deleteTimeout;
  /** The launcher's {@code <pool>-grid-orphans} thread; shut down with the pool, which ends the hunt. */
  private final ScheduledExecutorService hunter;
  /** Request ids of session requests given up on, with when to stop hunting for their session (nanoTime). */
  private final Map<String, Long> orphans = new ConcurrentHashMap<>();
  private final Object huntLock = new Object();
  private boolean hunting; // guarded by huntLock

  OrphanHunter(String prefix, GridClient client, Duration deleteTimeout, ScheduledExecutorService hunter) {
    this.prefix = prefix;
    this.client = client;
    this.deleteTimeout = deleteTimeout;
    this.hunter = hunter;
  }

  /** Remembers a request the pool gave up on, and hunts for its session. */
  void hunt(String requestId) {
    orphans.put(requestId, System.nanoTime() + ORPHAN_HUNT.toNanos());
    synchronized (huntLock) {
      if (!hunting) {
        hunting = schedule();
      }
    }
  }

  private void huntOnce() {
    try {
      long now = System.nanoTime();
      orphans.values().removeIf(until -> now - until > 0);
      if (!orphans.isEmpty()) {
        for (GridStatus.Session s : GridStatus.readQuietly(client, Duration.ofSeconds(5)).sessions()) {
          String request = s.owner() == null ? null : s.owner().path("request").asText(null);
          if (request != null && GridOwner.isThisJvm(s.owner()) && orphans.remove(request) != null) {
            LOG.warn("{}deleting Grid session {}: the Grid created it after the pool gave up on its request",
                prefix, s.id());
            client.deleteSession(prefix, s.id(), deleteTimeout);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}looking for orphaned Grid sessions failed: {}", prefix, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (huntLock) {
        hunting = !orphans.isEmpty() && schedule();
      }
    }
  }

  /** Schedules the next hunt; false once the pool closed (its Grid's session-timeout reaps what is left). */
  private boolean schedule() {
    try {
      hunter.schedule(this::huntOnce, ORPHAN_HUNT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      LOG.debug("{}the pool closed: no more hunting for {} orphaned Grid sessions", prefix, orphans.size());
      return false;
    }
  }
}
