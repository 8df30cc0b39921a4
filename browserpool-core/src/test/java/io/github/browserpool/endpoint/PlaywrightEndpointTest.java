package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Tracing;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.Media;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Playwright-Java drives leases through their CDP endpoints, against real Chromium. */
@Tag("chromium")
class PlaywrightEndpointTest {
  private static Playwright playwright;
  private static TestSite site;

  @TempDir Path tempRoot;

  @BeforeAll
  static void startPlaywright() throws Exception {
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    site = new TestSite();
  }

  @AfterAll
  static void stopPlaywright() {
    if (playwright != null) {
      playwright.close();
    }
    if (site != null) {
      site.close();
    }
  }

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private PoolConfig.Builder config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).tempRoot(tempRoot);
  }

  private static Browser connect(BrowserLease lease) {
    return playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
  }

  /** Playwright-Java hands out events only while it is called: wait a moment inside Playwright. */
  private static void pump(Page page) {
    try {
      page.waitForTimeout(10);
    } catch (com.microsoft.playwright.PlaywrightException gone) {
      // the page went with the connection
    }
  }

  private static List<String> urls(Browser browser) {
    return browser.contexts().stream().flatMap(c -> c.pages().stream()).map(Page::url).toList();
  }

  @Test
  void playwrightDrivesALeaseAndTheNextLeaseSeesNothingOfIt() {
    try (BrowserPool pool = BrowserPool.start(config("pw").maxBrowsers(1).build())) {
      long pid;
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        Browser browser = connect(lease);
        assertThat(browser.contexts()).hasSize(1);
        BrowserContext context = browser.contexts().get(0);
        Page page = context.newPage();
        page.navigate(site.url("/form"));
        assertThat(page.title()).isEqualTo("the form");
        page.fill("input[name=q]", "hello pool");
        page.click("button[type=submit]");
        page.waitForURL("**/submit");
        assertThat(page.title()).isEqualTo("got hello pool");
        byte[] png = page.screenshot();
        assertThat(png.length).isGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        assertThat(context.cookies()).extracting(c -> c.name + "=" + c.value).contains("seen=yes");

        AtomicLong disconnectedAt = new AtomicLong();
        browser.onDisconnected(b -> disconnectedAt.set(System.nanoTime()));
        long closedAt = System.nanoTime();
        lease.close();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() -> {
          pump(page);
          return disconnectedAt.get() != 0;
        });
        assertThat((disconnectedAt.get() - closedAt) / 1_000_000).as("ms to the disconnect").isLessThan(1000);
      }
      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserPid()).as("the same browser, reused").isEqualTo(pid);
        Browser browser = connect(next);
        assertThat(browser.contexts()).hasSize(1);
        assertThat(urls(browser)).noneMatch(u -> u.startsWith(site.url("/")));
        assertThat(browser.contexts().get(0).cookies()).isEmpty();
        assertThat(next.newPage().getNetwork().getAllCookies()).isEmpty();
        browser.close();
        assertThat(next.isActive()).as("a client that disconnects does not end the lease").isTrue();
        assertThat(next.newPage().getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);
      }
    }
  }

  @Test
  void twoLeasesInTwoBrowsersSeeNothingOfEachOther() {
    try (BrowserPool pool = BrowserPool.start(config("pw2").maxBrowsers(2).build());
        BrowserLease a = pool.acquire();
        BrowserLease b = pool.acquire()) {
      Browser pa = connect(a);
      Browser pb = connect(b);
      Page page = pa.contexts().get(0).newPage();
      page.navigate(site.url("/form"));
      assertThat(pa.contexts().get(0).cookies()).extracting(c -> c.name).contains("seen");
      assertThat(pb.contexts().get(0).cookies()).isEmpty();
      assertThat(urls(pb)).noneMatch(u -> u.startsWith(site.url("/")));
      // Two clients on one lease share it.
      Browser again = connect(a);
      assertThat(urls(again)).contains(site.url("/form"));
      again.close();
      assertThat(page.title()).isEqualTo("the form");
    }
  }

  @Test
  void twoLeasesInOneBrowserSeeNothingOfEachOther() {
    try (BrowserPool pool = BrowserPool.start(config("pw-dense").maxBrowsers(1).maxContextsPerBrowser(2).build());
        BrowserLease a = pool.acquire();
        BrowserLease b = pool.acquire()) {
      assertThat(b.browserPid()).as("one browser serves both").isEqualTo(a.browserPid());
      Browser pa = connect(a);
      Browser pb = connect(b);
      Page page = pa.contexts().get(0).newPage();
      page.navigate(site.url("/form"));
      assertThat(pa.contexts().get(0).cookies()).extracting(c -> c.name).contains("seen");
      assertThat(pb.contexts()).as("b sees its own context only").hasSize(1);
      assertThat(pb.contexts().get(0).cookies()).isEmpty();
      assertThat(urls(pb)).noneMatch(u -> u.startsWith(site.url("/")));
      Page other = pb.contexts().get(0).newPage();
      other.navigate(site.url("/form"));
      assertThat(urls(pa)).as("a does not see b's page").containsOnlyOnce(site.url("/form"));
      assertThat(page.title()).isEqualTo("the form");
    }
  }

  @Test
  void aKeyedLeaseKeepsItsCookiesButNotTheClientsPages() {
    try (BrowserPool pool = BrowserPool.start(config("pwkey").maxBrowsers(1).build())) {
      try (BrowserLease lease = pool.acquire("alice")) {
        Browser browser = connect(lease);
        assertThat(browser.contexts()).hasSize(1);
        assertThat(urls(browser)).as("the keeper page is not shown").isEmpty();
        Page page = browser.contexts().get(0).newPage();
        page.navigate(site.url("/form"));
        assertThat(page.title()).isEqualTo("the form");
        Page popup = page.waitForPopup(() -> page.evaluate("window.open('" + site.url("/form?popup") + "')"));
        popup.waitForLoadState();
        assertThat(popup.title()).isEqualTo("the form");
      }
      try (BrowserLease lease = pool.acquire("alice")) {
        Browser browser = connect(lease);
        assertThat(urls(browser)).as("the first client's page and popup were closed with its lease").isEmpty();
        List<Cookie> cookies = browser.contexts().get(0).cookies();
        assertThat(cookies).extracting(c -> c.name + "=" + c.value).contains("seen=yes");
        Page page = browser.contexts().get(0).newPage();
        page.navigate(site.url("/form"));
        assertThat(page.title()).isEqualTo("the form");
      }
    }
  }

  @Test
  void aLeaseDrivenOnlyByPlaywrightLivesWhileItWorksAndIsRevokedWhenItStops() throws Exception {
    Duration idle = Duration.ofSeconds(2);
    try (BrowserPool pool = BrowserPool.start(config("pwidle").idleTimeout(idle).build())) {
      BrowserLease lease = pool.acquire();
      Browser browser = connect(lease);
      Page page = browser.contexts().get(0).newPage();
      long until = System.nanoTime() + idle.multipliedBy(3).dividedBy(2).toNanos();
      while (System.nanoTime() < until) {
        assertThat(page.evaluate("1 + 1")).isEqualTo(2);
        Thread.sleep(100);
      }
      assertThat(lease.isActive()).as("alive past idleTimeout while Playwright works").isTrue();
      long stopped = System.nanoTime();
      await().atMost(idle.plusSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> !lease.isActive());
      long quietMs = (System.nanoTime() - stopped) / 1_000_000;
      assertThat(quietMs).as("revoked about idleTimeout after the last command").isGreaterThan(idle.toMillis() - 300);
      assertThat(pool.stats().leasesRevoked()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
        pump(page);
        return !browser.isConnected();
      });
      lease.close();
    }
  }

  /**
   * What Playwright does in normal use keeps working under the endpoint's allow-list, in a browser that
   * another lease shares: frames, input, network interception, emulation, permissions, screenshots, PDF,
   * Playwright's own tracing, downloads, file uploads, storage state, and a CDP session of a page.
   */
  @Test
  void normalPlaywrightUseWorksInASharedBrowser() throws Exception {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(2).maxBrowsers(1).poolName("pw-allow")
        .tempRoot(tempRoot).build();
    try (BrowserPool pool = BrowserPool.start(config);
        BrowserLease neighbour = pool.acquire();
        BrowserLease lease = pool.acquire()) {
      assertThat(lease.browserPid()).as("a shared browser").isEqualTo(neighbour.browserPid());
      Browser browser = playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
      BrowserContext context = browser.contexts().get(0);
      context.tracing().start(new Tracing.StartOptions().setScreenshots(true).setSnapshots(true));
      context.grantPermissions(List.of("geolocation"), new BrowserContext.GrantPermissionsOptions().setOrigin(site.url("")));
      context.addCookies(List.of(new Cookie("set", "by-playwright").setUrl(site.url("/"))));
      context.route("**/frame", route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
          .setContentType("text/html").setBody("<title>routed</title><p>routed frame")));
      Page page = context.newPage();
      page.setViewportSize(800, 600);
      page.emulateMedia(new Page.EmulateMediaOptions().setMedia(Media.PRINT));
      page.navigate(site.url("/page"));
      page.fill("#t", "typed");
      page.keyboard().press("End");
      page.mouse().click(5, 5);
      assertThat(page.inputValue("#t")).isEqualTo("typed");
      Frame frame = page.frames().stream().filter(f -> f.url().endsWith("/frame")).findFirst().orElseThrow();
      assertThat(frame.textContent("p")).isEqualTo("routed frame");
      page.setInputFiles("#f", new FilePayload("up.txt", "text/plain", "uploaded".getBytes(StandardCharsets.UTF_8)));
      assertThat(page.evaluate("document.getElementById('f').files[0].name")).isEqualTo("up.txt");
      Download download = page.waitForDownload(() -> page.click("#d"));
      Path saved = tempRoot.resolve("saved.txt");
      download.saveAs(saved);
      assertThat(Files.readString(saved)).isEqualTo("downloaded bytes");
      assertThat(page.screenshot(new Page.ScreenshotOptions().setFullPage(true)).length).isGreaterThan(1000);
      page.emulateMedia(new Page.EmulateMediaOptions().setMedia(Media.SCREEN));
      byte[] pdf = page.pdf();
      assertThat(new String(pdf, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("%PDF");
      String state = context.storageState();
      assertThat(state).contains("by-playwright");
      assertThat(context.cookies()).extracting(c -> c.name).contains("set");

      // A CDP session of a page (Playwright opens a second browser session for it) that sizes the page's window.
      CDPSession cdp = context.newCDPSession(page);
      JsonObject window = cdp.send("Browser.getWindowForTarget");
      JsonObject bounds = new JsonObject();
      bounds.addProperty("width", 900);
      bounds.addProperty("height", 700);
      JsonObject resize = new JsonObject();
      resize.add("windowId", window.get("windowId"));
      resize.add("bounds", bounds);
      cdp.send("Browser.setWindowBounds", resize);
      JsonObject which = new JsonObject();
      which.add("windowId", window.get("windowId"));
      assertThat(cdp.send("Browser.getWindowBounds", which).getAsJsonObject("bounds").get("width").getAsInt())
          .isEqualTo(900);
      cdp.detach();

      Path trace = tempRoot.resolve("trace.zip");
      context.tracing().stop(new Tracing.StopOptions().setPath(trace));
      assertThat(Files.size(trace)).as("Playwright's trace").isGreaterThan(1000);
      page.close();
      browser.close();
      assertThat(neighbour.newPage().getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);
    }
  }

  /**
   * Storage state, cookies and downloads of the lease's context, in a browser that another lease shares:
   * storageState (IndexedDB included) holds the lease's data and none of the neighbour's, clearCookies
   * clears the lease's only, newContext is refused as documented, and a download lands where the client
   * named it and is gone with the lease.
   */
  @Test
  void storageStateCookiesAndDownloadsStayInTheLease() throws Exception {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(2).maxBrowsers(1).poolName("pw-state")
        .tempRoot(tempRoot).build();
    try (BrowserPool pool = BrowserPool.start(config);
        BrowserLease neighbour = pool.acquire()) {
      io.github.browserpool.RawPage theirs = neighbour.newRawPage();
      theirs.call("Network.setCookie", theirs.params().put("name", "theirs").put("value", "neighbour-secret")
          .put("url", site.url("/")));
      Path downloaded;
      try (BrowserLease lease = pool.acquire()) {
        assertThat(lease.browserPid()).as("a shared browser").isEqualTo(neighbour.browserPid());
        Browser browser = connect(lease);
        BrowserContext context = browser.contexts().get(0);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(browser::newContext))
            .as("browser.newContext()").isInstanceOf(com.microsoft.playwright.PlaywrightException.class)
            .hasMessageContaining("Target.createBrowserContext is not allowed");
        context.addCookies(List.of(new Cookie("mine", "lease-cookie").setUrl(site.url("/"))));
        Page page = context.newPage();
        page.navigate(site.url("/page"));
        page.evaluate("localStorage.setItem('who', 'lease-local')");
        assertThat(page.evaluate("new Promise((ok, fail) => { const r = indexedDB.open('db', 1);"
            + " r.onupgradeneeded = () => r.result.createObjectStore('s', { keyPath: 'id' });"
            + " r.onerror = () => fail(r.error); r.onsuccess = () => { const tx = r.result.transaction('s', 'readwrite');"
            + " tx.objectStore('s').put({ id: 1, v: 'lease-idb' }); tx.oncomplete = () => { r.result.close(); ok('stored'); }; }; })"))
            .isEqualTo("stored");

        String state = context.storageState(new BrowserContext.StorageStateOptions().setIndexedDB(true));
        assertThat(state).contains("lease-cookie").contains("lease-local").contains("lease-idb")
            .doesNotContain("neighbour-secret");
        assertThat(context.cookies()).extracting(c -> c.name).containsExactly("mine");

        context.clearCookies();
        assertThat(context.cookies()).as("the lease's cookies after clearCookies").isEmpty();
        assertThat(theirs.call("Network.getAllCookies", null).findValuesAsText("value"))
            .as("the neighbour's cookies after the lease's clearCookies").containsExactly("neighbour-secret");

        Download download = page.waitForDownload(() -> page.click("#d"));
        downloaded = download.path();
        assertThat(Files.readString(downloaded)).isEqualTo("downloaded bytes");
        assertThat(download.suggestedFilename()).isEqualTo("data.txt");
        assertThat(browser.isConnected()).isTrue();
      }
      // The lease ended: its client was closed (1001), and the client's download went with it.
      Path gone = downloaded;
      await("the lease's download is deleted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .until(() -> !Files.exists(gone));
      assertThat(theirs.call("Network.getAllCookies", null).findValuesAsText("value")).containsExactly("neighbour-secret");
      theirs.close();
    }
  }
}
