package io.github.browserpool.e2e;

import com.github.kklisura.cdt.protocol.commands.Page;
import com.github.kklisura.cdt.protocol.support.types.EventListener;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.protocol.types.runtime.ExceptionDetails;
import com.github.kklisura.cdt.protocol.types.page.Navigate;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Page helpers for the soak and the bad-input catalogue: serve HTML from a JDK HttpServer on
 * 127.0.0.1, navigate and wait for the load event, read the title, evaluate an expression. Kept apart
 * from browserpool-test's {@code Pages} on purpose: every CDP call here also marks when its reply came,
 * for the soak's stall measure, which decides whether a revocation was the fault the soak injected.
 */
public final class SoakPages {
  private SoakPages() {}

  /**
   * Per thread: [0] System.nanoTime() when the last CDP call made through these helpers returned,
   * [1] the longest wait between two such returns since {@link #resetStall()}.
   */
  private static final ThreadLocal<long[]> REPLIES = ThreadLocal.withInitial(() -> new long[] {System.nanoTime(), 0});

  /** Starts a new stall measurement for this thread (e.g. at the start of a lease). */
  public static void resetStall() {
    long[] r = REPLIES.get();
    r[0] = System.nanoTime();
    r[1] = 0;
  }

  /** Marks "a CDP call just returned" for this thread (the helpers do it themselves). */
  public static void markReply() {
    long[] r = REPLIES.get();
    long now = System.nanoTime();
    r[1] = Math.max(r[1], now - r[0]);
    r[0] = now;
  }

  /**
   * The longest this thread has waited for a CDP call to return since {@link #resetStall()},
   * including the call in flight now, in milliseconds.
   */
  public static long longestStallMs() {
    long[] r = REPLIES.get();
    return Math.max(r[1], System.nanoTime() - r[0]) / 1_000_000;
  }

  /**
   * Serves {@code pathToHtml} (exact paths such as {@code /p/17}) on 127.0.0.1 at an ephemeral port;
   * other paths get a 404. Requests are handled on the server's own dispatcher thread. Stop it with
   * {@code server.stop(0)}.
   */
  public static HttpServer serve(Map<String, String> pathToHtml) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      Map<String, byte[]> bodies = new java.util.HashMap<>();
      pathToHtml.forEach((path, html) -> bodies.put(path, html.getBytes(StandardCharsets.UTF_8)));
      server.createContext("/", exchange -> respond(exchange, bodies.get(exchange.getRequestURI().getPath())));
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the test HTTP server", e);
    }
  }

  /** The base URL of a server from {@link #serve}, e.g. {@code http://127.0.0.1:41234}. */
  public static String baseUrl(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, byte[] body) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * Navigates {@code page} to {@code url} and waits until the page has loaded: the load event, or
   * {@code document.readyState == "complete"} at the new URL (polled every 100 ms, so a lost event or a
   * dead browser is noticed quickly and the lease keeps showing activity).
   *
   * @throws IllegalStateException when the navigation fails or does not finish within {@code timeout}
   */
  public static void navigate(ChromeDevToolsService page, String url, Duration timeout) {
    Page p = page.getPage();
    p.enable();
    markReply();
    CountDownLatch loaded = new CountDownLatch(1);
    EventListener listener = p.onLoadEventFired(e -> loaded.countDown());
    try {
      Navigate nav = p.navigate(url);
      markReply();
      if (nav.getErrorText() != null) {
        throw new IllegalStateException("navigation to " + url + " failed: " + nav.getErrorText());
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (loaded.await(100, TimeUnit.MILLISECONDS)) {
          return;
        }
        Object state = evaluate(page, "document.readyState + ' ' + location.href");
        if (("complete " + url).equals(state)) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("navigation to " + url + " did not finish within " + timeout
              + " (readyState and URL: " + state + ")");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while navigating to " + url, e);
    } finally {
      listener.unsubscribe();
    }
  }

  /** The page's {@code document.title}. */
  public static String title(ChromeDevToolsService page) {
    return (String) evaluate(page, "document.title");
  }

  /**
   * Evaluates {@code expr} in the page and returns its value (String, Integer, Double, Boolean, or null
   * for undefined/null and objects).
   *
   * @throws IllegalStateException when the expression throws in the page
   */
  public static Object evaluate(ChromeDevToolsService page, String expr) {
    Evaluate ev = page.getRuntime().evaluate(expr);
    return valueOf(ev, expr);
  }

  /**
   * Evaluates {@code expr} and, if it yields a promise, waits for it to settle (Runtime.evaluate with
   * awaitPromise), returning the settled value.
   */
  public static Object evaluateAwait(ChromeDevToolsService page, String expr) {
    Evaluate ev = page.getRuntime().evaluate(expr, null, null, null, null, true, null, null, true,
        null, null, null, null, null, null);
    return valueOf(ev, expr);
  }

  /** Marks the reply, then returns the evaluated value, or throws what the page threw. */
  private static Object valueOf(Evaluate ev, String expr) {
    markReply();
    ExceptionDetails ex = ev.getExceptionDetails();
    if (ex != null) {
      String what = ex.getException() != null ? ex.getException().getDescription() : ex.getText();
      throw new IllegalStateException("evaluate(" + expr + ") threw in the page: " + what);
    }
    return ev.getResult() == null ? null : ev.getResult().getValue();
  }
}
