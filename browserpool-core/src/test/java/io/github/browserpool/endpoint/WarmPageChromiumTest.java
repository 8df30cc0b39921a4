package io.github.browserpool.endpoint;

import io.github.browserpool.test.CdpTestClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.chrome.ProcFs;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A raw CDP client's first {@code Target.createTarget} in a fresh lease is served by the lease's prepared
 * page (its document began before the client asked), and the client sees exactly what its second, real, createTarget
 * shows it: the same messages in the same order with the fields a client reads, under each setting of
 * discovery and auto-attach that Playwright, Puppeteer or a plain client uses.
 */
@Tag("chromium")
class WarmPageChromiumTest {
  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private static ObjectNode params() {
    return CdpTestClient.params();
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "discovery", "autoAttach", "playwright", "puppeteer"})
  void theServedPageLooksLikeANewOne(String mode) throws Exception {
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("warm-" + mode)
            .tempRoot(tempRoot).build());
        BrowserLease lease = pool.acquire();
        CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint())) {
      CdpTestClient observer = CdpTestClient.connect(lease.cdpEndpoint());
      set(client, mode);
      set(observer, mode);
      Thread.sleep(300); // what connecting shows comes now: nothing of the prepared page
      assertThat(client.received).as("the prepared page is invisible until served")
          .noneMatch(m -> m.path("method").asText().startsWith("Target."));
      assertThat(client.call("Target.getTargets", params()).path("result").path("targetInfos")).isEmpty();
      client.received.clear();
      observer.received.clear();

      long askedAt = System.currentTimeMillis();
      List<JsonNode> served = create(client);
      List<JsonNode> observedServed = drain(observer);
      List<JsonNode> real = create(client);
      List<JsonNode> observedReal = drain(observer);
      String servedId = targetId(served);
      String realId = targetId(real);
      assertThat(servedId).isNotEqualTo(realId);
      assertThat(describe(served)).as("what the served createTarget showed, against a real one (%s)", real)
          .isEqualTo(describe(real));
      assertThat(describe(observedServed)).as("what another client of the lease saw of it, against a real one (%s)",
          observedReal).isEqualTo(describe(observedReal));
      observer.close();

      JsonNode targets = client.call("Target.getTargets", params()).path("result").path("targetInfos");
      assertThat(targets).as("%s", targets).filteredOn(t -> t.path("type").asText().equals("page"))
          .extracting(t -> t.path("targetId").asText()).containsExactlyInAnyOrder(servedId, realId);
      String session = attach(client, servedId);
      JsonNode page = client.call(session, "Runtime.evaluate", params()
          .put("expression", "[location.href, history.length, window.opener === null, document.readyState].join()"))
          .path("result").path("result");
      String session2 = attach(client, realId);
      JsonNode page2 = client.call(session2, "Runtime.evaluate", params()
          .put("expression", "[location.href, history.length, window.opener === null, document.readyState].join()"))
          .path("result").path("result");
      assertThat(page.path("value").asText()).isEqualTo(page2.path("value").asText())
          .isEqualTo("about:blank,1,true,complete");
      assertThat(timeOrigin(client, session)).as("the served page's document was there before it was asked for")
          .isLessThan(askedAt);
      assertThat(timeOrigin(client, session2)).as("the real page's document was made when asked for")
          .isGreaterThan(askedAt);
    }
  }

  @Test
  void aPreparedPageWhoseRendererDiedIsNotServed() throws Exception {
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("warm-dead")
            .tempRoot(tempRoot).build());
        BrowserLease lease = pool.acquire();
        CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint())) {
      client.call("Target.setDiscoverTargets", params().put("discover", true));
      List<Long> renderers = ProcFs.descendants(lease.browserPid()).stream()
          .filter(pid -> ProcFs.cmdline(pid).contains("--type=renderer")).toList();
      assertThat(renderers).as("the prepared page's renderer runs").isNotEmpty();
      for (long pid : renderers) { // this test's own browser's renderers
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> renderers.stream().noneMatch(ProcFs::isAlive));
      Thread.sleep(200); // Chromium reports the crash

      long askedAt = System.currentTimeMillis();
      String targetId = client.call("Target.createTarget", params().put("url", "about:blank"))
          .path("result").path("targetId").asText();
      String session = attach(client, targetId);
      assertThat(client.call(session, "Runtime.evaluate", params().put("expression", "1 + 1"))
          .path("result").path("result").path("value").asInt()).as("a live page, not the dead one").isEqualTo(2);
      assertThat(timeOrigin(client, session)).isGreaterThan(askedAt);
    }
  }

  /** Gives the client the discovery and auto-attach settings of {@code mode}. */
  private static void set(CdpTestClient client, String mode) {
    switch (mode) {
      case "discovery" -> client.call("Target.setDiscoverTargets", params().put("discover", true));
      case "autoAttach" -> client.call("Target.setAutoAttach", params().put("autoAttach", true)
          .put("waitForDebuggerOnStart", true).put("flatten", true));
      case "playwright" -> {
        client.call("Target.setDiscoverTargets", params().put("discover", true));
        client.call("Target.setAutoAttach", params().put("autoAttach", true)
            .put("waitForDebuggerOnStart", true).put("flatten", true));
      }
      case "puppeteer" -> {
        ObjectNode discover = params().put("discover", true);
        discover.putArray("filter").addObject();
        client.call("Target.setDiscoverTargets", discover);
        ObjectNode attach = params().put("autoAttach", true).put("waitForDebuggerOnStart", true).put("flatten", true);
        attach.putArray("filter").addObject().put("type", "page").put("exclude", true);
        attach.withArray("filter").addObject();
        client.call("Target.setAutoAttach", attach);
      }
      default -> { }
    }
  }

  private static List<JsonNode> drain(CdpTestClient client) {
    List<JsonNode> got = new ArrayList<>();
    client.received.drainTo(got);
    return got;
  }

  /** Sends a createTarget and collects what came, from its send until 400 ms after its reply. */
  private static List<JsonNode> create(CdpTestClient client) throws InterruptedException {
    client.received.clear();
    client.call("Target.createTarget", params().put("url", "about:blank"));
    Thread.sleep(400);
    List<JsonNode> got = new ArrayList<>();
    client.received.drainTo(got);
    return got;
  }

  private static String attach(CdpTestClient client, String targetId) {
    return client.call("Target.attachToTarget", params().put("targetId", targetId).put("flatten", true))
        .path("result").path("sessionId").asText();
  }

  private static String targetId(List<JsonNode> messages) {
    return messages.stream().filter(m -> m.has("id")).findFirst().orElseThrow()
        .path("result").path("targetId").asText();
  }

  /**
   * The messages as a client reads them: method or reply, and the target fields, with ids replaced by
   * the order they first appear in (so two runs compare).
   */
  private static List<String> describe(List<JsonNode> messages) {
    Map<String, String> names = new HashMap<>();
    List<String> out = new ArrayList<>();
    for (JsonNode m : messages) {
      if (m.has("id")) {
        out.add("reply targetId=" + name(names, m.path("result").path("targetId").asText()));
        continue;
      }
      JsonNode p = m.path("params");
      JsonNode info = p.path("targetInfo");
      StringBuilder line = new StringBuilder(m.path("method").asText());
      if (m.has("sessionId")) {
        line.append(" on ").append(name(names, m.path("sessionId").asText()));
      }
      if (!info.isMissingNode()) {
        line.append(" ").append(name(names, info.path("targetId").asText())).append(" type=")
            .append(info.path("type").asText()).append(" url=").append(info.path("url").asText())
            .append(" title=").append(info.path("title").asText()).append(" attached=")
            .append(info.path("attached").asText()).append(" opener=").append(info.path("openerId").asText("-"))
            .append(" canAccessOpener=").append(info.path("canAccessOpener").asText())
            .append(" context=").append(info.path("browserContextId").asText().isEmpty() ? "none" : "lease");
      }
      if (p.has("sessionId")) {
        line.append(" session=").append(name(names, p.path("sessionId").asText()));
      }
      if (p.has("waitingForDebugger")) {
        line.append(" waiting=").append(p.path("waitingForDebugger").asText());
      }
      if (p.has("targetId")) {
        line.append(" ").append(name(names, p.path("targetId").asText()));
      }
      out.add(line.toString());
    }
    return out;
  }

  private static String name(Map<String, String> names, String id) {
    return names.computeIfAbsent(id, k -> "#" + names.size());
  }

  /**
   * When the page's document began, in epoch milliseconds: a prepared page's began before the client
   * asked for a page, a real one's after.
   */
  static long timeOrigin(CdpTestClient client, String session) {
    return client.call(session, "Runtime.evaluate", params().put("expression", "performance.timeOrigin"))
        .path("result").path("result").path("value").asLong();
  }
}
