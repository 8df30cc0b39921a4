package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
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
    assertThat(rawText(read.command().params())).isEqualTo("{\"url\":\"about:blank\"}");
  }

  /** The client's params text that a raw params node carries to the pipe; fails for a tree. */
  private static String rawText(JsonNode params) {
    assertThat(params).isInstanceOf(POJONode.class);
    return (String) ((RawValue) ((POJONode) params).getPojo()).rawValue();
  }

  @Test
  void thePageMethodsParamsStayTheClientsTextAndOnlyTheMethodsTheFilterReadsGetATree() {
    String text = "{ \"sessionId\" : \"S1\", \"method\":\"Runtime.evaluate\",\"id\":3,"
        + "\"params\" : {\"expression\" : \"'}'\", \"x\":[{}, \"\\u0000\"]} , \"extra\":{\"a\":[1]} }";
    ClientMessages.Command c = ClientMessages.read(text, MINE).command();
    assertThat(c.id()).isEqualTo(3);
    assertThat(c.method()).isEqualTo("Runtime.evaluate");
    assertThat(rawText(c.params())).isEqualTo("{\"expression\" : \"'}'\", \"x\":[{}, \"\\u0000\"]}");
    assertThat(rawText(ClientMessages.read("{\"id\":1,\"method\":\"Browser.getVersion\"}", MINE).command().params()))
        .as("no params").isEqualTo("{}");

    for (String method : new String[] {"Target.createTarget", "Target.attachToTarget", "Storage.getCookies",
        "Browser.setDownloadBehavior", "Target.getBrowserContexts", "Foo.bar", "Browser.close"}) {
      JsonNode params = ClientMessages.read("{\"id\":1,\"method\":\"" + method + "\",\"params\":{\"a\":1}}", MINE)
          .command().params();
      assertThat(params).as(method).isInstanceOf(ObjectNode.class);
      assertThat(params.get("a").asInt()).as(method).isEqualTo(1);
    }
  }

  @Test
  void aFrameOutsideTheCommonShapeIsReadAsATreeAsBeforeWhereTheLastDuplicateWins() {
    // A page method first and a refused one last: the tree's reading (the last) decides, never the first.
    ClientMessages.Command dup = ClientMessages.read("{\"id\":1,\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\","
        + "\"method\":\"Target.exposeDevToolsProtocol\",\"params\":{\"targetId\":\"T\"}}", MINE).command();
    assertThat(dup.method()).isEqualTo("Target.exposeDevToolsProtocol");
    assertThat(dup.params()).isInstanceOf(ObjectNode.class);
    ClientMessages.Command twoParams = ClientMessages.read("{\"id\":1,\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\","
        + "\"params\":{\"expression\":\"1\"},\"params\":{\"expression\":\"2\"}}", MINE).command();
    assertThat(twoParams.params().get("expression").asText()).isEqualTo("2");
    ClientMessages.Command twoIds = ClientMessages.read("{\"id\":1,\"id\":2,\"method\":\"Runtime.evaluate\","
        + "\"sessionId\":\"S1\"}", MINE).command();
    assertThat(twoIds.id()).isEqualTo(2);
    ClientMessages.Command numberSession = ClientMessages.read("{\"id\":1,\"method\":\"Runtime.evaluate\","
        + "\"sessionId\":5}", Set.of("5")::contains).command();
    assertThat(numberSession.sessionId()).isEqualTo("5");
    assertThat(numberSession.params()).isInstanceOf(ObjectNode.class);
    // Trailing text after the object: Jackson's tree reading ignores it, as it did before the scan.
    ClientMessages.Command trailing = ClientMessages.read("{\"id\":1,\"method\":\"Runtime.evaluate\","
        + "\"sessionId\":\"S1\"} trailing", MINE).command();
    assertThat(trailing.params()).isInstanceOf(ObjectNode.class);
    assertThat(refusal("{\"id\":1,\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\",\"params\":{\"a\":tru}}"))
        .isEqualTo(ClientMessages.NOT_JSON);
    assertThat(refusal("{\"id\":1,\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\",\"params\":{\"a\":\"\u0000\"}}"))
        .as("a raw NUL inside a string is not JSON").isEqualTo(ClientMessages.NOT_JSON);
    assertThat(refusal("{\"id\":5,\"sessionId\":\"OTHER\",\"method\":\"Runtime.evaluate\",\"params\":{}}"))
        .isEqualTo("{\"id\":5,\"error\":{\"code\":-32001,\"message\":\"Session with given id not found.\"},"
            + "\"sessionId\":\"OTHER\"}");
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
