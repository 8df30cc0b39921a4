package io.github.browserpool.e2e;

import com.github.kklisura.cdt.protocol.commands.Page;
import com.github.kklisura.cdt.protocol.support.types.EventListener;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Page helpers for the soak and the bad-input catalogue: serve HTML from a JDK HttpServer on
 * 127.0.0.1, and the suite's {@link Pages} (browserpool-test's: navigate and wait for the load, read
 * the title, evaluate) on a page {@link #metered} for the soak's stall measure: every CDP call made through these
 * helpers marks when its reply came, which decides whether a revocation was the fault the soak injected.
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
   * Navigates {@code page} to {@code url} and waits until the page has loaded ({@link
   * Pages#navigate(ChromeDevToolsService, String, Duration)}: the load event, or
   * {@code readyState} "complete" at the new URL, polled every 100 ms, so a lost event or a dead browser
   * is noticed quickly and the lease keeps showing activity). Every reply marks the stall measure.
   *
   * @throws IllegalStateException when the navigation fails or does not finish within {@code timeout}
   */
  public static void navigate(ChromeDevToolsService page, String url, Duration timeout) {
    Pages.navigate(metered(page), url, timeout);
  }

  /** The page's {@code document.title}. */
  public static String title(ChromeDevToolsService page) {
    return Pages.title(metered(page));
  }

  /**
   * Evaluates {@code expr} in the page and returns its value ({@link Pages#evaluate}: by value, a
   * promise awaited).
   *
   * @throws IllegalStateException when the expression throws in the page
   */
  public static Object evaluate(ChromeDevToolsService page, String expr) {
    return Pages.evaluate(metered(page), expr);
  }

  /**
   * Evaluates {@code expr} and, if it yields a promise, waits for it to settle, returning the settled
   * value (the same as {@link #evaluate}; the name says what the soak relies on).
   */
  public static Object evaluateAwait(ChromeDevToolsService page, String expr) {
    return evaluate(page, expr);
  }

  /**
   * {@code page} with the stall measure on its Page and Runtime domains: each of their commands that
   * returns marks a reply for this thread ({@link #markReply()}), as every CDP call of these helpers
   * did. Subscribing to an event is no CDP call and marks nothing; a call that throws marks nothing.
   */
  static ChromeDevToolsService metered(ChromeDevToolsService page) {
    return proxy(ChromeDevToolsService.class, page, (method, result) -> {
      if (method.getName().equals("getPage")) {
        return proxy(Page.class, (Page) result, SoakPages::marking);
      }
      if (method.getName().equals("getRuntime")) {
        return proxy(com.github.kklisura.cdt.protocol.commands.Runtime.class,
            (com.github.kklisura.cdt.protocol.commands.Runtime) result, SoakPages::marking);
      }
      return result;
    });
  }

  /** Marks the reply of a command (not of an event subscription) and passes its result on. */
  private static Object marking(Method method, Object result) {
    if (method.getReturnType() != EventListener.class) {
      markReply();
    }
    return result;
  }

  private static <T> T proxy(Class<T> type, T target, BiFunction<Method, Object, Object> after) {
    InvocationHandler handler = (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return method.invoke(target, args);
      }
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause(); // the pool's own exceptions pass through unchanged
      }
      return after.apply(method, result);
    };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
