package io.github.browserpool;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A login site on 127.0.0.1 that keeps a session in all three kinds of browser state: {@code
 * /login?user=<name>} sets an httpOnly session cookie, and its page stores a token in localStorage and a
 * profile record in IndexedDB (the page's {@code window.ready} resolves once both are written). {@code
 * /account} greets the user of a valid session cookie, checked by the server: "Welcome, alice" or "Please
 * log in". {@code /set?v=x} sets the cookie {@code v=x}. {@code /page} is a blank page of the origin.
 */
final class SessionSite implements AutoCloseable {
  private final Map<String, String> sessions = new ConcurrentHashMap<>();
  final AtomicInteger logins = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "session-site");
    t.setDaemon(true);
    return t;
  });

  SessionSite() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::serve);
    server.start();
  }

  private void serve(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath();
      if (path.equals("/login")) {
        String q = x.getRequestURI().getQuery();
        String user = q != null && q.startsWith("user=") ? q.substring(5) : "";
        String sid = UUID.randomUUID().toString();
        sessions.put(sid, user);
        logins.incrementAndGet();
        x.getResponseHeaders().add("Set-Cookie", "sid=" + sid + "; Path=/; HttpOnly; SameSite=Lax;"
            + " Max-Age=86400");
        send(x, "<!doctype html><title>logged in</title><script>"
            + "localStorage.setItem('token', 'token-of-" + user + "');"
            + "window.ready = new Promise((ok, fail) => { const r = indexedDB.open('app', 1);"
            + " r.onupgradeneeded = () => r.result.createObjectStore('profile', {keyPath: 'id'});"
            + " r.onsuccess = () => { const tx = r.result.transaction('profile', 'readwrite');"
            + " tx.objectStore('profile').put({id: 'me', name: '" + user + "'});"
            + " tx.oncomplete = () => { r.result.close(); ok('saved'); }; tx.onerror = () => fail(tx.error); };"
            + " r.onerror = () => fail(r.error); });</script>");
      } else if (path.equals("/set")) {
        String q = x.getRequestURI().getQuery();
        x.getResponseHeaders().add("Set-Cookie", (q == null ? "v=" : q) + "; Path=/; Max-Age=3600");
        send(x, "set");
      } else if (path.equals("/account")) {
        String user = null;
        String cookies = x.getRequestHeaders().getFirst("Cookie");
        if (cookies != null) {
          for (String c : cookies.split(";")) {
            String t = c.trim();
            if (t.startsWith("sid=")) {
              user = sessions.get(t.substring(4));
            }
          }
        }
        send(x, "<!doctype html><title>account</title><h1 id=greeting>"
            + (user == null ? "Please log in" : "Welcome, " + user) + "</h1>");
      } else {
        send(x, "<!doctype html><title>page</title>");
      }
    }
  }

  private static void send(HttpExchange x, String html) throws IOException {
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
    x.getResponseHeaders().add("Cache-Control", "no-store");
    x.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String url(String path) {
    return origin() + path;
  }

  /** Logs {@code user} in within {@code lease}: the cookie, the token and the IndexedDB record are written. */
  void logIn(BrowserLease lease, String user) {
    logInAt(lease, url("/login?user=" + user));
  }

  /** {@link #logIn} given the login URL, for a child JVM that has only the site's address. */
  static void logInAt(BrowserLease lease, String loginUrl) {
    ChromeDevToolsService page = lease.newPage();
    io.github.browserpool.test.Pages.navigate(page, loginUrl);
    Object saved = LocalSite.eval(page, "window.ready");
    if (!"saved".equals(saved)) {
      throw new AssertionError("the login page did not write its IndexedDB record: " + saved);
    }
  }

  /** What a lease sees of its session: the server's greeting, the localStorage token, the IndexedDB name. */
  record Seen(String greeting, String token, String profile) {}

  Seen seen(BrowserLease lease) {
    ChromeDevToolsService page = lease.newPage();
    io.github.browserpool.test.Pages.navigate(page, url("/account"));
    String greeting = io.github.browserpool.test.Pages.text(page, "#greeting");
    String token = (String) LocalSite.eval(page, "localStorage.getItem('token')");
    String profile = (String) LocalSite.eval(page, "new Promise(ok => { const r = indexedDB.open('app');"
        + " r.onupgradeneeded = () => { r.transaction.abort(); ok(null); };"
        + " r.onsuccess = () => { const db = r.result; if (!db.objectStoreNames.contains('profile')) { db.close(); ok(null); return; }"
        + " const g = db.transaction('profile').objectStore('profile').get('me');"
        + " g.onsuccess = () => { db.close(); ok(g.result ? g.result.name : null); }; };"
        + " r.onerror = () => ok(null); })");
    return new Seen(greeting, token, profile);
  }

  static Seen loggedIn(String user) {
    return new Seen("Welcome, " + user, "token-of-" + user, user);
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
