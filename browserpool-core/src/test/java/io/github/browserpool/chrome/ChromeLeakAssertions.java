package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.test.LeakCheck;
import java.nio.file.Path;
import java.util.List;

/**
 * Asserts that a test left no live process referencing its tempRoot and no chromelambda-* dir under it.
 * The check is browserpool-test's {@link LeakCheck}, which reads /proc itself: the checker shares no
 * code with the ProcFs it checks.
 */
final class ChromeLeakAssertions {
  private ChromeLeakAssertions() {}

  /** Returns "pid: cmdline" for every live (non-zombie) process whose command line names {@code tempRoot}. */
  static List<String> liveProcessesMentioning(Path tempRoot) {
    return LeakCheck.processesReferencing(tempRoot).stream()
        .map(p -> p.pid() + ": " + (p.cmdline().length() > 200 ? p.cmdline().substring(0, 200) + "..." : p.cmdline()))
        .toList();
  }

  /** Returns the chromelambda-* dirs up to two levels below {@code tempRoot}. */
  static List<Path> profileDirsUnder(Path tempRoot) {
    return LeakCheck.profileDirs(tempRoot, 2);
  }

  /** Fails unless no live process mentions {@code tempRoot} and no chromelambda-* dir is under it. */
  static void assertNoLeaks(Path tempRoot) {
    assertThat(liveProcessesMentioning(tempRoot)).as("live processes referencing %s", tempRoot).isEmpty();
    assertThat(profileDirsUnder(tempRoot)).as("chromelambda dirs under %s", tempRoot).isEmpty();
  }
}
