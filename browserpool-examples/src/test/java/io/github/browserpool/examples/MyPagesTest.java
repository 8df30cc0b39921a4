package io.github.browserpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How to test your own pages with browserpool: one pool for the whole test class, one lease per test.
 *
 * <ul>
 *   <li>{@code @BeforeAll} starts the pool with a private {@code tempRoot}, so the {@code @AfterAll}
 *       check sees this class's browsers only.
 *   <li>Each test takes a lease in try-with-resources. An anonymous lease is a fresh browser context:
 *       no cookies or storage from other tests, and its pages are closed with it. The browser itself
 *       stays warm in the pool, so the next test starts in milliseconds.
 *   <li>{@code @AfterAll} closes the pool, which returns once every browser process is dead and every
 *       profile dir deleted, and asserts exactly that.
 * </ul>
 *
 * <p>The page under test is served by the JDK's HttpServer here; in your project it is your app.
 * {@link Pages} is a 100-line helper (navigate and wait for load, evaluate a script) in this module.
 */
class MyPagesTest {
  private static HttpServer app;
  private static String appUrl;
  private static Path tempRoot;
  private static BrowserPool pool;

  @BeforeAll
  static void startAppAndPool() throws IOException {
    app = startApp();
    appUrl = "http://127.0.0.1:" + app.getAddress().getPort();

    tempRoot = Files.createTempDirectory("my-pages-test-").toRealPath();
    pool = BrowserPool.start(PoolConfig.builder()
        .poolName("my-pages-test")
        .maxBrowsers(2)
        .acquireTimeout(Duration.ofMinutes(2)) // generous: CI machines are often busy
        .tempRoot(tempRoot)
        .build());
  }

  @AfterAll
  static void closePoolAndCheckNothingIsLeft() throws IOException {
    try {
      if (pool != null) {
        pool.close();
      }
    } finally {
      app.stop(0);
    }
    assertThat(LeakCheck.processesReferencing(tempRoot)).as("browser processes left running").isEmpty();
    assertThat(LeakCheck.profileDirs(tempRoot)).as("profile dirs left behind").isEmpty();
    Files.delete(tempRoot); // fails if anything else was left in it
  }

  @Test
  void homePageHasItsTitle() {
    try (BrowserLease lease = pool.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, appUrl + "/");

      assertThat(Pages.evaluate(page, "document.title")).isEqualTo("My App");
    }
  }

  @Test
  void clickingTheButtonUpdatesTheMessage() {
    try (BrowserLease lease = pool.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, appUrl + "/");
      assertThat(Pages.text(page, "#message")).isEmpty();

      Pages.evaluate(page, "document.querySelector('#counter').click()");
      Pages.evaluate(page, "document.querySelector('#counter').click()");

      assertThat(Pages.text(page, "#message")).isEqualTo("Clicked 2 times");
    }
  }

  @Test
  void submittingTheFormGreetsTheUser() {
    try (BrowserLease lease = pool.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, appUrl + "/");

      Pages.evaluate(page, "document.querySelector('#name').value = 'Bob & Co'");
      // The submit loads a new page (POST /greet): wait for it.
      Pages.waitForLoad(page, () -> Pages.evaluate(page, "document.querySelector('#greet').click()"));

      assertThat(Pages.evaluate(page, "location.pathname")).isEqualTo("/greet");
      assertThat(Pages.text(page, "h1")).isEqualTo("Hello, Bob & Co!");
    }
  }

  // ---- the app under test ------------------------------------------------------------------------

  private static final String HOME = """
      <!doctype html>
      <html>
      <head><meta charset="utf-8"><title>My App</title></head>
      <body>
        <button id="counter">Click me</button>
        <p id="message"></p>
        <script>
          let clicks = 0;
          document.querySelector('#counter').addEventListener('click', () => {
            clicks++;
            document.querySelector('#message').textContent =
                'Clicked ' + clicks + (clicks === 1 ? ' time' : ' times');
          });
        </script>
        <form method="post" action="/greet">
          <input id="name" name="name">
          <button id="greet" type="submit">Greet me</button>
        </form>
      </body>
      </html>
      """;

  private static HttpServer startApp() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> respond(exchange, HOME));
    server.createContext("/greet", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String name = URLDecoder.decode(body.replaceFirst("^name=", ""), StandardCharsets.UTF_8);
      respond(exchange, "<!doctype html><title>Greeting</title><h1>Hello, " + Http.escape(name) + "!</h1>");
    });
    server.start();
    return server;
  }

  private static void respond(HttpExchange exchange, String html) throws IOException {
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
