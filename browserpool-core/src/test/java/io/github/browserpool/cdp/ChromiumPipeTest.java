package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThatCode;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kklisura.cdt.protocol.types.page.PermissionsPolicyFeatureState;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import io.github.browserpool.chrome.ChromeExecutable;
import io.github.browserpool.test.Binaries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport against the real Chromium; each test starts its own browser and proves it left none. */
@Tag("chromium")
class ChromiumPipeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @BeforeEach
  void needsChromium() {
    assumeThatCode(() -> ChromeExecutable.locate(null)).as("a Chromium (CHROME_PATH or PATH)").doesNotThrowAnyException();
  }

  @Test
  void browserLevelGetVersion() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      JsonNode version = chromium.connection.send("Browser.getVersion", null).get(10, SECONDS);
      assertThat(version.get("product").asText()).startsWith(Binaries.poolBrowserProductPrefix());
      assertThat(chromium.activity.get()).as("browser-level traffic is the pool's own, not activity").isZero();
    }
  }

  @Test
  void typedEvaluateInAFreshContextAndServiceCloseClosesTheTarget() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      Page page = openPage(chromium.connection);
      ChromeDevToolsService devTools = DevToolsServices.create(page.session, CallGuard.NONE);

      assertThat(devTools.getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);

      devTools.close();
      assertThat(page.session.closed()).isTrue();
      await().atMost(TIMEOUT).until(() -> !targetIds(chromium.connection).contains(page.targetId));
    }
  }

  @Test
  void navigatesADataUrlAndReadsItsTitle() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      ChromeDevToolsService devTools = DevToolsServices.create(openPage(chromium.connection).session, CallGuard.NONE);
      CompletableFuture<Void> loaded = new CompletableFuture<>();
      devTools.getPage().onLoadEventFired(event -> loaded.complete(null));
      devTools.getPage().enable();

      devTools.getPage().navigate("data:text/html,<title>Hello%20pipe</title><p>hi</p>");
      loaded.get(10, SECONDS);

      assertThat(devTools.getRuntime().evaluate("document.title").getResult().getValue()).isEqualTo("Hello pipe");
    }
  }

  @Test
  void enumValuesUnknownToCdtDoNotFailTheCall() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      ChromeDevToolsService devTools = DevToolsServices.create(openPage(chromium.connection).session, CallGuard.NONE);
      String frameId = devTools.getPage().getFrameTree().getFrame().getId();

      List<PermissionsPolicyFeatureState> states = devTools.getPage().getPermissionsPolicyState(frameId);

      assertThat(states).isNotEmpty();
      assertThat(states).extracting(PermissionsPolicyFeatureState::getFeature).containsNull();
      assertThat(devTools.getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);
    }
  }

  @Test
  void disposingTheContextFailsTheSessionsCallInFlight() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      BlockingQueue<String> browserEvents = new LinkedBlockingQueue<>();
      chromium.connection.addEventListener((method, params) -> browserEvents.add(method));
      Page page = openPage(chromium.connection);
      ChromeDevToolsService devTools = DevToolsServices.create(page.session, CallGuard.NONE);
      CompletableFuture<Evaluate> hanging = never(devTools);
      await().atMost(TIMEOUT).until(() -> chromium.connection.pendingCalls() == 1);

      chromium.connection
          .send("Target.disposeBrowserContext", JSON.createObjectNode().put("browserContextId", page.contextId))
          .get(10, SECONDS);

      assertThatThrownBy(() -> hanging.get(10, SECONDS))
          .cause()
          .isInstanceOf(ChromeDevToolsInvocationException.class)
          .hasMessageContaining("detached");
      assertThat(browserEvents).contains("Target.detachedFromTarget");
      assertThatThrownBy(() -> devTools.getRuntime().evaluate("1")).isInstanceOf(CdpConnectionClosedException.class);
      assertThat(chromium.connection.isOpen()).isTrue();
    }
  }

  @Test
  void killedBrowserFailsTheCallInFlightWithinTwoSeconds() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      Page page = openPage(chromium.connection);
      ChromeDevToolsService devTools = DevToolsServices.create(page.session, CallGuard.NONE);
      CompletableFuture<Evaluate> hanging = never(devTools);
      await().atMost(TIMEOUT).until(() -> chromium.connection.pendingCalls() == 1);

      chromium.process.destroyForcibly();

      assertThatThrownBy(() -> hanging.get(2, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ChromeDevToolsInvocationException.class)
          .hasMessageContaining("browser connection closed");
      chromium.connection.closedFuture().get(2, SECONDS);
      assertThatThrownBy(() -> devTools.getRuntime().evaluate("1")).isInstanceOf(CdpConnectionClosedException.class);
    }
  }

  @Test
  void guardThatThrowsPreventsTheSend() throws Exception {
    try (LaunchedChromium chromium = LaunchedChromium.launch(dir)) {
      AtomicBoolean revoked = new AtomicBoolean();
      CallGuard guard =
          new CallGuard() {
            @Override
            public void beforeCall() {
              if (revoked.get()) {
                throw new IllegalStateException("lease revoked");
              }
            }

            @Override
            public RuntimeException translate(RuntimeException failure) {
              return failure;
            }
          };
      ChromeDevToolsService devTools = DevToolsServices.create(openPage(chromium.connection).session, guard);
      assertThat(devTools.getRuntime().evaluate("1+1").getResult().getValue()).isEqualTo(2);
      long messages = chromium.activity.get();

      revoked.set(true);
      assertThatThrownBy(() -> devTools.getRuntime().evaluate("window.sent = true")).hasMessage("lease revoked");

      assertThat(chromium.activity.get()).as("commands sent or replies received").isEqualTo(messages);
      revoked.set(false);
      assertThat(devTools.getRuntime().evaluate("typeof window.sent").getResult().getValue()).isEqualTo("undefined");
    }
  }

  /** A fresh browser context with one about:blank page, attached. */
  private static Page openPage(PipeConnection connection) throws Exception {
    String contextId =
        connection.send("Target.createBrowserContext", null).get(10, SECONDS).get("browserContextId").asText();
    String targetId =
        connection
            .send("Target.createTarget", JSON.createObjectNode().put("url", "about:blank").put("browserContextId", contextId))
            .get(10, SECONDS)
            .get("targetId")
            .asText();
    CdpSession session = connection.attach(targetId, TIMEOUT);
    assertThat(session.targetId()).isEqualTo(targetId);
    return new Page(contextId, targetId, session);
  }

  private record Page(String contextId, String targetId, CdpSession session) {}

  /** Starts, on a thread of its own, a typed call that Chromium never answers. */
  private static CompletableFuture<Evaluate> never(ChromeDevToolsService devTools) {
    CompletableFuture<Evaluate> call = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                call.complete(
                    devTools
                        .getRuntime()
                        .evaluate("new Promise(() => {})", null, null, null, null, null, null, null, true, null, null, null, null, null, null));
              } catch (RuntimeException e) {
                call.completeExceptionally(e);
              }
            },
            "test-hanging-call");
    caller.setDaemon(true);
    caller.start();
    return call;
  }

  private static List<String> targetIds(PipeConnection connection) throws Exception {
    JsonNode infos = connection.send("Target.getTargets", null).get(10, SECONDS).get("targetInfos");
    return infos.findValuesAsText("targetId");
  }
}
