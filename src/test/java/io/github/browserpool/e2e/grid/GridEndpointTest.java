package io.github.browserpool.e2e.grid;

import static io.github.browserpool.test.CdpTestClient.params;
import org.junit.jupiter.api.Tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.test.CdpTestClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kklisura.cdt.protocol.types.target.TargetInfo;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.RawPage;
import io.github.browserpool.e2e.Pages;
import io.github.browserpool.test.GridProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code lease.cdpEndpoint()} on leases of a real standalone Selenium Grid 4 (started here on 127.0.0.1,
 * 2 slots): Playwright-Java drives a Grid lease as it drives a local one, a client is confined to its
 * lease in a Grid session that two leases share, and a keyed lease's client neither sees nor closes
 * chromedriver's own tab. Every test leaves the Grid without sessions, chromedriver or Chromium; the class
 * leaves no Grid JVM, Playwright driver process or Playwright temp dir behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@Tag("chromium")
class GridEndpointTest {
  private static final Duration LOAD = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  @RegisterExtension
  static final StandaloneGrid grid = new StandaloneGrid("endpoint", 30, 2);
  private static HttpServer server;
  private static Playwright playwright;
  /** Playwright's dirs: its extracted driver, and the TMPDIR of its driver process (connection artifacts). */
  private static Path playwrightDirs;

  @BeforeAll
  static void start() throws IOException {
    server = Pages.serve(Map.of(
        "/", "<html><head><title>from the grid</title></head><body>hello</body></html>",
        "/login", "<html><head><title>login</title></head></html>"));
    playwrightDirs = Files.createTempDirectory("bp-grid-endpoint-pw-");
    Path driverTmp = Files.createDirectories(playwrightDirs.resolve("tmp"));
    System.setProperty("playwright.driver.tmpdir", playwrightDirs.toString()); // only this class uses Playwright
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1", "TMPDIR", driverTmp.toString())));
  }

  @AfterAll
  static void stop() throws IOException {
    List<ProcessHandle> before = ownDescendants();
    if (playwright != null) {
      playwright.close();
    }
    if (server != null) {
      server.stop(0);
    }
    System.clearProperty("playwright.driver.tmpdir");
    assertThat(before).as("Playwright's driver ran as a process of this JVM").isNotEmpty();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ownDescendants())
        .as("processes of this test (the Grid's are checked by StandaloneGrid)").isEmpty());
    try (Stream<Path> left = Files.list(playwrightDirs.resolve("tmp"))) {
      assertThat(left).as("what Playwright's driver left in its TMPDIR").isEmpty();
    }
    // Playwright deletes its extracted driver only at JVM exit (deleteOnExit): its process is gone, so we do.
    deleteTree(playwrightDirs);
    assertThat(playwrightDirs).doesNotExist();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** This JVM's live descendants other than the Grid JVM and what it started. */
  private static List<ProcessHandle> ownDescendants() {
    Set<Long> gridTree = Stream.concat(Stream.of(grid.jvm()), grid.jvm().descendants()).map(ProcessHandle::pid)
        .collect(Collectors.toSet());
    gridTree.addAll(grid.processes());
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> !gridTree.contains(p.pid())).toList();
  }

  private static PoolConfig.Builder config(String name) {
    return PoolConfig.builder().poolName(name).seleniumGrid(grid.url()).maxBrowsers(1)
        .acquireTimeout(Duration.ofSeconds(60));
  }

  /** Playwright-Java hands out events only while it is called: wait a moment inside Playwright. */
  private static void pump(Page page) {
    try {
      page.waitForTimeout(10);
    } catch (PlaywrightException gone) {
      // the page went with the connection
    }
  }

  @Test
  void playwrightDrivesAGridLeaseThroughItsEndpointAndIsDisconnectedWhenTheLeaseEnds() throws Exception {
    String url = Pages.url(server, "/");
    try (BrowserPool pool = BrowserPool.start(config("grid-pw").maxContextsPerBrowser(1).build())) {
      String sessionId;
      try (BrowserLease lease = pool.acquire()) {
        sessionId = lease.browserId();
        Browser browser = playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
        assertThat(browser.contexts()).as("the lease's context, as the only one").hasSize(1);
        BrowserContext context = browser.contexts().get(0);
        Page page = context.newPage();
        page.navigate(url);
        assertThat(page.title()).isEqualTo("from the grid");
        page.evaluate("document.cookie = 'seen=yes'");
        assertThat(context.cookies()).extracting(c -> c.name + "=" + c.value).contains("seen=yes");
        // Big messages both ways through the endpoint and se:cdp: Playwright sends up to ~345 KB, and
        // receives screenshots of over 1 MB.
        String big = "x".repeat(3 << 20);
        assertThat(page.evaluate("s => s.length", big)).isEqualTo(big.length());
        assertThat(((String) page.evaluate("n => 'y'.repeat(n)", 5 << 20)).length()).isEqualTo(5 << 20);
        byte[] png = page.screenshot();
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        // The lease's own raw page works on the Grid too, in the same context.
        RawPage raw = lease.newRawPage();
        assertThat(raw.call("Runtime.evaluate", raw.params().put("expression", "location.href")).path("result")
            .path("value").asText()).isEqualTo("about:blank");

        long closedAt = System.nanoTime();
        lease.close();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() -> {
          pump(page);
          return !browser.isConnected();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("close() to Playwright's disconnect")
            .isLessThan(Duration.ofSeconds(1));
      }
      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserId()).as("the same Grid session, reused").isEqualTo(sessionId);
        Browser browser = playwright.chromium().connectOverCDP(next.cdpEndpoint().toString());
        assertThat(browser.contexts()).hasSize(1);
        assertThat(browser.contexts().get(0).pages()).extracting(Page::url).noneMatch(u -> u.startsWith(url));
        assertThat(browser.contexts().get(0).cookies()).as("the last lease's cookie went with its context").isEmpty();
        browser.close();
        assertThat(next.isActive()).as("a client that disconnects does not end the lease").isTrue();
        assertThat(next.newPage().getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);
      }
    }
  }

  @Test
  void aClientOfOneLeaseInASharedGridSessionCannotReachTheOtherAndIsClosedWith1001WhenItsLeaseEnds()
      throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("grid-dense").maxContextsPerBrowser(2).build());
        BrowserLease b = pool.acquire()) {
      ChromeDevToolsService bPage = b.newPage();
      Pages.navigate(bPage, Pages.url(server, "/login"), LOAD);
      TargetInfo bInfo = bPage.getTarget().getTargetInfo();
      String driverTab = driverTab(b.browserId());
      String aContext;
      try (BrowserLease a = pool.acquire()) {
        assertThat(a.browserId()).as("the two leases share one Grid session").isEqualTo(b.browserId());
        aContext = a.newPage().getTarget().getTargetInfo().getBrowserContextId();
        assertThat(aContext).isNotEqualTo(bInfo.getBrowserContextId());
        try (CdpTestClient client = CdpTestClient.connect(a.cdpEndpoint()).waitingUpTo(Duration.ofSeconds(30))) {
          JsonNode targets = client.result("Target.getTargets", null).path("targetInfos");
          assertThat(targets).as("A's own page").isNotEmpty();
          for (JsonNode info : targets) {
            assertThat(info.path("browserContextId").asText()).as("context of %s", info).isEqualTo(aContext);
          }
          assertThat(client.result("Target.getBrowserContexts", null).path("browserContextIds")).isEmpty();

          // Every reach past the lease fails with an error, and changes nothing.
          List<String> escaped = new ArrayList<>();
          for (String target : List.of(bInfo.getTargetId(), driverTab)) {
            tryEscape(client, escaped, "Target.attachToTarget", params().put("targetId", target).put("flatten", true));
            tryEscape(client, escaped, "Target.closeTarget", params().put("targetId", target));
            tryEscape(client, escaped, "Target.activateTarget", params().put("targetId", target));
            tryEscape(client, escaped, "Target.getTargetInfo", params().put("targetId", target));
          }
          String bContext = bInfo.getBrowserContextId();
          tryEscape(client, escaped, "Target.createTarget", params().put("url", "about:blank").put("browserContextId", bContext));
          tryEscape(client, escaped, "Storage.getCookies", params().put("browserContextId", bContext));
          tryEscape(client, escaped, "Target.disposeBrowserContext", params().put("browserContextId", bContext));
          tryEscape(client, escaped, "Target.createBrowserContext", params());
          // (Target.attachToBrowserTarget is allowed: it opens a second browser session under the same rules.)
          tryEscape(client, escaped, "Target.exposeDevToolsProtocol", params().put("targetId", bInfo.getTargetId()));
          tryEscape(client, escaped, "Browser.close", params());
          assertThat(escaped).as("commands that reached past lease A").isEmpty();

          // Discovery shows A's targets only: B's new page is announced to nobody but B.
          client.result("Target.setDiscoverTargets", params().put("discover", true));
          String bNew = b.newPage().getTarget().getTargetInfo().getTargetId();
          String aNew = client.result("Target.createTarget", params().put("url", "about:blank")).path("targetId").asText();
          await().atMost(Duration.ofSeconds(5)).until(() -> client.events.stream()
              .anyMatch(e -> aNew.equals(e.path("params").path("targetInfo").path("targetId").asText())));
          for (JsonNode event : client.events) {
            JsonNode info = event.path("params").path("targetInfo");
            if (!info.isMissingNode()) {
              assertThat(info.path("browserContextId").asText()).as("event %s", event).isEqualTo(aContext);
            }
          }
          assertThat(client.events.toString()).doesNotContain(bNew, bInfo.getTargetId(), driverTab);

          long closedAt = System.nanoTime();
          a.close();
          String how = client.closeCode.get(1, TimeUnit.SECONDS) + " " + client.closeReason;
          assertThat((System.nanoTime() - closedAt) / 1_000_000).as("ms to the close").isLessThan(1000);
          assertThat(how).startsWith("1001 ").contains("was closed");
        }
      }
      // B, its session and its pages went on as if nothing had happened.
      assertThat(Pages.title(bPage)).isEqualTo("login");
      try (CdpTestClient bClient = CdpTestClient.connect(b.cdpEndpoint()).waitingUpTo(Duration.ofSeconds(30))) {
        assertThat(bClient.result("Target.getTargets", null).path("targetInfos").findValuesAsText("targetId"))
            .contains(bInfo.getTargetId());
      }
      assertThat(GridProcess.sessionAlive(grid.url(), b.browserId())).isTrue();
      assertThat(driverTab(b.browserId())).as("chromedriver's tab is untouched").isEqualTo(driverTab);
    }
  }

  /** Sends a command that must fail; records it in {@code escaped} if it did not. */
  private static void tryEscape(CdpTestClient client, List<String> escaped, String method,
      ObjectNode params) throws Exception {
    JsonNode answer = client.call(null, method, params, Duration.ofSeconds(30));
    if (!answer.has("error")) {
      escaped.add(method + " " + params + " -> " + answer);
    }
  }

  @Test
  void aKeyedGridLeasesClientNeverSeesNorClosesChromedriversTabAndItsPagesGoWithTheLease() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("grid-keyed").maxContextsPerBrowser(1).build())) {
      String sessionId;
      String created;
      try (BrowserLease lease = pool.acquire("alice");
          CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint()).waitingUpTo(Duration.ofSeconds(30))) {
        sessionId = lease.browserId();
        String driverTab = driverTab(sessionId);
        created = client.result("Target.createTarget", params().put("url", Pages.url(server, "/")))
            .path("targetId").asText();
        List<String> seen = client.result("Target.getTargets", null).path("targetInfos").findValuesAsText("targetId");
        assertThat(seen).contains(created).doesNotContain(driverTab);
        List<String> escaped = new ArrayList<>();
        tryEscape(client, escaped, "Target.closeTarget", params().put("targetId", driverTab));
        tryEscape(client, escaped, "Target.attachToTarget", params().put("targetId", driverTab).put("flatten", true));
        assertThat(escaped).as("commands that reached chromedriver's tab").isEmpty();
        lease.close();
        assertThat(client.closeCode.get(1, TimeUnit.SECONDS)).isEqualTo(1001);
        try (CdpTestClient look = CdpTestClient.seCdp(grid.url(), sessionId).waitingUpTo(Duration.ofSeconds(30))) {
          await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
              look.result("Target.getTargets", null).path("targetInfos").findValuesAsText("targetId"))
              .as("the client's page went with the lease; chromedriver's tab stayed")
              .doesNotContain(created).contains(driverTab));
        }
        assertThat(driverTab(sessionId)).as("WebDriver still drives its tab").isEqualTo(driverTab);
      }
      try (BrowserLease again = pool.acquire("alice");
          CdpTestClient client = CdpTestClient.connect(again.cdpEndpoint()).waitingUpTo(Duration.ofSeconds(30))) {
        assertThat(again.browserId()).isEqualTo(sessionId);
        assertThat(client.result("Target.getTargets", null).path("targetInfos").findValuesAsText("targetId"))
            .doesNotContain(created);
      }
    }
  }

  @Test
  void aSessionDeletedBehindThePoolsBackClosesItsEndpointClientsAndTheTokenDies() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("grid-gone").maxContextsPerBrowser(1).build())) {
      BrowserLease lease = pool.acquire();
      URI endpoint = lease.cdpEndpoint();
      try (CdpTestClient client = CdpTestClient.connect(endpoint).waitingUpTo(Duration.ofSeconds(30))) {
        client.result("Target.createTarget", params().put("url", Pages.url(server, "/")));
        assertThat(GridProcess.deleteSession(grid.url(), lease.browserId())).isEqualTo(200);
        // Grid never closes se:cdp: the pool's probe (every second) notices, and the relay closes its clients.
        String how = client.closeCode.get(10, TimeUnit.SECONDS) + " " + client.closeReason;
        assertThat(how).as("a close frame with a code, not a dropped socket").startsWith("1001 ");
      }
      assertThatThrownBy(lease::cdpEndpoint).isInstanceOf(BrowserCrashedException.class);
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint.toString()
          .replace("ws://", "http://") + "/json/version")).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("the ended lease's token").isEqualTo(404);
      lease.close();
      try (BrowserLease next = pool.acquire()) {
        Browser browser = playwright.chromium().connectOverCDP(next.cdpEndpoint().toString());
        Page page = browser.contexts().get(0).newPage();
        page.navigate(Pages.url(server, "/login"));
        assertThat(page.title()).isEqualTo("login");
        browser.close();
      }
    }
  }

  /**
   * chromedriver's own tab, by WebDriver ({@code GET /session/{id}/window}: chromedriver's window handle
   * is the tab's CDP target id).
   */
  private static String driverTab(String sessionId) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(grid.url() + "/session/" + sessionId + "/window"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET /window: %s", r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("value").asText();
  }
}
