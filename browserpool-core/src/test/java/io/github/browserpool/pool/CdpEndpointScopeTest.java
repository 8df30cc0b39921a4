package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.endpoint.RawFrames;
import io.github.browserpool.local.LocalBrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import io.github.browserpool.test.CdpTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CDP endpoint's confinement, tokens, Origin guard and frame limit, with a raw WebSocket client
 * against real Chromium. In the pool package so that a test can play "another lease" on the same
 * browser through its pipe.
 */
@Tag("chromium")
class CdpEndpointScopeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tempRoot;
  private PoolEngine engine;

  @BeforeEach
  void start() {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(1).poolName("scope").tempRoot(tempRoot).maxBrowsers(1).build();
    engine = new PoolEngine(config, LocalBrowserLauncher.create(config), true);
    engine.start();
  }

  @AfterEach
  void nothingLeft() {
    engine.close();
    assertThat(endpointThreads()).as("endpoint threads after the pool closed").isEmpty();
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private static ObjectNode params() {
    return JSON.createObjectNode();
  }

  private static JsonNode pipeCall(PipeConnection pipe, String method, JsonNode params) throws Exception {
    return pipe.send(method, params).get(10, TimeUnit.SECONDS);
  }

  private static List<String> endpointThreads() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("scope-cdp-endpoint") && t.isAlive()) {
        names.add(t.getName());
      }
    }
    return names;
  }

  @Test
  void aClientSeesOnlyItsLeaseAndCannotTouchAnythingElse() throws Exception {
    LeaseState lease = engine.acquire(null);
    LaunchedBrowser.RawCdp context = lease.context().rawCdp();
    PipeConnection pipe = context.connection();
    // Another context with a page in the same browser, as another lease or a prepared context has.
    String foreignContext = pipeCall(pipe, "Target.createBrowserContext", params()).path("browserContextId").asText();
    String foreignPage = pipeCall(pipe, "Target.createTarget",
        params().put("url", "about:blank").put("browserContextId", foreignContext)).path("targetId").asText();

    try (CdpTestClient client = CdpTestClient.connect(lease.cdpEndpoint())) {
      // The lease's prepared page shows once the client asks for a page (endpoint.WarmPage).
      assertThat(client.call("Target.createTarget", params().put("url", "about:blank")).has("error")).isFalse();
      JsonNode targets = client.call("Target.getTargets", null).path("result").path("targetInfos");
      assertThat(targets).isNotEmpty();
      for (JsonNode info : targets) {
        assertThat(info.path("browserContextId").asText()).as("context of %s", info).isEqualTo(context.contextId());
      }
      assertThat(client.call("Target.getBrowserContexts", null).path("result").path("browserContextIds")).isEmpty();

      assertThat(client.call("Target.attachToTarget", params().put("targetId", foreignPage).put("flatten", true))
          .path("error").path("message").asText()).contains("No target");
      assertThat(client.call("Target.closeTarget", params().put("targetId", foreignPage)).has("error")).isTrue();
      assertThat(client.call("Target.getTargetInfo", params().put("targetId", foreignPage)).has("error")).isTrue();
      assertThat(client.call("Target.createTarget", params().put("url", "about:blank")
          .put("browserContextId", foreignContext)).has("error")).isTrue();
      assertThat(client.call("Target.disposeBrowserContext", params().put("browserContextId", foreignContext))
          .has("error")).isTrue();
      assertThat(client.call("Target.createBrowserContext", params()).has("error")).isTrue();
      // A second browser session (Playwright's newCDPSession asks for one) is under the same rules.
      String second = client.call("Target.attachToBrowserTarget", params()).path("result").path("sessionId").asText();
      assertThat(second).isNotEmpty();
      assertThat(client.call(second, "Target.getTargets", null).path("result").path("targetInfos").toString())
          .doesNotContain(foreignPage).doesNotContain(foreignContext);
      assertThat(client.call(second, "Target.attachToTarget", params().put("targetId", foreignPage).put("flatten", true))
          .path("error").path("message").asText()).contains("No target");
      assertThat(client.call(second, "Browser.close", null).has("error")).isTrue();
      assertThat(client.call(second, "Fetch.enable", params()).path("error").path("message").asText())
          .contains("every context");
      // A browser of the lease's own (maxContextsPerBrowser 1): tracing goes on page sessions, not the browser session.
      assertThat(client.call("Tracing.start", params()).path("error").path("message").asText())
          .startsWith("Tracing.start is not allowed on the browser session").contains("page's session");
      assertThat(client.call("Browser.close", null).has("error")).isTrue();
      assertThat(client.call("Storage.getCookies", params().put("browserContextId", foreignContext)).has("error")).isTrue();
      assertThat(client.call("Target.detachFromTarget", params().put("sessionId", "ABCDEF")).has("error")).isTrue();
      assertThat(client.call("ABCDEF", "Runtime.evaluate", params().put("expression", "1"))
          .path("error").path("message").asText()).contains("Session");
      assertThat(pipeCall(pipe, "Target.getTargetInfo", params().put("targetId", foreignPage))
          .path("targetInfo").path("targetId").asText()).as("the foreign page is still there").isEqualTo(foreignPage);

      // Its own page: created in the lease's context, attachable, usable.
      JsonNode created = client.call("Target.createTarget", params().put("url", "about:blank"));
      String own = created.path("result").path("targetId").asText();
      assertThat(pipeCall(pipe, "Target.getTargetInfo", params().put("targetId", own))
          .path("targetInfo").path("browserContextId").asText()).isEqualTo(context.contextId());
      String session = client.call("Target.attachToTarget", params().put("targetId", own).put("flatten", true))
          .path("result").path("sessionId").asText();
      assertThat(client.call(session, "Runtime.evaluate", params().put("expression", "6*7"))
          .path("result").path("result").path("value").asInt()).isEqualTo(42);

      // Auto-attach with waitForDebuggerOnStart must not pause, or even show, a page outside the lease.
      client.call("Target.setDiscoverTargets", params().put("discover", true));
      client.call("Target.setAutoAttach",
          params().put("autoAttach", true).put("waitForDebuggerOnStart", true).put("flatten", true));
      client.events.clear();
      String late = pipeCall(pipe, "Target.createTarget", params()
          .put("url", "data:text/html,<title>not paused</title>").put("browserContextId", foreignContext))
          .path("targetId").asText();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      String title = "";
      while (!"not paused".equals(title) && System.nanoTime() < until) {
        title = pipeCall(pipe, "Target.getTargetInfo", params().put("targetId", late)).path("targetInfo").path("title").asText();
      }
      assertThat(title).as("the foreign page loaded while the client auto-attaches").isEqualTo("not paused");
      Thread.sleep(200); // let any stray event reach the client
      assertThat(client.events.toString()).doesNotContain(late).doesNotContain(foreignPage);
    }
    lease.close();
  }

  @Test
  void tokensOriginAndFrameLimit() throws Exception {
    assertThat(endpointThreads()).as("no endpoint server before cdpEndpoint()").isEmpty();
    LeaseState lease = engine.acquire(null);
    assertThat(endpointThreads()).isEmpty();
    URI uri = lease.cdpEndpoint();
    assertThat(lease.cdpEndpoint()).isEqualTo(uri);
    assertThat(uri.toString()).matches("ws://127\\.0\\.0\\.1:\\d+/devtools/browser/[A-Za-z0-9_-]{27}");
    assertThat(endpointThreads()).hasSize(1);

    HttpClient http = HttpClient.newHttpClient();
    URI version = URI.create(uri.toString().replace("ws://", "http://") + "/json/version");
    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(version).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).path("webSocketDebuggerUrl").asText()).isEqualTo(uri.toString());
    assertThat(JSON.readTree(ok.body()).path("Browser").asText()).contains("Chrome");

    String path = uri.getPath();
    String token = path.substring(path.lastIndexOf('/') + 1);
    URI wrong = URI.create(uri.toString().replace(token, "A" + token.substring(1).replace('A', 'B')));
    assertThat(http.send(HttpRequest.newBuilder(URI.create(wrong.toString().replace("ws://", "http://")
        + "/json/version")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    assertThat(handshakeStatus(http, wrong, null)).isEqualTo(404);
    assertThat(handshakeStatus(http, uri, "http://evil.example")).isEqualTo(403);

    try (CdpTestClient other = CdpTestClient.connect(uri)) {
      assertThat(other.call("Browser.getVersion", null).path("result").path("product").asText()).contains("Chrome");
      assertThat(RawFrames.sendOversized(uri, 120L << 20, 120 << 20)).as("one 120 MiB frame").isEqualTo(1009);
      assertThat(RawFrames.sendOversized(uri, 80L << 20, 4 << 20)).as("80 MiB in 4 MiB fragments").isEqualTo(1009);
      // The pipe, the browser and the other client are fine.
      assertThat(other.call("Browser.getVersion", null).path("result").path("product").asText()).contains("Chrome");
      assertThat(lease.newPage().getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);

      lease.close();
      assertThat(other.closeCode.get(1, TimeUnit.SECONDS)).as("clients are closed with 1001 on release").isEqualTo(1001);
    }
    assertThat(handshakeStatus(http, uri, null)).as("the token is dead after release").isEqualTo(404);
    assertThat(http.send(HttpRequest.newBuilder(version).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(404);
    assertThatThrownBy(lease::cdpEndpoint).isInstanceOf(LeaseRevokedException.class);
  }

  private static int handshakeStatus(HttpClient http, URI uri, String origin) {
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) {
      builder.header("Origin", origin);
    }
    try {
      builder.buildAsync(uri, new WebSocket.Listener() {}).join().abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }
}
