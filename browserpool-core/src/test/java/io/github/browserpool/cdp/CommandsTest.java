package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Calls that complete a future, and how their failures map to this package's exceptions. */
class CommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConnectionParts parts = new ConnectionParts();
  private final Commands commands = parts.commands;

  @Test
  void theCommandGoesOutWithIdSessionMethodAndParamsInThatOrder() {
    commands.call("S1", "Runtime.evaluate", JSON.createObjectNode().put("expression", "1"));
    commands.call(null, "Browser.getVersion", null);
    assertThat(parts.sent()).containsExactly(
        "{\"id\":1,\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"1\"}}",
        "{\"id\":2,\"method\":\"Browser.getVersion\"}");
  }

  @Test
  void theResultCompletesTheFutureAfterTheReaderThreadHookSawIt() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CompletableFuture<JsonNode> call = commands.call(null, "Target.createTarget", null,
        result -> order.add("hook " + result), FrameWriter.NO_LIMIT);
    call.thenAccept(result -> order.add("future " + result));
    CompletableFuture<JsonNode> empty = commands.call(null, "Page.enable", null);

    parts.router.route("{\"id\":1,\"result\":{\"targetId\":\"T1\"}}");
    parts.router.route("{\"id\":2}");

    assertThat(order).containsExactly("hook {\"targetId\":\"T1\"}", "future {\"targetId\":\"T1\"}");
    assertThat(empty.get()).isEqualTo(JSON.createObjectNode());
  }

  @Test
  void anErrorReplyFailsWithChromiumsCodeMessageAndData() {
    CompletableFuture<JsonNode> call = commands.call(null, "Page.navigate", null);
    parts.router.route("{\"id\":1,\"error\":{\"code\":-32000,\"message\":\"Cannot navigate\",\"data\":\"bad url\"}}");
    assertThatThrownBy(call::join).cause()
        .isExactlyInstanceOf(CdpException.class)
        .hasMessage("[parts] Page.navigate failed: Cannot navigate: bad url (code -32000)")
        .satisfies(e -> assertThat(((CdpException) e).code()).isEqualTo(-32000));
  }

  @Test
  void aCallCutOffFailsWithTheTypeOfItsCodeAndNamesTheMethod() {
    CompletableFuture<JsonNode> inSession = commands.call("S1", "Runtime.evaluate", null);
    CompletableFuture<JsonNode> browserLevel = commands.call(null, "Browser.getVersion", null);

    parts.pending.failSession("S1", CdpSessionClosedException.CODE, "S1 is gone");
    parts.pending.failAll(CdpConnectionClosedException.CODE, "closed");

    assertThatThrownBy(inSession::join).cause()
        .isExactlyInstanceOf(CdpSessionClosedException.class)
        .hasMessage("S1 is gone (while waiting for Runtime.evaluate)");
    assertThatThrownBy(browserLevel::join).cause()
        .isExactlyInstanceOf(CdpConnectionClosedException.class)
        .hasMessage("closed (while waiting for Browser.getVersion)");
  }

  @Test
  void aCallOnAClosedConnectionFailsAtOnceSendsNothingAndIsNoBusySkip() {
    parts.state.close("closed by the client");
    CompletableFuture<JsonNode> call = commands.call(null, "Browser.getVersion", null);
    CompletableFuture<JsonNode> quiet = commands.sendQuietly("Target.closeTarget", null);

    assertThatThrownBy(call::join).cause()
        .isExactlyInstanceOf(CdpConnectionClosedException.class)
        .hasMessage("[parts] CDP connection closed: closed by the client");
    assertThat(quiet).isCompletedExceptionally();
    assertThat(commands.busySkips()).isZero();
    assertThat(parts.sent()).isEmpty();
    assertThat(parts.pending.size()).isZero();
  }

  @Test
  void rethrownKeepsTheTypeAndTheCode() {
    assertThat(commands.rethrown(new CdpSessionClosedException("gone")))
        .isExactlyInstanceOf(CdpSessionClosedException.class).hasMessage("gone");
    assertThat(commands.rethrown(new CdpConnectionClosedException("closed")))
        .isExactlyInstanceOf(CdpConnectionClosedException.class).hasMessage("closed");
    assertThat(commands.rethrown(new CdpException(-32602, "no target")))
        .isExactlyInstanceOf(CdpException.class)
        .satisfies(e -> assertThat(((CdpException) e).code()).isEqualTo(-32602));
    assertThat(commands.rethrown(new IllegalStateException("bug")))
        .isExactlyInstanceOf(CdpException.class)
        .hasMessage("[parts] call failed: java.lang.IllegalStateException: bug");
  }
}
