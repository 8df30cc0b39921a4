package io.github.browserpool.e2e.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.test.GridProcess;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real standalone Grid for a whole test class, registered as {@code @RegisterExtension static}:
 * started before the class's first test, checked after every test (the Grid holds no session and runs
 * no chromedriver or Chromium), and stopped after the last one, which must leave no process of the Grid
 * behind (its dir is deleted).
 */
final class StandaloneGrid implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private final String name;
  private final int sessionTimeoutSeconds;
  private final int slots;
  private GridProcess grid;

  StandaloneGrid(String name, int sessionTimeoutSeconds, int slots) {
    this.name = name;
    this.sessionTimeoutSeconds = sessionTimeoutSeconds;
    this.slots = slots;
  }

  URI url() {
    return grid.url();
  }

  /** The Grid JVM. */
  ProcessHandle jvm() {
    return grid.process.toHandle();
  }

  /** The chromedriver and Chromium processes this Grid runs. */
  List<Long> processes() {
    return grid.processes();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    grid = GridProcess.standalone(name, sessionTimeoutSeconds, slots); // afterAll stops it, even if it never got ready
    grid.awaitReady(1, Duration.ofSeconds(60));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(GridProcess.sessionIds(grid.url())).as("sessions on the Grid").isEmpty();
      assertThat(grid.processes()).as("chromedriver/Chromium processes of the Grid").isEmpty();
    });
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (grid == null) {
      return;
    }
    try {
      grid.process.destroy();
      assertThat(grid.process.waitFor(20, TimeUnit.SECONDS)).as("the Grid JVM stops on SIGTERM").isTrue();
      assertThat(grid.killLeftovers()).as("chromedriver/Chromium processes left after the Grid stopped").isZero();
    } finally {
      grid.close(); // whatever failed above: nothing of the Grid may outlive the class
    }
  }
}
