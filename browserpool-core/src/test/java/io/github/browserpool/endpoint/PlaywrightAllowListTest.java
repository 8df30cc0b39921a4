package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Tracing;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.Media;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Playwright-Java does in normal use keeps working under the endpoint's allow-list, in a browser
 * that another lease shares: frames, input, network interception, emulation, permissions, screenshots,
 * PDF, Playwright's own tracing, downloads, file uploads and storage state. (Playwright's
 * {@code newCDPSession} asks for {@code Target.attachToBrowserTarget}, which the endpoint refuses.)
 */
class PlaywrightAllowListTest {
  private static Playwright playwright;
  private static HttpServer site;

  @TempDir Path tempRoot;

  @BeforeAll
  static void start() throws Exception {
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    site.createContext("/page", x -> send(x, "text/html", "<!doctype html><title>page</title>"
        + "<input id=t><input id=f type=file><a id=d href='/file' download>get</a>"
        + "<iframe src='http://localhost:" + x.getLocalAddress().getPort() + "/frame'></iframe>"));
    site.createContext("/frame", x -> send(x, "text/html", "<!doctype html><title>frame</title><p>in the frame"));
    site.createContext("/file", x -> {
      x.getResponseHeaders().add("Content-Disposition", "attachment; filename=data.txt");
      send(x, "text/plain", "downloaded bytes");
    });
    site.start();
  }

  private static void send(HttpExchange x, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", type + "; charset=utf-8");
    x.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + site.getAddress().getPort() + path;
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
      context.grantPermissions(List.of("geolocation"), new BrowserContext.GrantPermissionsOptions().setOrigin(url("")));
      context.addCookies(List.of(new Cookie("set", "by-playwright").setUrl(url("/"))));
      context.route("**/frame", route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
          .setContentType("text/html").setBody("<title>routed</title><p>routed frame")));
      Page page = context.newPage();
      page.setViewportSize(800, 600);
      page.emulateMedia(new Page.EmulateMediaOptions().setMedia(Media.PRINT));
      page.navigate(url("/page"));
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

      Path trace = tempRoot.resolve("trace.zip");
      context.tracing().stop(new Tracing.StopOptions().setPath(trace));
      assertThat(Files.size(trace)).as("Playwright's trace").isGreaterThan(1000);
      page.close();
      browser.close();
      assertThat(neighbour.newPage().getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);
    }
  }
}
