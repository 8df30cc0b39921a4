package io.github.browserpool;

import static io.github.browserpool.LocalSite.eval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.test.ProcessTable;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A renderer crash in one of two concurrent leases of one browser fails only that lease's page: the
 * lease goes on with a new page, the other lease never notices, and the browser is not touched.
 * Both pages are on the same origin, so a renderer shared between the leases would take both down.
 */
@Tag("chromium")
class RendererCrashChromiumTest extends OnLocalSite {

  @Test
  void aRendererCrashFailsOnlyThatLeasesPage() {
    try (BrowserPool pool = BrowserPool.start(config("renderer-crash").maxBrowsers(1).maxContextsPerBrowser(2)
        .acquireTimeout(Duration.ofSeconds(10)).build())) {
      try (BrowserLease a = pool.acquire(); BrowserLease b = pool.acquire()) {
        long pid = a.browserPid();
        assertThat(b.browserPid()).as("both leases in the one browser").isEqualTo(pid);
        ChromeDevToolsService pa = site.open(a, "/page/a");
        ChromeDevToolsService pb = site.open(b, "/page/b");
        eval(pb, "window.ticks = 0; setInterval(() => ticks++, 20); 'ticking'");
        eval(pb, "sessionStorage.setItem('state', 'kept')");

        assertThatThrownBy(() -> pa.getPage().crash())
            .as("Page.crash: the page's renderer dies under the call")
            .isInstanceOf(CdpSessionClosedException.class)
            .hasMessageContaining("crashed")
            .hasMessageContaining("newPage()");
        assertThatThrownBy(() -> eval(pa, "1")).as("every later call on the crashed page fails at once")
            .isInstanceOf(CdpSessionClosedException.class).hasMessageContaining("crashed");

        int ticksAfterCrash = ((Number) eval(pb, "ticks")).intValue();
        await("B's page keeps running").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> ((Number) eval(pb, "ticks")).intValue() > ticksAfterCrash + 5);
        assertThat(eval(pb, "sessionStorage.getItem('state') + ' ' + location.pathname"))
            .as("the same document, not a reloaded one").isEqualTo("kept /page/b");

        assertThat(a.isActive()).isTrue();
        ChromeDevToolsService pa2 = site.open(a, "/page/a2");
        assertThat(eval(pa2, "1 + 1")).as("A goes on with a new page").isEqualTo(2);

        RawPage raw = a.newRawPage();
        raw.call("Page.navigate", raw.params().put("url", site.url("/page/raw")));
        assertThatThrownBy(() -> raw.call("Page.crash", null)).as("the same through the raw page")
            .isInstanceOf(CdpSessionClosedException.class).hasMessageContaining("crashed");
        assertThat(raw.isClosed()).isTrue();
        int ticksAfterRawCrash = ((Number) eval(pb, "ticks")).intValue();
        await("B's page still runs").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> ((Number) eval(pb, "ticks")).intValue() > ticksAfterRawCrash + 5);

        assertThat(a.browserPid()).isEqualTo(pid);
        assertThat(ProcessTable.isAlive(pid)).as("the browser process lives").isTrue();
        assertThat(a.isActive()).isTrue();
        assertThat(b.isActive()).isTrue();
        PoolStats stats = pool.stats();
        assertThat(stats.closed(CloseReason.CRASHED)).as("no browser counted as crashed").isZero();
        assertThat(stats.closed()).as("no browser closed at all").isZero();
        assertThat(stats.leasesRevoked()).isZero();
      }
      assertThat(pool.stats().leased()).isZero();
      assertThat(pool.stats().closed(CloseReason.CRASHED)).isZero();
    }
  }
}
