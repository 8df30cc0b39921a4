package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.test.ProcessTable;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** browsers(), recycling by memory and the MBean against real Chromium. Each test leaves nothing behind. */
@Tag("chromium")
class MonitoringChromiumTest extends OnRealChromium {
  private static final long MIB = 1024 * 1024;

  @Override
  PoolConfig.Builder config(String name) {
    return super.config(name).acquireTimeout(Duration.ofMinutes(2));
  }

  @Test
  void browsersReportsAPlausiblePssAndProcessCount() {
    try (BrowserPool pool = BrowserPool.start(config("monitor-pss").build())) {
      try (BrowserLease lease = pool.acquire("alice")) {
        ChromiumSmokeTest.eval(lease.newPage(), "document.body.innerHTML = '<h1>hello</h1>'");
        List<BrowserInfo> all = pool.browsers();
        assertThat(all).hasSize(1);
        BrowserInfo b = all.get(0);
        assertThat(b.pid()).isEqualTo(lease.browserPid());
        assertThat(b.browserId()).isEqualTo(lease.userDataDir().getFileName().toString());
        assertThat(b.state()).isEqualTo(BrowserInfo.State.LEASED);
        assertThat(b.sessionKey()).isEqualTo("alice");
        assertThat(b.activeLeases()).isEqualTo(1);
        assertThat(b.leasesServed()).isEqualTo(1);
        // The browser, its zygotes, GPU/utility/network helpers, a renderer per page, crashpad.
        assertThat(b.processCount()).as("processes in the tree").isBetween(4, 40);
        assertThat(ProcessTable.namingInCommandLineOrCwd(lease.userDataDir()).size())
            .as("every process naming the profile dir is counted").isLessThanOrEqualTo(b.processCount());
        assertThat(b.memoryBytes()).as("PSS of the tree").isBetween(30 * MIB, 3000 * MIB);
        assertThat(b.age()).isPositive();
      }
    }
  }

  @Test
  void aPageThatAllocatesPushesItsBrowserPastMaxBrowserMemoryAndItIsRecycledAfterItsLease() {
    long limit = 400 * MIB;
    try (BrowserPool pool = BrowserPool.start(config("monitor-memory").maxBrowserMemory(limit).build())) {
      long pid;
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        ChromeDevToolsService page = lease.newPage();
        long before = pool.browsers().get(0).memoryBytes();
        assertThat(before).as("a fresh browser is under the limit").isLessThan(limit);
        // ~300 MB of doubles, every page written, so it is resident (and counted in PSS).
        ChromiumSmokeTest.eval(page, "window.big = new Float64Array(39e6).fill(1.5); big.length");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
            .until(() -> pool.browsers().get(0).memoryBytes() > limit);
        assertThat(lease.isActive()).as("never recycled in the middle of a lease").isTrue();
        assertThat(ChromiumSmokeTest.eval(page, "big[1000]")).isEqualTo(1.5);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().closed(CloseReason.MEMORY) == 1);
      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserPid()).as("a fresh browser").isNotEqualTo(pid);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> !ProcessTable.isAlive(pid));
    }
  }

  @Test
  void theMBeanIsVisibleInThePlatformServerAndSoftEvictClosesTheBrowser() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = new ObjectName("io.github.browserpool:type=BrowserPool,name=monitor-jmx");
    long pid;
    try (BrowserPool pool = BrowserPool.start(config("monitor-jmx").registerMBean(true).build())) {
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        assertThat(server.getAttribute(name, "ActiveLeases")).isEqualTo(1);
      }
      assertThat(server.getAttribute(name, "TotalBrowsers")).isEqualTo(1);
      assertThat(server.getAttribute(name, "IdleBrowsers")).isEqualTo(1);
      assertThat(server.getAttribute(name, "Launched")).isEqualTo(1L);
      assertThat((Long) server.getAttribute(name, "BrowserMemoryBytes")).isGreaterThan(30 * MIB);
      server.invoke(name, "softEvictBrowsers", null, null);
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().closed(CloseReason.EVICTED) == 1);
      assertThat(server.getAttribute(name, "TotalBrowsers")).isEqualTo(0);
      await().atMost(Duration.ofSeconds(30)).until(() -> !ProcessTable.isAlive(pid));
    }
    assertThat(server.isRegistered(name)).isFalse();
  }
}
