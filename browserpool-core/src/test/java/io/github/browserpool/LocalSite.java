package io.github.browserpool;

import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One origin on 127.0.0.1 for the real-Chromium tests of leases sharing a browser: pages under {@code
 * /page/} (never cached), a cookie set by the server ({@code /set-cookie}), the request's Cookie header
 * echoed ({@code /whoami}), and a script cached for an hour whose loads the server counts ({@code
 * /cached.js}). It records every path asked for and the Cookie header each came with.
 */
final class LocalSite implements AutoCloseable {
  final Map<String, String> cookieHeaders = new ConcurrentHashMap<>();
  final List<String> requested = new CopyOnWriteArrayList<>();
  final AtomicInteger cachedHits = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "isolation-site");
    t.setDaemon(true);
    return t;
  });

  LocalSite() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", x -> {
      String path = x.getRequestURI().getPath();
      requested.add(path);
      String cookie = x.getRequestHeaders().getFirst("Cookie");
      cookieHeaders.put(path, cookie == null ? "" : cookie);
      if (path.startsWith("/page/")) {
        send(x, 200, "text/html", "no-store", "<!doctype html><title>page</title><p>" + path + "</p>");
      } else if (path.equals("/set-cookie")) {
        x.getResponseHeaders().add("Set-Cookie", "fromServer=a-secret; Path=/");
        send(x, 200, "text/plain", "no-store", "set");
      } else if (path.equals("/whoami")) {
        send(x, 200, "text/plain", "no-store", cookie == null ? "" : cookie);
      } else if (path.equals("/cached.js")) {
        cachedHits.incrementAndGet();
        send(x, 200, "text/javascript", "max-age=3600", "// cached");
      } else {
        send(x, 404, "text/plain", "no-store", "not found");
      }
    });
    server.start();
  }

  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String url(String path) {
    return origin() + path;
  }

  private static void send(HttpExchange x, int status, String type, String cache, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", type + "; charset=utf-8");
    x.getResponseHeaders().add("Cache-Control", cache);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  /** A new page of {@code lease} with {@code path} of this site loaded. */
  ChromeDevToolsService open(BrowserLease lease, String path) {
    ChromeDevToolsService page = lease.newPage();
    navigate(page, path);
    return page;
  }

  /** Navigates {@code page} to {@code path} of this site and waits until it is loaded. */
  void navigate(ChromeDevToolsService page, String path) {
    page.getPage().navigate(url(path));
    await("load of " + path).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .until(() -> ("complete " + path).equals(eval(page, "document.readyState + ' ' + location.pathname")));
  }

  /** Evaluates {@code expression} with a user gesture, awaiting a promise; a thrown error fails the test. */
  static Object eval(ChromeDevToolsService page, String expression) {
    Evaluate r = page.getRuntime().evaluate(expression, null, null, null, null, true, null, true, true,
        null, null, null, null, null, null);
    if (r.getExceptionDetails() != null) {
      throw new AssertionError("the page threw on " + expression + ": " + r.getExceptionDetails().getText()
          + (r.getExceptionDetails().getException() == null ? "" : " " + r.getExceptionDetails().getException().getDescription()));
    }
    return r.getResult().getValue();
  }
}
