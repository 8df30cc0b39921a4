package io.github.browserpool.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import io.github.browserpool.test.ProcessTable;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters read from a SimpleMeterRegistry after real leases on real Chromium. */
@Tag("chromium")
class BrowserPoolMetricsTest {
  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() throws IOException {
    assertThat(ProcessTable.namingInCommandLineOrCwd(tempRoot)).as("processes naming %s", tempRoot).isEmpty();
    try (Stream<Path> s = Files.list(tempRoot)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("chromelambda-"))).isEmpty();
    }
  }

  @Test
  void metersAgreeWithStatsAndTimeRealLeases() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PoolStats last;
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("metered").tempRoot(tempRoot)
        .maxBrowsers(1).maxLeasesPerBrowser(2).build())) {
      new BrowserPoolMetrics(pool).bindTo(registry);
      for (int i = 0; i < 3; i++) {
        try (BrowserLease lease = pool.acquire()) {
          Object two = lease.newPage().getRuntime().evaluate("1 + 1").getResult().getValue();
          assertThat(two).isEqualTo(2);
          Thread.sleep(20); // a lease held for a known minimum
        }
      }
      // Leases 1 and 2 ran on the first browser (retired: maxLeasesPerBrowser 2), lease 3 on a second one.
      assertThat(gauge(registry, "browserpool.browsers", "state", "idle")).isEqualTo(1);
      assertThat(gauge(registry, "browserpool.browsers", "state", "leased")).isZero();
      assertThat(gauge(registry, "browserpool.browsers", "state", "starting")).isZero();
      assertThat(registry.get("browserpool.leases.active").tag("pool", "metered").gauge().value()).isZero();
      assertThat(registry.get("browserpool.threads.waiting").gauge().value()).isZero();
      assertThat(registry.get("browserpool.contexts.prepared").gauge().value())
          .as("one idle browser that serves one lease at a time keeps at most one spare").isBetween(0.0, 1.0);
      double memory = registry.get("browserpool.memory").gauge().value();
      assertThat(memory).as("an idle Chromium tree's PSS").isBetween(30.0 * (1 << 20), 4.0 * (1 << 30));

      Timer acquire = registry.get("browserpool.acquire").tag("pool", "metered").timer();
      assertThat(acquire.count()).isEqualTo(3);
      assertThat(acquire.max(TimeUnit.MILLISECONDS)).as("the cold acquire launched Chromium").isGreaterThan(50);
      Timer held = registry.get("browserpool.lease.held").timer();
      assertThat(held.count()).isEqualTo(3);
      assertThat(held.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(60);
      assertThat(registry.get("browserpool.launch").timer().count()).isEqualTo(2);
      assertThat(counter(registry, "browserpool.launched")).isEqualTo(2);
      assertThat(closed(registry, CloseReason.MAX_LEASES)).isEqualTo(1);

      BrowserLease open = pool.acquire(); // revoked by close()
      assertThat(registry.get("browserpool.leases.active").gauge().value()).isEqualTo(1);
      assertThat(gauge(registry, "browserpool.browsers", "state", "leased")).isEqualTo(1);
      pool.close();
      last = pool.stats();
      assertThat(open.isActive()).isFalse();
    }
    assertThat(closed(registry, CloseReason.SHUTDOWN)).isEqualTo(1).isEqualTo(last.closed(CloseReason.SHUTDOWN));
    assertThat(counter(registry, "browserpool.leases.revoked")).isEqualTo(1).isEqualTo(last.leasesRevoked());
    assertThat(counter(registry, "browserpool.forced.kills")).isEqualTo(last.forcedKills());
    double allCloses = registry.get("browserpool.closed").functionCounters().stream()
        .mapToDouble(c -> c.count()).sum();
    assertThat(allCloses).isEqualTo(last.closed()).isEqualTo(2);
    assertThat(closed(registry, CloseReason.UNRESPONSIVE)).as("a counter of its own, none here").isZero();
    assertThat(gauge(registry, "browserpool.browsers", "state", "idle")).isZero();
  }

  private static double gauge(SimpleMeterRegistry r, String name, String tag, String value) {
    return r.get(name).tag("pool", "metered").tag(tag, value).gauge().value();
  }

  private static double counter(SimpleMeterRegistry r, String name) {
    return r.get(name).tag("pool", "metered").functionCounter().count();
  }

  private static double closed(SimpleMeterRegistry r, CloseReason reason) {
    return r.get("browserpool.closed").tag("pool", "metered").tag("reason", reason.name()).functionCounter().count();
  }
}
