package io.github.browserpool.e2e;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Page helpers shared by the end-to-end suites: a local HTTP server, plus navigation that waits for the
 * load and {@code Runtime.evaluate}, which are browserpool-test's {@link io.github.browserpool.test.Pages}.
 * Failures from the pool ({@code LeaseRevokedException}, {@code BrowserCrashedException}) pass through
 * unchanged, so tests can assert on them.
 */
public final class Pages {
  private Pages() {}

  /**
   * Serves each path's HTML on 127.0.0.1 at an ephemeral port; other paths get 404. The caller stops
   * the server ({@code stop(0)}); {@link #url} builds addresses on it.
   */
  public static HttpServer serve(Map<String, String> pathToHtml) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", exchange -> {
        try (exchange) {
          String html = pathToHtml.get(exchange.getRequestURI().getPath());
          byte[] body = (html != null ? html : "<title>404</title>not found").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(html != null ? 200 : 404, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      });
      server.setExecutor(Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pages-http");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local HTTP server", e);
    }
  }

  /** The address of {@code path} (starting with "/") on a server from {@link #serve}. */
  public static String url(HttpServer server, String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * Navigates the page and waits until that document has loaded (browserpool-test's
   * {@link io.github.browserpool.test.Pages#navigate(ChromeDevToolsService, String, Duration)}).
   *
   * @throws IllegalStateException when the navigation fails or does not finish within {@code timeout}
   */
  public static void navigate(ChromeDevToolsService page, String url, Duration timeout) {
    io.github.browserpool.test.Pages.navigate(page, url, timeout);
  }

  /** The page's {@code document.title}. */
  public static String title(ChromeDevToolsService page) {
    return io.github.browserpool.test.Pages.title(page);
  }

  /**
   * Evaluates a JavaScript expression in the page and returns its value (by value: strings, numbers,
   * booleans, null, or JSON-like maps and lists).
   *
   * @throws IllegalStateException when the expression throws in the page
   */
  public static Object evaluate(ChromeDevToolsService page, String expr) {
    return io.github.browserpool.test.Pages.evaluate(page, expr);
  }
}
