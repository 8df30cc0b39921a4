package io.github.browserpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.junit5.BrowserPoolExtension;
import io.github.browserpool.junit5.BrowserPoolSettings;
import io.github.browserpool.test.Pages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How to test your own pages with browserpool and its JUnit 5 extension: one pool for the whole test
 * run, a fresh lease and page per test.
 *
 * <ul>
 *   <li>{@link BrowserPoolExtension} starts one pool, on first use, for the whole run (with a private
 *       {@code tempRoot}), and closes it when the run ends. It then checks from outside the pool that no
 *       browser process and no profile dir is left, and fails the run if one is.
 *   <li>Each test that takes a {@link ChromeDevToolsService} gets a page in a lease of its own. An
 *       anonymous lease is a fresh browser context: no cookies or storage from other tests. The lease
 *       is closed after the test, also when it fails, and the browser stays warm for the next test.
 *   <li>{@link BrowserPoolSettings} sets the pool's settings for this class; {@code browserpool.*}
 *       properties in {@code junit-platform.properties} do the same for every class.
 * </ul>
 *
 * <p>The page under test is served by the JDK's HttpServer here; in your project it is your app.
 * {@link Pages} (navigate and wait for load, evaluate a script) comes with browserpool-test.
 */
@ExtendWith(BrowserPoolExtension.class)
@BrowserPoolSettings(poolName = "my-pages-test", maxBrowsers = 2,
    acquireTimeout = "PT2M") // generous: CI machines are often busy
@Tag("chromium")
class MyPagesTest {
  private static HttpServer app;
  private static String appUrl;

  @BeforeAll
  static void startApp() {
    app = serveApp();
    appUrl = "http://127.0.0.1:" + app.getAddress().getPort();
  }

  @AfterAll
  static void stopApp() {
    Http.stop(app);
  }

  @Test
  void homePageHasItsTitle(ChromeDevToolsService page) {
    Pages.navigate(page, appUrl + "/");

    assertThat(Pages.evaluate(page, "document.title")).isEqualTo("My App");
  }

  @Test
  void clickingTheButtonUpdatesTheMessage(ChromeDevToolsService page) {
    Pages.navigate(page, appUrl + "/");
    assertThat(Pages.text(page, "#message")).isEmpty();

    Pages.evaluate(page, "document.querySelector('#counter').click()");
    Pages.evaluate(page, "document.querySelector('#counter').click()");

    assertThat(Pages.text(page, "#message")).isEqualTo("Clicked 2 times");
  }

  @Test
  void submittingTheFormGreetsTheUser(ChromeDevToolsService page) {
    Pages.navigate(page, appUrl + "/");

    Pages.evaluate(page, "document.querySelector('#name').value = 'Bob & Co'");
    // The submit loads a new page (POST /greet): wait for it.
    Pages.waitForLoad(page, () -> Pages.evaluate(page, "document.querySelector('#greet').click()"));

    assertThat(Pages.evaluate(page, "location.pathname")).isEqualTo("/greet");
    assertThat(Pages.text(page, "h1")).isEqualTo("Hello, Bob & Co!");
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

  private static HttpServer serveApp() {
    HttpServer server = Http.newLocalServer("my-app");
    server.createContext("/", exchange -> {
      try (exchange) {
        Http.sendHtml(exchange, 200, HOME);
      }
    });
    server.createContext("/greet", exchange -> {
      try (exchange) {
        String name = Http.formFields(exchange).getOrDefault("name", "");
        Http.sendHtml(exchange, 200, "<!doctype html><title>Greeting</title><h1>Hello, " + Http.escape(name) + "!</h1>");
      }
    });
    server.start();
    return server;
  }
}
