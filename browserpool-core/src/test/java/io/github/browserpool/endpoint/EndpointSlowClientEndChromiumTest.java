package io.github.browserpool.endpoint;

import io.github.browserpool.test.CdpTestClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading while its page floods, under the 64 MiB bound, and whose lease then ends
 * (revoked by the reaper, closed, or its pool closed): the soak's lease 2243 (seed 8942518672910). A client
 * that reads again gets its close frame; one that never reads has its connection ended by the endpoint
 * within {@link EndpointServer#CLOSE_GRACE} of the end, seen from both ends of the TCP connection (on the
 * old code the endpoint's graceful close left the kernel holding the unsent messages in FIN-WAIT-1, and the
 * client's connection open, for minutes).
 */
@Tag("chromium")
class EndpointSlowClientEndChromiumTest {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** 800 console lines of 20 KB: about 16 MB, far over the socket's buffers, well under the 64 MiB bound. */
  private static final String FLOOD = "const s = 'y'.repeat(20000); for (let i = 0; i < 800; i++) console.log(s); 1";
  private static final Duration IDLE = Duration.ofSeconds(4);
  /** Slack for a loaded machine over the documented bounds. */
  private static final Duration SLACK = Duration.ofSeconds(5);

  @TempDir Path tempRoot;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @AfterEach
  void nothingLeft() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private PoolConfig config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).maxBrowsers(2).poolName(name).tempRoot(tempRoot)
        .idleTimeout(IDLE).closeTimeout(Duration.ofSeconds(3)).build();
  }

  @Test
  void aRevokedOrClosedLeasesSlowClientGetsItsCloseOrLosesItsConnectionWithinTheGrace() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("slow-end"))) {
      // Each lease is idle from its acquire() to its first client's first frame, and revoked after IDLE.
      BrowserLease revoked = pool.acquire();
      CdpTestClient revokedReader = floodingReader(revoked.cdpEndpoint());
      Stalled revokedStalled = stalled(revoked.cdpEndpoint());
      BrowserLease closed = pool.acquire();
      CdpTestClient closedReader = floodingReader(closed.cdpEndpoint());
      Stalled closedStalled = stalled(closed.cdpEndpoint());
      Thread.sleep(1_000); // the floods fill the sockets: the relays end with a backlog under the bound

      long closedAt = System.nanoTime();
      closed.close();
      await().atMost(IDLE.plus(SLACK).plusSeconds(2)).until(() -> !revoked.isActive());
      long revokedAt = System.nanoTime();

      // (a) Clients that read again (2 s after the end) get 1001, within the grace.
      Thread.sleep(2_000);
      revokedReader.readAgain();
      closedReader.readAgain();
      assertThat(revokedReader.closeCode.get(EndpointServer.CLOSE_GRACE.toSeconds(), TimeUnit.SECONDS))
          .as("the revoked lease's client that reads again").isEqualTo(1001);
      assertThat(closedReader.closeCode.get(EndpointServer.CLOSE_GRACE.toSeconds(), TimeUnit.SECONDS))
          .as("the closed lease's client that reads again").isEqualTo(1001);

      // (b) Clients that never read again: still connected a while (the grace is theirs), then their
      // connections end, at both ends, within the grace after the end, without their reading anything.
      assertThat(closedStalled.serverSide()).as("the endpoint's side, before the grace").isNotNull();
      await().atMost(EndpointServer.CLOSE_GRACE.plus(SLACK)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        assertThat(closedStalled.ended()).as("closed lease's connection ended; %s", closedStalled.describe()).isTrue();
        assertThat(revokedStalled.ended()).as("revoked lease's connection ended; %s", revokedStalled.describe()).isTrue();
      });
      long closedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
      long revokedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
      System.out.printf("stalled clients' connections ended %d ms after close(), %d ms after the revoke%n", closedMs,
          revokedMs);
      assertThat(closedMs).as("ms from close() to the stalled client's connection's end")
          .isGreaterThanOrEqualTo(EndpointServer.CLOSE_GRACE.toMillis() - 1_000);
      assertThat(revokedStalled.readCloseCode()).as("what the revoked lease's stalled client reads afterwards")
          .isIn(1001, -1);
      assertThat(closedStalled.readCloseCode()).isIn(1001, -1);
    }
  }

  @Test
  void whenThePoolClosesASlowClientsConnectionEndsAtOnce() throws Exception {
    BrowserPool pool = BrowserPool.start(config("slow-pool-close"));
    try {
      BrowserLease lease = pool.acquire();
      CdpTestClient reader = floodingReader(lease.cdpEndpoint());
      Stalled stalled = stalled(lease.cdpEndpoint());
      Thread.sleep(1_000);
      long start = System.nanoTime();
      pool.close();
      await().atMost(SLACK).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
          assertThat(stalled.ended()).as("connection ended; %s", stalled.describe()).isTrue());
      System.out.printf("stalled client's connection ended %d ms after pool.close() began%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      reader.readAgain();
      assertThat(reader.closeCode.get(SLACK.toSeconds(), TimeUnit.SECONDS))
          .as("a client that stopped reading, when it reads again after pool.close(): 1001 or a reset").isIn(1001, -1);
    } finally {
      pool.close();
    }
  }

  private Stalled stalled(URI uri) throws IOException {
    Stalled client = Stalled.flooding(uri);
    clients.add(client);
    return client;
  }

  /** A JDK WebSocket client whose page floods, which has stopped reading. */
  private CdpTestClient floodingReader(URI uri) {
    CdpTestClient client = CdpTestClient.connect(uri);
    clients.add(client);
    String target = client.call("Target.createTarget", CdpTestClient.params().put("url", "about:blank"))
        .path("result").path("targetId").asText();
    String session = client.call("Target.attachToTarget", CdpTestClient.params().put("targetId", target)
        .put("flatten", true)).path("result").path("sessionId").asText();
    client.call(session, "Runtime.enable", CdpTestClient.params());
    client.stopReading();
    client.socket.sendText(Stalled.evaluate(99, session, FLOOD), true).join();
    return client;
  }

  /**
   * A client on a plain socket that reads only until its page floods, then never again, and whose TCP
   * connection is looked up in the kernel's tables, for both ends.
   */
  private static final class Stalled implements AutoCloseable {
    final Socket socket;
    final int serverPort;
    final int clientPort;
    private final DataInputStream in;
    private final OutputStream out;

    private Stalled(URI uri) throws IOException {
      socket = new Socket(uri.getHost(), uri.getPort());
      socket.setSoTimeout(20_000);
      serverPort = uri.getPort();
      clientPort = socket.getLocalPort();
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      RawFrames.upgrade(uri, in, out);
    }

    static Stalled flooding(URI uri) throws IOException {
      Stalled c = new Stalled(uri);
      String target = c.call(1, "{\"id\":1,\"method\":\"Target.createTarget\",\"params\":{\"url\":\"about:blank\"}}")
          .path("result").path("targetId").asText();
      String session = c.call(2, "{\"id\":2,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":\""
          + target + "\",\"flatten\":true}}").path("result").path("sessionId").asText();
      c.call(3, "{\"id\":3,\"sessionId\":\"" + session + "\",\"method\":\"Runtime.enable\",\"params\":{}}");
      c.send(evaluate(4, session, FLOOD)); // and never reads again
      return c;
    }

    static String evaluate(int id, String session, String expression) {
      return "{\"id\":" + id + ",\"sessionId\":\"" + session + "\",\"method\":\"Runtime.evaluate\",\"params\":"
          + "{\"expression\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(expression) + "}}";
    }

    private JsonNode call(int id, String command) throws IOException {
      send(command);
      while (true) {
        RawFrames.Frame frame = read();
        if (frame.opcode() == 0x1) {
          JsonNode message = JSON.readTree(frame.payload());
          if (message.path("id").asInt(-1) == id) {
            return message;
          }
        } else if (frame.opcode() == 0x8) {
          throw new IOException("closed while waiting for reply " + id);
        }
      }
    }

    private void send(String text) throws IOException {
      RawFrames.writeText(out, text);
    }

    private RawFrames.Frame read() throws IOException {
      return RawFrames.readFrame(in);
    }

    /** Reads everything left, up to the close frame: its code, or -1 when the connection ends without one. */
    int readCloseCode() {
      return RawFrames.readCloseCode(in);
    }

    /** The kernel's state (hex, as /proc/net/tcp* says) of the endpoint's end of this connection, or null. */
    String serverSide() throws IOException {
      return state(serverPort, clientPort);
    }

    /**
     * Whether the connection has ended at both ends: the endpoint's end is gone from the kernel (no
     * FIN-WAIT-1 orphan holding unsent messages) and the client's is closed or gone.
     */
    boolean ended() throws IOException {
      String client = state(clientPort, serverPort);
      return serverSide() == null && (client == null || client.equals("07"));
    }

    String describe() throws IOException {
      return "endpoint's end " + serverSide() + ", client's end " + state(clientPort, serverPort)
          + " (/proc/net/tcp states: 01 established, 04 FIN-WAIT-1, 07 closed, null gone)";
    }

    /** The state of the socket with these local and remote ports, from /proc/net/tcp and tcp6. */
    private static String state(int localPort, int remotePort) throws IOException {
      String local = String.format(":%04X", localPort);
      String remote = String.format(":%04X", remotePort);
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && f[1].endsWith(local) && f[2].endsWith(remote)) {
            return f[3];
          }
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
