package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** What a relay reads from its client and writes back, without a browser or a socket. */
class ClientMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Predicate<String> MINE = Set.of("S1")::contains;

  private static String refusal(String text) {
    ClientMessages.Read read = ClientMessages.read(text, MINE);
    assertThat(read.command()).as(text).isNull();
    return read.reply();
  }

  @Test
  void aWellFormedCommandIsReadWithItsIdSessionMethodAndParams() {
    ClientMessages.Read read = ClientMessages.read(
        "{\"id\":7,\"sessionId\":\"S1\",\"method\":\"Page.navigate\",\"params\":{\"url\":\"about:blank\"}}", MINE);

    assertThat(read.reply()).isNull();
    assertThat(read.command().id()).isEqualTo(7);
    assertThat(read.command().sessionId()).isEqualTo("S1");
    assertThat(read.command().method()).isEqualTo("Page.navigate");
    assertThat(read.command().params().toString()).isEqualTo("{\"url\":\"about:blank\"}");
  }

  @Test
  void noParamsOrNullParamsAndANullSessionReadAsEmptyParamsOnTheRoot() {
    for (String text : new String[] {"{\"id\":1,\"method\":\"Target.getTargets\"}",
        "{\"id\":1,\"method\":\"Target.getTargets\",\"params\":null,\"sessionId\":null}"}) {
      ClientMessages.Command c = ClientMessages.read(text, MINE).command();
      assertThat(c.sessionId()).as(text).isNull();
      assertThat(c.params().isEmpty()).as(text).isTrue();
    }
  }

  @Test
  void badFramesGetChromiumsErrorsInChromiumsOrder() {
    assertThat(refusal("not json {")).isEqualTo(ClientMessages.NOT_JSON);
    assertThat(refusal("[1]")).isEqualTo(ClientMessages.NO_ID);
    assertThat(refusal("{\"id\":1.5,\"method\":\"x\"}")).isEqualTo(ClientMessages.NO_ID);
    assertThat(refusal("{\"id\":99999999999999999999,\"method\":\"x\"}")).isEqualTo(ClientMessages.NO_ID);
    // An unknown session is reported before a missing method.
    assertThat(refusal("{\"id\":2,\"sessionId\":\"OTHER\"}"))
        .isEqualTo("{\"id\":2,\"error\":{\"code\":-32001,\"message\":\"Session with given id not found.\"},"
            + "\"sessionId\":\"OTHER\"}");
    assertThat(refusal("{\"id\":3,\"method\":5}"))
        .isEqualTo("{\"id\":3,\"error\":{\"code\":-32600,\"message\":\"Message must have string 'method' property\"}}");
    assertThat(refusal("{\"id\":4,\"sessionId\":\"S1\",\"method\":\"x\",\"params\":[1]}"))
        .isEqualTo("{\"id\":4,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters: params must be an object\"},"
            + "\"sessionId\":\"S1\"}");
  }

  @Test
  void resultRepliesCarryTheSessionOnlyWhenThereIsOne() {
    assertThat(ClientMessages.result(5, null, JSON.createObjectNode())).isEqualTo("{\"id\":5,\"result\":{}}");
    assertThat(ClientMessages.result(5, "S1", JSON.createObjectNode().put("a", 1)))
        .isEqualTo("{\"id\":5,\"result\":{\"a\":1},\"sessionId\":\"S1\"}");
  }

  @Test
  void theRootSessionsIdIsStrippedAndNoOtherOne() {
    String onRoot = "{\"method\":\"Target.targetCreated\",\"params\":{},\"sessionId\":\"ROOT\"}";
    assertThat(ClientMessages.forClient(onRoot, "ROOT", "ROOT", "[p] "))
        .isEqualTo("{\"method\":\"Target.targetCreated\",\"params\":{}}");
    String idNotLast = "{\"sessionId\":\"ROOT\",\"id\":3,\"result\":{}}";
    assertThat(ClientMessages.forClient(idNotLast, "ROOT", "ROOT", "[p] ")).isEqualTo("{\"id\":3,\"result\":{}}");
    String onChild = "{\"method\":\"Page.loadEventFired\",\"sessionId\":\"S1\"}";
    assertThat(ClientMessages.forClient(onChild, "S1", "ROOT", "[p] ")).isSameAs(onChild);
    assertThat(ClientMessages.forClient(onRoot, "ROOT", null, "[p] ")).as("before the root is known").isSameAs(onRoot);
  }

  @Test
  void getTargetsRepliesKeepOnlyTheLeasesTargets() {
    ScopeFilter filter = new ScopeFilter("CTX", true, null);
    String reply = "{\"id\":9,\"result\":{\"targetInfos\":[{\"targetId\":\"A\",\"browserContextId\":\"CTX\"},"
        + "{\"targetId\":\"B\",\"browserContextId\":\"OTHER\"}]},\"sessionId\":\"ROOT\"}";

    assertThat(ClientMessages.filteredTargets(reply, "ROOT", "ROOT", filter, "[p] "))
        .isEqualTo("{\"id\":9,\"result\":{\"targetInfos\":[{\"targetId\":\"A\",\"browserContextId\":\"CTX\"}]}}");
    String error = "{\"id\":9,\"error\":{\"code\":-1,\"message\":\"m\"},\"sessionId\":\"ROOT\"}";
    assertThat(ClientMessages.filteredTargets(error, "ROOT", "ROOT", filter, "[p] "))
        .isEqualTo("{\"id\":9,\"error\":{\"code\":-1,\"message\":\"m\"}}");
  }

  @Test
  void theCreatedTargetIsReadFromItsReply() {
    assertThat(ClientMessages.createdTargetId("{\"id\":1,\"result\":{\"targetId\":\"T\"}}", "[p] ")).isEqualTo("T");
    assertThat(ClientMessages.createdTargetId("{\"id\":1,\"error\":{}}", "[p] ")).isNull();
    assertThat(ClientMessages.createdTargetId("{", "[p] ")).isNull();
  }

  @Test
  void closeReasonsFitA123ByteFrame() {
    assertThat(ClientMessages.closeReason("client gone")).isEqualTo("client gone");
    assertThat(ClientMessages.closeReason("x".repeat(123))).isEqualTo("x".repeat(123));
    assertThat(ClientMessages.closeReason("x".repeat(124))).isEqualTo("x".repeat(120) + "...");
    String cut = ClientMessages.closeReason("é".repeat(100)); // 2 bytes each
    assertThat(cut).isEqualTo("é".repeat(60) + "...");
  }
}
