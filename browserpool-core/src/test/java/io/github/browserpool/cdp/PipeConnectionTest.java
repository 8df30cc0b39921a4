package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpCallTimeoutException;
import io.github.browserpool.CdpException;
import static io.github.browserpool.cdp.FakeBrowser.indexOf;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipeConnectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicInteger activity = new AtomicInteger();
  private final FakeBrowser browser = new FakeBrowser("unit", activity::incrementAndGet);
  private final PipeConnection connection = browser.connection;

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  @Test
  void readsMessagesSplitAcrossReadsAndBatchedInOneRead() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    connection.addEventListener((method, params) -> events.add(method + " " + params));
    CompletableFuture<JsonNode> first = connection.send("Browser.getVersion", null);
    CompletableFuture<JsonNode> second = connection.send("Target.getTargets", null);
    int firstId = browser.next().get("id").asInt();
    int secondId = browser.next().get("id").asInt();

    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.write(FakeBrowser.frame("{\"id\":" + firstId + ",\"result\":{\"product\":\"Chr\u00f4me \uD83D\uDE80\"}}"));
    stream.write(FakeBrowser.frame("{\"method\":\"Target.targetCreated\",\"params\":{\"x\":1}}"));
    stream.write(FakeBrowser.frame("{\"id\":" + secondId + ",\"result\":{\"targetInfos\":[]}}"));
    byte[] all = stream.toByteArray();
    // Cut inside the multi-byte characters and right around the NULs, and hand over some parts at once.
    int accent = indexOf(all, (byte) 0xc3) + 1;
    int rocket = indexOf(all, (byte) 0xf0) + 2;
    int firstNul = indexOf(all, (byte) 0);
    int[] cuts = {0, 3, accent, rocket, firstNul, firstNul + 1, all.length - 2, all.length};
    for (int i = 0; i + 1 < cuts.length; i++) {
      byte[] part = java.util.Arrays.copyOfRange(all, cuts[i], cuts[i + 1]);
      browser.write(part);
    }

    assertThat(first.get(5, SECONDS).get("product").asText()).isEqualTo("Chr\u00f4me \uD83D\uDE80");
    assertThat(events.poll(5, SECONDS)).isEqualTo("Target.targetCreated {\"x\":1}");
    assertThat(second.get(5, SECONDS).get("targetInfos").isArray()).isTrue();
    // browser-level calls are the pool's own traffic, and events are nobody's activity
    assertThat(activity.get()).isZero();
  }

  @Test
  void splitsExactlyTheChunksEachReadReturns() throws Exception {
    // Every read returns exactly one of these chunks, so the cuts are where the test puts them.
    String one = "{\"id\":1,\"result\":{\"v\":\"\u00e9\u00e9\"}}";
    String two = "{\"id\":2,\"result\":{\"v\":2}}";
    String three = "{\"id\":3,\"result\":{\"v\":3}}";
    byte[] all = concat(FakeBrowser.frame(one), FakeBrowser.frame(two), FakeBrowser.frame(three));
    int accent = indexOf(all, (byte) 0xc3) + 1; // inside the first two-byte character
    int firstNul = indexOf(all, (byte) 0);
    List<byte[]> chunks =
        List.of(
            java.util.Arrays.copyOfRange(all, 0, accent),
            java.util.Arrays.copyOfRange(all, accent, firstNul), // up to, not including, the NUL
            java.util.Arrays.copyOfRange(all, firstNul, firstNul + 1), // the NUL alone
            java.util.Arrays.copyOfRange(all, firstNul + 1, all.length)); // two messages in one read
    PipeConnection scripted = new PipeConnection("chunks", new ChunkedInputStream(chunks), new ByteArrayOutputStream(), () -> {});
    CompletableFuture<JsonNode> first = scripted.send("A.a", null);
    CompletableFuture<JsonNode> second = scripted.send("B.b", null);
    CompletableFuture<JsonNode> third = scripted.send("C.c", null);
    scripted.start();
    assertThat(first.get(5, SECONDS).get("v").asText()).isEqualTo("\u00e9\u00e9");
    assertThat(second.get(5, SECONDS).get("v").asInt()).isEqualTo(2);
    assertThat(third.get(5, SECONDS).get("v").asInt()).isEqualTo(3);
    scripted.closedFuture().get(5, SECONDS); // the chunks ran out: end-of-file
  }

  @Test
  void readsAMessageLargerThanTheInitialBuffer() throws Exception {
    CompletableFuture<JsonNode> call = connection.send("Runtime.evaluate", null);
    JsonNode command = browser.next();
    String big = "x".repeat(300_000);
    browser.reply(command, "{\"value\":\"" + big + "\"}");
    assertThat(call.get(5, SECONDS).get("value").asText()).isEqualTo(big);
  }

  @Test
  void sendsBrowserLevelCommandsAndCompletesWithResult() throws Exception {
    CompletableFuture<JsonNode> call =
        connection.send("Target.createTarget", JSON.createObjectNode().put("url", "about:blank"));
    JsonNode command = browser.next();
    assertThat(command.get("method").asText()).isEqualTo("Target.createTarget");
    assertThat(command.get("params").get("url").asText()).isEqualTo("about:blank");
    assertThat(command.has("sessionId")).isFalse();
    browser.send("{\"id\":" + command.get("id") + "}"); // no result at all
    assertThat(call.get(5, SECONDS)).isEqualTo(JSON.createObjectNode());
  }

  @Test
  void errorReplyFailsTheCallWithCodeAndMessage() throws Exception {
    CompletableFuture<JsonNode> call = connection.send("Nope.nope", null);
    JsonNode command = browser.next();
    browser.send("{\"id\":" + command.get("id") + ",\"error\":{\"code\":-32601,\"message\":\"'Nope.nope' wasn't found\"}}");
    assertThatThrownBy(() -> call.get(5, SECONDS))
        .cause()
        .isExactlyInstanceOf(CdpException.class)
        .hasMessageContaining("Nope.nope failed: 'Nope.nope' wasn't found")
        .satisfies(e -> assertThat(((CdpException) e).code()).isEqualTo(-32601));
  }

  @Test
  void sessionMessageGetsSessionIdAndASmallWireIdAndItsReplyGetsCdtsIdBack() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);

    session.send("{\"id\":5000000000,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"1+1\"}}");
    String wire = browser.nextText();
    JsonNode command = JSON.readTree(wire);
    long wireId = command.get("id").asLong();
    assertThat(wireId).isBetween(1L, (long) Integer.MAX_VALUE);
    assertThat(wire).isEqualTo("{\"id\":" + wireId + ",\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\","
        + "\"params\":{\"expression\":\"1+1\"}}");

    browser.send("{\"id\":" + wireId + ",\"result\":{\"result\":{\"type\":\"number\",\"value\":2}},\"sessionId\":\"S1\"}");
    assertThat(toCdt.poll(5, SECONDS))
        .isEqualTo("{\"id\":5000000000,\"result\":{\"result\":{\"type\":\"number\",\"value\":2}},\"sessionId\":\"S1\"}");
  }

  @Test
  void sessionMessageNotShapedLikeCdtsIsRewrittenAsATree() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);

    session.send("{ \"method\":\"Page.enable\", \"id\": 7 }");
    JsonNode command = browser.next();
    assertThat(command.get("sessionId").asText()).isEqualTo("S1");
    assertThat(command.get("method").asText()).isEqualTo("Page.enable");
    browser.reply(command, "{}");
    assertThat(JSON.readTree(toCdt.poll(5, SECONDS)).get("id").asLong()).isEqualTo(7);
  }

  @Test
  void wireIdsWrapAroundWithinPositiveInts() throws Exception {
    connection.setNextIdForTest(Integer.MAX_VALUE);
    CompletableFuture<JsonNode> last = connection.send("A.a", null);
    CompletableFuture<JsonNode> wrapped = connection.send("B.b", null);
    JsonNode a = browser.next();
    JsonNode b = browser.next();
    assertThat(a.get("id").asLong()).isEqualTo(Integer.MAX_VALUE);
    assertThat(b.get("id").asLong()).isEqualTo(1);
    browser.reply(b, "{\"n\":\"b\"}");
    browser.reply(a, "{\"n\":\"a\"}");
    assertThat(wrapped.get(5, SECONDS).get("n").asText()).isEqualTo("b");
    assertThat(last.get(5, SECONDS).get("n").asText()).isEqualTo("a");
  }

  @Test
  void routesEventsBySessionId() throws Exception {
    CdpSession one = browser.attach("T1", "S1");
    CdpSession two = browser.attach("T2", "S2");
    BlockingQueue<String> toOne = new LinkedBlockingQueue<>();
    BlockingQueue<String> toTwo = new LinkedBlockingQueue<>();
    BlockingQueue<String> toBrowser = new LinkedBlockingQueue<>();
    one.addMessageHandler(toOne::add);
    two.addMessageHandler(toTwo::add);
    connection.addEventListener((method, params) -> toBrowser.add(method));

    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":2},\"sessionId\":\"S2\"}");
    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":1},\"sessionId\":\"S1\"}");
    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"unknown\"}");
    browser.send("{\"method\":\"Target.targetInfoChanged\",\"params\":{}}");

    assertThat(toBrowser.poll(5, SECONDS)).isEqualTo("Target.targetInfoChanged");
    assertThat(toOne).containsExactly("{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":1},\"sessionId\":\"S1\"}");
    assertThat(toTwo).containsExactly("{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":2},\"sessionId\":\"S2\"}");
    assertThat(toBrowser).isEmpty();
  }

  @Test
  void endOfFileFailsEveryCallInFlightAndEveryLaterCall() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    CompletableFuture<JsonNode> browserCall = connection.send("Browser.getVersion", null);
    CompletableFuture<JsonNode> rawSessionCall = connection.send("S1", "Runtime.evaluate", null);
    session.send("{\"id\":42,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    browser.next();
    browser.next();
    browser.next();

    browser.endOfFile();

    assertThatThrownBy(() -> browserCall.get(5, SECONDS))
        .cause()
        .isInstanceOf(CdpConnectionClosedException.class)
        .hasMessageContaining("end-of-file")
        .hasMessageContaining("Browser.getVersion");
    assertThatThrownBy(() -> rawSessionCall.get(5, SECONDS)).cause().isInstanceOf(CdpConnectionClosedException.class);
    JsonNode madeUp = JSON.readTree(toCdt.poll(5, SECONDS));
    assertThat(madeUp.get("id").asLong()).isEqualTo(42);
    assertThat(madeUp.get("error").get("code").asLong()).isEqualTo(CdpConnectionClosedException.CODE);
    assertThat(madeUp.get("error").get("message").asText()).contains("browser connection closed").contains("end-of-file");
    connection.closedFuture().get(5, SECONDS);
    assertThat(connection.isOpen()).isFalse();
    assertThat(session.closed()).isTrue();
    assertThat(connection.pendingCalls()).isZero();

    assertThatThrownBy(() -> session.send("{\"id\":43,\"method\":\"Runtime.evaluate\"}"))
        .isExactlyInstanceOf(CdpConnectionClosedException.class) // the whole browser, not just this page
        .hasMessageContaining("end-of-file")
        .satisfies(e -> assertThat(((CdpException) e).code()).isEqualTo(CdpConnectionClosedException.CODE));
    assertThat(connection.send("Browser.getVersion", null)).isCompletedExceptionally();
    assertThatThrownBy(() -> connection.attach("T2", Duration.ofSeconds(5))).isInstanceOf(CdpConnectionClosedException.class);
  }

  @Test
  void everyCallRacingCloseStillEnds() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    java.util.Set<Long> answeredCdtIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    session.addMessageHandler(text -> answeredCdtIds.add(readId(text)));
    java.util.Set<Long> thrownCdtIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<CompletableFuture<JsonNode>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger nextCdtId = new AtomicInteger();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> senders = new java.util.ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread sender =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < 300; i++) {
                  calls.add(connection.send("Browser.getVersion", null));
                  long cdtId = nextCdtId.incrementAndGet();
                  try {
                    session.send("{\"id\":" + cdtId + ",\"method\":\"Runtime.evaluate\"}");
                  } catch (CdpConnectionClosedException e) {
                    thrownCdtIds.add(cdtId);
                  }
                }
              });
      sender.start();
      senders.add(sender);
    }
    go.countDown();
    connection.close();
    for (Thread sender : senders) {
      sender.join(5_000);
    }

    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).handle((r, e) -> null).get(5, SECONDS);
    assertThat(calls).hasSize(2400).allMatch(CompletableFuture::isDone);
    for (long cdtId = 1; cdtId <= 2400; cdtId++) {
      assertThat(answeredCdtIds.contains(cdtId) || thrownCdtIds.contains(cdtId)).as("cdt call %d ended", cdtId).isTrue();
    }
    assertThat(connection.pendingCalls()).isZero();
  }

  private static long readId(String text) {
    try {
      return JSON.readTree(text).get("id").asLong();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void closeFailsEverythingAtOnceAndIsIdempotent() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    CompletableFuture<JsonNode> call = connection.send("Browser.getVersion", null);
    session.send("{\"id\":9,\"method\":\"Runtime.evaluate\",\"params\":{}}");

    connection.close();
    connection.close();

    assertThat(call).isCompletedExceptionally();
    assertThat(JSON.readTree(toCdt.poll()).get("id").asLong()).isEqualTo(9);
    assertThat(toCdt).isEmpty();
    assertThat(connection.closedFuture()).isDone();
    CompletableFuture<JsonNode> later = connection.send("Browser.getVersion", null);
    assertThat(later).isCompletedExceptionally();
    assertThatThrownBy(later::join).cause().isInstanceOf(CdpConnectionClosedException.class).hasMessageContaining("closed by the client");
    assertThatThrownBy(() -> session.send("{\"id\":10,\"method\":\"Runtime.evaluate\"}")).isInstanceOf(CdpConnectionClosedException.class);
  }

  @Test
  void detachedFromTargetFailsOnlyThatSession() throws Exception {
    CdpSession one = browser.attach("T1", "S1");
    CdpSession two = browser.attach("T2", "S2");
    BlockingQueue<String> toOne = new LinkedBlockingQueue<>();
    BlockingQueue<String> toTwo = new LinkedBlockingQueue<>();
    one.addMessageHandler(toOne::add);
    two.addMessageHandler(toTwo::add);
    one.send("{\"id\":100,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    CompletableFuture<JsonNode> rawOne = connection.send("S1", "Runtime.evaluate", null);
    two.send("{\"id\":101,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    browser.next();
    browser.next();
    JsonNode twoCommand = browser.next();

    browser.send("{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"S1\",\"targetId\":\"T1\"}}");

    JsonNode madeUp = JSON.readTree(toOne.poll(5, SECONDS));
    assertThat(madeUp.get("id").asLong()).isEqualTo(100);
    assertThat(madeUp.get("error").get("message").asText()).contains("detached").contains("S1");
    assertThat(madeUp.get("error").get("code").asLong()).isEqualTo(CdpSessionClosedException.CODE); // one page only
    assertThatThrownBy(() -> rawOne.get(5, SECONDS)).cause().isInstanceOf(CdpSessionClosedException.class);
    assertThat(one.closed()).isTrue();
    assertThatThrownBy(() -> one.send("{\"id\":102,\"method\":\"Runtime.evaluate\"}"))
        .isInstanceOf(CdpSessionClosedException.class)
        .hasMessageContaining("Target.detachedFromTarget");

    assertThat(two.closed()).isFalse();
    browser.reply(twoCommand, "{}");
    assertThat(JSON.readTree(toTwo.poll(5, SECONDS)).get("id").asLong()).isEqualTo(101);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void crashedTargetFailsItsSession() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    session.send("{\"id\":5,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    browser.next();

    browser.send("{\"method\":\"Inspector.targetCrashed\",\"params\":{},\"sessionId\":\"S1\"}");

    assertThat(toCdt.poll(5, SECONDS)).contains("Inspector.targetCrashed"); // cdt sees the event first
    JsonNode madeUp = JSON.readTree(toCdt.poll(5, SECONDS));
    assertThat(madeUp.get("id").asLong()).isEqualTo(5);
    assertThat(madeUp.get("error").get("message").asText()).contains("crashed");
    assertThat(session.closed()).isTrue();
  }

  @Test
  void sessionCloseFailsItsCallsAndClosesItsTarget() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    session.send("{\"id\":5,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    browser.next();

    session.close();
    session.close();

    assertThat(JSON.readTree(toCdt.poll()).get("error").get("message").asText()).contains("closed by the client");
    JsonNode closeTarget = browser.next();
    assertThat(closeTarget.get("method").asText()).isEqualTo("Target.closeTarget");
    assertThat(closeTarget.get("params").get("targetId").asText()).isEqualTo("T1");
    assertThat(closeTarget.has("sessionId")).isFalse();
    browser.send("{\"id\":" + closeTarget.get("id") + ",\"error\":{\"code\":-32602,\"message\":\"No target with given id found\"}}");
    assertThatThrownBy(() -> session.send("{\"id\":6,\"method\":\"Runtime.evaluate\"}")).isInstanceOf(CdpConnectionClosedException.class);
    // A browser-level round trip after the closeTarget: the second close sent nothing more.
    CompletableFuture<JsonNode> ping = connection.send("Browser.getVersion", null);
    JsonNode next = browser.next();
    assertThat(next.get("method").asText()).isEqualTo("Browser.getVersion");
    browser.reply(next, "{}");
    ping.get(5, SECONDS);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void attachFailsWithChromiumsErrorAndTimesOutWhenNoReplyComes() throws Exception {
    CompletableFuture<CdpSession> refused =
        CompletableFuture.supplyAsync(() -> connection.attach("nope", Duration.ofSeconds(5)));
    JsonNode command = browser.next();
    assertThat(command.get("params").get("flatten").asBoolean()).isTrue();
    browser.send("{\"id\":" + command.get("id") + ",\"error\":{\"code\":-32602,\"message\":\"No target with given id found\"}}");
    assertThatThrownBy(() -> refused.get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isExactlyInstanceOf(CdpException.class)
        .hasMessageContaining("No target with given id found");

    assertThatThrownBy(() -> connection.attach("slow", Duration.ofMillis(50)))
        .isExactlyInstanceOf(CdpException.class)
        .hasMessageContaining("no reply within");
    JsonNode slow = browser.next();
    browser.reply(slow, "{\"sessionId\":\"LATE\"}");
    JsonNode detach = browser.next(); // the late session is let go, not leaked
    assertThat(detach.get("method").asText()).isEqualTo("Target.detachFromTarget");
    assertThat(detach.get("params").get("sessionId").asText()).isEqualTo("LATE");
  }

  @Test
  void onlyTheSessionClientsCommandsAndTheirRepliesAreActivity() throws Exception {
    CdpSession session = browser.attach("T1", "S1"); // the pool's own browser-level round trip
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    assertThat(activity.get()).isZero();

    session.send("{\"id\":7,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    JsonNode command = browser.next();
    assertThat(activity.get()).as("the client's command").isEqualTo(1);

    // A chatty page: events on the session and at browser level, many of them.
    for (int i = 0; i < 50; i++) {
      browser.send("{\"method\":\"Runtime.consoleAPICalled\",\"params\":{\"type\":\"log\"},\"sessionId\":\"S1\"}");
      browser.send("{\"method\":\"Target.targetInfoChanged\",\"params\":{}}");
    }
    browser.reply(command, "{\"result\":{\"type\":\"number\",\"value\":2}}");
    String reply = null;
    while (reply == null || !reply.startsWith("{\"id\":7")) { // 50 events first, in order
      reply = toCdt.poll(5, SECONDS);
      assertThat(reply).as("the reply reached cdt").isNotNull();
    }
    assertThat(activity.get()).as("the command and its reply; no event").isEqualTo(2);

    // The pool's own traffic on the page (warming it up), and a made-up failure, are not activity.
    CompletableFuture<JsonNode> warm = connection.send("S1", "Runtime.evaluate", null);
    browser.reply(browser.next(), "{}");
    warm.get(5, SECONDS);
    session.send("{\"id\":8,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    browser.next();
    assertThat(activity.get()).isEqualTo(3);
    browser.send("{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"S1\",\"targetId\":\"T1\"}}");
    assertThat(toCdt.poll(5, SECONDS)).contains("\"id\":8").contains("error");
    assertThat(activity.get()).as("a made-up error reply is not activity").isEqualTo(3);
  }

  @Test
  void chromiumsOwnMinus32001IsNotMistakenForAClosedConnection() throws Exception {
    // Chromium answers a command for an unknown session with -32001; our made-up codes must differ.
    CompletableFuture<JsonNode> call = connection.send("GONE", "Runtime.evaluate", null);
    browser.send("{\"id\":" + browser.next().get("id") + ",\"error\":{\"code\":-32001,\"message\":"
        + "\"Session with given id not found.\"},\"sessionId\":\"GONE\"}");
    assertThatThrownBy(() -> call.get(5, SECONDS))
        .cause()
        .isExactlyInstanceOf(CdpException.class)
        .satisfies(e -> assertThat(((CdpException) e).code()).isEqualTo(-32001));
    assertThat(CdpConnectionClosedException.CODE).isNotEqualTo(-32001);
    assertThat(CdpSessionClosedException.CODE).isNotEqualTo(-32001);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aSessionCallWithoutReplyWithinItsTimeoutFailsClosesThePageAndIsForgotten() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    session.callTimeout(Duration.ofMillis(200));
    long start = System.nanoTime();
    session.send("{\"id\":9,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"while(true){}\"}}");
    JsonNode stuck = browser.next();
    session.send("{\"id\":10,\"method\":\"Page.enable\",\"params\":{}}"); // queued behind it
    browser.next();

    JsonNode timedOut = JSON.readTree(toCdt.poll(5, SECONDS));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(timedOut.get("id").asLong()).isEqualTo(9);
    assertThat(timedOut.get("error").get("code").asLong()).isEqualTo(CdpCallTimeoutException.CODE);
    assertThat(timedOut.get("error").get("message").asText())
        .contains("Runtime.evaluate").contains("no reply within PT0.2S").contains("T1");
    assertThat(tookMillis).isBetween(150L, 3000L);
    JsonNode other = JSON.readTree(toCdt.poll(5, SECONDS));
    assertThat(other.get("id").asLong()).isEqualTo(10);
    assertThat(other.get("error").get("code").asLong()).isEqualTo(CdpSessionClosedException.CODE);
    assertThat(session.closed()).isTrue();
    assertThatThrownBy(() -> session.send("{\"id\":11,\"method\":\"Runtime.evaluate\"}"))
        .isInstanceOf(CdpSessionClosedException.class)
        .hasMessageContaining("Runtime.evaluate")
        .hasMessageContaining("no reply within PT0.2S");

    JsonNode closeTarget = browser.next(); // the page is closed, which ends a renderer stuck in a loop
    assertThat(closeTarget.get("method").asText()).isEqualTo("Target.closeTarget");
    assertThat(closeTarget.get("params").get("targetId").asText()).isEqualTo("T1");
    browser.reply(closeTarget, "{\"success\":true}");
    await().atMost(Duration.ofSeconds(5)).until(() -> connection.pendingCalls() == 0);

    int before = activity.get();
    browser.reply(stuck, "{\"result\":{\"type\":\"undefined\"}}"); // far too late
    CompletableFuture<JsonNode> ping = connection.send("Browser.getVersion", null);
    browser.reply(browser.next(), "{}");
    ping.get(5, SECONDS); // the late reply was read before this one
    assertThat(toCdt).as("a late reply is dropped").isEmpty();
    assertThat(activity.get()).as("a late reply is not activity").isEqualTo(before);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aSessionCallAnsweredInTimeLeavesNoTimerBehind() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    BlockingQueue<String> toCdt = new LinkedBlockingQueue<>();
    session.addMessageHandler(toCdt::add);
    session.callTimeout(Duration.ofMinutes(5));
    int queuedBefore = DaemonThreads.shared().timeouts().getQueue().size();
    session.send("{\"id\":12,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    assertThat(DaemonThreads.shared().timeouts().getQueue()).hasSize(queuedBefore + 1);
    browser.reply(browser.next(), "{\"result\":{}}");
    assertThat(JSON.readTree(toCdt.poll(5, SECONDS)).has("error")).isFalse();
    assertThat(DaemonThreads.shared().timeouts().getQueue()).as("the timer was cancelled and removed").hasSize(queuedBefore);
    assertThat(session.closed()).isFalse();
  }

  @Test
  void readErrorClosesTheConnectionAndCompletesClosedFuture() throws Exception {
    MemoryPipe fromBrowser = new MemoryPipe();
    PipeConnection failing = new PipeConnection("read-error", fromBrowser.in, new java.io.ByteArrayOutputStream(), () -> {});
    failing.start();
    fromBrowser.closeReader(); // the next read throws IOException, as a broken fd would
    failing.closedFuture().get(5, SECONDS);
    assertThat(failing.isOpen()).isFalse();
    assertThat(failing.toString()).contains("reading from the pipe failed");
  }

  @Test
  void writeFailureClosesTheConnection() throws Exception {
    browser.close(); // also closes the browser's reading end
    PipeConnection broken = new PipeConnection("broken", new MemoryPipe().in, brokenOutput(), () -> {});
    CompletableFuture<JsonNode> call = broken.send("Browser.getVersion", null);
    assertThatThrownBy(call::join).cause().isInstanceOf(CdpConnectionClosedException.class).hasMessageContaining("writing to the pipe failed");
    assertThat(broken.isOpen()).isFalse();
    assertThat(broken.closedFuture()).isDone();
  }

  @Test
  void aThrowingListenerDoesNotStopTheReader() throws Exception {
    connection.addEventListener((method, params) -> {
      throw new IllegalStateException("listener bug");
    });
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    connection.addEventListener((method, params) -> seen.add(method));
    browser.send("{\"method\":\"A.a\",\"params\":{}}");
    browser.send("not json at all");
    CompletableFuture<JsonNode> call = connection.send("Browser.getVersion", null);
    browser.reply(browser.next(), "{}");
    call.get(5, SECONDS);
    assertThat(seen).containsExactly("A.a");
  }

  private static java.io.OutputStream brokenOutput() {
    return new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        throw new java.io.IOException("Broken pipe");
      }
    };
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Issue #8, item 6: a write stuck on a frozen browser's full pipe holds the pipe; a close must not wait on it. */
  @Test
  void aWriteStuckOnAFullPipeHoldsNeitherABoundedSendNorClose() throws Exception {
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean streamClosed = new java.util.concurrent.atomic.AtomicBoolean();
    // Locks like the JDK's process pipe (a BufferedOutputStream): close() waits for a write in progress.
    java.io.OutputStream fullPipe = new java.io.OutputStream() {
      @Override
      public synchronized void write(int b) throws java.io.IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
        writing.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }

      @Override
      public synchronized void close() {
        streamClosed.set(true);
      }
    };
    MemoryPipe fromBrowser = new MemoryPipe();
    PipeConnection stuck = new PipeConnection("stuck", fromBrowser.in, fullPipe, () -> {});
    stuck.start();
    Thread big = new Thread(() -> stuck.send("Runtime.evaluate", JSON.createObjectNode().put("expression", "'x'")));
    big.setDaemon(true);
    big.start();
    assertThat(writing.await(5, SECONDS)).isTrue();

    long t0 = System.nanoTime();
    CompletableFuture<JsonNode> close = stuck.sendUnlessBusy("Browser.close", null, Duration.ofMillis(200));
    assertThat(close).isCompletedExceptionally();
    Duration waited = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(2));
    assertThatThrownBy(close::join).hasCauseInstanceOf(CdpException.class)
        .hasMessageContaining("[stuck] the pipe stayed busy for PT0.2S");

    t0 = System.nanoTime();
    stuck.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("close() beside a stuck write").isLessThan(Duration.ofSeconds(1));
    assertThat(stuck.isOpen()).isFalse();
    assertThat(streamClosed).as("not closed under the stuck write").isFalse();

    release.countDown(); // the browser dies: the write ends
    big.join(5000);
    assertThat(big.isAlive()).isFalse();
    assertThat(streamClosed).as("closed by the write once it ended").isTrue();
    fromBrowser.closeWriter();
  }
}
