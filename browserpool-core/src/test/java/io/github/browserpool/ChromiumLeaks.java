package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.test.LeakCheck;
import java.nio.file.Path;

/**
 * Asserts that nothing of a test's own tempRoot is left: no process naming it, no profile dir in it.
 * The check is browserpool-test's {@link LeakCheck}, which reads /proc itself, not core's ProcFs.
 */
public final class ChromiumLeaks {
  private ChromiumLeaks() {}

  public static void assertNothingLeftUnder(Path tempRoot) {
    assertThat(LeakCheck.processesReferencing(tempRoot))
        .as("processes whose command line names %s", tempRoot).isEmpty();
    assertThat(LeakCheck.profileDirs(tempRoot))
        .as("profile dirs under %s", tempRoot).isEmpty();
  }
}
