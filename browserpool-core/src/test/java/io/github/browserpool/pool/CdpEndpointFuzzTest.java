package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.browserpool.local.LocalBrowserLauncher;
import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.endpoint.EndpointServer;
import io.github.browserpool.test.CdpTestClient;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on a lease's endpoint, against real Chromium: malformed JSON, wrong types, ids beyond
 * int32, unknown sessions, binary frames, a client killed mid-command, 200 connections on one token and
 * 10,000 commands sent without waiting. Each gets an error reply or a close (every wait bounded), and
 * the lease and its neighbour in the same browser keep working.
 */
@Tag("chromium")
class CdpEndpointFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tempRoot;
  private PoolEngine engine;
  private LeaseState lease;
  private LeaseState neighbour;

  @BeforeEach
  void start() {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(2).maxBrowsers(1).poolName("fuzz")
        .tempRoot(tempRoot).build();
    engine = new PoolEngine(config, LocalBrowserLauncher.create(config), true);
    engine.start();
    lease = engine.acquire(null);
    neighbour = engine.acquire(null);
    assertThat(neighbour.browserPid()).isEqualTo(lease.browserPid());
  }

  @AfterEach
  void stillWorkingThenNothingLeft() {
    try {
      try (CdpTestClient again = CdpTestClient.connect(lease.cdpEndpoint());
          CdpTestClient next = CdpTestClient.connect(neighbour.cdpEndpoint())) {
        assertThat(again.call("Browser.getVersion", null).path("result").path("product").asText()).contains("Chrome");
        assertThat(next.call("Target.getTargets", null).has("result")).isTrue();
      }
      assertThat(lease.newPage().getRuntime().evaluate("6*7").getResult().getValue()).isEqualTo(42);
      assertThat(neighbour.newPage().getRuntime().evaluate("6*7").getResult().getValue()).isEqualTo(42);
      lease.close();
      neighbour.close();
    } finally {
      engine.close();
      ChromiumLeaks.assertNothingLeftUnder(tempRoot);
    }
  }

  /** Waits (bounded) for a message from the endpoint that {@code wanted} accepts. */
  private static JsonNode await(CdpTestClient client, Predicate<JsonNode> wanted, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonNode> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      JsonNode m = client.events.poll(100, TimeUnit.MILLISECONDS);
      if (m != null) {
        if (wanted.test(m)) {
          return m;
        }
        seen.add(m);
      }
    }
    throw new AssertionError("no reply for " + what + " within 10 s; saw " + seen);
  }

  private static JsonNode errorFor(CdpTestClient client, String frame) throws Exception {
    client.socket.sendText(frame, true).get(5, TimeUnit.SECONDS);
    return await(client, m -> m.has("error"), frame.length() > 80 ? frame.substring(0, 80) + "..." : frame);
  }

  @Test
  void malformedFramesWrongTypesAndUnknownSessionsGetErrors() throws Exception {
    try (CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint())) {
      String deep = "[".repeat(100_000) + "]".repeat(100_000);
      String[][] cases = {
          {"not json {", "-32700"}, {"", "-32600"}, {"{\"id\":", "-32700"}, {deep, "-32700"},
          {"[]", "-32600"}, {"null", "-32600"}, {"42", "-32600"}, {"{\"method\":\"Browser.getVersion\"}", "-32600"},
          {"{\"id\":\"1\",\"method\":\"Browser.getVersion\"}", "-32600"},
          {"{\"id\":1.5,\"method\":\"Browser.getVersion\"}", "-32600"},
          {"{\"id\":1e30,\"method\":\"Browser.getVersion\"}", "-32600"},
          {"{\"id\":123456789012345678901234567890,\"method\":\"Browser.getVersion\"}", "-32600"},
          {"{\"id\":7,\"method\":5}", "-32600"}, {"{\"id\":8}", "-32600"},
          {"{\"id\":9,\"method\":\"Browser.getVersion\",\"params\":[1]}", "-32602"},
          {"{\"id\":10,\"method\":\"Browser.getVersion\",\"params\":\"x\"}", "-32602"},
          {"{\"id\":11,\"method\":\"Runtime.evaluate\",\"sessionId\":\"nope\"}", "-32001"},
          {"{\"id\":12,\"method\":\"Runtime.evaluate\",\"sessionId\":5}", "-32001"},
          {"{\"id\":13,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":{\"x\":1}}}", "No target"},
          {"{\"id\":14,\"method\":\"Target.createTarget\",\"params\":{\"url\":\"about:blank\",\"browserContextId\":7}}",
              "outside this lease"},
          {"{\"id\":15,\"method\":\"\"}", "has not reviewed it"},
          {"{\"id\":16,\"method\":\"Browser.setWindowBounds\",\"params\":{\"windowId\":\"1\"}}", "not found"},
      };
      for (String[] c : cases) {
        JsonNode reply = errorFor(client, c[0]);
        assertThat(reply.path("error").toString()).as("reply to %s", c[0].length() > 80 ? "a deep array" : c[0])
            .contains(c[1]);
      }
      // Ids beyond int32 (which Chromium itself would never answer) come back exactly as sent.
      for (String id : new String[] {"2147483648", "-1", "0", "9007199254740993", "9223372036854775807",
          "-9223372036854775808"}) {
        client.socket.sendText("{\"id\":" + id + ",\"method\":\"Browser.getVersion\"}", true).get(5, TimeUnit.SECONDS);
        JsonNode reply = await(client, m -> m.has("id") && m.get("id").bigIntegerValue().equals(new BigInteger(id)), "id " + id);
        assertThat(reply.path("result").path("product").asText()).as("id %s", id).contains("Chrome");
      }
      assertThat(client.call("Browser.getVersion", null).has("result")).as("the same client goes on").isTrue();
    }
  }

  @Test
  void aBinaryFrameClosesItsClientOnly() throws Exception {
    try (CdpTestClient other = CdpTestClient.connect(lease.cdpEndpoint());
        CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint())) {
      client.socket.sendBinary(ByteBuffer.wrap("{\"id\":1,\"method\":\"Browser.getVersion\"}".getBytes()), true)
          .get(5, TimeUnit.SECONDS);
      assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).as("close code").isEqualTo(1003);
      assertThat(other.call("Browser.getVersion", null).has("result")).isTrue();
    }
  }

  @Test
  void aClientKilledMidCommandLeavesTheLeaseWorking() throws Exception {
    CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint());
    String page = client.call("Target.createTarget", JSON.createObjectNode().put("url", "about:blank"))
        .path("result").path("targetId").asText();
    String session = client.call("Target.attachToTarget", JSON.createObjectNode().put("targetId", page).put("flatten", true))
        .path("result").path("sessionId").asText();
    client.socket.sendText("{\"id\":99,\"sessionId\":\"" + session + "\",\"method\":\"Runtime.evaluate\",\"params\":"
        + "{\"expression\":\"new Promise(r => setTimeout(r, 500))\",\"awaitPromise\":true}}", true).get(5, TimeUnit.SECONDS);
    client.socket.abort();
  }

  @Test
  void twoHundredConnectionsOnOneTokenAreServedOrRefusedClearly() throws Exception {
    URI uri = lease.cdpEndpoint();
    HttpClient http = HttpClient.newHttpClient();
    List<CdpTestClient> open = new ArrayList<>();
    int served = 0;
    Set<String> refusals = new HashSet<>();
    try {
      for (int i = 0; i < 200; i++) {
        CdpTestClient c;
        try {
          c = CdpTestClient.connect(uri, http);
        } catch (CompletionException refusedAtHandshake) {
          refusals.add("handshake: " + refusedAtHandshake.getCause());
          continue;
        }
        open.add(c);
        // A client over a cap may be closed instead of answered: either, within the bound.
        c.socket.sendText("{\"id\":1,\"method\":\"Browser.getVersion\"}", true).get(5, TimeUnit.SECONDS);
        JsonNode reply = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reply == null && !c.closeCode.isDone() && System.nanoTime() < deadline) {
          reply = c.events.poll(50, TimeUnit.MILLISECONDS);
        }
        if (reply != null && reply.has("result")) {
          served++;
        } else {
          assertThat(c.closeCode.isDone()).as("connection %d: neither an answer nor a close within 10 s (%s)", i, reply)
              .isTrue();
          refusals.add("close " + c.closeCode.get());
        }
      }
    } finally {
      open.forEach(CdpTestClient::close);
    }
    assertThat(served).as("connections served (refused: %s)", refusals).isGreaterThan(0);
    assertThat(served + refusals.size()).isGreaterThan(0);
  }

  @Test
  void tenThousandCommandsWithoutWaitingAreAllAnsweredOrTheClientIsClosed() throws Exception {
    try (CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint())) {
      String page = client.call("Target.createTarget", JSON.createObjectNode().put("url", "about:blank"))
          .path("result").path("targetId").asText();
      String session = client.call("Target.attachToTarget", JSON.createObjectNode().put("targetId", page).put("flatten", true))
          .path("result").path("sessionId").asText();
      client.events.clear();
      int n = 10_000;
      for (int i = 0; i < n; i++) {
        String frame = i % 2 == 0
            ? "{\"id\":" + (1000 + i) + ",\"sessionId\":\"" + session + "\",\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"" + i + "\"}}"
            : "{\"id\":" + (1000 + i) + ",\"method\":\"Tracing.start\"}";
        client.socket.sendText(frame, true).get(5, TimeUnit.SECONDS);
      }
      Set<Long> answered = new HashSet<>();
      int limited = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (answered.size() < n && !client.closeCode.isDone() && System.nanoTime() < deadline) {
        JsonNode m = client.events.poll(100, TimeUnit.MILLISECONDS);
        if (m != null && m.has("id")) {
          long id = m.get("id").asLong();
          int i = (int) (id - 1000);
          if (i % 2 == 0 && m.has("error")) {
            // Past MAX_COMMANDS_IN_FLIGHT unanswered commands the endpoint refuses more, naming the limit.
            assertThat(m.path("error").path("message").asText()).as("reply %d", id)
                .contains(EndpointServer.MAX_COMMANDS_IN_FLIGHT + " commands of this client already wait");
            limited++;
          } else if (i % 2 == 0) {
            assertThat(m.path("result").path("result").path("value").asInt()).as("reply %d", id).isEqualTo(i);
          } else {
            assertThat(m.path("error").path("message").asText()).contains("Tracing.start is not allowed");
          }
          answered.add(id);
        }
      }
      if (!client.closeCode.isDone()) {
        assertThat(answered).as("replies within 60 s, each once (%d refused at the in-flight limit)", limited).hasSize(n);
      }
    }
  }
}
