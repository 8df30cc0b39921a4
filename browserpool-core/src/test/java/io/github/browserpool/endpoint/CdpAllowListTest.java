package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.endpoint.CdpAllowList.Access;
import io.github.browserpool.endpoint.ScopeFilter.Action;
import org.junit.jupiter.api.Test;

/** The endpoint's reviewed table, without a browser: its decisions, its refusals' words, its format. */
class CdpAllowListTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ScopeFilter isolated = new ScopeFilter("CTX", true, null);

  private static ObjectNode params() {
    return JSON.createObjectNode();
  }

  @Test
  void aMethodTheTableDoesNotKnowIsRefusedWithWhatToDo() {
    assertThat(CdpAllowList.rule("Foo.bar")).isNull();
    assertThat(CdpAllowList.refusal("Foo.bar", true)).isEqualTo(CdpAllowList.refusal("Foo.bar", false))
        .startsWith("Foo.bar is not allowed through a lease's endpoint: browserpool has not reviewed it")
        .contains("ask for it in a browserpool issue");
    assertThat(isolated.command("Foo.bar", params(), false))
        .extracting(ScopeFilter.Verdict::action).isEqualTo(Action.REFUSE);
    // Names are exact: no prefix, case or domain-only match lets something through.
    for (String near : new String[] {"Runtime", "runtime.evaluate", "Runtime.evaluate ", "Runtime.Evaluate", ""}) {
      assertThat(isolated.command(near, params(), false).action()).as("'%s'", near).isEqualTo(Action.REFUSE);
    }
  }

  @Test
  void theEscapesOfIssue17AreRefusedEverywhereWithTheirReason() {
    String[][] refused = {
        {"Target.exposeDevToolsProtocol", "channel to the whole browser"},
        {"Target.setRemoteLocations", "remote targets"},
        {"Target.createBrowserContext", "own context"},
        {"Browser.close", "close the lease"},
        {"Browser.crash", "pool owns this browser"},
        {"Browser.getBrowserCommandLine", "whole browser"},
        {"SystemInfo.getProcessInfo", "every process"},
        {"Tethering.bind", "port on the pool's host"},
        {"Extensions.loadUnpacked", "extensions belong to the whole browser"},
        {"PWA.install", "profile"},
        {"Memory.simulatePressureNotification", "whole browser"},
        {"Autofill.setAddresses", "profile"},
        {"FedCm.resetCooldown", "profile"},
        {"Cast.startDesktopMirroring", "desktop"},
    };
    for (String[] r : refused) {
      assertThat(CdpAllowList.rule(r[0]).access()).as(r[0]).isEqualTo(Access.REFUSE);
      for (boolean root : new boolean[] {true, false}) {
        ScopeFilter.Verdict v = isolated.command(r[0], params(), root);
        assertThat(v.action()).as(r[0]).isEqualTo(Action.REFUSE);
        assertThat(v.detail()).startsWith(r[0] + " is not allowed through a lease's endpoint: ").contains(r[1]);
      }
    }
  }

  @Test
  void pageMethodsGoOnPageSessionsOnlyAndBrowserWideOnesAreRefusedOnTheRoot() {
    for (String method : new String[] {"Runtime.evaluate", "Page.navigate", "Page.printToPDF",
        "Page.captureScreenshot", "Network.getResponseBody", "Input.dispatchMouseEvent", "Emulation.setDeviceMetricsOverride",
        "Fetch.enable", "Security.setIgnoreCertificateErrors", "IO.read", "Storage.clearDataForOrigin",
        "Memory.getDOMCounters", "DOM.setFileInputFiles", "Page.startScreencast", "WebMCP.enable"}) {
      assertThat(CdpAllowList.rule(method).access()).as(method).isEqualTo(Access.PAGE);
      assertThat(isolated.command(method, params(), false)).as(method).isSameAs(ScopeFilter.Verdict.FORWARD);
      ScopeFilter.Verdict onRoot = isolated.command(method, params(), true);
      assertThat(onRoot.action()).as(method + " on the root").isEqualTo(Action.REFUSE);
      assertThat(onRoot.detail()).startsWith(method + " is not allowed on the browser session").contains("page's session");
    }
    assertThat(CdpAllowList.refusal("Fetch.enable", true)).contains("every context");
    assertThat(isolated.command("Target.attachToBrowserTarget", params(), true)).isSameAs(ScopeFilter.Verdict.FORWARD);
    assertThat(isolated.command("Target.attachToBrowserTarget", params(), false).detail())
        .startsWith("Target.attachToBrowserTarget is not allowed on a page or child session").contains("same rules");
    assertThat(isolated.command("Browser.getVersion", params(), true)).isSameAs(ScopeFilter.Verdict.FORWARD);
    assertThat(isolated.command("Browser.getVersion", params(), false)).isSameAs(ScopeFilter.Verdict.FORWARD);
  }

  @Test
  void tracingGoesOnPageSessionsOfABrowserOfTheLeasesOwnOnly() {
    ScopeFilter alone = new ScopeFilter("CTX", true, null, false);
    for (String method : new String[] {"Tracing.start", "Tracing.end", "Tracing.requestMemoryDump",
        "Tracing.recordClockSyncMarker"}) {
      assertThat(CdpAllowList.rule(method).access()).as(method).isEqualTo(Access.ALONE);
      for (boolean root : new boolean[] {true, false}) {
        ScopeFilter.Verdict shared = isolated.command(method, params(), root);
        assertThat(shared.action()).as(method + " in a shared browser").isEqualTo(Action.REFUSE);
        assertThat(shared.detail()).startsWith(method + " is not allowed in a browser that leases share: ")
            .contains("other contexts' pages").contains("maxContextsPerBrowser(1)");
      }
      assertThat(alone.command(method, params(), false).action()).as(method + " on a page, alone")
          .isEqualTo(Action.FORWARD);
      ScopeFilter.Verdict onRoot = alone.command(method, params(), true);
      assertThat(onRoot.action()).as(method + " on the browser session, alone").isEqualTo(Action.REFUSE);
      assertThat(onRoot.detail()).startsWith(method + " is not allowed on the browser session").contains("page's session");
    }
    assertThat(CdpAllowList.refusal("Tracing.start", false))
        .as("the two-argument form assumes a shared browser").isNotNull();
    // Build descriptions, no lease's data: on any page session.
    for (String method : new String[] {"Tracing.getCategories", "Tracing.getTrackEventDescriptor"}) {
      assertThat(isolated.command(method, params(), false)).as(method).isSameAs(ScopeFilter.Verdict.FORWARD);
      assertThat(isolated.command(method, params(), true).action()).as(method).isEqualTo(Action.REFUSE);
    }
    // Chrome's own backend only: the host's system tracing service is out of the lease's reach.
    ObjectNode none = params();
    assertThat(alone.command("Tracing.start", none, false)).isSameAs(ScopeFilter.Verdict.FORWARD);
    assertThat(none.path("tracingBackend").asText()).isEqualTo("chrome");
    ObjectNode auto = params().put("tracingBackend", "auto");
    assertThat(alone.command("Tracing.start", auto, false)).isSameAs(ScopeFilter.Verdict.FORWARD);
    assertThat(auto.path("tracingBackend").asText()).isEqualTo("chrome");
    for (String backend : new String[] {"system", "System", ""}) {
      ScopeFilter.Verdict v = alone.command("Tracing.start", params().put("tracingBackend", backend), false);
      assertThat(v.action()).as(backend).isEqualTo(Action.REFUSE);
      assertThat(v.detail()).contains("tracingBackend").contains("Chrome's own backend");
    }
  }

  @Test
  void contextsAreFilledOnPageSessionsToo() {
    // Chromium reads a missing browserContextId as the default context, on a page session too.
    for (String method : new String[] {"Storage.getCookies", "Storage.setCookies", "Storage.clearCookies"}) {
      assertThat(CdpAllowList.rule(method).access()).as(method).isEqualTo(Access.BROWSER);
      ObjectNode p = params();
      assertThat(isolated.command(method, p, true).action()).as(method).isEqualTo(Action.FORWARD);
      assertThat(p.path("browserContextId").asText()).as(method).isEqualTo("CTX");
      assertThat(isolated.command(method, params().put("browserContextId", "OTHER"), true).action())
          .as(method + " naming another context").isEqualTo(Action.REFUSE);
      ScopeFilter.Verdict onPage = isolated.command(method, params(), false);
      assertThat(onPage.action()).as(method + " on a page").isEqualTo(Action.REFUSE);
      assertThat(onPage.detail()).contains("page or child session").contains("Network.getCookies");
    }
    for (String method : new String[] {"Browser.setDownloadBehavior", "Browser.grantPermissions", "Browser.setPermission", "Browser.resetPermissions",
        "Browser.cancelDownload", "Target.createTarget"}) {
      assertThat(CdpAllowList.rule(method).access()).as(method).isEqualTo(Access.SCOPED);
      for (boolean root : new boolean[] {true, false}) {
        ObjectNode p = params();
        assertThat(isolated.command(method, p, root).action()).as(method).isNotEqualTo(Action.REFUSE);
        assertThat(p.path("browserContextId").asText()).as(method + (root ? " on the root" : " on a page")).isEqualTo("CTX");
        assertThat(isolated.command(method, params().put("browserContextId", "OTHER"), root).action())
            .as(method + " naming another context").isEqualTo(Action.REFUSE);
      }
    }
    ObjectNode window = params();
    isolated.command("Browser.getWindowForTarget", window, false);
    assertThat(window.has("browserContextId")).as("a window is asked for by target, not by context").isFalse();
  }

  @Test
  void windowsAreTheLeasesOnlyOnceLearnedFromGetWindowForTarget() {
    ObjectNode bounds = params().put("windowId", 7);
    bounds.putObject("bounds").put("windowState", "minimized");
    ScopeFilter.Verdict before = isolated.command("Browser.setWindowBounds", bounds, false);
    assertThat(before.action()).isEqualTo(Action.REFUSE);
    assertThat(before.detail()).contains("window with id 7 not found");
    assertThat(isolated.command("Browser.getWindowForTarget", params().put("targetId", "T"), true))
        .extracting(ScopeFilter.Verdict::action, ScopeFilter.Verdict::detail).containsExactly(Action.CHECK_TARGET, "T");
    isolated.rememberWindow("{\"id\":3,\"result\":{\"windowId\":7,\"bounds\":{}}}");
    isolated.rememberWindow("not json");
    assertThat(isolated.command("Browser.setWindowBounds", bounds, false)).isSameAs(ScopeFilter.Verdict.FORWARD);
    assertThat(isolated.command("Browser.getWindowBounds", params().put("windowId", 7), true))
        .isSameAs(ScopeFilter.Verdict.FORWARD);
    assertThat(isolated.command("Browser.getWindowBounds", params().put("windowId", 8), true).action())
        .isEqualTo(Action.REFUSE);
    assertThat(isolated.command("Browser.setContentsSize", params().put("windowId", "7x"), true).action())
        .isEqualTo(Action.REFUSE);
    assertThat(new ScopeFilter("CTX", true, null).command("Browser.getWindowBounds", params().put("windowId", 7), true)
        .action()).as("another lease's filter has not learned it").isEqualTo(Action.REFUSE);
  }

  @Test
  void everyRefusalHasAReasonAndTheTableIsWellFormed() {
    assertThat(CdpAllowList.methods()).hasSizeGreaterThan(600);
    for (String method : CdpAllowList.methods()) {
      CdpAllowList.Rule rule = CdpAllowList.rule(method);
      assertThat(method).matches("[A-Z][A-Za-z]*\\.[a-z][A-Za-z0-9]*");
      if (rule.access() == Access.REFUSE || rule.access() == Access.PAGE || rule.access() == Access.ALONE
          || rule.access() == Access.BROWSER) {
        assertThat(rule.reason()).as(method).isNotBlank();
      }
      if (rule.access() == Access.LOCAL) {
        assertThat(isolated.command(method, params(), true).action()).as(method).isEqualTo(Action.ANSWER);
      }
    }
    assertThatThrownBy(() -> CdpAllowList.parse("page A: x\nrefuse A: x -- twice"))
        .hasMessageContaining("A.x is decided twice");
    assertThatThrownBy(() -> CdpAllowList.parse("refuse A: x")).hasMessageContaining("needs its reason");
    assertThatThrownBy(() -> CdpAllowList.parse("alone A: x")).hasMessageContaining("refused in a shared one");
    assertThatThrownBy(() -> CdpAllowList.parse("allow A: x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CdpAllowList.parse("page A x")).hasMessageContaining("access Domain: methods");
    assertThat(CdpAllowList.parse("# note\npage A: x\n    y -- why\n\nboth B: z").keySet())
        .containsExactly("A.x", "A.y", "B.z");
  }
}
