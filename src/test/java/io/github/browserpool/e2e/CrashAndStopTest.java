package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import io.github.browserpool.test.ProcessInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Browsers that die or freeze under a lease: kill -9 of the browser, of its renderers, SIGSTOP of the tree. */
// A hung CDP call (cdt waits forever) interrupts the test instead of stalling the suite.
@Tag("chromium")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class CrashAndStopTest {
  private static final Duration LOAD = Duration.ofSeconds(30);
  private HttpServer server;

  @BeforeEach
  void serve() {
    server = Pages.serve(Map.of(
        "/one", "<html><head><title>one</title></head><body>1</body></html>",
        "/two", "<html><head><title>two</title></head><body>2</body></html>"));
  }

  @AfterEach
  void stopServing() {
    server.stop(0);
  }

  @Test
  void killedBrowserFailsItsLeaseFastAndIsReplaced(Path tempRoot) {
    try (BrowserPool pool = BrowserPool.start(config("crash", tempRoot).build())) {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      assertThat(Pages.evaluate(page, "1")).isEqualTo(1);
      long pid = lease.browserPid();
      Path dir = lease.userDataDir();
      List<Long> tree = Procs.tree(pid, dir);

      // A call in flight when the browser dies (its promise would take 60 s) ...
      CompletableFuture<Object> inFlight = CompletableFuture.supplyAsync(() -> page.getRuntime().evaluate(
          "new Promise(r => setTimeout(() => r(1), 60000))", null, null, null, null, Boolean.TRUE, null, null,
          Boolean.TRUE, null, null, null, null, null, null));
      Procs.signal(pid, "KILL");
      long killedAt = System.nanoTime();
      assertThatThrownBy(() -> inFlight.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(BrowserCrashedException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(2));
      // ... and a call after it died both fail fast.
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !Procs.isAlive(pid));
      long start = System.nanoTime();
      assertThatThrownBy(() -> Pages.evaluate(page, "2")).isInstanceOf(BrowserCrashedException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThatThrownBy(lease::touch).isInstanceOf(BrowserCrashedException.class);
      assertThatThrownBy(lease::newPage).isInstanceOf(BrowserCrashedException.class);
      assertThat(lease.isActive()).isFalse();
      lease.close(); // harmless after a crash

      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserPid()).isNotEqualTo(pid);
        ChromeDevToolsService p = next.newPage();
        Pages.navigate(p, Pages.url(server, "/one"), LOAD);
        assertThat(Pages.title(p)).isEqualTo("one");
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
          Procs.alive(tree).isEmpty() && Procs.referencing(dir).isEmpty() && !Files.exists(dir));
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().closed(CloseReason.CRASHED) == 1);
      PoolStats s = pool.stats();
      assertThat(s.leasesRevoked()).isEqualTo(1);
      assertThat(s.launched()).isEqualTo(2);
      assertThat(s.idle()).isEqualTo(1);
    }
  }

  @Test
  void killedRendererCrashesOnlyItsPageAndTheBrowserIsReused(Path tempRoot) throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("renderer", tempRoot).build())) {
      long pid;
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, Pages.url(server, "/one"), LOAD);
        CountDownLatch crashed = new CountDownLatch(1);
        page.getInspector().onTargetCrashed(e -> crashed.countDown());
        page.getInspector().enable();

        // The lease has one page; Chromium may also keep a spare renderer. Kill every renderer, nothing else.
        List<ProcessInfo> renderers = Procs.descendants(pid).stream().map(Procs::read).filter(Objects::nonNull)
            .filter(p -> p.cmdline().contains("--type=renderer")).toList();
        assertThat(renderers).isNotEmpty();
        renderers.forEach(r -> Procs.signal(r.pid(), "KILL"));

        assertThat(crashed.await(10, TimeUnit.SECONDS)).as("Inspector.targetCrashed on the page").isTrue();
        assertThat(Procs.isAlive(pid)).as("the browser survives its renderer").isTrue();
        assertThat(lease.isActive()).isTrue();

        ChromeDevToolsService second = lease.newPage();
        Pages.navigate(second, Pages.url(server, "/two"), LOAD);
        assertThat(Pages.title(second)).isEqualTo("two");
        assertThat(Pages.evaluate(second, "document.body.textContent + '!'")).isEqualTo("2!");
      }
      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserPid()).as("the browser is reused after the renderer crash").isEqualTo(pid);
        ChromeDevToolsService p = next.newPage();
        Pages.navigate(p, Pages.url(server, "/one"), LOAD);
        assertThat(Pages.title(p)).isEqualTo("one");
      }
      PoolStats s = pool.stats();
      assertThat(s.launched()).isEqualTo(1);
      assertThat(s.closed()).isZero();
      assertThat(s.leasesRevoked()).isZero();
    }
  }

  @Test
  void stoppedTreeIsForceKilledWithinCloseTimeout(Path tempRoot) {
    Duration closeTimeout = Duration.ofSeconds(3);
    Duration bound = closeTimeout.plusSeconds(1);
    BrowserPool pool = BrowserPool.start(config("stopped", tempRoot).closeTimeout(closeTimeout).build());
    List<Long> tree = List.of();
    try {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, Pages.url(server, "/one"), LOAD);
      Path dir = lease.userDataDir();
      tree = Procs.signalTree(lease.browserPid(), dir, "STOP");
      List<Long> stopped = tree;
      await().atMost(Duration.ofSeconds(5)).until(() -> stopped.stream().map(Procs::read)
          .allMatch(p -> p == null || p.state() == 'T'));
      PoolStats before = pool.stats();
      assertThat(before.forcedKills()).isZero();

      long start = System.nanoTime();
      lease.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("lease.close()").isLessThanOrEqualTo(bound);
      start = System.nanoTime();
      pool.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("pool.close()").isLessThanOrEqualTo(bound);

      assertThat(Procs.alive(tree).stream().map(Procs::read).toList())
          .as("the stopped tree is dead once close() returns").isEmpty();
      assertThat(Procs.referencing(dir)).isEmpty();
      assertThat(dir).doesNotExist();
      PoolStats after = pool.stats();
      assertThat(after.forcedKills()).isGreaterThanOrEqualTo(1);
      assertThat(after.closed()).isEqualTo(1);
      assertThat(after.closed(CloseReason.UNRESPONSIVE)).as("stopped, not exited: unresponsive").isEqualTo(1);
      assertThat(after.total()).isZero();
    } finally {
      thawAndClose(tree, pool);
    }
  }

  /**
   * Issue #8, item 6: a frozen tree whose CDP pipe is full, with another thread blocked writing a 4 MiB
   * command into it. The graceful step must not wait on that write, and the whole close must keep to
   * closeTimeout.
   */
  @Test
  void frozenTreeWithABlockedBigWriteClosesWithinCloseTimeout(Path tempRoot) throws Exception {
    Duration closeTimeout = Duration.ofSeconds(3);
    BrowserPool pool = BrowserPool.start(config("frozen-write", tempRoot).closeTimeout(closeTimeout).build());
    List<Long> tree = new java.util.ArrayList<>(); // filled as soon as the tree is stopped
    try {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      assertThat(Pages.evaluate(page, "1")).isEqualTo(1);
      Path dir = lease.userDataDir();
      Thread writer = freezeWithABlockedBigWrite(lease, page, tree);

      long start = System.nanoTime();
      pool.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).as("pool.close()").isLessThan(closeTimeout.plusSeconds(1));
      assertThat(Procs.alive(tree).stream().map(Procs::read).toList())
          .as("the frozen tree is dead once close() returns").isEmpty();
      assertThat(Procs.referencing(dir)).isEmpty();
      assertThat(dir).doesNotExist();
      writer.join(Duration.ofSeconds(5).toMillis());
      assertThat(writer.isAlive()).as("the blocked writer is released").isFalse();
      assertThat(pool.stats().forcedKills()).isEqualTo(1);
    } finally {
      thawAndClose(tree, pool);
    }
  }

  @Test
  void releasingALeaseOfAFrozenTreeWithABlockedBigWriteNeverHangs(Path tempRoot) throws Exception {
    // The release path, not only the pool's close: closing the lease's pages and disposing its context
    // are writes too, and must not wait for ever behind a write stuck on the frozen browser's pipe.
    Duration closeTimeout = Duration.ofSeconds(3);
    BrowserPool pool = BrowserPool.start(config("frozen-release", tempRoot).closeTimeout(closeTimeout).build());
    List<Long> tree = new java.util.ArrayList<>(); // filled as soon as the tree is stopped
    try {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      lease.newPage(); // a second page, so release closes several
      assertThat(Pages.evaluate(page, "1")).isEqualTo(1);
      Path dir = lease.userDataDir();
      Thread writer = freezeWithABlockedBigWrite(lease, page, tree);

      long start = System.nanoTime();
      lease.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("lease.close() behind a blocked write").isLessThan(closeTimeout.plusSeconds(2));
      // The release retires the browser; its close (on the pool's worker) kills it within its budget.
      // pool.browsers() lists it until its close has returned and been counted (total drops as it begins).
      await().atMost(closeTimeout.plusSeconds(2)).until(() -> pool.browsers().isEmpty()
          && Procs.alive(tree).isEmpty() && !java.nio.file.Files.exists(dir));
      assertThat(pool.stats().forcedKills()).isEqualTo(1);
      assertThat(pool.stats().closed(CloseReason.UNRESPONSIVE)).as("frozen, not exited: unresponsive").isEqualTo(1);
      writer.join(Duration.ofSeconds(5).toMillis());
      assertThat(writer.isAlive()).as("the blocked writer is released").isFalse();
    } finally {
      thawAndClose(tree, pool);
    }
  }

  /** A pool named {@code name} whose browsers live under the test's tempRoot. */
  private static PoolConfig.Builder config(String name, Path tempRoot) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).tempRoot(tempRoot);
  }

  /**
   * The clean-up of a test that froze a tree: should a close have failed, don't leave frozen processes of
   * our own pool behind (SIGCONT to what is left of the tree), then close the pool.
   */
  private static void thawAndClose(List<Long> tree, BrowserPool pool) {
    Procs.alive(tree).forEach(p -> Procs.signal(p, "CONT"));
    pool.close();
  }

  /**
   * SIGSTOPs the lease's whole tree (its PIDs go into {@code tree} at once, for the test's clean-up) and
   * starts a thread whose 4 MiB command blocks on the frozen browser's full pipe; returns that thread once
   * it is blocked in the write.
   */
  private static Thread freezeWithABlockedBigWrite(BrowserLease lease, ChromeDevToolsService page, List<Long> tree) {
    tree.addAll(Procs.signalTree(lease.browserPid(), lease.userDataDir(), "STOP"));
    await().atMost(Duration.ofSeconds(5)).until(() -> tree.stream().map(Procs::read)
        .allMatch(p -> p == null || p.state() == 'T'));
    String big = "'" + "x".repeat(4 << 20) + "'.length";
    Thread writer = new Thread(() -> {
      try {
        page.getRuntime().evaluate(big);
      } catch (RuntimeException expected) {
        // the pool closes the browser under it
      }
    }, "big-writer");
    writer.setDaemon(true);
    writer.start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
        java.util.Arrays.stream(writer.getStackTrace()).anyMatch(f -> f.getMethodName().equals("writeBytes")));
    return writer;
  }
}
