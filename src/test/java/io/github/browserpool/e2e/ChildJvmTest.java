package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.ProcessInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pools in other JVMs ({@link ChildPool}): a JVM killed with its browsers, and two live JVMs on one tempRoot. */
// A hung CDP call (cdt waits forever) interrupts the test instead of stalling the suite.
@Tag("chromium")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class ChildJvmTest {
  private static final Duration LOAD = Duration.ofSeconds(30);
  private static final Duration CHILD_LINE = Duration.ofSeconds(60);

  @Test
  void killedJvmTakesItsBrowsersWithItAndTheNextPoolSweepsTheirDirs(Path tempRoot) throws Exception {
    try (ChildPool child = ChildPool.start(3, "child", tempRoot.toString())) {
      List<ChildPool.Browser> browsers = child.awaitReady(CHILD_LINE);
      assertThat(browsers).hasSize(3);
      // Every process of the child's browsers, crashpad handlers and zygotes included, but not the child JVM.
      List<Long> pids = Procs.referencing(tempRoot).stream().map(ProcessInfo::pid)
          .filter(p -> p != child.process.pid()).toList();
      assertThat(pids).containsAll(browsers.stream().map(ChildPool.Browser::pid).toList());
      assertThat(Procs.profileDirs(tempRoot)).hasSize(3);

      child.process.destroyForcibly();
      assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      // No help from this JVM: each browser must notice by itself that its CDP pipe closed.
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
          Procs.alive(pids).isEmpty() && Procs.referencing(tempRoot).isEmpty());
      assertThat(Procs.profileDirs(tempRoot)).as("dirs of a killed JVM wait for the next sweep").hasSize(3);
    }
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("sweeper").tempRoot(tempRoot).build())) {
      assertThat(pool.stats().sweptDirs()).isEqualTo(3);
      assertThat(Procs.profileDirs(tempRoot)).isEmpty();
    }
  }

  @Test
  void poolsStartedInThisJvmLeaveALiveChildJvmsBrowserAlone(Path tempRoot) throws Exception {
    HttpServer server = Pages.serve(Map.of("/", "<html><head><title>parent</title></head></html>"));
    String url = Pages.url(server, "/");
    try (ChildPool child = ChildPool.start(1, "child", tempRoot.toString())) {
      List<ChildPool.Browser> browsers = child.awaitReady(CHILD_LINE);
      assertThat(browsers).hasSize(1);
      ChildPool.Browser theirs = browsers.get(0);

      // Round 1: one pool, started and closed.
      try (BrowserPool pool = startPool("parent-1", tempRoot); BrowserLease lease = pool.acquire()) {
        assertThat(pool.stats().sweptDirs()).isZero();
        assertThat(pool.stats().sweptProcesses()).isZero();
        assertNavigates(lease.newPage(), url);
        assertIntact(theirs);
      }
      assertIntact(theirs);

      // Round 2: a pool started while another pool of this JVM holds a live lease (its sweep must skip both).
      try (BrowserPool pool = startPool("parent-2", tempRoot); BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        assertNavigates(page, url);
        try (BrowserPool nested = startPool("parent-3", tempRoot); BrowserLease other = nested.acquire()) {
          assertThat(nested.stats().sweptDirs()).isZero();
          assertNavigates(other.newPage(), url);
        }
        assertThat(lease.userDataDir()).isDirectory();
        assertThat(Procs.isAlive(lease.browserPid())).isTrue();
        assertNavigates(page, url);
        assertIntact(theirs);
      }
      assertIntact(theirs);

      child.finish();
      assertThat(Procs.isAlive(theirs.pid())).isFalse();
      assertThat(theirs.dir()).doesNotExist();
    } finally {
      server.stop(0);
    }
  }

  private static BrowserPool startPool(String name, Path tempRoot) {
    return BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).tempRoot(tempRoot).build());
  }

  private static void assertNavigates(ChromeDevToolsService page, String url) {
    Pages.navigate(page, url, LOAD);
    assertThat(Pages.title(page)).isEqualTo("parent");
  }

  private static void assertIntact(ChildPool.Browser b) {
    assertThat(Procs.isAlive(b.pid())).as("the child JVM's browser is alive").isTrue();
    assertThat(b.dir()).as("the child JVM's profile dir").isDirectory();
  }
}
