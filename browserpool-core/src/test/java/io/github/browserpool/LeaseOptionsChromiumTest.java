package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lease's user agent, locale, time zone and viewport as its pages see them in real Chromium, on the
 * typed and the raw page, and the next lease in the same browser untouched by them.
 */
@Tag("chromium")
class LeaseOptionsChromiumTest {
  private static final String PROBE = "JSON.stringify([navigator.userAgent, navigator.language,"
      + " Intl.DateTimeFormat().resolvedOptions().timeZone, innerWidth, innerHeight,"
      + " new Intl.NumberFormat().format(1234.5)])";

  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private static String probe(ChromeDevToolsService page) {
    return (String) page.getRuntime().evaluate(PROBE).getResult().getValue();
  }

  @Test
  void everyPageOfTheLeaseSeesItsOptionsAndTheNextLeaseDoesNot() throws Exception {
    LeaseOptions de = LeaseOptions.builder().userAgent("browserpool-test/1.0 (options)").locale("de-DE")
        .timezone("Australia/Adelaide").viewport(777, 555).build();
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("options").tempRoot(tempRoot)
        .maxBrowsers(1).build())) {
      String before;
      try (BrowserLease plain = pool.acquire()) {
        before = probe(plain.newPage());
      }
      long pid;
      try (BrowserLease lease = pool.acquire(de)) {
        pid = lease.browserPid();
        String seen = probe(lease.newPage());
        assertThat(seen).isEqualTo("[\"browserpool-test/1.0 (options)\",\"de-DE\",\"Australia/Adelaide\",777,555,\"1.234,5\"]");
        assertThat(probe(lease.newPage())).as("a second page of the lease").isEqualTo(seen);

        RawPage raw = lease.newRawPage();
        JsonNode r = raw.call("Runtime.evaluate", raw.params().put("expression", PROBE).put("returnByValue", true));
        assertThat(r.path("result").path("value").asText()).as("a raw page of the lease").isEqualTo(seen);
      }
      try (BrowserLease after = pool.acquire()) {
        assertThat(after.browserPid()).as("same browser").isEqualTo(pid);
        assertThat(probe(after.newPage())).as("the next lease has the browser's own settings").isEqualTo(before);
      }
      assertThat(before).doesNotContain("browserpool-test/1.0").doesNotContain("Australia/Adelaide");
    }
  }
}
