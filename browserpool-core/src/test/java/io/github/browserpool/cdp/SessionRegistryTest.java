package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The lifecycle of sessions: attached, then gone for the first reason, with their calls. */
class SessionRegistryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConnectionParts parts = new ConnectionParts();
  private final SessionRegistry sessions = parts.sessions;

  @Test
  void aGoneSessionFailsItsCallsIsForgottenAndKeepsItsFirstReason() {
    CdpSession session = parts.session("S1", "T1");
    RecordingCall inS1 = new RecordingCall("S1");
    RecordingCall elsewhere = new RecordingCall("S2");
    parts.pending.register(inS1);
    parts.pending.register(elsewhere);
    assertThat(sessions.get("S1")).isSameAs(session);

    sessions.gone(session, "first reason", false);
    sessions.gone(session, "second reason", true);

    assertThat(inS1.ends).containsExactly(
        "fail " + CdpSessionClosedException.CODE + " [parts] CDP session S1 (target T1) is gone: first reason");
    assertThat(elsewhere.ends).isEmpty();
    assertThat(sessions.get("S1")).isNull();
    assertThat(session.goneException()).isExactlyInstanceOf(CdpSessionClosedException.class)
        .hasMessageContaining("first reason");
  }

  @Test
  void whenTheConnectionClosesEverySessionIsGoneWithTheConnectionsCode() {
    CdpSession one = parts.session("S1", "T1");
    CdpSession two = parts.session("S2", "T2");
    RecordingCall inTwo = new RecordingCall("S2");
    parts.pending.register(inTwo);

    sessions.allGone("end-of-file");

    assertThat(one.closed()).isTrue();
    assertThat(two.goneException()).isExactlyInstanceOf(CdpConnectionClosedException.class)
        .hasMessageContaining("the browser connection closed: end-of-file");
    assertThat(inTwo.ends).containsExactly("fail " + CdpConnectionClosedException.CODE
        + " [parts] CDP session S2 (target T2) is gone: the browser connection closed: end-of-file");
  }

  @Test
  void aSessionAddedAfterTheConnectionClosedIsGoneAtOnce() {
    parts.state.close("closed by the client");
    CdpSession late = parts.session("S1", "T1");
    assertThat(late.closed()).isTrue();
    assertThat(late.goneException()).isExactlyInstanceOf(CdpConnectionClosedException.class);
    assertThat(sessions.get("S1")).isNull();
  }

  @Test
  void closeTargetQuietlySendsCloseTargetWhileOpenAndNothingOnceClosed() throws Exception {
    CdpSession session = parts.session("S1", "T1");
    sessions.closeTargetQuietly(session);
    JsonNode sent = JSON.readTree(parts.sent().get(0));
    assertThat(sent.get("method").asText()).isEqualTo("Target.closeTarget");
    assertThat(sent.get("params").get("targetId").asText()).isEqualTo("T1");
    assertThat(sent.has("sessionId")).isFalse();

    parts.state.close("closed by the client");
    sessions.closeTargetQuietly(session);
    assertThat(parts.sent()).hasSize(1);
  }

  @Test
  void anAttachReplyWithoutASessionIdFailsTheAttach() throws Exception {
    CompletableFuture<CdpSession> attach =
        CompletableFuture.supplyAsync(() -> sessions.attach("T1", Duration.ofSeconds(5)));
    await().atMost(Duration.ofSeconds(5)).until(() -> parts.sent().size() == 1);
    JsonNode command = JSON.readTree(parts.sent().get(0));
    assertThat(command.get("method").asText()).isEqualTo("Target.attachToTarget");
    assertThat(command.get("params").get("flatten").asBoolean()).isTrue();

    parts.router.route("{\"id\":" + command.get("id") + ",\"result\":{}}");

    assertThatThrownBy(() -> attach.get(5, SECONDS)).cause()
        .isExactlyInstanceOf(CdpException.class)
        .hasMessage("[parts] Target.attachToTarget(T1) replied without a sessionId");
  }

  @Test
  void anAttachReplyRegistersTheSessionBeforeTheCallerSeesIt() throws Exception {
    CompletableFuture<CdpSession> attach =
        CompletableFuture.supplyAsync(() -> sessions.attach("T1", Duration.ofSeconds(5)));
    await().atMost(Duration.ofSeconds(5)).until(() -> parts.sent().size() == 1);
    JsonNode command = JSON.readTree(parts.sent().get(0));

    parts.router.route("{\"id\":" + command.get("id") + ",\"result\":{\"sessionId\":\"S9\"}}");
    assertThat(sessions.get("S9")).as("routed as soon as the reply is read").isNotNull();

    CdpSession session = attach.get(5, SECONDS);
    assertThat(session).isSameAs(sessions.get("S9"));
    assertThat(session.targetId()).isEqualTo("T1");
  }
}
