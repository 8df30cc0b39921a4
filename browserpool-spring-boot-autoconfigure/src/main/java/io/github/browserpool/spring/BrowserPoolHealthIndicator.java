package io.github.browserpool.spring;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolStats;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code browserpool} health: UP with the pool's stats while it can serve; OUT_OF_SERVICE while it
 * is suspended or closing gracefully with leases still finishing (so a readiness group that includes it
 * takes the instance out of rotation); DOWN once closed, or when every recent launch failed (the error in
 * {@code launchError}).
 */
public class BrowserPoolHealthIndicator extends AbstractHealthIndicator {
  private final BrowserPool pool;
  private final LaunchOutcomes launches;

  /**
   * Creates the health of {@code pool}.
   *
   * @param launches the pool's launch outcomes, or null to start following them now (a pool that the
   *     application built itself)
   */
  public BrowserPoolHealthIndicator(BrowserPool pool, LaunchOutcomes launches) {
    super("browserpool health check failed");
    this.pool = pool;
    if (launches == null) {
      launches = new LaunchOutcomes();
      pool.addListener(launches);
    }
    this.launches = launches;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    PoolStats s = pool.stats();
    builder.withDetail("pool", pool.name())
        .withDetail("maxBrowsers", pool.config().maxBrowsers())
        .withDetail("total", s.total())
        .withDetail("idle", s.idle())
        .withDetail("leased", s.leased())
        .withDetail("starting", s.starting())
        .withDetail("activeLeases", s.activeLeases())
        .withDetail("waiting", s.waiting())
        .withDetail("launched", s.launched())
        .withDetail("launchFailures", s.launchFailures())
        .withDetail("leasesRevoked", s.leasesRevoked());
    String error = launches.lastError();
    if (error != null) {
      builder.withDetail("launchError", error);
    }
    if (pool.isClosed()) {
      if (s.activeLeases() > 0) {
        builder.outOfService().withDetail("state", "draining");
      } else {
        builder.down().withDetail("state", "closed");
      }
    } else if (pool.isSuspended()) {
      builder.outOfService().withDetail("state", "suspended");
    } else if (launches.failing()) {
      builder.down().withDetail("state", "launches failing")
          .withDetail("launchFailuresInARow", launches.failuresInARow());
    } else {
      builder.up().withDetail("state", "serving");
    }
  }
}
