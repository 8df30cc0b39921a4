package io.github.browserpool;

import static io.github.browserpool.LocalSite.eval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.protocol.types.network.Cookie;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two concurrent anonymous leases in one browser ({@code maxContextsPerBrowser} above 1) try to see each
 * other's cookies, storage, HTTP cache and pages on the same origin, served by the test on 127.0.0.1.
 * Every probe is first run inside one lease, where it must see what was left: between two of its pages
 * (one context), or for what belongs to a tab or its opener (sessionStorage, a window name) in the same
 * page; so a probe that could not see anything fails there instead of passing blindly between leases.
 */
@Tag("chromium")
class DenseLeaseIsolationChromiumTest extends OnLocalSite {

  /** One browser that serves up to 4 leases at once; a second browser could not even be launched. */
  private BrowserPool densePool(String name) {
    return BrowserPool.start(config(name).maxBrowsers(1).maxContextsPerBrowser(4)
        .acquireTimeout(Duration.ofSeconds(10)).build());
  }

  /** Two leases held at once, asserted to share the only browser. */
  private static BrowserLease[] twoLeasesInOneBrowser(BrowserPool pool) {
    BrowserLease a = pool.acquire();
    BrowserLease b = pool.acquire();
    assertThat(b.browserPid()).as("both leases in the one browser").isEqualTo(a.browserPid());
    assertThat(b.browserId()).isEqualTo(a.browserId());
    return new BrowserLease[] {a, b};
  }

  @Test
  void aPageCannotReachTheOtherLeasesPagesOrTheSharedBrowser() {
    try (BrowserPool pool = densePool("dense-targets")) {
      BrowserLease[] leases = twoLeasesInOneBrowser(pool);
      try (BrowserLease a = leases[0]; BrowserLease b = leases[1]) {
        ChromeDevToolsService pb = site.open(b, "/page/b");
        String bTarget = pb.getTarget().getTargetInfo().getTargetId();
        ChromeDevToolsService pa = site.open(a, "/page/a");
        RawPage raw = a.newRawPage();
        com.fasterxml.jackson.databind.node.ObjectNode toB =
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("targetId", bTarget);
        // The typed API and the raw page are refused alike, before anything is sent.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pa.getTarget().getTargets())
            .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Target.getTargets")
            .hasMessageContaining("maxContextsPerBrowser");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pa.getTarget().closeTarget(bTarget))
            .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.call("Target.attachToTarget", toB))
            .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.call("Target.attachToBrowserTarget", null))
            .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pa.getBrowser().close())
            .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Browser.close");
        // Target.getTargetInfo goes on a page session, where Chromium answers it for any target of the browser:
        // another lease's target gets Chromium's own answer for an unknown id, its URL and title stay hidden.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pa.getTarget().getTargetInfo(bTarget))
            .isInstanceOf(ChromeDevToolsInvocationException.class).hasMessageContaining("No target with given id found")
            .hasMessageNotContaining("/page/b");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.call("Target.getTargetInfo", toB))
            .isInstanceOf(CdpException.class).hasMessageContaining("No target with given id found")
            .hasMessageNotContaining("/page/b");
        String aTarget = pa.getTarget().getTargetInfo().getTargetId();
        assertThat(pa.getTarget().getTargetInfo(aTarget).getUrl()).as("its own target, named").endsWith("/page/a");
        assertThat(raw.call("Target.getTargetInfo", null).path("targetInfo").path("targetId").asText())
            .isEqualTo(raw.targetId());
        assertThat(raw.call("Target.getTargetInfo",
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("targetId", aTarget))
            .path("targetInfo").path("url").asText()).as("a page of its own lease, named").endsWith("/page/a");
        // What concerns the page itself still works, and the other lease is untouched.
        assertThat(aTarget).isNotEqualTo(bTarget);
        assertThat(pa.getBrowser().getVersion().getProduct()).isNotBlank();
        assertThat(a.isActive()).as("a refused command does not end the lease").isTrue();
        assertThat(eval(pb, "location.pathname")).isEqualTo("/page/b");
        assertThat(pool.stats().closed()).isZero();
      }
    }
  }

  @Test
  void aLeaseWithItsOwnBrowserKeepsTheBrowserWideDomains() {
    try (BrowserPool pool = BrowserPool.start(config("own-targets").maxBrowsers(1).maxContextsPerBrowser(1).build());
        BrowserLease lease = pool.acquire()) {
      ChromeDevToolsService page = site.open(lease, "/page/own");
      assertThat(page.getTarget().getTargets()).as("nothing else to see: its browser is its own").isNotEmpty();
    }
  }

  @Test
  void cookiesSetByScriptAndByTheServerStayInTheirLease() {
    try (BrowserPool pool = densePool("dense-cookies")) {
      BrowserLease[] leases = twoLeasesInOneBrowser(pool);
      try (BrowserLease a = leases[0]; BrowserLease b = leases[1]) {
        ChromeDevToolsService pa = site.open(a, "/page/a");
        eval(pa, "document.cookie = 'fromScript=a-secret; path=/'");
        assertThat(eval(pa, "fetch('/set-cookie').then(r => r.text())")).isEqualTo("set");

        ChromeDevToolsService pa2 = site.open(a, "/page/a2");
        assertThat((String) eval(pa2, "document.cookie")).as("probe: a second page of the same lease")
            .contains("fromScript=a-secret").contains("fromServer=a-secret");
        assertThat(names(pa2.getNetwork().getCookies(List.of(site.origin())))).contains("fromScript", "fromServer");
        assertThat(site.cookieHeaders.get("/page/a2")).contains("fromScript=a-secret").contains("fromServer=a-secret");

        ChromeDevToolsService pb = site.open(b, "/page/b");
        assertThat(eval(pb, "document.cookie")).as("document.cookie of the other lease").isEqualTo("");
        assertThat(pb.getNetwork().getCookies(List.of(site.origin()))).as("Network.getCookies").isEmpty();
        assertThat(pb.getNetwork().getAllCookies()).as("Network.getAllCookies").isEmpty();
        assertThat(eval(pb, "fetch('/whoami').then(r => r.text())")).as("what the server got from it").isEqualTo("");
        assertThat(site.cookieHeaders.get("/page/b")).as("the other lease's navigation sent no cookie").isEqualTo("");
      }
    }
  }

  @Test
  void localStorageSessionStorageAndIndexedDbStayInTheirLease() {
    try (BrowserPool pool = densePool("dense-storage")) {
      BrowserLease[] leases = twoLeasesInOneBrowser(pool);
      try (BrowserLease a = leases[0]; BrowserLease b = leases[1]) {
        ChromeDevToolsService pa = site.open(a, "/page/a");
        eval(pa, "localStorage.setItem('probe', 'a-secret'); sessionStorage.setItem('probe', 'a-secret')");
        assertThat(eval(pa, IDB_PUT)).isEqualTo("stored");

        ChromeDevToolsService pa2 = site.open(a, "/page/a2");
        assertThat(eval(pa2, "localStorage.getItem('probe')")).as("probe: localStorage").isEqualTo("a-secret");
        assertThat(eval(pa2, IDB_GET)).as("probe: IndexedDB").isEqualTo("a-secret");
        // sessionStorage belongs to the tab, not the context: its probe is the same tab, navigated again.
        site.navigate(pa, "/page/a-again");
        assertThat(eval(pa, "sessionStorage.getItem('probe')")).as("probe: sessionStorage").isEqualTo("a-secret");

        ChromeDevToolsService pb = site.open(b, "/page/b");
        assertThat(eval(pb, "localStorage.length")).as("localStorage of the other lease").isEqualTo(0);
        assertThat(eval(pb, "sessionStorage.length")).as("sessionStorage of the other lease").isEqualTo(0);
        assertThat(eval(pb, "indexedDB.databases().then(dbs => JSON.stringify(dbs.map(d => d.name)))"))
            .as("IndexedDB databases of the other lease").isEqualTo("[]");
        assertThat(eval(pb, IDB_GET)).as("the same database name opens empty").isEqualTo("no store");
      }
    }
  }

  @Test
  void theHttpCacheIsNotShared() {
    try (BrowserPool pool = densePool("dense-cache")) {
      BrowserLease[] leases = twoLeasesInOneBrowser(pool);
      try (BrowserLease a = leases[0]; BrowserLease b = leases[1]) {
        String fetchCached = "fetch('/cached.js').then(r => r.text())";
        ChromeDevToolsService pa = site.open(a, "/page/a");
        assertThat(eval(pa, fetchCached)).isEqualTo("// cached");
        assertThat(site.cachedHits.get()).isEqualTo(1);

        ChromeDevToolsService pa2 = site.open(a, "/page/a2");
        assertThat(eval(pa2, fetchCached)).isEqualTo("// cached");
        assertThat(site.cachedHits.get()).as("probe: the same lease's next load comes from its cache").isEqualTo(1);

        ChromeDevToolsService pb = site.open(b, "/page/b");
        assertThat(eval(pb, fetchCached)).isEqualTo("// cached");
        assertThat(site.cachedHits.get()).as("the other lease's load reaches the server again").isEqualTo(2);
      }
    }
  }

  @Test
  void broadcastChannelMessagesAndNamedWindowsDoNotCrossLeases() {
    try (BrowserPool pool = densePool("dense-pages")) {
      BrowserLease[] leases = twoLeasesInOneBrowser(pool);
      try (BrowserLease a = leases[0]; BrowserLease b = leases[1]) {
        ChromeDevToolsService pa = site.open(a, "/page/a");
        ChromeDevToolsService pa2 = site.open(a, "/page/a2");
        ChromeDevToolsService pb = site.open(b, "/page/b");
        String listen = "window.got = []; window.bc = new BroadcastChannel('probe');"
            + " bc.onmessage = e => got.push(e.data); 'listening'";
        eval(pa2, listen);
        eval(pb, listen);
        eval(pa, "new BroadcastChannel('probe').postMessage('from-a'); 'posted'");
        await("probe: a second page of the same lease gets the message").atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(20)).until(() -> "[\"from-a\"]".equals(eval(pa2, "JSON.stringify(got)")));
        // Delivery to pa2 shows the message went out; the other lease's page must stay empty a while after.
        await("the other lease's page gets nothing").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(50)).until(() -> "[]".equals(eval(pb, "JSON.stringify(got)")));

        // A named target: B's page is called 'probe-target'; A opens a window by that name. Chromium
        // resolves names within the opener's browsing context group only, so two pages of one lease do not
        // reach each other by name either: this probe guards the group, not the context (its probe is the
        // name resolving for its opener). What is not isolated is CDP itself: a page session's
        // Target.getTargets lists every target of the browser, other leases' pages included.
        eval(pb, "window.name = 'probe-target'");
        assertThat(eval(pa, "window.w = window.open('" + site.url("/page/opened") + "', 'probe-target');"
            + " String(w !== null)")).as("the popup opened").isEqualTo("true");
        assertThat(eval(pa, "String(window.open('', 'probe-target') === w)"))
            .as("probe: the name resolves for its opener").isEqualTo("true");
        await("the popup loaded").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> site.requested.contains("/page/opened"));
        assertThat(eval(pb, "location.pathname")).as("B's page was not navigated by A's window.open")
            .isEqualTo("/page/b");
      }
    }
  }

  // --- page helpers ---

  private static final String IDB_PUT = "new Promise((ok, fail) => { const r = indexedDB.open('probe-db', 1);"
      + " r.onupgradeneeded = () => r.result.createObjectStore('s');"
      + " r.onerror = () => fail(r.error);"
      + " r.onsuccess = () => { const tx = r.result.transaction('s', 'readwrite');"
      + " tx.objectStore('s').put('a-secret', 'probe'); tx.oncomplete = () => { r.result.close(); ok('stored'); };"
      + " tx.onerror = () => fail(tx.error); }; })";

  /** The stored value, or "no store" when the database has no object store (it was just created empty). */
  private static final String IDB_GET = "new Promise((ok, fail) => { const r = indexedDB.open('probe-db');"
      + " r.onerror = () => fail(r.error);"
      + " r.onsuccess = () => { const db = r.result;"
      + " if (!db.objectStoreNames.contains('s')) { db.close(); ok('no store'); return; }"
      + " const g = db.transaction('s').objectStore('s').get('probe');"
      + " g.onsuccess = () => { db.close(); ok(String(g.result)); }; g.onerror = () => fail(g.error); }; })";

  private static List<String> names(List<Cookie> cookies) {
    return cookies.stream().map(Cookie::getName).toList();
  }
}
