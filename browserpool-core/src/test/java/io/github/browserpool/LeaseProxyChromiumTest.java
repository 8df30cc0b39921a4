package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.test.ProcessTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A per-lease proxy in real Chromium: a proxy served by the test on 127.0.0.1 records each request it
 * gets (and checks credentials when it asks for them); only the lease with the proxy goes through it.
 */
@Tag("chromium")
class LeaseProxyChromiumTest {
  @TempDir Path tempRoot;
  private TestProxy proxy;

  @AfterEach
  void nothingLeft() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private BrowserPool pool(String name) {
    return BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).tempRoot(tempRoot).maxBrowsers(1).build());
  }

  /** A loopback port that nothing listens on (Chromium refuses well-known ones such as 9 outright). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String titleAfterVisiting(ChromeDevToolsService page, String url) {
    page.getPage().enable();
    page.getPage().navigate(url);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Object state = page.getRuntime().evaluate("document.readyState + '|' + document.title").getResult().getValue();
      String s = String.valueOf(state);
      if (s.startsWith("complete|") && s.length() > "complete|".length()) {
        return s.substring("complete|".length());
      }
      Thread.onSpinWait();
    }
    return String.valueOf(page.getRuntime().evaluate("document.title").getResult().getValue());
  }

  @Test
  void onlyTheLeaseWithTheProxyGoesThroughItLoopbackIncluded() throws Exception {
    proxy = new TestProxy(null, null);
    String origin = "http://127.0.0.1:" + closedPort(); // nothing listens there
    String url = origin + "/only-the-proxy-answers";
    // The plain lease asks for its own path, so a late request of the first lease (its favicon, say)
    // cannot be mistaken for the plain lease's traffic.
    String plainUrl = origin + "/asked-by-the-plain-lease";
    try (BrowserPool pool = pool("proxy")) {
      try (BrowserLease lease = pool.acquire(LeaseOptions.builder().proxy("http://127.0.0.1:" + proxy.port()).build())) {
        assertThat(titleAfterVisiting(lease.newPage(), url)).isEqualTo("via test proxy");
      }
      assertThat(proxy.requests).anyMatch(r -> r.startsWith("GET " + url + " "));
      try (BrowserLease plain = pool.acquire()) {
        assertThat(titleAfterVisiting(plain.newPage(), plainUrl)).isNotEqualTo("via test proxy");
      }
      assertThat(proxy.requests).as("the next lease, without proxy, bypasses it")
          .noneMatch(r -> r.contains("/asked-by-the-plain-lease"));
    }
  }

  @Test
  void credentialsAreAnsweredOnTheProxysChallengeAndThePageNeverSeesThem() throws Exception {
    proxy = new TestProxy("scraper", "s3cret:with-colon");
    String url = "http://127.0.0.1:" + closedPort() + "/needs-auth";
    try (BrowserPool pool = pool("proxy-auth")) {
      LeaseOptions options = LeaseOptions.builder()
          .proxy("http://scraper:s3cret:with-colon@127.0.0.1:" + proxy.port()).build();
      assertThat(options.toString()).doesNotContain("s3cret");
      try (BrowserLease lease = pool.acquire(options)) {
        ChromeDevToolsService page = lease.newPage();
        assertThat(titleAfterVisiting(page, url)).isEqualTo("via test proxy");
        String seenByPage = String.valueOf(page.getRuntime().evaluate("document.documentElement.outerHTML").getResult().getValue());
        assertThat(seenByPage).doesNotContain("s3cret");
      }
      assertThat(proxy.challenged.get()).as("the proxy asked first").isPositive();
      assertThat(proxy.authorized.get()).as("and then got the right credentials").isPositive();
    }
  }

  /**
   * A proxied lease whose user forgets it right after navigating, on a page that never stops loading
   * through the proxy (with credentials, so the pool answers every request beside the page): the pool's
   * own traffic is not the lease's activity, so the lease is revoked at its idleTimeout. With one context
   * per browser the browser goes with it; above one, only the lease's context does.
   */
  @ParameterizedTest(name = "maxContextsPerBrowser {0}")
  @ValueSource(ints = {1, 2})
  void aForgottenProxiedLeaseIsReclaimedWhileItsPageKeepsLoading(int contexts) throws Exception {
    proxy = TestProxy.trickling("scraper", "s3cret");
    Duration idle = Duration.ofSeconds(2);
    String url = "http://127.0.0.1:" + closedPort() + "/trickle";
    // minIdle 1: the browser that outlives a revoked lease is kept, not reaped as idle a moment later.
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("proxy-forgotten").tempRoot(tempRoot)
        .maxBrowsers(1).minIdle(1).maxContextsPerBrowser(contexts).idleTimeout(idle).build())) {
      BrowserLease lease = pool.acquire(LeaseOptions.builder()
          .proxy("http://scraper:s3cret@127.0.0.1:" + proxy.port()).build());
      long pid = lease.browserPid();
      Path dir = lease.userDataDir();
      ChromeDevToolsService page = lease.newPage();
      page.getPage().navigate(url);
      long lastCall = System.nanoTime(); // nothing more is sent: the lease is forgotten

      await("the forgotten lease revoked").atMost(idle.plusSeconds(3)).pollInterval(Duration.ofMillis(10))
          .until(() -> !lease.isActive());
      long revokedAt = System.nanoTime();
      long revokedAfterMillis = (revokedAt - lastCall) / 1_000_000;
      assertThat(revokedAfterMillis).as("revoked at its deadline, not before").isGreaterThanOrEqualTo(idle.toMillis() - 50);
      long secondHalf = lastCall + idle.toNanos() / 2;
      assertThat(proxy.ticks.stream().filter(t -> t - secondHalf > 0 && t - revokedAt < 0).count())
          .as("the page kept fetching through the proxy until the end").isGreaterThanOrEqualTo(3);
      assertThat(proxy.lastChunkAt - secondHalf).as("and its document kept loading").isPositive();
      assertThat(proxy.challenged.get()).as("the proxy asked for credentials").isPositive();
      assertThat(proxy.authorized.get()).as("and the pool answered for the page").isGreaterThan(3);

      assertThatThrownBy(lease::touch).isInstanceOf(LeaseRevokedException.class);
      assertThatThrownBy(() -> page.getRuntime().evaluate("1")).isInstanceOf(LeaseRevokedException.class)
          .hasMessageContaining("abandoned");
      assertThat(pool.stats().leasesRevoked()).isEqualTo(1);
      await("the page's traffic ends with the lease").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> proxy.trickling.get() == 0 && proxy.ticks.stream().allMatch(t -> System.nanoTime() - t > 500_000_000L));

      if (contexts == 1) {
        await("its browser closed").atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(10))
            .until(() -> !ProcessTable.isAlive(pid) && !Files.exists(dir));
        assertThat(pool.stats().closed(CloseReason.ABANDONED)).isEqualTo(1);
      } else {
        assertThat(ProcessTable.isAlive(pid)).as("only the lease's context went, not its browser").isTrue();
        assertThat(pool.stats().closed()).as("no browser closed").isZero();
        try (BrowserLease next = pool.acquire()) {
          assertThat(next.browserPid()).as("the next lease gets the same browser").isEqualTo(pid);
          assertThat(next.newPage().getRuntime().evaluate("1 + 1").getResult().getValue()).isEqualTo(2);
        }
      }
    }
  }

  @Test
  void aBadProxyIsRefusedBeforeAnythingLaunches() {
    assertThatThrownBy(() -> LeaseOptions.builder().proxy("ftp://127.0.0.1:21"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy").hasMessageContaining("scheme");
    assertThatThrownBy(() -> LeaseOptions.builder().proxy("http://user:pw@127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port").hasMessageNotContaining("pw@");
    assertThatThrownBy(() -> LeaseOptions.builder().proxy("socks5://u:p@127.0.0.1:1080"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SOCKS");
    assertThatThrownBy(() -> LeaseOptions.builder().proxy("http://127.0.0.1:3128/path"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path");
  }

  /**
   * A forward proxy that answers every request itself with one page, each connection on its own thread;
   * with a user, it asks for Basic credentials. A trickling one answers {@code /trickle} with a page that
   * never finishes loading: a chunk every 200 ms, and a script that fetches {@code /tick} every 100 ms.
   */
  static final class TestProxy implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** When each {@code /tick} request came, System.nanoTime(). */
    final List<Long> ticks = new CopyOnWriteArrayList<>();
    final AtomicInteger challenged = new AtomicInteger();
    final AtomicInteger authorized = new AtomicInteger();
    /** Trickled responses still being written: a write that fails (the page went away) ends one. */
    final AtomicInteger trickling = new AtomicInteger();
    volatile long lastChunkAt;
    private final ServerSocket server;
    private final String expected;
    private final boolean trickle;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    TestProxy(String user, String password) throws IOException {
      this(user, password, false);
    }

    private TestProxy(String user, String password, boolean trickle) throws IOException {
      this.expected = user == null ? null
          : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      this.trickle = trickle;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      daemon(this::serve, "test-proxy");
    }

    static TestProxy trickling(String user, String password) throws IOException {
      return new TestProxy(user, password, true);
    }

    int port() {
      return server.getLocalPort();
    }

    private static void daemon(Runnable r, String name) {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.start();
    }

    private void serve() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          open.add(s);
          daemon(() -> handle(s), "test-proxy-connection");
        } catch (IOException e) {
          // closed
        }
      }
    }

    private void handle(Socket s) {
      try (s) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        if (requestLine == null) {
          return;
        }
        String auth = null;
        for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
          if (h.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)) {
            auth = h.substring(20).trim();
          }
        }
        requests.add(requestLine);
        OutputStream out = s.getOutputStream();
        if (expected != null && !expected.equals(auth)) {
          challenged.incrementAndGet();
          out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
              + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          return;
        }
        if (expected != null) {
          authorized.incrementAndGet();
        }
        if (trickle && requestLine.contains("/tick")) {
          ticks.add(System.nanoTime());
        }
        if (trickle && requestLine.contains("/trickle ")) {
          trickle(out);
          return;
        }
        byte[] body = "<html><head><title>via test proxy</title></head><body>ok</body></html>"
            .getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nCache-Control: no-store\r\nContent-Length: "
            + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
      } catch (IOException e) {
        // closed, or the client went away
      } finally {
        open.remove(s);
      }
    }

    /** A page that never finishes: a chunk every 200 ms until the write fails, and a fetch every 100 ms. */
    private void trickle(OutputStream out) throws IOException {
      trickling.incrementAndGet();
      try {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nCache-Control: no-store\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        chunk(out, "<html><head><title>trickling</title><script>"
            + "setInterval(() => fetch('/tick?' + Date.now()).catch(() => {}), 100);</script></head><body>");
        while (!server.isClosed()) {
          try {
            Thread.sleep(200); // the trickle's own pace: this is the server, not the test waiting
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          chunk(out, "<p>still loading</p>");
        }
      } finally {
        trickling.decrementAndGet();
      }
    }

    private void chunk(OutputStream out, String text) throws IOException {
      byte[] data = text.getBytes(StandardCharsets.UTF_8);
      out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(data);
      out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      lastChunkAt = System.nanoTime();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
