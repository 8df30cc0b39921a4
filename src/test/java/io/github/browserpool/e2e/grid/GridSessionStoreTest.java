package io.github.browserpool.e2e.grid;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.SessionStore;
import io.github.browserpool.e2e.Pages;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A keyed session kept in a store on a real standalone Selenium Grid 4 (2 slots): the state moves with
 * the lease, so a key's next lease, in another Grid session, starts logged in. The Grid is left without
 * sessions, chromedriver or Chromium (checked by {@link StandaloneGrid}).
 */
@Tag("chromium")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GridSessionStoreTest {
  private static final Duration LOAD = Duration.ofSeconds(30);
  @RegisterExtension
  static final StandaloneGrid grid = new StandaloneGrid("sessions", 30, 2);
  private static HttpServer server;

  @BeforeAll
  static void startServer() {
    server = Pages.serve(Map.of("/app", "<html><head><title>app</title></head><body>app</body></html>"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aKeysStateMovesToItsNextLeaseInAnotherGridSession() throws IOException {
    SessionStore store = SessionStore.inMemory();
    String url = Pages.url(server, "/app");
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName("grid-sessions")
        .seleniumGrid(grid.url()).maxBrowsers(1).maxContextsPerBrowser(2).maxLeasesPerBrowser(1)
        .sessionStore(store).acquireTimeout(Duration.ofSeconds(60)).build())) {
      String firstSession;
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.isNewSession()).isTrue();
        firstSession = lease.browserId();
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        Pages.evaluate(page, "document.cookie = 'who=alice; max-age=3600'; localStorage.setItem('token', 't-alice')");
      } // saved from the Grid session, which then retires (maxLeasesPerBrowser 1)
      assertThat(store.load("alice")).get().asString().contains("t-alice");
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.browserId()).as("another Grid session").isNotEqualTo(firstSession);
        assertThat(lease.isNewSession()).isFalse();
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, url, LOAD);
        assertThat(Pages.evaluate(page, "document.cookie")).isEqualTo("who=alice");
        assertThat(Pages.evaluate(page, "localStorage.getItem('token')")).isEqualTo("t-alice");
      }
    }
  }
}
