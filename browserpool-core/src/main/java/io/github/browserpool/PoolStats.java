package io.github.browserpool;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A point-in-time snapshot of a pool's gauges and cumulative counters, from {@link BrowserPool#stats()}.
 *
 * @param total browsers alive now: starting, idle or leased (not those being closed)
 * @param idle browsers ready to lease
 * @param leased browsers serving one lease or more
 * @param starting browsers being launched
 * @param waiting {@code acquire()} calls waiting for a browser
 * @param launched browsers launched successfully since the pool started
 * @param launchFailures launches that failed
 * @param closedByReason browsers closed since the pool started, by reason
 * @param forcedKills closes that needed SIGKILL because the graceful steps missed their deadline
 * @param leasesRevoked leases revoked by the pool (abandoned, evicted, crashed, unresponsive, shut down)
 * @param sweptDirs stale profile dirs deleted by the startup sweep
 * @param sweptProcesses stale processes killed by the startup sweep
 * @param activeLeases leases served now (with {@code maxContextsPerBrowser} above 1, one browser serves
 *     several, so this can exceed {@code leased})
 * @param preparedContexts contexts prepared ahead for the next anonymous leases (ready or being made),
 *     each with one blank page: they cost memory until a lease takes them
 */
public record PoolStats(
    int total,
    int idle,
    int leased,
    int starting,
    int waiting,
    long launched,
    long launchFailures,
    Map<CloseReason, Long> closedByReason,
    long forcedKills,
    long leasesRevoked,
    long sweptDirs,
    long sweptProcesses,
    int activeLeases,
    int preparedContexts) {

  /** The stats without the lease gauges (they are 0): the form of releases before dense leases. */
  public PoolStats(int total, int idle, int leased, int starting, int waiting, long launched,
      long launchFailures, Map<CloseReason, Long> closedByReason, long forcedKills, long leasesRevoked,
      long sweptDirs, long sweptProcesses) {
    this(total, idle, leased, starting, waiting, launched, launchFailures, closedByReason, forcedKills,
        leasesRevoked, sweptDirs, sweptProcesses, 0, 0);
  }

  /** Copies {@code closedByReason} into an unmodifiable map with every reason, 0 where it had none. */
  public PoolStats {
    EnumMap<CloseReason, Long> copy = new EnumMap<>(CloseReason.class);
    for (CloseReason r : CloseReason.values()) {
      copy.put(r, closedByReason.getOrDefault(r, 0L));
    }
    closedByReason = Collections.unmodifiableMap(copy);
  }

  /** Browsers closed since the pool started, for any reason. */
  public long closed() {
    return closedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Browsers closed since the pool started for this reason. */
  public long closed(CloseReason reason) {
    return closedByReason.get(reason);
  }

  /**
   * The gauges in the form used by exception messages: {@code total=2, idle=0, leased=2, starting=0,
   * waiting=3}, then {@code leases=N} when there are more leases than leased browsers.
   */
  public String summary() {
    return "total=" + total + ", idle=" + idle + ", leased=" + leased + ", starting=" + starting
        + ", waiting=" + waiting + (activeLeases > leased ? ", leases=" + activeLeases : "");
  }
}
