package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Playwright-Java's first {@code newPage()} through a fresh lease's endpoint is the lease's prepared page
 * (its document began before the call: {@code performance.timeOrigin}), and everything Playwright sets up
 * on a new page works on it as on its second, real, page: init scripts, routes, viewport, extra headers.
 */
@Tag("chromium")
class WarmPagePlaywrightTest {
  private static Playwright playwright;
  private static HttpServer site;

  @TempDir Path tempRoot;

  @BeforeAll
  static void start() throws Exception {
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    site.createContext("/echo", x -> {
      String header = x.getRequestHeaders().getFirst("x-warm");
      byte[] body = ("<!doctype html><title>" + header + "</title>").getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "text/html");
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    site.start();
  }

  @AfterAll
  static void stop() {
    if (playwright != null) {
      playwright.close();
    }
    if (site != null) {
      site.stop(0);
    }
  }

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + site.getAddress().getPort() + path;
  }

  private PoolConfig.Builder config(String name) {
    return PoolConfig.builder().poolName(name).tempRoot(tempRoot);
  }

  private static Browser connect(BrowserLease lease) {
    return playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
  }

  private static double timeOrigin(Page page) {
    return ((Number) page.evaluate("performance.timeOrigin")).doubleValue();
  }

  private static String targetId(BrowserContext context, Page page) {
    return context.newCDPSession(page).send("Target.getTargetInfo").getAsJsonObject("targetInfo")
        .get("targetId").getAsString();
  }

  @Test
  void theFirstNewPageIsThePreparedOneAndTakesPlaywrightsSetUp() {
    try (BrowserPool pool = BrowserPool.start(config("pw-warm").maxContextsPerBrowser(1).build());
        BrowserLease lease = pool.acquire()) {
      Browser browser = connect(lease);
      BrowserContext context = browser.contexts().get(0);
      assertThat(context.pages()).as("the prepared page is not shown before it is asked for").isEmpty();
      context.addInitScript("window.__inits = (window.__inits || 0) + 1");
      context.setExtraHTTPHeaders(Map.of("x-warm", "yes"));

      long askedAt = System.currentTimeMillis();
      Page first = context.newPage();
      assertThat(timeOrigin(first)).as("the first page's document was there before newPage()").isLessThan(askedAt);
      long askedAgainAt = System.currentTimeMillis();
      Page second = context.newPage();
      assertThat(timeOrigin(second)).as("the second page is a new one").isGreaterThan(askedAgainAt);
      assertThat(targetId(context, first)).isNotEqualTo(targetId(context, second));
      assertThat(context.pages()).containsExactly(first, second);

      for (Page page : new Page[] {first, second}) {
        assertThat(page.url()).isEqualTo("about:blank");
        assertThat(page.evaluate("window.__inits")).as("the init script ran in the initial document").isEqualTo(1);
        assertThat(page.evaluate("history.length")).isEqualTo(1);
        assertThat(page.evaluate("window.opener === null")).isEqualTo(true);
        page.setViewportSize(333, 444);
        assertThat(page.evaluate("innerWidth + 'x' + innerHeight")).isEqualTo("333x444");
        page.route("**/routed", route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
            .setContentType("text/html").setBody("<title>routed</title>")));
        page.navigate(url("/routed"));
        assertThat(page.title()).isEqualTo("routed");
        assertThat(page.evaluate("window.__inits")).as("and on each navigation").isEqualTo(1);
        page.navigate(url("/echo"));
        assertThat(page.title()).as("extra HTTP headers").isEqualTo("yes");
      }
      first.close();
      assertThat(context.pages()).containsExactly(second);
    }
  }

  @Test
  void twoLeasesOfOneBrowserEachGetTheirOwnPreparedPageAndASecondClientNone() {
    try (BrowserPool pool = BrowserPool.start(config("pw-warm-dense").maxBrowsers(1).maxContextsPerBrowser(4).build());
        BrowserLease a = pool.acquire();
        BrowserLease b = pool.acquire()) {
      assertThat(a.browserPid()).isEqualTo(b.browserPid());
      Browser ba = connect(a);
      Browser early = connect(b);
      Browser bb = connect(b);
      long askedAt = System.currentTimeMillis();
      Page pa = ba.contexts().get(0).newPage();
      Page pb = bb.contexts().get(0).newPage();
      assertThat(timeOrigin(pa)).as("lease a's prepared page").isLessThan(askedAt);
      assertThat(timeOrigin(pb)).as("lease b's prepared page").isLessThan(askedAt);
      String ida = targetId(ba.contexts().get(0), pa);
      String idb = targetId(bb.contexts().get(0), pb);
      assertThat(ida).isNotEqualTo(idb);
      assertThat(ba.contexts().get(0).pages()).containsExactly(pa);
      assertThat(bb.contexts().get(0).pages()).containsExactly(pb);

      // A client of lease b connected before b's page was served saw it come, as any new page of its context.
      assertThat(early.contexts().get(0).pages()).hasSize(1);
      assertThat(targetId(early.contexts().get(0), early.contexts().get(0).pages().get(0))).isEqualTo(idb);

      // A second client of lease a sees a's served page as an existing one, and gets a new page.
      Browser again = connect(a);
      BrowserContext context = again.contexts().get(0);
      assertThat(context.pages()).extracting(p -> targetId(context, p)).containsExactly(ida);
      long askedAgainAt = System.currentTimeMillis();
      Page fresh = context.newPage();
      assertThat(timeOrigin(fresh)).as("no prepared page twice").isGreaterThan(askedAgainAt);
      assertThat(targetId(context, fresh)).isNotIn(ida, idb);
    }
  }

  @Test
  void aPageTheTypedApiTookIsNotServedAgain() {
    try (BrowserPool pool = BrowserPool.start(config("pw-warm-typed").maxContextsPerBrowser(1).build());
        BrowserLease lease = pool.acquire()) {
      lease.newPage().getRuntime().evaluate("window.__typed = 1");
      Browser browser = connect(lease);
      BrowserContext context = browser.contexts().get(0);
      assertThat(context.pages()).as("the lease's own page shows as its pages do").hasSize(1);
      assertThat(context.pages().get(0).evaluate("window.__typed")).isEqualTo(1);
      long askedAt = System.currentTimeMillis();
      Page page = context.newPage();
      assertThat(timeOrigin(page)).isGreaterThan(askedAt);
      assertThat(page.evaluate("window.__typed === undefined")).isEqualTo(true);
    }
  }
}
