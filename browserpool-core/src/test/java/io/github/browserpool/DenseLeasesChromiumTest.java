package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Several leases in one real Chromium (maxContextsPerBrowser > 1): they run at once in one browser, a
 * forgotten one loses its context while the browser keeps serving the others, and the contexts
 * prepared ahead stay bounded.
 */
@Tag("chromium")
class DenseLeasesChromiumTest extends OnRealChromium {

  private static String evaluate(ChromeDevToolsService page, String expression) {
    return String.valueOf(page.getRuntime().evaluate(expression).getResult().getValue());
  }

  @Test
  void fourConcurrentLeasesShareOneBrowserAndEachWorks() throws Exception {
    try (BrowserPool pool = BrowserPool.start(config("dense-four").maxBrowsers(1).maxContextsPerBrowser(4).build())) {
      ExecutorService workers = Executors.newFixedThreadPool(4);
      try {
        List<BrowserLease> leases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          leases.add(pool.acquire());
        }
        assertThat(leases).extracting(BrowserLease::browserPid).containsOnly(leases.get(0).browserPid());
        assertThat(pool.stats().activeLeases()).isEqualTo(4);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          BrowserLease lease = leases.get(i);
          int n = i;
          results.add(workers.submit((Callable<String>) () -> {
            ChromeDevToolsService page = lease.newPage();
            page.getPage().navigate("data:text/html,<title>lease " + n + "</title>");
            await().atMost(Duration.ofSeconds(20)).until(() -> evaluate(page, "document.title").equals("lease " + n));
            return evaluate(page, "document.title");
          }));
        }
        for (int i = 0; i < 4; i++) {
          assertThat(results.get(i).get()).isEqualTo("lease " + i);
        }
        for (BrowserLease lease : leases) {
          lease.close();
        }
      } finally {
        workers.shutdownNow();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().preparedContexts() == 2);
      try (BrowserLease one = pool.acquire()) {
        one.newPage(); // takes a spare; one is left, so the refill waits for a release (not to slow this lease)
        assertThat(pool.stats().preparedContexts()).isEqualTo(1);
        try (BrowserLease two = pool.acquire()) {
          two.newPage(); // the last spare: the next one is prepared at once
          await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().preparedContexts() == 2);
        }
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().preparedContexts() == 2);
      // One renderer per prepared page and no other: no omnibox-popup WebUI per context, no spare renderer.
      // (The headless shell's renderers name the profile dir only as their working directory.)
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
          io.github.browserpool.test.ProcessTable.namingInCommandLineOrCwd(tempRoot).stream()
              .filter(p -> p.toString().contains("--type=renderer")).count()).isEqualTo(2));
      PoolStats s = pool.stats();
      assertThat(s.total()).isEqualTo(1);
      assertThat(s.activeLeases()).isZero();
      assertThat(s.preparedContexts()).as("spare contexts are bounded: 2 per browser").isEqualTo(2);
      assertThat(s.closed()).isZero();
    }
  }

  @Test
  void aForgottenLeaseLosesItsContextAndTheBrowserGoesOnServingTheOther() {
    try (BrowserPool pool = BrowserPool.start(config("dense-forgotten").maxBrowsers(1).maxContextsPerBrowser(2)
        .idleTimeout(Duration.ofSeconds(2)).build())) {
      BrowserLease forgotten = pool.acquire();
      BrowserLease busy = pool.acquire();
      assertThat(busy.browserPid()).isEqualTo(forgotten.browserPid());
      ChromeDevToolsService forgottenPage = forgotten.newPage();
      ChromeDevToolsService busyPage = busy.newPage();
      // The busy lease keeps working (and so the browser keeps talking) while the other lease is silent.
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
        evaluate(busyPage, "1 + 1");
        return !forgotten.isActive();
      });
      assertThatThrownBy(() -> evaluate(forgottenPage, "1")).isInstanceOf(LeaseRevokedException.class)
          .hasMessageContaining("disposed its context");
      assertThat(evaluate(busyPage, "'still here'")).isEqualTo("still here");
      PoolStats s = pool.stats();
      assertThat(s.leasesRevoked()).isEqualTo(1);
      assertThat(s.closed()).as("the browser was not closed").isZero();
      assertThat(s.activeLeases()).isEqualTo(1);
      assertThat(busy.browserPid()).isEqualTo(pool.browsers().get(0).pid());
      busy.close();
      forgotten.close();
    }
  }
}
