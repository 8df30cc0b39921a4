package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The happy path against real Chromium: lease, page, navigation, title, and stats that add up. */
// A hung CDP call (cdt waits forever) interrupts the test instead of stalling the suite.
@Tag("chromium")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class BasicLeaseTest {

  @Test
  void leaseNavigatesALocalPageAndStatsAddUp(Path tempRoot) {
    HttpServer server = Pages.serve(Map.of("/", "<html><head><title>Hello pool</title></head><body>hi</body></html>"));
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("basic").tempRoot(tempRoot).build());
    try {
      long pid;
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        assertThat(Procs.isAlive(pid)).isTrue();
        assertThat(lease.userDataDir().getParent()).isEqualTo(tempRoot);
        assertThat(lease.userDataDir().getFileName().toString()).startsWith("chromelambda-");
        assertThat(Procs.read(pid).cmdline()).contains(lease.userDataDir().toString());

        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, Pages.url(server, "/"), Duration.ofSeconds(30));
        assertThat(Pages.title(page)).isEqualTo("Hello pool");
        assertThat(Pages.evaluate(page, "document.body.textContent")).isEqualTo("hi");
      }
      PoolStats s = pool.stats();
      assertThat(s.launched()).isEqualTo(1);
      assertThat(s.idle()).isEqualTo(1);
      assertThat(s.leased()).isZero();
      assertThat(s.launched()).isEqualTo(s.closed() + s.total());
      assertThat(Procs.isAlive(pid)).as("the released browser stays warm").isTrue();
    } finally {
      pool.close();
      server.stop(0);
    }
    PoolStats after = pool.stats();
    assertThat(after.total()).isZero();
    assertThat(after.closed(CloseReason.SHUTDOWN)).isEqualTo(1);
    assertThat(after.launched()).isEqualTo(after.closed() + after.total());
    assertThat(Procs.referencing(tempRoot)).isEmpty();
    assertThat(Procs.profileDirs(tempRoot)).isEmpty();
  }
}
