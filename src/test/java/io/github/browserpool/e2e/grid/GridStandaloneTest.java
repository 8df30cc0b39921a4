package io.github.browserpool.e2e.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.test.CdpTestClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.PoolListener;
import io.github.browserpool.e2e.Pages;
import io.github.browserpool.test.GridProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pools on a real standalone Selenium Grid 4 (started here on 127.0.0.1, session-timeout 10 s, 2 slots):
 * leases over se:cdp, a warm lease handed the context prepared before it, isolation and keyed sessions,
 * the pool's own idle and abandon deadlines, sessions that end behind the pool's back, and bad input. Every test leaves the Grid without sessions, and the
 * class leaves no Grid JVM, chromedriver or Chromium behind.
 */
@Tag("chromium")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GridStandaloneTest {
  static final int SESSION_TIMEOUT_S = 10;
  static final int SLOTS = 2;
  /**
   * What a DELETE may take the Grid on a busy machine, after the pool's own deadline, until /status
   * no longer lists the session. (GET /session/{id}/... right after a DELETE was seen to hang on a
   * loaded machine, so these tests watch /status.)
   */
  static final Duration GRID_DELETE_SLACK = Duration.ofSeconds(2);
  private static final Duration LOAD = Duration.ofSeconds(30);
  @RegisterExtension
  static final StandaloneGrid grid = new StandaloneGrid("standalone", SESSION_TIMEOUT_S, SLOTS);
  private static HttpServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = Pages.serve(Map.of(
        "/", "<html><head><title>from the grid</title></head><body>hello</body></html>",
        "/login", "<html><head><title>login</title></head></html>"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  static PoolConfig.Builder config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).seleniumGrid(grid.url()).maxBrowsers(2)
        .acquireTimeout(Duration.ofSeconds(60));
  }

  @Test
  void leaseNavigatesALocalPageOverSeCdpAndThePoolDeletesTheSessionWhenItCloses() throws Exception {
    String url = Pages.url(server, "/");
    String sessionId;
    // The ids listener events carry, to match them with the lease's: one id per browser.
    Set<String> eventIds = ConcurrentHashMap.newKeySet();
    PoolListener ids = new PoolListener() {
      @Override
      public void launched(BrowserEvent browser, Duration took) {
        eventIds.add("launched " + browser.browserId());
      }

      @Override
      public void acquired(LeaseEvent lease, Duration waited) {
        eventIds.add("acquired " + lease.browserId());
      }

      @Override
      public void closed(BrowserEvent browser, CloseReason reason, Duration took, boolean forced) {
        eventIds.add("closed " + browser.browserId());
      }
    };
    try (BrowserPool pool = BrowserPool.start(config("grid-basic").listener(ids).build())) {
      try (BrowserLease lease = pool.acquire()) {
        sessionId = lease.browserId();
        assertThat(lease.browserPid()).isEqualTo(-1);
        assertThat(lease.userDataDir()).isNull();
        assertThat(pool.browsers()).extracting(BrowserInfo::browserId).as("the lease's id in browsers()")
            .containsExactly(sessionId);
        assertThat(GridProcess.sessionIds(grid.url())).containsExactly(sessionId);
        assertThat(GridProcess.sessions(grid.url()).get(0).owner().path("pool").asText()).isEqualTo("grid-basic");
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        assertThat(Pages.title(page)).isEqualTo("from the grid");
        assertThat(grid.processes()).as("chromedriver and Chromium run on the node").isNotEmpty();
      }
      // The browser went back to the pool: the next lease gets the same warm session.
      try (BrowserLease lease = pool.acquire()) {
        assertThat(lease.browserId()).isEqualTo(sessionId);
        Pages.navigate(lease.newPage(), url, LOAD);
      }
      assertThat(GridProcess.sessionIds(grid.url())).containsExactly(sessionId);
    }
    // The pool's threads (its connections', HTTP client's, probe's) end with it.
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> Thread.getAllStackTraces()
        .keySet().stream().noneMatch(t -> t.isAlive() && t.getName().contains("grid-basic")));
    assertThat(GridProcess.sessionGone(grid.url(), sessionId)).as("deleted by pool.close()").isTrue();
    assertThat(eventIds).as("the lease's id in every listener event")
        .containsExactlyInAnyOrder("launched " + sessionId, "acquired " + sessionId, "closed " + sessionId);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> { // /status follows a moment later
      assertThat(GridProcess.sessionIds(grid.url())).isEmpty();
      assertThat(grid.processes()).as("chromedriver and Chromium of the deleted session").isEmpty();
    });
  }

  @Test
  void aWarmLeaseIsHandedTheContextAndPageThatThePoolPreparedBeforeItsAcquire() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("grid-warm").maxBrowsers(1).build())) {
      String sessionId;
      String firstContext;
      try (BrowserLease first = pool.acquire()) {
        sessionId = first.browserId();
        ChromeDevToolsService page = first.newPage();
        Pages.navigate(page, Pages.url(server, "/"), LOAD);
        firstContext = page.getTarget().getTargetInfo().getBrowserContextId();
      }
      // The lease ended: the pool disposes its context and prepares the next one in the background.
      // A second CDP client of the same session sees it ready, with its page, before anyone acquires.
      try (CdpTestClient look = CdpTestClient.seCdp(grid.url(), sessionId).waitingUpTo(Duration.ofSeconds(30))) {
        JsonNode prepared = await().atMost(LOAD).pollInterval(Duration.ofMillis(50))
            .until(() -> preparedPage(look, firstContext), java.util.Objects::nonNull);
        try (BrowserLease warm = pool.acquire()) {
          assertThat(warm.browserId()).isEqualTo(sessionId);
          ChromeDevToolsService page = warm.newPage();
          var mine = page.getTarget().getTargetInfo();
          assertThat(mine.getTargetId()).as("the page prepared before acquire()").isEqualTo(prepared.path("targetId").asText());
          assertThat(mine.getBrowserContextId()).isEqualTo(prepared.path("browserContextId").asText());
          Pages.navigate(page, Pages.url(server, "/"), LOAD);
          assertThat(Pages.title(page)).isEqualTo("from the grid");
        }
      }
    }
  }

  /** The one page of the one isolated context other than {@code except}, once there is exactly that; else null. */
  private static JsonNode preparedPage(CdpTestClient look, String except) throws Exception {
    JsonNode contexts = look.result("Target.getBrowserContexts", null).path("browserContextIds");
    if (contexts.size() != 1 || contexts.get(0).asText().equals(except)) {
      return null;
    }
    String context = contexts.get(0).asText();
    JsonNode found = null;
    for (JsonNode t : look.result("Target.getTargets", null).path("targetInfos")) {
      if ("page".equals(t.path("type").asText()) && context.equals(t.path("browserContextId").asText())) {
        if (found != null) {
          return null;
        }
        found = t;
      }
    }
    return found;
  }

  @Test
  void anonymousLeasesAreIsolatedAndAKeyedSessionKeepsItsCookies() {
    String url = Pages.url(server, "/login");
    try (BrowserPool pool = BrowserPool.start(config("grid-isolation").maxBrowsers(1).build())) {
      try (BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        Pages.evaluate(page, "document.cookie = 'who=anon; max-age=3600'");
        assertThat(Pages.evaluate(page, "document.cookie")).isEqualTo("who=anon");
      }
      try (BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        assertThat(Pages.evaluate(page, "document.cookie")).as("a fresh context").isEqualTo("");
      }
      String keyedBrowser;
      try (BrowserLease lease = pool.acquire("alice")) {
        keyedBrowser = lease.browserId();
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        Pages.evaluate(page, "document.cookie = 'who=alice'"); // a session cookie
      }
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.browserId()).isEqualTo(keyedBrowser);
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        assertThat(Pages.evaluate(page, "document.cookie")).isEqualTo("who=alice");
      }
    }
  }

  @Test
  void anIdleRemoteBrowserIsDeletedWithinIdleTimeoutPlusOneSecond() {
    // 3 s: long enough that a busy machine's slow CDP replies do not make the lease itself look abandoned.
    Duration idle = Duration.ofSeconds(3);
    try (BrowserPool pool = BrowserPool.start(config("grid-idle").idleTimeout(idle).build())) {
      String id;
      BrowserLease lease = pool.acquire();
      id = lease.browserId();
      assertThat(Pages.evaluate(lease.newPage(), "1 + 1")).isEqualTo(2);
      long beforeRelease = System.nanoTime();
      lease.close(); // the idle clock starts here
      // The pool's reaper closes it (and sends the DELETE) within idleTimeout + 1 s ...
      await().atMost(idle.plusSeconds(1)).pollInterval(Duration.ofMillis(20))
          .until(() -> pool.stats().closedByReason().get(CloseReason.IDLE) == 1);
      assertThat(Duration.ofNanos(System.nanoTime() - beforeRelease)).isGreaterThanOrEqualTo(idle);
      // ... and the Grid, which needs 0.1-0.2 s for a DELETE on a quiet machine, has dropped the session.
      await().atMost(GRID_DELETE_SLACK).pollInterval(Duration.ofMillis(50))
          .until(() -> !GridProcess.sessionIds(grid.url()).contains(id));
    }
  }

  @Test
  void anAbandonedRemoteLeaseIsRevokedAndItsSessionDeletedWithinIdleTimeoutPlusOneSecond() {
    Duration idle = Duration.ofSeconds(3);
    try (BrowserPool pool = BrowserPool.start(config("grid-abandon").idleTimeout(idle).build())) {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      String id = lease.browserId();
      long beforeLastCall = System.nanoTime();
      assertThat(Pages.evaluate(page, "1 + 1")).isEqualTo(2); // the last activity
      await().atMost(idle.plusSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> !lease.isActive());
      assertThat(Duration.ofNanos(System.nanoTime() - beforeLastCall)).isGreaterThanOrEqualTo(idle);
      await().atMost(GRID_DELETE_SLACK).pollInterval(Duration.ofMillis(50))
          .until(() -> !GridProcess.sessionIds(grid.url()).contains(id));
      assertThatThrownBy(() -> Pages.title(page)).isInstanceOf(LeaseRevokedException.class)
          .hasMessageContaining("abandoned");
      assertThat(pool.stats().closedByReason().get(CloseReason.ABANDONED)).isEqualTo(1);
      lease.close();
    }
  }

  @Test
  void aSessionDeletedBehindThePoolsBackFailsItsLeaseFastAndTheSlotIsRefilled() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("grid-gone").maxBrowsers(1).build())) {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, Pages.url(server, "/"), LOAD);
      String id = lease.browserId();
      assertThat(GridProcess.deleteSession(grid.url(), id)).isEqualTo(200);
      long deleted = System.nanoTime();
      // Grid never closes se:cdp: without the pool's probe this call would wait forever.
      assertThatThrownBy(() -> Pages.evaluate(page, "new Promise(r => setTimeout(r, 60000))"))
          .isInstanceOf(BrowserCrashedException.class);
      // Noticed by the next probe (every second), give or take a loaded machine.
      assertThat(Duration.ofNanos(System.nanoTime() - deleted)).isLessThan(Duration.ofSeconds(10));
      assertThatThrownBy(lease::newPage).isInstanceOf(BrowserCrashedException.class);
      lease.close();
      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserId()).isNotEqualTo(id);
        Pages.navigate(next.newPage(), Pages.url(server, "/"), LOAD);
      }
      assertThat(pool.stats().closedByReason().get(CloseReason.CRASHED)).isEqualTo(1);
    }
  }

  @Test
  void capacityPoliciesWorkOnGridSessionsAsTheyDoLocally() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("grid-reject").maxBrowsers(1)
            .capacityPolicy(CapacityPolicy.REJECT).build());
        BrowserLease held = pool.acquire()) {
      assertThatThrownBy(pool::acquire).isInstanceOf(PoolExhaustedException.class);
      assertThat(GridProcess.sessionIds(grid.url())).containsExactly(held.browserId());
    }
    try (BrowserPool pool = BrowserPool.start(config("grid-evict").maxBrowsers(1)
        .capacityPolicy(CapacityPolicy.EVICT_LRU).evictionProtection(Duration.ZERO).build())) {
      BrowserLease inactive = pool.acquire();
      String victim = inactive.browserId();
      try (BrowserLease lease = pool.acquire()) {
        assertThat(lease.browserId()).isNotEqualTo(victim);
        await().atMost(Duration.ofSeconds(5)).until(() -> GridProcess.sessionGone(grid.url(), victim));
        assertThatThrownBy(inactive::newPage).isInstanceOf(LeaseRevokedException.class)
            .hasMessageContaining("evicted");
        Pages.navigate(lease.newPage(), Pages.url(server, "/"), LOAD);
      }
      inactive.close();
      assertThat(pool.stats().closedByReason().get(CloseReason.LRU)).isEqualTo(1);
    }
  }

  @Test
  void aSessionRequestTheGridQueuesBeyondAcquireTimeoutFailsWithAcquireTimeoutException() throws Exception {
    Duration wait = Duration.ofSeconds(2);
    try (BrowserPool pool = BrowserPool.start(config("grid-full").maxBrowsers(SLOTS + 1).acquireTimeout(wait).build())) {
      List<BrowserLease> held = new ArrayList<>();
      try {
        for (int i = 0; i < SLOTS; i++) {
          held.add(acquireOnceLaunched(pool));
        }
        long start = System.nanoTime();
        assertThatThrownBy(pool::acquire)
            .isInstanceOf(AcquireTimeoutException.class)
            .hasMessageContaining("kept the session request in its queue for acquireTimeout PT2S")
            .hasMessageContaining("(" + SLOTS + " of its " + SLOTS + " slots hold sessions)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(wait, wait.plusSeconds(3));
        assertThat(pool.stats().total()).isEqualTo(SLOTS);
        // The Grid dropped the request when the pool gave up: nothing is left queued to become an orphan.
        await().atMost(Duration.ofSeconds(5)).until(() -> GridProcess.queued(grid.url()) == 0);
      } finally {
        held.forEach(BrowserLease::close);
      }
    }
  }

  /**
   * An acquire that outlasts a launch slower than the pool's short acquireTimeout (a session can take
   * seconds on a loaded machine): the launch goes on and its browser joins the pool idle, so the next
   * acquire takes it without launching another one.
   */
  private static BrowserLease acquireOnceLaunched(BrowserPool pool) {
    long deadline = System.nanoTime() + LOAD.toNanos();
    while (true) {
      try {
        return pool.acquire();
      } catch (AcquireTimeoutException slow) {
        if (System.nanoTime() - deadline > 0) {
          throw slow;
        }
        await().atMost(LOAD).pollInterval(Duration.ofMillis(50)).until(() -> pool.stats().idle() > 0);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input

  @Test
  void anUnreachableGridFailsStartWithAClearMessage() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + port);
    assertThatThrownBy(() -> BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("grid-nowhere").seleniumGrid(nowhere).build()))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("Selenium Grid " + nowhere + " is unreachable")
        .hasMessageContaining("PoolConfig.seleniumGrid(...)");
    URI notAGrid = URI.create(Pages.url(server, "/"));
    assertThatThrownBy(() -> BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("grid-web").seleniumGrid(notAGrid).build()))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("answered GET /status with HTTP 404, not a Grid 4 status");
  }

  @Test
  void capabilitiesNoNodeMatchesFailTheAcquireWithTheGridsOwnMessage() {
    try (BrowserPool pool = BrowserPool.start(config("grid-nomatch")
        .gridCapabilities(Map.of("platformName", "windows")).build())) {
      assertThatThrownBy(pool::acquire)
          .isInstanceOf(BrowserLaunchException.class)
          .hasMessageContaining("refused the session request")
          .hasMessageContaining("No nodes support the capabilities in the request")
          .hasMessageContaining("platformName=windows");
      assertThat(pool.stats().total()).isZero();
    }
  }
}
