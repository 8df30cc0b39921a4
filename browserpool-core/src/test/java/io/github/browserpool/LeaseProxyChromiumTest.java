package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A per-lease proxy in real Chromium: a proxy served by the test on 127.0.0.1 records each request it
 * gets (and checks credentials when it asks for them); only the lease with the proxy goes through it.
 */
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
    return BrowserPool.start(PoolConfig.builder().poolName(name).tempRoot(tempRoot).maxBrowsers(1).build());
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
      assertThat(proxy.challenged).as("the proxy asked first").isPositive();
      assertThat(proxy.authorized).as("and then got the right credentials").isPositive();
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

  /** A forward proxy that answers every request itself with one page; with a user, it asks for Basic credentials. */
  static final class TestProxy implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile int challenged;
    volatile int authorized;
    private final ServerSocket server;
    private final String expected;

    TestProxy(String user, String password) throws IOException {
      this.expected = user == null ? null
          : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::serve, "test-proxy");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
          String requestLine = in.readLine();
          if (requestLine == null) {
            continue;
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
            challenged++;
            out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            continue;
          }
          if (expected != null) {
            authorized++;
          }
          byte[] body = "<html><head><title>via test proxy</title></head><body>ok</body></html>"
              .getBytes(StandardCharsets.UTF_8);
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + body.length
              + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.write(body);
        } catch (IOException e) {
          // closed, or the client went away
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
