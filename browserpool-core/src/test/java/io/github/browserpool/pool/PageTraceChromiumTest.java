package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.endpoint.TestSite;
import io.github.browserpool.local.LocalBrowserLauncher;
import io.github.browserpool.test.CdpTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing of a page through a lease's endpoint, on real Chromium. In a browser that leases share, a page
 * session's trace carries the other leases' pages (shown here on the pipe, as Chromium would answer if
 * the endpoint forwarded it), so the endpoint refuses it there; a lease with its browser to itself
 * traces its pages on their sessions and reads the trace's stream there only.
 */
@Tag("chromium")
class PageTraceChromiumTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Puppeteer's page.tracing categories (puppeteer-core 24), the ones normal use records. */
  private static final String[] PUPPETEER_CATEGORIES = {"devtools.timeline", "v8.execute",
      "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame", "toplevel",
      "blink.console", "blink.user_timing", "latencyInfo", "disabled-by-default-devtools.timeline.stack",
      "disabled-by-default-v8.cpu_profiler"};

  @TempDir Path tempRoot;
  private PoolEngine engine;
  private final TestSite site = newSite();

  private static TestSite newSite() {
    try {
      return new TestSite();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void nothingLeft() {
    site.close();
    if (engine != null) {
      engine.close();
    }
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private PoolEngine start(int contextsPerBrowser, int browsers) {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(contextsPerBrowser).maxBrowsers(browsers)
        .poolName("trace").tempRoot(tempRoot).build();
    engine = new PoolEngine(config, LocalBrowserLauncher.create(config), true);
    engine.start();
    return engine;
  }

  private static ObjectNode params() {
    return JSON.createObjectNode();
  }

  private static ObjectNode traceParams() {
    ObjectNode p = params().put("transferMode", "ReturnAsStream");
    ArrayNode included = p.putObject("traceConfig").putArray("includedCategories");
    for (String category : PUPPETEER_CATEGORIES) {
      included.add(category);
    }
    return p;
  }

  /** A page of the client's lease at about:blank and its flat session: {targetId, sessionId}. */
  private static String[] page(CdpTestClient client) {
    String target = client.call("Target.createTarget", params().put("url", "about:blank"))
        .path("result").path("targetId").asText();
    String session = client.call("Target.attachToTarget", params().put("targetId", target).put("flatten", true))
        .path("result").path("sessionId").asText();
    assertThat(session).as("attached to its own page").isNotEmpty();
    return new String[] {target, session};
  }

  /** Navigates a page and waits (bounded) until its title is {@code title}, read on the pipe. */
  private static void load(CdpTestClient client, String session, String url, PipeConnection pipe,
      String targetId, String title) throws Exception {
    JsonNode nav = client.call(session, "Page.navigate", params().put("url", url));
    assertThat(nav.has("error")).as("navigate: %s", nav).isFalse();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String now = "";
    while (!title.equals(now)) {
      assertThat(System.nanoTime()).as("%s loaded within 10 s (title %s)", url, now).isLessThan(deadline);
      Thread.sleep(20); // polling the page, bounded by the deadline
      now = pipe.send("Target.getTargetInfo", params().put("targetId", targetId)).get(10, TimeUnit.SECONDS)
          .path("targetInfo").path("title").asText();
    }
  }

  private static String refusal(JsonNode reply) {
    assertThat(reply.has("error")).as("refused: %s", reply).isTrue();
    return reply.path("error").path("message").asText();
  }

  /** Waits (bounded) for Tracing.tracingComplete on {@code session}; returns its stream handle. */
  private static String awaitComplete(BlockingQueue<JsonNode> events, String session) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode event = events.poll(100, TimeUnit.MILLISECONDS);
      if (event != null && "Tracing.tracingComplete".equals(event.path("method").asText())
          && (session == null || session.equals(event.path("sessionId").asText()))) {
        return event.path("params").path("stream").asText();
      }
    }
    throw new AssertionError("no Tracing.tracingComplete within 30 s");
  }

  /** One call on some session: returns the reply message. */
  private interface Caller {
    JsonNode call(String method, JsonNode params) throws Exception;
  }

  /** Reads a trace's stream to its end with IO.read on {@code caller}, then closes it. */
  private static String readStream(Caller caller, String handle) throws Exception {
    StringBuilder text = new StringBuilder();
    for (int chunks = 0; chunks < 10_000; chunks++) {
      JsonNode reply = caller.call("IO.read", params().put("handle", handle).put("size", 1 << 20));
      assertThat(reply.has("error")).as("IO.read: %s", reply).isFalse();
      JsonNode r = reply.path("result");
      String data = r.path("data").asText();
      text.append(r.path("base64Encoded").asBoolean()
          ? new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8) : data);
      if (r.path("eof").asBoolean()) {
        caller.call("IO.close", params().put("handle", handle));
        return text.toString();
      }
    }
    throw new AssertionError("the trace did not end within 10,000 chunks");
  }

  @Test
  void aPageTraceInASharedBrowserCarriesTheOtherLeasesPagesSoTheEndpointRefusesIt() throws Exception {
    start(2, 1);
    LeaseState leaseA = engine.acquire(null);
    LeaseState leaseB = engine.acquire(null);
    assertThat(leaseB.browserPid()).as("both leases in the one browser").isEqualTo(leaseA.browserPid());
    PipeConnection pipe = leaseA.context().rawCdp().connection();
    String marker = "markerB" + UUID.randomUUID().toString().replace("-", "");
    try (CdpTestClient a = CdpTestClient.connect(leaseA.cdpEndpoint());
        CdpTestClient b = CdpTestClient.connect(leaseB.cdpEndpoint())) {
      String[] pageA = page(a);
      String[] pageB = page(b);
      // Through A's endpoint: refused on every session, with the method, the reason and what to do.
      for (String session : new String[] {pageA[1], null}) {
        assertThat(refusal(a.call(session, "Tracing.start", traceParams())))
            .startsWith("Tracing.start is not allowed in a browser that leases share: ")
            .contains("other contexts' pages").contains("maxContextsPerBrowser(1)");
      }
      assertThat(refusal(a.call(pageA[1], "Tracing.requestMemoryDump", params()))).contains("leases share");
      JsonNode categories = a.call(pageA[1], "Tracing.getCategories", null);
      assertThat(categories.has("error")).as("the build's categories describe no lease: %s", categories).isFalse();

      // What Chromium would give A if the endpoint forwarded it: a trace of A's page session, on the pipe.
      CdpSession session = pipe.attach(pageA[0], Duration.ofSeconds(10));
      BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
      ConcurrentHashMap<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
      session.addMessageHandler(text -> {
        try {
          JsonNode m = JSON.readTree(text);
          CompletableFuture<JsonNode> reply = m.has("id") ? replies.remove(m.get("id").asLong()) : null;
          if (reply != null) {
            reply.complete(m);
          } else {
            events.add(m);
          }
        } catch (java.io.IOException e) {
          events.add(JSON.createObjectNode().put("unreadable", text));
        }
      });
      AtomicLong ids = new AtomicLong();
      Caller onPipe = (method, p) -> {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        session.send(params().put("id", id).put("method", method).set("params", p == null ? params() : p).toString());
        return reply.get(10, TimeUnit.SECONDS);
      };
      JsonNode started = onPipe.call("Tracing.start", traceParams());
      assertThat(started.has("error")).as("Tracing.start on A's page session, on the pipe: %s", started).isFalse();
      load(b, pageB[1], site.url("/inner?" + marker), pipe, pageB[0], "inner");
      assertThat(onPipe.call("Tracing.end", null).has("error")).isFalse();
      String trace = readStream(onPipe, awaitComplete(events, null));
      assertThat(trace).as("a trace (%s chars)", trace.length()).contains("traceEvents");
      assertThat(trace).as("A's page trace carries B's URL: if this fails, Chromium now confines a page's trace;"
          + " CdpAllowList's Tracing rule may then be relaxed").contains(marker);
    }
    leaseA.close();
    leaseB.close();
  }

  @Test
  void aLeaseWithItsBrowserToItselfTracesItsPagesOnTheirSessions() throws Exception {
    start(1, 2);
    LeaseState leaseA = engine.acquire(null);
    LeaseState leaseB = engine.acquire(null);
    assertThat(leaseB.browserPid()).as("a browser each").isNotEqualTo(leaseA.browserPid());
    PipeConnection pipeA = leaseA.context().rawCdp().connection();
    PipeConnection pipeB = leaseB.context().rawCdp().connection();
    String markerA = "markerA" + UUID.randomUUID().toString().replace("-", "");
    String markerB = "markerB" + UUID.randomUUID().toString().replace("-", "");
    List<String> refusals = new ArrayList<>();
    try (CdpTestClient a = CdpTestClient.connect(leaseA.cdpEndpoint());
        CdpTestClient b = CdpTestClient.connect(leaseB.cdpEndpoint())) {
      String[] pageA = page(a);
      String[] pageB = page(b);
      refusals.add(refusal(a.call("Tracing.start", traceParams())));
      assertThat(refusals.get(0)).as("on the browser session")
          .startsWith("Tracing.start is not allowed on the browser session").contains("page's session");
      refusals.add(refusal(a.call(pageA[1], "Tracing.start", traceParams().put("tracingBackend", "system"))));
      assertThat(refusals.get(1)).as("the host's system tracing").contains("tracingBackend").contains("Chrome's own");

      JsonNode started = a.call(pageA[1], "Tracing.start", traceParams());
      assertThat(started.has("error")).as("Tracing.start on A's page session: %s", started).isFalse();
      load(a, pageA[1], site.url("/inner?" + markerA), pipeA, pageA[0], "inner");
      load(b, pageB[1], site.url("/inner?" + markerB), pipeB, pageB[0], "inner");
      assertThat(a.call(pageA[1], "Tracing.recordClockSyncMarker", params().put("syncId", "s")).has("error")).isFalse();
      assertThat(a.call(pageA[1], "Tracing.requestMemoryDump", params()).has("error")).isFalse();
      assertThat(a.call(pageA[1], "Tracing.end", null).has("error")).isFalse();
      String handle = awaitComplete(a.events, pageA[1]);

      // The stream is read on the page's session only: not on the browser session, not by another lease.
      refusals.add(refusal(a.call("IO.read", params().put("handle", handle))));
      assertThat(refusals.get(2)).contains("page's session");
      refusals.add(refusal(b.call(pageB[1], "IO.read", params().put("handle", handle))));
      String trace = readStream((method, p) -> a.call(pageA[1], method, p), handle);
      assertThat(trace).as("A's own page is in its trace").contains("traceEvents").contains(markerA);
      assertThat(trace).as("another browser's lease is not").doesNotContain(markerB);
      assertThat(refusal(a.call(pageA[1], "IO.read", params().put("handle", handle)))).as("closed").isNotEmpty();

      // A trace left running by a client that goes away ends with its sessions: the next client traces.
      try (CdpTestClient gone = CdpTestClient.connect(leaseA.cdpEndpoint())) {
        String[] page = page(gone);
        assertThat(gone.call(page[1], "Tracing.start", traceParams()).has("error")).isFalse();
      }
      String[] again = page(a);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      JsonNode restarted = a.call(again[1], "Tracing.start", traceParams());
      while (restarted.has("error") && System.nanoTime() < deadline) {
        Thread.sleep(100); // the relay detaches the gone client's sessions on its own thread; bounded
        restarted = a.call(again[1], "Tracing.start", traceParams());
      }
      assertThat(restarted.has("error")).as("a new trace after the client left: %s", restarted).isFalse();
      assertThat(a.call(again[1], "Tracing.end", null).has("error")).isFalse();
      readStream((method, p) -> a.call(again[1], method, p), awaitComplete(a.events, again[1]));
    }
    assertThat(refusals).hasSize(4);
    leaseA.close();
    leaseB.close();
  }
}
