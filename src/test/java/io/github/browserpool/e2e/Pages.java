package io.github.browserpool.e2e;

import com.github.kklisura.cdt.protocol.types.page.Navigate;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
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
import java.util.concurrent.TimeUnit;

/**
 * Page helpers shared by the end-to-end suites: a local HTTP server, navigation that waits for the
 * load, and {@code Runtime.evaluate}. Failures from the pool ({@code LeaseRevokedException},
 * {@code BrowserCrashedException}) pass through unchanged, so tests can assert on them.
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
   * Navigates the page and waits until that document has loaded ({@code readyState} "complete" at the
   * requested URL), polling with {@code Runtime.evaluate}.
   *
   * @throws IllegalStateException when the navigation fails or does not finish within {@code timeout}
   */
  public static void navigate(ChromeDevToolsService page, String url, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    page.getPage().enable();
    Navigate nav = page.getPage().navigate(url);
    if (nav.getErrorText() != null) {
      throw new IllegalStateException("navigation to " + url + " failed: " + nav.getErrorText());
    }
    String loaded = "document.readyState === 'complete' && location.href === new URL(" + jsString(url) + ").href";
    while (true) {
      try {
        if (Boolean.TRUE.equals(evaluate(page, loaded))) {
          return;
        }
      } catch (ChromeDevToolsInvocationException e) {
        // The old document's context went away mid-navigation: ask the new one.
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(url + " did not finish loading within " + timeout);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + url, e);
      }
    }
  }

  /** The page's {@code document.title}. */
  public static String title(ChromeDevToolsService page) {
    return (String) evaluate(page, "document.title");
  }

  /**
   * Evaluates a JavaScript expression in the page and returns its value (by value: strings, numbers,
   * booleans, null, or JSON-like maps and lists).
   *
   * @throws IllegalStateException when the expression throws in the page
   */
  public static Object evaluate(ChromeDevToolsService page, String expr) {
    Evaluate r = page.getRuntime().evaluate(expr, null, null, null, null, Boolean.TRUE, null, null, null,
        null, null, null, null, null, null);
    if (r.getExceptionDetails() != null) {
      var d = r.getExceptionDetails();
      String what = d.getException() != null && d.getException().getDescription() != null
          ? d.getException().getDescription() : d.getText();
      throw new IllegalStateException("evaluating `" + expr + "` threw: " + what);
    }
    return r.getResult() == null ? null : r.getResult().getValue();
  }

  private static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
