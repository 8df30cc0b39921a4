package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement by hand, not a timed unit test (performance claims come from the benchmark): starts a
 * pool of N idle browsers (default 32) and times {@code pool.close()}. Run it with
 * {@code mvn -B -q -pl browserpool-core -am test -Dtest=ManualCloseTimingTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dclose.timing=true [-Dclose.timing.browsers=32]}.
 */
@Tag("chromium")
@EnabledIfSystemProperty(named = "close.timing", matches = "true")
class ManualCloseTimingTest {
  @Test
  void closeOfManyIdleBrowsers() throws Exception {
    int n = Integer.getInteger("close.timing.browsers", 32);
    Path root = Files.createTempDirectory("bp-close-timing-").toRealPath();
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("close-timing").tempRoot(root)
        .maxBrowsers(n).minIdle(n).launchTimeout(Duration.ofSeconds(120)).build());
    try {
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
          .until(() -> pool.stats().idle() == n);
      Thread.sleep(3000); // let the prepared contexts settle
      int procs = io.github.browserpool.chrome.ProcFs.pids().size();
      String load = Files.readString(Path.of("/proc/loadavg")).trim();
      Duration cpu0 = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
      long start = System.nanoTime();
      pool.close();
      long ms = (System.nanoTime() - start) / 1_000_000;
      long cpuMs = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).minus(cpu0).toMillis();
      long leftAtReturn;
      try (var s = Files.list(root)) {
        leftAtReturn = s.count();
      }
      System.out.println("CLOSE-TIMING browsers=" + n + " processesOnHost=" + procs + " close_ms=" + ms
          + " jvm_cpu_ms=" + cpuMs + " forcedKills=" + pool.stats().forcedKills()
          + " dirsLeftToTheFinisher=" + leftAtReturn + " loadavg_before=" + load);
      // A tree still dying when its close ran out of time is finished in the background (up to 60 s).
      await().atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofMillis(200)).until(() -> {
        try (var s = Files.list(root)) {
          return s.count() == 0;
        }
      });
    } finally {
      pool.close();
    }
    try (var s = Files.list(root)) {
      assertThat(s.toList()).as("nothing left under %s", root).isEmpty();
    }
    Files.delete(root);
  }
}
