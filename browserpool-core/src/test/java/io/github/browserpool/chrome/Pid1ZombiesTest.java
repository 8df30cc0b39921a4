package io.github.browserpool.chrome;

import static io.github.browserpool.chrome.ChromeLeakAssertions.assertNoLeaks;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, item 7: a JVM that is PID 1 (a container started without --init) inherits every orphan and
 * never reaps it. Runs a child JVM as PID 1 of its own PID namespace ({@code unshare}), which closes
 * browsers normally and after SIGKILL, and counts the zombies left in that namespace. The number of
 * closes is {@code -Dzombie.closes} (default 12, ~20 s on a quiet machine; a quarter are crashes).
 */
@Tag("chromium")
class Pid1ZombiesTest {
  @TempDir Path tempRoot;
  @TempDir Path scratch;

  @Test
  void asPid1ClosedAndCrashedBrowsersLeaveNoZombie() throws Exception {
    String closes = System.getProperty("zombie.closes", "12");
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> unshare = root
        ? List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc")
        : List.of("unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount-proc");
    Path stderr = scratch.resolve("child-stderr.log");
    try (ChildJvm child = ChildJvm.start(unshare, Pid1ZombiesMain.class, stderr, tempRoot.toString(), closes)) {
      assertThat(child.awaitLine("PID ", Duration.ofSeconds(30))).as("the child JVM's PID (stderr: %s)", stderr)
          .isEqualTo("PID 1");
      String zombies;
      StringBuilder details = new StringBuilder();
      try {
        zombies = child.awaitLine("ZOMBIES ", Duration.ofMinutes(5));
        String line;
        while (!(line = child.awaitLine("", Duration.ofSeconds(10))).equals("DONE")) {
          details.append(line).append('\n');
        }
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; child stderr:\n" + tail(stderr), e);
      }
      assertThat(zombies).as("zombies left in the PID namespace:\n%s", details).isEqualTo("ZOMBIES 0");
      assertThat(child.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    assertNoLeaks(tempRoot);
  }

  private static String tail(Path file) throws java.io.IOException {
    if (!Files.exists(file)) {
      return "(none)";
    }
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
