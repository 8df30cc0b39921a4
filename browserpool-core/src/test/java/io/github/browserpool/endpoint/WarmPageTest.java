package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.cdp.PipeConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link WarmPage} on no browser: when it serves, what it sends in which order, and that it serves once. */
class WarmPageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A lease with a prepared page P (tab T) in context CTX, that the typed API may take first. */
  private static final class Scope implements LeaseScope {
    final AtomicReference<String> poolSession = new AtomicReference<>("POOL");

    @Override public PipeConnection connection() { return null; }
    @Override public String browserContextId() { return "CTX"; }
    @Override public String hiddenTargetId() { return null; }
    @Override public void touch() { }
    @Override public boolean isActive() { return true; }
    @Override public String describe() { return "lease #1"; }
    @Override public String logPrefix() { return "[test] "; }
    @Override public void onRelease(Runnable hook) { }
    @Override public String preparedTargetId() { return poolSession.get() == null ? null : "P"; }
    @Override public String preparedTabId() { return "T"; }
    @Override public String takePreparedPage() { return poolSession.getAndSet(null); }
  }

  /** Records what the served client gets and what goes to the pipe; answers each command at once. */
  private static final class Relay implements WarmPage.Relay {
    final List<String> log = new ArrayList<>();
    boolean detachFails;
    WarmPage.Client client;

    @Override public String rootSession() { return "ROOT"; }

    @Override
    public void call(long replyId, String method, ObjectNode params, Consumer<String> onReply) {
      log.add("pipe " + method + " " + params.path("targetId").asText(""));
      if ("Target.attachToTarget".equals(method)) {
        // Chromium's own events for the attach, as the reader thread would hand them to the relay
        String info = "{\"targetId\":\"" + params.path("targetId").asText() + "\",\"url\":\"about:blank\"}";
        String changed = client.rewrite("{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":" + info + "}}",
            "ROOT", "Target.targetInfoChanged");
        if (changed != null) {
          log.add("client " + changed);
        }
        log.add("client " + client.rewrite("{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"S\","
            + "\"targetInfo\":" + info + ",\"waitingForDebugger\":false}}", "ROOT", "Target.attachedToTarget"));
      }
      onReply.accept("{\"id\":" + replyId + ",\"result\":{\"targetId\":\"REAL\"}}");
    }

    @Override
    public void detachPoolSession(String sessionId, Consumer<Boolean> then) {
      log.add("pipe detach " + sessionId);
      then.accept(!detachFails);
    }

    @Override public void toClient(String text) { log.add("client " + text); }
    @Override public void created(String replyText) { log.add("reply " + replyText); }
  }

  private final Scope scope = new Scope();
  private final WarmPage warm = new WarmPage(scope);

  private Relay relay() {
    Relay relay = new Relay();
    relay.client = warm.client(relay);
    return relay;
  }

  private static ObjectNode params(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> methods(List<String> log) {
    List<String> out = new ArrayList<>();
    for (String line : log) {
      if (line.startsWith("client ")) {
        JsonNode m;
        try {
          m = JSON.readTree(line.substring(7));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        JsonNode info = m.path("params").path("targetInfo");
        out.add(m.path("method").asText() + " " + info.path("targetId").asText() + " url=" + info.path("url").asText()
            + " attached=" + info.path("attached").asText()
            + (m.path("params").has("waitingForDebugger") ? " waiting=" + m.path("params").path("waitingForDebugger") : ""));
      } else {
        out.add(line);
      }
    }
    return out;
  }

  @Test
  void aPlaywrightClientGetsTheNewPageEventsInChromiumsOrder() {
    Relay relay = relay();
    relay.client.noted("Target.setDiscoverTargets", params("{\"discover\":true}"));
    relay.client.noted("Target.setAutoAttach", params("{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,\"flatten\":true}"));
    assertThat(warm.hides("P")).isTrue();
    assertThat(warm.hides("T")).isTrue();
    assertThat(relay.client.serve(5, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isTrue();
    assertThat(methods(relay.log)).containsExactly(
        "pipe detach POOL",
        "Target.targetCreated P url= attached=false",
        "Target.targetInfoChanged P url= attached=true",
        "pipe Target.attachToTarget P",
        "Target.attachedToTarget P url= attached=true waiting=true",
        "reply {\"id\":5,\"result\":{\"targetId\":\"P\"}}",
        "Target.targetInfoChanged P url=about:blank attached=true");
    assertThat(warm.hides("P")).as("served: it shows as the lease's pages do").isFalse();
    assertThat(relay.client.serve(6, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}")))
        .as("the second page is a real one").isFalse();
  }

  @Test
  void aPuppeteerClientGetsTheTabAttachedAndThePageDiscovered() {
    Relay relay = relay();
    relay.client.noted("Target.setDiscoverTargets", params("{\"discover\":true,\"filter\":[{}]}"));
    relay.client.noted("Target.setAutoAttach", params("{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,"
        + "\"flatten\":true,\"filter\":[{\"type\":\"page\",\"exclude\":true},{}]}"));
    assertThat(relay.client.serve(9, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isTrue();
    assertThat(methods(relay.log)).containsExactly(
        "pipe detach POOL",
        "Target.targetCreated T url= attached=false",
        "Target.targetInfoChanged T url= attached=true",
        "pipe Target.attachToTarget T",
        "Target.attachedToTarget T url= attached=true waiting=true",
        "Target.targetCreated P url= attached=false",
        "reply {\"id\":9,\"result\":{\"targetId\":\"P\"}}",
        "Target.targetInfoChanged P url=about:blank attached=false");
  }

  @Test
  void aPlainClientGetsOnlyTheReply() {
    Relay relay = relay();
    assertThat(relay.client.serve(1, params("{\"url\":\"\",\"browserContextId\":\"CTX\",\"newWindow\":false}"))).isTrue();
    assertThat(methods(relay.log)).containsExactly("pipe detach POOL", "reply {\"id\":1,\"result\":{\"targetId\":\"P\"}}");
  }

  @Test
  void onlyABlankPageInTheLeasesContextIsServed() {
    Relay relay = relay();
    for (String asked : List.of("{\"url\":\"https://example.com/\",\"browserContextId\":\"CTX\"}",
        "{\"url\":\"about:blank\",\"browserContextId\":\"OTHER\"}",
        "{\"url\":\"about:blank\",\"browserContextId\":\"CTX\",\"newWindow\":true}",
        "{\"url\":\"about:blank\",\"browserContextId\":\"CTX\",\"background\":true}",
        "{\"url\":\"about:blank\",\"browserContextId\":\"CTX\",\"width\":800}",
        "{\"url\":\"about:blank\",\"browserContextId\":\"CTX\",\"forTab\":true}")) {
      assertThat(relay.client.serve(1, params(asked))).as(asked).isFalse();
    }
    relay.client.noted("Target.setAutoAttach", params("{\"autoAttach\":true,\"flatten\":false}"));
    assertThat(relay.client.serve(1, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}")))
        .as("auto-attach without flatten").isFalse();
    relay.client.noted("Target.setAutoAttach", params("{\"autoAttach\":true,\"flatten\":true,\"filter\":[{}]}"));
    assertThat(relay.client.serve(1, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}")))
        .as("tabs and pages both auto-attached").isFalse();
    assertThat(relay.log).isEmpty();
    assertThat(warm.hides("P")).isTrue();
  }

  @Test
  void onePageIsServedOnceAcrossClientsAndNeverAfterTheTypedApiTookIt() {
    Relay first = relay();
    Relay second = relay();
    assertThat(first.client.serve(1, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isTrue();
    assertThat(second.client.serve(1, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isFalse();

    Scope taken = new Scope();
    WarmPage other = new WarmPage(taken);
    taken.takePreparedPage(); // the lease's own newPage() came first
    assertThat(other.hides("P")).as("the lease's own page shows").isFalse();
    Relay late = new Relay();
    late.client = other.client(late);
    assertThat(late.client.serve(1, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isFalse();
  }

  @Test
  void anotherClientOfTheLeaseIsToldOfTheServedPageAsOfAnyNewTarget() {
    Relay served = relay();
    Relay other = relay();
    other.client.noted("Target.setDiscoverTargets", params("{\"discover\":true}"));
    other.client.noted("Target.setAutoAttach", params("{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,\"flatten\":true}"));
    Relay gone = relay();
    gone.client.noted("Target.setDiscoverTargets", params("{\"discover\":true}"));
    gone.client.gone();
    assertThat(served.client.serve(2, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isTrue();
    assertThat(methods(other.log)).containsExactly(
        "Target.targetCreated P url= attached=false",
        "Target.targetInfoChanged P url= attached=true",
        "pipe Target.attachToTarget P",
        "Target.attachedToTarget P url= attached=true waiting=true",
        "Target.targetInfoChanged P url=about:blank attached=true");
    assertThat(gone.log).as("a relay that ended hears nothing").isEmpty();
  }

  @Test
  void aPageThatWentMeanwhileIsReplacedByARealOne() {
    Relay relay = relay();
    relay.detachFails = true;
    assertThat(relay.client.serve(3, params("{\"url\":\"about:blank\",\"browserContextId\":\"CTX\"}"))).isTrue();
    assertThat(relay.log).containsExactly("pipe detach POOL", "pipe Target.createTarget ",
        "reply {\"id\":3,\"result\":{\"targetId\":\"REAL\"}}");
  }

  @Test
  void filtersDecideAsChromiumDoes() {
    assertThat(WarmPage.admits(null, "page")).isTrue();
    assertThat(WarmPage.admits(null, "tab")).isFalse();
    assertThat(WarmPage.admits(JSON.createArrayNode(), "page")).isFalse();
    assertThat(WarmPage.admits(params("{\"f\":[{\"type\":\"page\",\"exclude\":true},{}]}").get("f"), "page")).isFalse();
    assertThat(WarmPage.admits(params("{\"f\":[{\"type\":\"page\",\"exclude\":true},{}]}").get("f"), "tab")).isTrue();
  }
}
