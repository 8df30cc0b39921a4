package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a page of a shared browser may ask through the typed API: the endpoint's table, without its checks. */
class PageScopeTest {
  @Test
  void pageMethodsGoAndWhatTheTableRefusesOrCannotCheckIsRefused() {
    for (String allowed : new String[] {"Runtime.evaluate", "Page.navigate", "Network.getCookies", "Fetch.enable",
        "Browser.getVersion", "Target.getTargetInfo", "Target.setAutoAttach", "Target.detachFromTarget",
        "Target.sendMessageToTarget", "IO.read", "Security.setIgnoreCertificateErrors"}) {
      assertThat(PageScope.refusal(allowed)).as(allowed).isNull();
    }
    assertThat(PageScope.refusal("Target.getTargets")).contains("every page of the browser");
    assertThat(PageScope.refusal("Target.attachToTarget")).contains("every page of the browser");
    assertThat(PageScope.refusal("Browser.grantPermissions")).contains("whole browser");
    assertThat(PageScope.refusal("Browser.close")).contains("pool owns this browser");
    assertThat(PageScope.refusal("Target.exposeDevToolsProtocol")).contains("channel to the whole browser");
    assertThat(PageScope.refusal("Tracing.start")).contains("records every process of the browser")
        .contains("maxContextsPerBrowser(1)");
    assertThat(PageScope.refusal("Storage.getCookies")).contains("Network.getCookies");
    assertThat(PageScope.refusal("SystemInfo.getProcessInfo")).contains("every process");
    assertThat(PageScope.refusal("Foo.bar")).contains("has not reviewed it");
  }
}
