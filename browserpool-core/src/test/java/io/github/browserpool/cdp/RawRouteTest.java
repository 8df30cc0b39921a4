package io.github.browserpool.cdp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The raw routes the CDP endpoint relays through, against a scripted fake browser. */
class RawRouteTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeBrowser browser = new FakeBrowser();
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final RawRoute route = browser.connection.openRawRoute(new RawRoute.Listener() {
    @Override
    public void message(String text, String sessionId, String method) {
      messages.add(sessionId + " " + method + " " + text);
    }

    @Override
    public void closed(String reason) {
      closed.complete(reason);
    }
  });

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  private String attach() throws Exception {
    CompletableFuture<String> session = route.attachToBrowserTarget();
    JsonNode command = browser.next();
    assertThat(command.get("method").asText()).isEqualTo("Target.attachToBrowserTarget");
    browser.reply(command, "{\"sessionId\":\"S1\"}");
    assertThat(session.get(5, SECONDS)).isEqualTo("S1");
    return "S1";
  }

  @Test
  void repliesComeBackWithTheCallersIdAndEventsBySession() throws Exception {
    String s1 = attach();
    assertThat(route.hasSession(s1)).isTrue();

    long clientId = 9_000_000_000L; // beyond int32: must never reach the pipe
    route.send(clientId, s1, "Runtime.evaluate", JSON.createObjectNode().put("expression", "1"));
    JsonNode wire = browser.next();
    assertThat(wire.get("id").isInt()).as("wire id within int32: %s", wire).isTrue();
    assertThat(wire.get("id").asLong()).isNotEqualTo(clientId);
    assertThat(wire.get("sessionId").asText()).isEqualTo(s1);
    browser.send("{\"id\":" + wire.get("id").asInt() + ",\"result\":{\"v\":2},\"sessionId\":\"S1\"}");
    assertThat(messages.poll(5, SECONDS))
        .isEqualTo("S1 null {\"id\":9000000000,\"result\":{\"v\":2},\"sessionId\":\"S1\"}");

    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"S1\"}");
    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"OTHER\"}");
    route.addSession("CHILD");
    browser.send("{\"method\":\"Runtime.consoleAPICalled\",\"params\":{},\"sessionId\":\"CHILD\"}");
    assertThat(messages.poll(5, SECONDS)).startsWith("S1 Page.loadEventFired ");
    assertThat(messages.poll(5, SECONDS)).as("OTHER is not routed here").startsWith("CHILD Runtime.consoleAPICalled ");

    route.removeSession("CHILD");
    browser.send("{\"method\":\"Runtime.consoleAPICalled\",\"params\":{},\"sessionId\":\"CHILD\"}");
    browser.send("{\"method\":\"Page.frameNavigated\",\"params\":{},\"sessionId\":\"S1\"}");
    assertThat(messages.poll(5, SECONDS)).startsWith("S1 Page.frameNavigated ");
  }

  @Test
  void rawParamsGoToThePipeAsTheyCameAndTreeParamsAsJacksonWritesThem() throws Exception {
    String s1 = attach();
    String raw = "{ \"expression\" : \"'a\\u0000b'\", \"returnByValue\":true }";
    route.send(4, s1, "Runtime.evaluate", JsonNodeFactory.instance.rawValueNode(new RawValue(raw)));
    String wire = browser.nextText();
    int id = JSON.readTree(wire).get("id").asInt();
    assertThat(wire).isEqualTo("{\"id\":" + id + ",\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\",\"params\":"
        + raw + "}");

    route.send(5, s1, "Target.getTargets", JSON.createObjectNode().put("q", "\"quoted\"\u0001"));
    String tree = browser.nextText();
    assertThat(JSON.readTree(tree).get("params").get("q").asText()).isEqualTo("\"quoted\"\u0001");
    assertThat(tree).endsWith(",\"params\":{\"q\":\"\\\"quoted\\\"\\u0001\"}}");
    assertThat(RawRoutes.message(7, "S\"1", "M", null)).isEqualTo("{\"id\":7,\"sessionId\":\"S\\\"1\",\"method\":\"M\"}");
  }

  @Test
  void sendWhileOpenWritesUntilTheRouteClosesAndLeavesNothingPendingAfter() throws Exception {
    String s1 = attach();
    java.util.List<String> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
    long deadline = System.nanoTime() + SECONDS.toNanos(5);
    assertThat(route.sendWhileOpen(3, s1, "Runtime.evaluate", JSON.createObjectNode().put("expression", "1"),
        replies::add, deadline)).isTrue();
    JsonNode wire = browser.next();
    browser.send("{\"id\":" + wire.get("id").asInt() + ",\"result\":{},\"sessionId\":\"S1\"}");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> replies.size() == 1);
    assertThat(replies.get(0)).startsWith("{\"id\":3,");

    int before = browser.connection.pendingCalls();
    route.close();
    assertThat(route.sendWhileOpen(4, s1, "Runtime.evaluate", JSON.createObjectNode().put("expression", "2"),
        replies::add, deadline)).as("closed: not written").isFalse();
    assertThat(browser.connection.pendingCalls()).as("no call left waiting").isEqualTo(before);
  }

  @Test
  void aCallInFlightIsDroppedAndTheRouteEndsWhenThePipeCloses() throws Exception {
    String s1 = attach();
    route.send(7, s1, "Page.navigate", JSON.createObjectNode().put("url", "about:blank"));
    browser.next();
    browser.endOfFile();
    assertThat(closed.get(5, SECONDS)).contains("connection closed");
    assertThat(route.isClosed()).isTrue();
    // The route was closed first, so the made-up reply is not delivered to a relay that is gone.
    assertThat(messages.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void theRouteEndsWhenItsSessionIsDetached() throws Exception {
    String s1 = attach();
    browser.send("{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"" + s1 + "\"}}");
    assertThat(closed.get(5, SECONDS)).contains("detached");
    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"S1\"}");
    assertThat(messages.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
  }
}
