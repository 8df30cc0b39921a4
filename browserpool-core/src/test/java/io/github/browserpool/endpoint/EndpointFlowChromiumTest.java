package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.ProcessTable;
import io.github.browserpool.test.CdpTestClient;
import java.io.IOException;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint's flow control against real Chromium, with raw JDK WebSocket clients: a frozen browser
 * whose pipe is full costs only its own lease's clients, and a client that stops reading is closed at the
 * documented bound while the JVM's retained heap stays under it.
 */
@Tag("chromium")
class EndpointFlowChromiumTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

  @TempDir Path tempRoot;
  private final List<Long> stopped = new ArrayList<>();

  @AfterEach
  void nothingLeft() {
    for (long pid : ProcessTable.alive(stopped)) {
      signal(pid, "CONT"); // only if a failed test left them stopped; the pool killed them otherwise
    }
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private PoolConfig.Builder config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).maxBrowsers(2).poolName(name).tempRoot(tempRoot)
        .closeTimeout(CLOSE_TIMEOUT).callTimeout(CALL_TIMEOUT);
  }

  private static ObjectNode params() {
    return CdpTestClient.params();
  }

  /** A new page of the client's lease, attached: its session id. */
  private static String newPage(CdpTestClient client) {
    String target = client.call("Target.createTarget", params().put("url", "about:blank"))
        .path("result").path("targetId").asText();
    return client.call("Target.attachToTarget", params().put("targetId", target).put("flatten", true))
        .path("result").path("sessionId").asText();
  }

  private static int evaluate(CdpTestClient client, String session, String expression, Duration within) {
    JsonNode reply = client.call(session, "Runtime.evaluate", params().put("expression", expression)
        .put("returnByValue", true), within);
    return reply.path("result").path("result").path("value").asInt();
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a close that hangs fails, then thaws
  void aFrozenBrowserWithAFullPipeCostsOnlyItsOwnLeaseAndItsCloseKeepsItsDeadline() throws Exception {
    BrowserPool pool = BrowserPool.start(config("frozen").build());
    try {
      BrowserLease a = pool.acquire();
      BrowserLease b = pool.acquire();
      assertThat(a.browserPid()).as("two browsers").isNotEqualTo(b.browserPid());
      CdpTestClient clientA = CdpTestClient.connect(a.cdpEndpoint());
      CdpTestClient clientB = CdpTestClient.connect(b.cdpEndpoint());
      String pageB = newPage(clientB);
      assertThat(evaluate(clientB, pageB, "6*7", Duration.ofSeconds(5))).isEqualTo(42);
      String pageA = newPage(clientA);
      assertThat(evaluate(clientA, pageA, "1+1", Duration.ofSeconds(5))).isEqualTo(2);

      stopped.addAll(ProcessTable.tree(a.browserPid(), a.userDataDir()));
      stopped.forEach(pid -> signal(pid, "STOP"));
      await().atMost(Duration.ofSeconds(5)).until(() -> stopped.stream().map(ProcessTable::read)
          .allMatch(p -> p == null || p.state() == 'T'));

      // Sixteen 1 MiB commands: the first fills A's pipe (64 KiB) and its write blocks for good.
      String mib = "\"" + "x".repeat(1 << 20) + "\"";
      CompletableFuture<Void> sends = CompletableFuture.completedFuture(null);
      for (int i = 0; i < 16; i++) {
        String command = "{\"id\":" + (1000 + i) + ",\"sessionId\":\"" + pageA
            + "\",\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":" + mib + "}}";
        sends = sends.thenCompose(v -> clientA.socket.sendText(command, true)).thenApply(ws -> null);
      }
      long frozenAt = System.nanoTime();

      // B's browser is healthy: B's client gets every answer within a second, before and after A's
      // calls time out.
      int answers = 0;
      while (System.nanoTime() - frozenAt < CALL_TIMEOUT.plusSeconds(1).toNanos()) {
        assertThat(evaluate(clientB, pageB, answers + "+1", Duration.ofSeconds(1))).isEqualTo(answers + 1);
        answers++;
        Thread.sleep(200);
      }
      assertThat(answers).isGreaterThanOrEqualTo(5);

      // A's client: closed with 1011 once its first call is callTimeout overdue, saying why.
      int code = clientA.closeCode.get(CALL_TIMEOUT.plusSeconds(3).toMillis(), TimeUnit.MILLISECONDS);
      assertThat(code).isEqualTo(1011);
      assertThat(clientA.closeReason).contains("did not answer Runtime.evaluate").contains("callTimeout");

      long start = System.nanoTime();
      a.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("A.close()")
          .isLessThanOrEqualTo(CLOSE_TIMEOUT.plusSeconds(1));

      assertThat(evaluate(clientB, pageB, "2+3", Duration.ofSeconds(1))).isEqualTo(5);
      clientA.close();
      clientB.close();
      b.close();
      sends.cancel(true);
      start = System.nanoTime();
      pool.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("pool.close()")
          .isLessThanOrEqualTo(CLOSE_TIMEOUT.plusSeconds(1));
      assertThat(ProcessTable.alive(stopped)).as("A's stopped browser is gone once the pool closed").isEmpty();
      assertThat(a.userDataDir()).doesNotExist();
    } finally {
      pool.close();
    }
  }

  @Test
  void aClientThatStopsReadingIsClosedAtTheBoundAndNobodyElseNotices() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (BrowserPool pool = BrowserPool.start(config("slow").build())) {
      BrowserLease a = pool.acquire();
      BrowserLease b = pool.acquire();
      CdpTestClient slow = CdpTestClient.connect(a.cdpEndpoint());
      CdpTestClient sameLease = CdpTestClient.connect(a.cdpEndpoint());
      CdpTestClient otherLease = CdpTestClient.connect(b.cdpEndpoint());
      String pageB = newPage(otherLease);
      String pageSame = newPage(sameLease);
      String flooding = slow.call("Target.createTarget", params().put("url", "about:blank"))
          .path("result").path("targetId").asText();
      String page = slow.call("Target.attachToTarget", params().put("targetId", flooding).put("flatten", true))
          .path("result").path("sessionId").asText();
      slow.call(page, "Runtime.enable", params());
      long baseline = retainedHeap(memory);

      // 20 KB console messages, as fast as the page can log them; the client stops reading.
      slow.stopReading();
      slow.socket.sendText("{\"id\":99,\"sessionId\":\"" + page + "\",\"method\":\"Runtime.evaluate\","
          + "\"params\":{\"expression\":\"const s = 'y'.repeat(20000); setInterval(() => { for (let i = 0; i < 50;"
          + " i++) console.log(s); }, 0); 1\"}}", true).join();

      // Until the slow client is closed, which detaches its page (seen by the other client), or 20 s: long
      // enough for the page to log far over the limit on a loaded machine, all of which the JVM would hold
      // without a bound.
      long most = 0;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int checks = 0;
      while (attached(sameLease, flooding) && System.nanoTime() < until) {
        most = Math.max(most, retainedHeap(memory) - baseline);
        // The same browser's pipe carries the flood until the slow client is closed: its answer may queue
        // behind a few MB of it, so it gets longer than the other browser's.
        assertThat(evaluate(sameLease, pageSame, "1+2", Duration.ofSeconds(5))).as("another client of the same lease")
            .isEqualTo(3);
        assertThat(evaluate(otherLease, pageB, "2+2", Duration.ofSeconds(2))).as("a client of another lease")
            .isEqualTo(4);
        checks++;
      }
      long bound = EndpointServer.MAX_PENDING_CLIENT_CHARS + (48L << 20);
      System.out.printf("slow client: most retained growth (heap and direct) %d MiB (bound %d MiB)%n", most >> 20, bound >> 20);
      assertThat(most).as("retained growth (heap and direct) while the client does not read (bound %d MiB)", bound >> 20)
          .isLessThan(bound);
      assertThat(attached(sameLease, flooding)).as("the slow client's page is detached").isFalse();
      assertThat(checks).isGreaterThanOrEqualTo(1);

      slow.readAgain();
      assertThat(slow.closeCode.get(5, TimeUnit.SECONDS)).as("the slow client's close code").isEqualTo(1008);
      assertThat(slow.closeReason).contains("behind");

      // The lease goes on: its other client, and a new one.
      assertThat(sameLease.call("Target.getTargets", null).path("result").path("targetInfos")).isNotEmpty();
      try (CdpTestClient again = CdpTestClient.connect(a.cdpEndpoint())) {
        String fresh = newPage(again);
        assertThat(evaluate(again, fresh, "3*3", Duration.ofSeconds(5))).isEqualTo(9);
      }
      assertThat(evaluate(otherLease, pageB, "5+5", Duration.ofSeconds(1))).isEqualTo(10);
      assertThat(retainedHeap(memory) - baseline).as("retained heap once the slow client is closed")
          .isLessThan(48L << 20);
      slow.close();
      sameLease.close();
      otherLease.close();
      a.close();
      b.close();
    }
  }

  @Test
  void clientsPerLeaseAndCommandsInFlightAreBoundedAndAnUnansweredCallEndsOnlyItsClient() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("limits").maxBrowsers(1).build());
        BrowserLease lease = pool.acquire()) {
      List<CdpTestClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < EndpointServer.MAX_CLIENTS_PER_LEASE; i++) {
          clients.add(CdpTestClient.connect(lease.cdpEndpoint()));
        }
        assertThatThrownBy(() -> CdpTestClient.connect(lease.cdpEndpoint()))
            .as("one client over the lease's limit").cause().isInstanceOf(WebSocketHandshakeException.class)
            .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(429));
        clients.remove(0).close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
          try (CdpTestClient another = CdpTestClient.connect(lease.cdpEndpoint())) {
            // (the lease's prepared page stays hidden until a client asks for a page: endpoint.WarmPage)
            assertThat(another.call("Browser.getVersion", null).path("result").path("product").asText()).isNotEmpty();
          }
        });
      } finally {
        clients.forEach(CdpTestClient::close);
      }

      // Commands that never get their reply (a promise that never settles): the limit, then a clear error.
      CdpTestClient hanging = CdpTestClient.connect(lease.cdpEndpoint());
      CdpTestClient bystander = CdpTestClient.connect(lease.cdpEndpoint());
      String page = newPage(hanging);
      String pageOfBystander = newPage(bystander);
      long started = System.nanoTime();
      for (int i = 0; i < EndpointServer.MAX_COMMANDS_IN_FLIGHT; i++) {
        hanging.socket.sendText("{\"id\":" + (10_000 + i) + ",\"sessionId\":\"" + page + "\",\"method\":"
            + "\"Runtime.evaluate\",\"params\":{\"expression\":\"new Promise(() => {})\",\"awaitPromise\":true}}",
            true).join();
      }
      JsonNode refused = hanging.call(page, "Runtime.evaluate", params().put("expression", "1"), Duration.ofSeconds(5));
      assertThat(refused.path("error").path("message").asText())
          .contains(EndpointServer.MAX_COMMANDS_IN_FLIGHT + " commands").contains("wait for replies");
      assertThat(evaluate(bystander, pageOfBystander, "4*4", Duration.ofSeconds(5))).isEqualTo(16);

      // Nothing answers them: the client is closed once the first is callTimeout overdue, the lease goes on.
      assertThat(hanging.closeCode.get(CALL_TIMEOUT.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo(1011);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(CALL_TIMEOUT);
      assertThat(hanging.closeReason).contains("did not answer Runtime.evaluate");
      assertThat(evaluate(bystander, pageOfBystander, "5*5", Duration.ofSeconds(5))).isEqualTo(25);
      hanging.close();
      bystander.close();
    }
  }

  /** Whether some client is attached to {@code targetId}, as {@code Target.getTargets} says. */
  private static boolean attached(CdpTestClient client, String targetId) {
    for (JsonNode info : client.call("Target.getTargets", null).path("result").path("targetInfos")) {
      if (info.path("targetId").asText().equals(targetId)) {
        return info.path("attached").asBoolean();
      }
    }
    throw new AssertionError("no target " + targetId);
  }

  /**
   * What the JVM retains after a full collection: the heap, plus the direct memory that holds bytes on
   * their way to a socket (Netty copies heap buffers to direct ones to write them), as the JDK or Netty's
   * pooled allocator counts it, whichever says more (Netty's pool may sit on the JDK's direct buffers).
   */
  private static long retainedHeap(MemoryMXBean memory) {
    memory.gc();
    long jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    long nettyDirect = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    return memory.getHeapMemoryUsage().getUsed() + Math.max(jdkDirect, nettyDirect);
  }

  private static void signal(long pid, String signal) {
    try {
      Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
