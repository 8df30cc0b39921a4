package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.CdpException;
import io.github.browserpool.RawPage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw escape hatch: any method, any event, here the Fetch domain that cdt-java-client lacks. */
@Tag("chromium")
class RawPageTest {
  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  @Test
  void fetchInterceptsAndFulfilsARequest() {
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("raw").tempRoot(tempRoot).build())) {
      RawPage page;
      try (BrowserLease lease = pool.acquire()) {
        page = lease.newRawPage();
        List<String> paused = new CopyOnWriteArrayList<>();
        page.subscribe("Fetch.requestPaused", event -> {
          paused.add(event.path("request").path("url").asText());
          String html = "<title>served by Fetch</title>";
          page.call("Fetch.fulfillRequest", page.params()
              .put("requestId", event.path("requestId").asText())
              .put("responseCode", 200)
              .put("body", Base64.getEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_8))));
        });
        page.call("Fetch.enable", page.params());
        // No such host: only the interception can answer it.
        page.call("Page.navigate", page.params().put("url", "http://intercepted.invalid/"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
            "served by Fetch".equals(page.call("Runtime.evaluate", page.params().put("expression", "document.title"))
                .path("result").path("value").asText()));
        assertThat(paused).contains("http://intercepted.invalid/");

        JsonNode version = page.call("Browser.getVersion", null);
        assertThat(version.path("product").asText()).contains("Chrome");
        assertThatThrownBy(() -> page.call("No.suchMethod", null))
            .isInstanceOf(CdpException.class).hasMessageContaining("No.suchMethod");
      }
      assertThat(page.isClosed()).as("the page closes with its lease").isTrue();
      assertThatThrownBy(() -> page.call("Runtime.evaluate", page.params().put("expression", "1")))
          .isInstanceOf(LeaseRevokedException.class);
    }
  }
}
