package io.github.browserpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.test.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs the sticky-session example's logic and checks what each lease saw. */
@Tag("chromium")
class StickySessionExampleTest {

  @Test
  void keyedLeaseKeepsTheLoginAcrossBrowsersAndAnAnonymousLeaseDoesNotSeeIt() throws Exception {
    Path tempRoot = Files.createTempDirectory("sticky-test-").toRealPath();
    StickySessionExample.Outcome outcome;
    try (LoginSite site = LoginSite.start();
        BrowserPool pool = BrowserPool.start(StickySessionExample.config(tempRoot)
            .poolName("sticky-test")
            .acquireTimeout(Duration.ofMinutes(2))
            .build())) {
      outcome = StickySessionExample.run(pool, site);
    }

    assertThat(outcome.afterLogin()).isEqualTo("Welcome, alice");
    assertThat(outcome.aliceLater()).isEqualTo("Welcome, alice");
    assertThat(outcome.aliceInNewBrowser()).as("the first browser retired after its one lease").isTrue();
    assertThat(outcome.logins()).as("alice logged in once only").isEqualTo(1);
    assertThat(outcome.anonymous()).isEqualTo("Please log in");

    assertThat(LeakCheck.leftovers(tempRoot)).isEmpty();
    Files.delete(tempRoot);
  }
}
