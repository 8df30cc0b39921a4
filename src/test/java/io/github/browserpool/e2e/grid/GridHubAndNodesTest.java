package io.github.browserpool.e2e.grid;

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
import io.github.browserpool.e2e.Pages;
import io.github.browserpool.test.GridProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The distributed shape on loopback: a hub and two nodes, each node its own JVM with its own
 * chromedriver. Leases spread over both nodes; a node killed with {@code kill -9} fails only its own
 * leases, fast, and the pool refills from the other node. Grid leaves the killed node's chromedriver
 * and Chromium running, so the test kills those by PID (found by the node's own TMPDIR).
 */
@Tag("chromium")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class GridHubAndNodesTest {
  private static final Duration LOAD = Duration.ofSeconds(30);

  @Test
  void leasesSpreadOverBothNodesAndAKilledNodeFailsOnlyItsLeasesWhileThePoolRefillsFromTheOther() throws Exception {
    HttpServer server = Pages.serve(Map.of("/", "<html><head><title>distributed</title></head></html>"));
    String url = Pages.url(server, "/");
    try (GridProcess hub = GridProcess.hub("hub");
        GridProcess node1 = GridProcess.node("node1", hub, 60, 4);
        GridProcess node2 = GridProcess.node("node2", hub, 60, 4)) {
      hub.awaitReady(2, Duration.ofSeconds(90));
      try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("distributed")
          .seleniumGrid(hub.url()).maxBrowsers(4).acquireTimeout(Duration.ofSeconds(60)).build())) {
        List<BrowserLease> leases = new ArrayList<>();
        Map<BrowserLease, ChromeDevToolsService> pages = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
          BrowserLease lease = pool.acquire();
          leases.add(lease);
          ChromeDevToolsService page = lease.newPage();
          Pages.navigate(page, url, LOAD);
          assertThat(Pages.title(page)).isEqualTo("distributed");
          pages.put(lease, page);
        }
        Map<String, String> nodeOf = GridProcess.sessions(hub.url()).stream()
            .collect(Collectors.toMap(GridProcess.GridSession::id, GridProcess.GridSession::node));
        String uri1 = node1.url().toString();
        String uri2 = node2.url().toString();
        List<BrowserLease> onNode1 = leases.stream().filter(l -> uri1.equals(nodeOf.get(l.browserId()))).toList();
        List<BrowserLease> onNode2 = leases.stream().filter(l -> uri2.equals(nodeOf.get(l.browserId()))).toList();
        assertThat(onNode1).as("leases on node 1").hasSize(2);
        assertThat(onNode2).as("leases on node 2").hasSize(2);
        assertThat(node1.processes()).isNotEmpty();
        assertThat(node2.processes()).isNotEmpty();

        node1.kill9();
        long killed = System.nanoTime();
        for (BrowserLease lease : onNode1) {
          assertThatThrownBy(() -> Pages.evaluate(pages.get(lease), "new Promise(r => setTimeout(r, 60000))"))
              .isInstanceOf(BrowserCrashedException.class);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("node death noticed").isLessThan(Duration.ofSeconds(10));
        for (BrowserLease lease : onNode2) {
          Pages.navigate(pages.get(lease), url, LOAD);
          assertThat(Pages.title(pages.get(lease))).as("a lease on the surviving node").isEqualTo("distributed");
          assertThat(lease.isActive()).isTrue();
        }
        onNode1.forEach(BrowserLease::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().total() == 2);
        assertThat(pool.stats().closedByReason().get(CloseReason.CRASHED)).isEqualTo(2);

        // Grid's own health check (every 2 s here) marks the node DOWN; then new sessions go to node 2.
        await().atMost(Duration.ofSeconds(30)).until(() -> GridProcess.status(hub.url()).path("nodes").findValues("availability")
            .stream().filter(a -> a.asText().equals("UP")).count() == 1);
        for (int i = 0; i < 2; i++) {
          BrowserLease lease = pool.acquire();
          leases.add(lease);
          String id = lease.browserId();
          assertThat(GridProcess.sessions(hub.url()).stream().filter(s -> s.id().equals(id)).map(GridProcess.GridSession::node))
              .as("a refilled slot").containsExactly(uri2);
          Pages.navigate(lease.newPage(), url, LOAD);
        }
        leases.forEach(BrowserLease::close);
      }
      // The hub still lists the dead node's two sessions under that DOWN node; none is left on node 2.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> // /status follows a DELETE a moment later
          assertThat(GridProcess.sessions(hub.url()).stream().filter(s -> s.node().equals(node2.url().toString())))
              .as("sessions on node 2 after pool.close()").isEmpty());
      await().atMost(Duration.ofSeconds(10)).until(() -> node2.processes().isEmpty());

      // The killed node's chromedriver and Chromium outlived it (Grid's weakness): clean them up by PID.
      assertThat(node1.killLeftovers()).as("processes the killed node left running").isPositive();
      assertThat(node1.processes()).isEmpty();

      for (GridProcess g : List.of(node2, hub)) {
        g.process.destroy();
        assertThat(g.process.waitFor(20, TimeUnit.SECONDS)).as(g.name + " stops on SIGTERM").isTrue();
        assertThat(g.killLeftovers()).as("processes left by " + g.name).isZero();
      }
    } finally {
      server.stop(0);
    }
  }
}
