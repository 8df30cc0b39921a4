package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.browserpool.local.LocalBrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.endpoint.TestSite;
import io.github.browserpool.test.CdpTestClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's escape catalogue: a client of lease A tries to reach lease B in the same (dense) browser, or
 * the browser itself, through A's endpoint, from A's browser session, a page session and a child session
 * (an out-of-process iframe). Each attempt is first made where it must work (inside A), so that a refusal
 * is not a method that simply fails, and then where it must not: every refusal is an error reply, and
 * every wait is bounded (a call without a reply within 10 s fails the test). B's client checks after
 * each group that B is untouched.
 */
@Tag("chromium")
class CdpEndpointEscapeCatalogueTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tempRoot;
  private PoolEngine engine;
  private TestSite site;
  private final List<String> attempts = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(2).maxBrowsers(1).poolName("escape")
        .tempRoot(tempRoot).build();
    engine = new PoolEngine(config, LocalBrowserLauncher.create(config), true);
    engine.start();
    site = new TestSite();
  }

  @AfterEach
  void nothingLeft() {
    site.close();
    engine.close();
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private String url(String path) {
    return site.url(path);
  }

  private static ObjectNode params() {
    return JSON.createObjectNode();
  }

  /** The reply of an attempt that must work. */
  private JsonNode works(String what, JsonNode reply) {
    attempts.add("inside: " + what);
    assertThat(reply.has("error")).as("%s must work inside the lease: %s", what, reply).isFalse();
    return reply.path("result");
  }

  /** The reply of an attempt that must be refused with an error naming {@code says}. */
  private void refused(String what, JsonNode reply, String says) {
    attempts.add("outside: " + what);
    assertThat(reply.has("error")).as("%s must be refused: %s", what, reply).isTrue();
    assertThat(reply.path("error").path("message").asText()).as(what).contains(says);
  }

  private static JsonNode pipeCall(PipeConnection pipe, String method, JsonNode params) throws Exception {
    return pipe.send(method, params).get(10, TimeUnit.SECONDS);
  }

  /** Waits (bounded) for the attach event of a target of {@code type} on {@code session}; returns the child session. */
  private static String awaitAttached(CdpTestClient client, String session, String type) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonNode> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      JsonNode event = client.events.poll(100, TimeUnit.MILLISECONDS);
      if (event == null) {
        continue;
      }
      seen.add(event);
      if ("Target.attachedToTarget".equals(event.path("method").asText())
          && session.equals(event.path("sessionId").asText())
          && type.equals(event.path("params").path("targetInfo").path("type").asText())) {
        return event.path("params").path("sessionId").asText();
      }
    }
    throw new AssertionError("no " + type + " attached on " + session + " within 10 s; saw " + seen);
  }

  /** Waits (bounded) until the page of {@code session} shows {@code url}, so its storage is that origin's. */
  private static void awaitLocation(CdpTestClient client, String session, String url) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String at = "";
    while (!(url.equals(at) && "complete".equals(evalString(client, session, "document.readyState")))) {
      assertThat(System.nanoTime()).as("the page reached %s within 10 s (at %s)", url, at).isLessThan(deadline);
      Thread.sleep(20); // polling the page, bounded by the deadline
      at = evalString(client, session, "location.href");
    }
  }

  private static String evalString(CdpTestClient client, String session, String expression) {
    JsonNode reply = client.call(session, "Runtime.evaluate", params().put("expression", expression).put("returnByValue", true));
    assertThat(reply.has("error") || reply.path("result").has("exceptionDetails")).as("%s: %s", expression, reply).isFalse();
    return reply.path("result").path("result").path("value").asText();
  }

  @Test
  void leaseAsClientCannotReachLeaseBOrTheBrowserFromAnySession() throws Exception {
    LeaseState leaseA = engine.acquire(null);
    LeaseState leaseB = engine.acquire(null);
    assertThat(leaseB.browserPid()).as("both leases in the one browser").isEqualTo(leaseA.browserPid());
    LaunchedBrowser.RawCdp ctxA = leaseA.context().rawCdp();
    LaunchedBrowser.RawCdp ctxB = leaseB.context().rawCdp();
    PipeConnection pipe = ctxA.connection();
    String otherCtx = ctxB.contextId();

    try (CdpTestClient a = CdpTestClient.connect(leaseA.cdpEndpoint());
        CdpTestClient b = CdpTestClient.connect(leaseB.cdpEndpoint())) {
      // B: a page with a cookie and local storage on the same origin that A will use, and its window.
      String pageB = b.call("Target.createTarget", params().put("url", url("/inner"))).path("result").path("targetId").asText();
      String sessionB = b.call("Target.attachToTarget", params().put("targetId", pageB).put("flatten", true))
          .path("result").path("sessionId").asText();
      awaitLocation(b, sessionB, url("/inner"));
      b.call(sessionB, "Network.setCookie", params().put("name", "who").put("value", "B").put("url", url("/")));
      evalString(b, sessionB, "localStorage.setItem('who', 'B'), 'ok'");
      long windowB = b.call("Browser.getWindowForTarget", params().put("targetId", pageB)).path("result").path("windowId").asLong();

      // A: a page of the site with an out-of-process iframe, its page session and the frame's child session.
      String pageA = works("Target.createTarget", a.call("Target.createTarget", params().put("url", "about:blank")))
          .path("targetId").asText();
      String root = null;
      String page = works("Target.attachToTarget own page", a.call("Target.attachToTarget",
          params().put("targetId", pageA).put("flatten", true))).path("sessionId").asText();
      works("Target.setAutoAttach on a page session", a.call(page, "Target.setAutoAttach",
          params().put("autoAttach", true).put("waitForDebuggerOnStart", false).put("flatten", true)));
      works("Page.navigate", a.call(page, "Page.navigate", params().put("url", url("/outer"))));
      String child = awaitAttached(a, page, "iframe");
      works("Runtime.evaluate in the iframe's child session", a.call(child, "Runtime.evaluate", params().put("expression", "1")));
      a.call(page, "Network.setCookie", params().put("name", "who").put("value", "A").put("url", url("/")));
      evalString(a, page, "localStorage.setItem('who', 'A'), 'ok'");
      String[] sessions = {root, page, child};
      String[] names = {"browser session", "page session", "child session"};

      // --- Target: listing, attaching, info, activation, closing, naming other contexts ---
      for (int i = 0; i < 3; i++) {
        JsonNode listed = works("Target.getTargets on the " + names[i], a.call(sessions[i], "Target.getTargets", null));
        assertThat(listed.findValuesAsText("targetId")).as(names[i]).contains(pageA).doesNotContain(pageB);
        attempts.add("outside: Target.getTargets on the " + names[i] + " lists B's page");
        refused("Target.attachToTarget B's page from the " + names[i],
            a.call(sessions[i], "Target.attachToTarget", params().put("targetId", pageB).put("flatten", true)), "No target");
        refused("Target.getTargetInfo B's page from the " + names[i],
            a.call(sessions[i], "Target.getTargetInfo", params().put("targetId", pageB)), "No target");
        refused("Target.exposeDevToolsProtocol on A's own page from the " + names[i],
            a.call(sessions[i], "Target.exposeDevToolsProtocol", params().put("targetId", pageA)), "whole browser");
        refused("Browser.close from the " + names[i], a.call(sessions[i], "Browser.close", null), "close the lease");
        refused("Target.createTarget in B's context from the " + names[i], a.call(sessions[i], "Target.createTarget",
            params().put("url", "about:blank").put("browserContextId", otherCtx)), "outside this lease");
        refused("Storage.getCookies of B's context from the " + names[i],
            a.call(sessions[i], "Storage.getCookies", params().put("browserContextId", otherCtx)),
            i == 0 ? "outside this lease" : "page or child session");
        refused("Tracing.start from the " + names[i], a.call(sessions[i], "Tracing.start", params()),
            "leases share");
        refused("SystemInfo.getProcessInfo from the " + names[i], a.call(sessions[i], "SystemInfo.getProcessInfo", null),
            "every process");
      }
      assertThat(evalString(a, page, "typeof window.cdp")).as("no CDP binding was exposed to A's page").isEqualTo("undefined");
      // A second browser session of A's client, as Playwright's newCDPSession opens: the browser session's rules.
      String second = works("Target.attachToBrowserTarget on the browser session",
          a.call("Target.attachToBrowserTarget", null)).path("sessionId").asText();
      refused("Target.attachToBrowserTarget from a page session", a.call(page, "Target.attachToBrowserTarget", null),
          "page or child session");
      refused("Target.attachToBrowserTarget from a child session", a.call(child, "Target.attachToBrowserTarget", null),
          "page or child session");
      assertThat(works("Target.getTargets on the second browser session", a.call(second, "Target.getTargets", null))
          .findValuesAsText("targetId")).contains(pageA).doesNotContain(pageB);
      attempts.add("outside: Target.getTargets on the second browser session lists B's page");
      refused("Target.attachToTarget B's page from the second browser session", a.call(second, "Target.attachToTarget",
          params().put("targetId", pageB).put("flatten", true)), "No target");
      refused("Fetch.enable on the second browser session", a.call(second, "Fetch.enable", params()), "every context");
      refused("Browser.close on the second browser session", a.call(second, "Browser.close", null), "close the lease");
      refused("Target.exposeDevToolsProtocol from the second browser session", a.call(second,
          "Target.exposeDevToolsProtocol", params().put("targetId", pageA)), "whole browser");
      assertThat(works("Storage.getCookies on the second browser session", a.call(second, "Storage.getCookies", null))
          .findValuesAsText("value")).contains("A").doesNotContain("B");
      String viaSecond = works("Target.attachToTarget own page from the second browser session", a.call(second,
          "Target.attachToTarget", params().put("targetId", pageA).put("flatten", true))).path("sessionId").asText();
      assertThat(evalString(a, viaSecond, "document.title")).isEqualTo("outer");
      works("Target.detachFromTarget of the second browser session", a.call("Target.detachFromTarget",
          params().put("sessionId", second)));
      // A third one that pauses every new target, left open when the client goes: it must go with it.
      String third = a.call("Target.attachToBrowserTarget", null).path("result").path("sessionId").asText();
      works("Target.setAutoAttach waitForDebuggerOnStart on a further browser session", a.call(third,
          "Target.setAutoAttach", params().put("autoAttach", true).put("waitForDebuggerOnStart", true).put("flatten", true)));
      works("Target.getTargetInfo own page", a.call("Target.getTargetInfo", params().put("targetId", pageA)));
      works("Target.activateTarget own page", a.call("Target.activateTarget", params().put("targetId", pageA)));
      refused("Target.activateTarget B's page", a.call("Target.activateTarget", params().put("targetId", pageB)), "No target");
      String spare = a.call("Target.createTarget", params().put("url", "about:blank")).path("result").path("targetId").asText();
      works("Target.closeTarget own page", a.call("Target.closeTarget", params().put("targetId", spare)));
      refused("Target.closeTarget B's page", a.call("Target.closeTarget", params().put("targetId", pageB)), "No target");
      refused("Target.autoAttachRelated B's page", a.call("Target.autoAttachRelated",
          params().put("targetId", pageB).put("waitForDebuggerOnStart", false)), "No target");
      refused("Target.detachFromTarget B's session", a.call("Target.detachFromTarget", params().put("sessionId", sessionB)),
          "No session");
      refused("Runtime.evaluate on B's session id", a.call(sessionB, "Runtime.evaluate", params().put("expression", "1")),
          "Session with given id not found");
      refused("Target.createBrowserContext", a.call("Target.createBrowserContext", params()), "own context");
      refused("Target.disposeBrowserContext B's", a.call("Target.disposeBrowserContext",
          params().put("browserContextId", otherCtx)), "own context");
      refused("Target.setRemoteLocations", a.call("Target.setRemoteLocations", params().set("locations",
          JSON.createArrayNode().add(params().put("host", "127.0.0.1").put("port", 9)))), "remote targets");
      refused("Target.sendMessageToTarget", a.call("Target.sendMessageToTarget",
          params().put("message", "{}").put("sessionId", sessionB)), "flat sessions");
      assertThat(works("Target.getBrowserContexts", a.call("Target.getBrowserContexts", null))
          .path("browserContextIds")).as("answered with none").isEmpty();
      // A target created from a page session lands in A's context, not the browser's default one.
      String fromPage = works("Target.createTarget from a page session", a.call(page, "Target.createTarget",
          params().put("url", "about:blank"))).path("targetId").asText();
      assertThat(pipeCall(pipe, "Target.getTargetInfo", params().put("targetId", fromPage))
          .path("targetInfo").path("browserContextId").asText()).isEqualTo(ctxA.contextId());

      // --- Browser ---
      works("Browser.getVersion on the browser session", a.call("Browser.getVersion", null));
      works("Browser.getVersion on a page session", a.call(page, "Browser.getVersion", null));
      refused("Browser.crash", a.call("Browser.crash", null), "pool owns this browser");
      refused("Browser.crashGpuProcess", a.call(page, "Browser.crashGpuProcess", null), "pool owns this browser");
      refused("Browser.getBrowserCommandLine", a.call("Browser.getBrowserCommandLine", null), "command line");
      refused("Browser.getHistograms", a.call("Browser.getHistograms", null), "whole browser");
      refused("Browser.executeBrowserCommand", a.call("Browser.executeBrowserCommand",
          params().put("commandId", "openTabSearch")), "whole browser");
      works("Browser.setDownloadBehavior for the lease", a.call("Browser.setDownloadBehavior",
          params().put("behavior", "deny")));
      refused("Browser.setDownloadBehavior for B's context", a.call("Browser.setDownloadBehavior",
          params().put("behavior", "deny").put("browserContextId", otherCtx)), "outside this lease");
      ObjectNode grant = params().put("origin", url(""));
      grant.putArray("permissions").add("geolocation");
      works("Browser.grantPermissions for the lease", a.call("Browser.grantPermissions", grant.deepCopy()));
      refused("Browser.grantPermissions for B's context", a.call(page, "Browser.grantPermissions",
          grant.deepCopy().put("browserContextId", otherCtx)), "outside this lease");
      refused("Browser.resetPermissions for B's context", a.call("Browser.resetPermissions",
          params().put("browserContextId", otherCtx)), "outside this lease");
      long windowA = works("Browser.getWindowForTarget own page", a.call("Browser.getWindowForTarget",
          params().put("targetId", pageA))).path("windowId").asLong();
      refused("Browser.getWindowForTarget B's page", a.call("Browser.getWindowForTarget",
          params().put("targetId", pageB)), "No target");
      ObjectNode normal = params();
      normal.putObject("bounds").put("windowState", "normal");
      works("Browser.setWindowBounds own window", a.call("Browser.setWindowBounds",
          normal.deepCopy().put("windowId", windowA)));
      assertThat(windowB).as("B's page has a window of its own").isNotEqualTo(windowA);
      refused("Browser.setWindowBounds B's window", a.call(page, "Browser.setWindowBounds",
          normal.deepCopy().put("windowId", windowB)), "not found");

      // --- Storage, Network: the lease's partition only ---
      JsonNode cookies = works("Storage.getCookies on the browser session", a.call("Storage.getCookies", null));
      assertThat(cookies.findValuesAsText("value")).contains("A").doesNotContain("B");
      refused("Storage.getCookies on a page session (Chromium does not bind it to the page's context)",
          a.call(page, "Storage.getCookies", null), "send them on the browser session");
      JsonNode pageCookies = works("Network.getCookies on a page session", a.call(page, "Network.getCookies", null));
      assertThat(pageCookies.findValuesAsText("value")).contains("A").doesNotContain("B");
      refused("Storage.setCookies into B's context", a.call("Storage.setCookies", params().put("browserContextId", otherCtx)
          .set("cookies", JSON.createArrayNode().add(params().put("name", "x").put("value", "evil").put("url", url("/"))))),
          "outside this lease");
      refused("Storage.clearCookies of B's context on the browser session", a.call("Storage.clearCookies",
          params().put("browserContextId", otherCtx)), "outside this lease");
      refused("Storage.clearCookies on a child session", a.call(child, "Storage.clearCookies", null),
          "page or child session");
      refused("Storage.clearDataForOrigin on the browser session", a.call("Storage.clearDataForOrigin",
          params().put("origin", url("")).put("storageTypes", "all")), "page's session");
      works("Storage.getUsageAndQuota on a page session", a.call(page, "Storage.getUsageAndQuota",
          params().put("origin", url(""))));
      assertThat(evalString(b, sessionB, "localStorage.getItem('who') + document.cookie")).as("B before A's clears").isEqualTo("Bwho=B");
      works("Network.getAllCookies on a page session", a.call(page, "Network.getAllCookies", null));
      works("Network.clearBrowserCookies on a page session", a.call(page, "Network.clearBrowserCookies", null));
      assertThat(evalString(b, sessionB, "localStorage.getItem('who') + document.cookie")).as("B after A's Network.clearBrowserCookies").isEqualTo("Bwho=B");
      works("Storage.clearDataForOrigin on a page session", a.call(page, "Storage.clearDataForOrigin",
          params().put("origin", url("")).put("storageTypes", "all")));
      assertThat(evalString(b, sessionB, "localStorage.getItem('who') + document.cookie")).as("B after A's Storage.clearDataForOrigin").isEqualTo("Bwho=B");
      assertThat(evalString(a, page, "String(localStorage.getItem('who'))")).as("A's own storage was cleared").isEqualTo("null");
      refused("Fetch.enable on the browser session (every context's requests)", a.call("Fetch.enable", params()),
          "every context");
      works("Fetch.enable on a page session", a.call(page, "Fetch.enable", params()));
      works("Fetch.disable on a page session", a.call(page, "Fetch.disable", null));

      // --- The browser-wide domains ---
      refused("Tethering.bind", a.call("Tethering.bind", params().put("port", 0)), "port on the pool's host");
      refused("Extensions.getExtensions", a.call("Extensions.getExtensions", null), "extensions");
      refused("PWA.install", a.call(page, "PWA.install", params().put("manifestId", url("/m"))), "profile");
      refused("Memory.simulatePressureNotification", a.call(page, "Memory.simulatePressureNotification",
          params().put("level", "critical")), "whole browser");
      refused("Memory.getBrowserSamplingProfile", a.call("Memory.getBrowserSamplingProfile", null), "whole browser");
      works("Memory.getDOMCounters on a page session", a.call(page, "Memory.getDOMCounters", null));
      refused("Tracing.getCategories on the browser session", a.call("Tracing.getCategories", null), "page's session");
      works("Tracing.getCategories on a page session", a.call(page, "Tracing.getCategories", null));
      refused("Tracing.requestMemoryDump (every process of the browser)", a.call(page, "Tracing.requestMemoryDump",
          params()), "leases share");
      refused("Tracing.end of a trace someone else started", a.call(child, "Tracing.end", null), "leases share");
      refused("Security.setIgnoreCertificateErrors on the browser session", a.call("Security.setIgnoreCertificateErrors",
          params().put("ignore", true)), "every context");
      works("Security.setIgnoreCertificateErrors on a page session", a.call(page, "Security.setIgnoreCertificateErrors",
          params().put("ignore", false)));
      refused("Autofill.enable", a.call(page, "Autofill.enable", null), "profile");
      refused("FedCm.resetCooldown", a.call(page, "FedCm.resetCooldown", null), "profile");
      refused("SystemInfo.getInfo", a.call("SystemInfo.getInfo", null), "host machine");
      refused("Cast.enable", a.call(page, "Cast.enable", null), "desktop");
      refused("an unreviewed method", a.call(page, "Foo.bar", null), "has not reviewed it");

      // --- IO: a stream is read on the session of the page that made it, and nowhere else ---
      String handle = works("Page.printToPDF as a stream", a.call(page, "Page.printToPDF",
          params().put("transferMode", "ReturnAsStream"))).path("stream").asText();
      refused("IO.read of A's stream on the browser session", a.call("IO.read", params().put("handle", handle)),
          "page's session");
      JsonNode chunk = works("IO.read of A's stream on its page session", a.call(page, "IO.read",
          params().put("handle", handle).put("size", 16)));
      assertThat(chunk.path("data").asText()).as("a PDF").isNotEmpty();
      JsonNode fromB = b.call(sessionB, "IO.read", params().put("handle", handle).put("size", 16));
      attempts.add("outside: IO.read of A's stream from B's page session");
      assertThat(fromB.has("error")).as("B cannot read A's stream: %s", fromB).isTrue();
      works("IO.close of A's stream", a.call(page, "IO.close", params().put("handle", handle)));
      // The other way round: B's stream handle (handles are small numbers, easy to guess) from A's sessions.
      String handleB = b.call(sessionB, "Page.printToPDF", params().put("transferMode", "ReturnAsStream"))
          .path("result").path("stream").asText();
      assertThat(handleB).as("B's stream").isNotEmpty();
      refused("IO.read of B's stream on A's browser session", a.call("IO.read", params().put("handle", handleB)),
          "page's session");
      refused("IO.read of B's stream on A's page session", a.call(page, "IO.read", params().put("handle", handleB)),
          "");
      refused("IO.close of B's stream on A's page session", a.call(page, "IO.close", params().put("handle", handleB)),
          "");
      assertThat(b.call(sessionB, "IO.read", params().put("handle", handleB).put("size", 16)).path("result")
          .path("data").asText()).as("B still reads its stream").isNotEmpty();

      // --- B is untouched, and so is the browser ---
      assertThat(evalString(b, sessionB, "localStorage.getItem('who') + document.cookie")).isEqualTo("Bwho=B");
      assertThat(pipeCall(pipe, "Target.getTargetInfo", params().put("targetId", pageB))
          .path("targetInfo").path("browserContextId").asText()).isEqualTo(otherCtx);
      assertThat(b.call("Browser.getVersion", null).path("result").path("product").asText()).contains("Chrome");
      assertThat(evalString(a, child, "document.title")).isEqualTo("inner");
    }
    // A's client is gone, with every browser session it opened: a new page of B is not held for a debugger.
    // The relay ends on the server's event loop when it sees the socket close, with nothing this package can
    // watch: give it a moment, or a late page could be resumed by a relay still running and prove nothing.
    Thread.sleep(500);
    String late = pipeCall(pipe, "Target.createTarget", params().put("url", "data:text/html,<title>not paused</title>")
        .put("browserContextId", otherCtx)).path("targetId").asText();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String title = "";
    while (!"not paused".equals(title) && System.nanoTime() < until) {
      title = pipeCall(pipe, "Target.getTargetInfo", params().put("targetId", late)).path("targetInfo").path("title").asText();
    }
    assertThat(title).as("B's new page loaded after A's client left").isEqualTo("not paused");
    assertThat(attempts.stream().filter(s -> s.startsWith("outside")).count())
        .as("escape attempts in the catalogue").isGreaterThanOrEqualTo(40);
    leaseA.close();
    leaseB.close();
  }
}
