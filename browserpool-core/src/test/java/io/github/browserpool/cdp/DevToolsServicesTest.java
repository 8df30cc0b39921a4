package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpCallTimeoutException;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.kklisura.cdt.protocol.types.page.PermissionsPolicyFeatureState;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DevToolsServicesTest {
  private final FakeBrowser browser = new FakeBrowser();
  private final ExecutorService callers =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "test-caller");
            thread.setDaemon(true);
            return thread;
          });

  @AfterEach
  void tearDown() {
    browser.close();
    callers.shutdownNow();
  }

  @Test
  void typedCallGoesOutInItsSessionAndReturnsTheTypedResult() throws Exception {
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), CallGuard.NONE);

    CompletableFuture<Evaluate> evaluate = inBackground(() -> devTools.getRuntime().evaluate("1+1"));
    JsonNode command = browser.next();
    assertThat(command.get("method").asText()).isEqualTo("Runtime.evaluate");
    assertThat(command.get("sessionId").asText()).isEqualTo("S1");
    assertThat(command.get("params").get("expression").asText()).isEqualTo("1+1");
    browser.reply(command, "{\"result\":{\"type\":\"number\",\"value\":2,\"description\":\"2\"}}");

    assertThat(evaluate.get(5, SECONDS).getResult().getValue()).isEqualTo(2);
  }

  @Test
  void guardThatThrowsStopsTheCallBeforeAnythingIsSent() throws Exception {
    AtomicInteger before = new AtomicInteger();
    CallGuard revoked =
        new CallGuard() {
          @Override
          public void beforeCall() {
            before.incrementAndGet();
            throw new IllegalStateException("lease revoked");
          }

          @Override
          public RuntimeException translate(RuntimeException failure) {
            throw new AssertionError("nothing was sent, so nothing can fail");
          }
        };
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), revoked);

    assertThatThrownBy(() -> devTools.getRuntime().evaluate("1+1")).isInstanceOf(IllegalStateException.class).hasMessage("lease revoked");
    assertThatThrownBy(() -> devTools.getPage().onLoadEventFired(event -> {})).hasMessage("lease revoked");
    assertThat(before.get()).isEqualTo(2);

    CompletableFuture<JsonNode> ping = browser.connection.send("Browser.getVersion", null);
    JsonNode next = browser.next(); // the first message after the refused calls
    assertThat(next.get("method").asText()).isEqualTo("Browser.getVersion");
    browser.reply(next, "{}");
    ping.get(5, SECONDS);
  }

  @Test
  void detachFailsTheTypedCallInFlightThroughTranslate() throws Exception {
    BlockingQueue<RuntimeException> translated = new LinkedBlockingQueue<>();
    CallGuard guard = translatingGuard(translated);
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), guard);

    CompletableFuture<Evaluate> hanging = inBackground(() -> devTools.getRuntime().evaluate("new Promise(() => {})"));
    browser.next();
    browser.send("{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"S1\",\"targetId\":\"T1\"}}");

    assertThatThrownBy(() -> hanging.get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TranslatedException.class);
    RuntimeException original = translated.poll();
    assertThat(original).isInstanceOf(ChromeDevToolsInvocationException.class).hasMessageContaining("detached");
    assertThat(((ChromeDevToolsInvocationException) original).getCode()).isEqualTo(CdpSessionClosedException.CODE);

    // Later calls fail at once, unchecked, through translate too.
    assertThatThrownBy(() -> devTools.getRuntime().evaluate("1")).isInstanceOf(TranslatedException.class);
    assertThat(translated.poll()).isInstanceOf(CdpSessionClosedException.class).hasMessageContaining("detached");
    assertThat(browser.hasUnread()).isFalse();
  }

  @Test
  void endOfFileFailsTheTypedCallInFlight() throws Exception {
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), CallGuard.NONE);
    CompletableFuture<Evaluate> hanging = inBackground(() -> devTools.getRuntime().evaluate("new Promise(() => {})"));
    browser.next();

    browser.endOfFile();

    assertThatThrownBy(() -> hanging.get(5, SECONDS))
        .cause()
        .isInstanceOf(ChromeDevToolsInvocationException.class)
        .hasMessageContaining("browser connection closed")
        .satisfies(e -> assertThat(((ChromeDevToolsInvocationException) e).getCode()).isEqualTo(CdpConnectionClosedException.CODE));
    assertThatThrownBy(() -> devTools.getRuntime().evaluate("1")).isExactlyInstanceOf(CdpConnectionClosedException.class);
  }

  @Test
  void aTypedCallPastItsCallTimeoutFailsWithTheTimeoutCodeAndThePageIsClosed() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    ChromeDevToolsService devTools = DevToolsServices.create(session, CallGuard.NONE, java.time.Duration.ofMillis(300));
    long start = System.nanoTime();
    CompletableFuture<Evaluate> hanging = inBackground(() -> devTools.getRuntime().evaluate("while(true){}"));
    browser.next(); // never answered

    assertThatThrownBy(() -> hanging.get(5, SECONDS))
        .cause()
        .isInstanceOf(ChromeDevToolsInvocationException.class)
        .hasMessageContaining("Runtime.evaluate got no reply within PT0.3S")
        .satisfies(e -> assertThat(((ChromeDevToolsInvocationException) e).getCode()).isEqualTo(CdpCallTimeoutException.CODE));
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 3000L);
    assertThat(browser.next().get("method").asText()).isEqualTo("Target.closeTarget");
    assertThatThrownBy(() -> devTools.getRuntime().evaluate("1")).isInstanceOf(CdpSessionClosedException.class);
  }

  @Test
  void unknownEnumValuesReadAsNull() throws Exception {
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), CallGuard.NONE);
    CompletableFuture<List<PermissionsPolicyFeatureState>> states =
        inBackground(() -> devTools.getPage().getPermissionsPolicyState("F1"));
    browser.reply(
        browser.next(),
        "{\"states\":[{\"feature\":\"camera\",\"allowed\":true},{\"feature\":\"a-feature-from-2031\",\"allowed\":false}]}");

    List<PermissionsPolicyFeatureState> result = states.get(5, SECONDS);
    assertThat(result).hasSize(2);
    assertThat(result.get(0).getFeature()).isNotNull();
    assertThat(result.get(1).getFeature()).isNull();
    assertThat(result.get(1).getAllowed()).isFalse();
  }

  @Test
  void eventsRunInOrderOnSharedDaemonThreads() throws Exception {
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), CallGuard.NONE);
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    devTools.getPage().onLoadEventFired(
        event -> {
          Thread thread = Thread.currentThread();
          seen.add(event.getTimestamp() + " " + thread.getName() + " daemon=" + thread.isDaemon());
        });
    for (int i = 1; i <= 50; i++) {
      browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":" + i + "},\"sessionId\":\"S1\"}");
    }
    for (int i = 1; i <= 50; i++) {
      assertThat(seen.poll(5, SECONDS)).matches(i + "\\.0 browserpool-cdp-events-\\d+ daemon=true");
    }
  }

  @Test
  void servicesStartNoThreadThatKeepsTheJvmAlive() throws Exception {
    Set<Thread> before = nonDaemonThreads();
    CdpSession session = browser.attach("T1", "S1");
    for (int i = 0; i < 20; i++) {
      ChromeDevToolsService devTools = DevToolsServices.create(session, CallGuard.NONE);
      devTools.getPage().onLoadEventFired(event -> {});
    }
    browser.send("{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":1},\"sessionId\":\"S1\"}");
    CompletableFuture<JsonNode> ping = browser.connection.send("Browser.getVersion", null);
    browser.reply(browser.next(), "{}");
    ping.get(5, SECONDS); // the event was routed before this reply

    assertThat(nonDaemonThreads()).isSubsetOf(before);
  }

  @Test
  void closingTheServiceClosesTheSessionAndItsTarget() throws Exception {
    CdpSession session = browser.attach("T1", "S1");
    ChromeDevToolsService devTools = DevToolsServices.create(session, CallGuard.NONE);
    CompletableFuture<Evaluate> hanging = inBackground(() -> devTools.getRuntime().evaluate("new Promise(() => {})"));
    browser.next();

    devTools.close();

    assertThat(devTools.isClosed()).isTrue();
    assertThat(session.closed()).isTrue();
    assertThatThrownBy(() -> hanging.get(5, SECONDS)).cause().hasMessageContaining("closed by the client");
    JsonNode closeTarget = browser.next();
    assertThat(closeTarget.get("method").asText()).isEqualTo("Target.closeTarget");
    assertThat(closeTarget.get("params").get("targetId").asText()).isEqualTo("T1");
  }

  @Test
  void domainProxiesAnswerObjectMethodsWithoutCallingTheBrowser() throws Exception {
    ChromeDevToolsService devTools = DevToolsServices.create(browser.attach("T1", "S1"), CallGuard.NONE);
    Object runtime = devTools.getRuntime();
    assertThat(runtime).isSameAs(devTools.getRuntime());
    assertThat(runtime.toString()).contains("Runtime");
    assertThat(runtime).isEqualTo(runtime).hasSameHashCodeAs(runtime);
    assertThat(browser.hasUnread()).isFalse();
  }

  private <T> CompletableFuture<T> inBackground(Supplier<T> call) {
    return CompletableFuture.supplyAsync(call, callers);
  }

  private static CallGuard translatingGuard(BlockingQueue<RuntimeException> translated) {
    return new CallGuard() {
      @Override
      public void beforeCall() {}

      @Override
      public RuntimeException translate(RuntimeException failure) {
        translated.add(failure);
        return new TranslatedException(failure);
      }
    };
  }

  private static Set<Thread> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isDaemon()).collect(Collectors.toSet());
  }

  static final class TranslatedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TranslatedException(RuntimeException cause) {
      super("translated: " + cause.getMessage(), cause);
    }
  }
}
