package io.github.browserpool.chrome;

import static io.github.browserpool.chrome.ChromeLeakAssertions.assertNoLeaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.CloseReason;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launches that fail or exit at once leave nothing behind, and say what went wrong. */
class BadInputTest {
  @TempDir Path tempRoot;
  @TempDir Path elsewhere;

  private LaunchSpec.Builder spec() {
    return LaunchSpec.builder().ownerName("bad-input").tempRoot(tempRoot);
  }

  private Path script(String name, String body) throws Exception {
    Path p = Files.writeString(elsewhere.resolve(name), "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  @Test
  void executableThatExitsAtOnce() {
    ChromeProcess b = ChromeProcess.spawn(spec().executable(Path.of("/bin/false")).build());
    Path dir = b.userDataDir();

    assertThat(b.onExit()).succeedsWithin(Duration.ofSeconds(5));
    assertThat(b.isAlive()).isFalse();
    CloseOutcome o = b.terminate(CloseReason.CRASHED, null, Duration.ZERO, Duration.ofSeconds(2));
    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.ALREADY_DEAD);
    assertThat(o.forced()).isFalse();
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertThat(OwnerMarker.ownedHere(dir)).isFalse();
    assertNoLeaks(tempRoot);
  }

  @Test
  void pipesAreFd3AndFd4AndStderrIsKept() throws Exception {
    // A fake browser: echoes on fd 4 what it reads on fd 3, writes its args, env and cwd to stderr.
    Path fake = script("fake-chrome", "echo \"args: $*\" >&2\n"
        + "echo \"to stdout\"\n"
        + "echo \"tmpdir: $TMPDIR fake: $FAKE\" >&2\n"
        + "echo \"cwd: $(pwd)\" >&2\n"
        + "head -c 5 <&3 >&4\n");
    ChromeProcess b = ChromeProcess.spawn(spec().executable(fake).extraEnv(Map.of("FAKE", "1")).build());
    Path dir = b.userDataDir();
    b.toBrowser().write("hello".getBytes(StandardCharsets.UTF_8));
    b.toBrowser().flush();
    InputStream in = b.fromBrowser();

    assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(in.read()).as("fake's stdout went to stderr, not into the CDP stream").isEqualTo(-1);
    assertThat(b.onExit()).succeedsWithin(Duration.ofSeconds(5));
    CloseOutcome o = b.terminate(CloseReason.CRASHED, null, Duration.ZERO, Duration.ofSeconds(2));
    assertThat(o.dirDeleted()).isTrue();
    // Kept after the dir (and the log file in it) is gone.
    assertThat(b.stderrTail())
        .contains("--remote-debugging-pipe", "--user-data-dir=" + dir, "to stdout", "fake: 1", "cwd: " + dir)
        .containsPattern("tmpdir: tmp fake");
    assertNoLeaks(tempRoot);
  }

  @Test
  void stderrTailKeepsTheLastThirtyLines() throws Exception {
    Path fake = script("noisy-chrome", "i=0; while [ $i -lt 100 ]; do echo \"line $i\" >&2; i=$((i+1)); done\n");
    ChromeProcess b = ChromeProcess.spawn(spec().executable(fake).build());
    assertThat(b.onExit()).succeedsWithin(Duration.ofSeconds(5));

    String[] lines = b.stderrTail().split("\n");
    assertThat(lines).hasSize(30);
    assertThat(lines[0]).isEqualTo("line 70");
    assertThat(lines[29]).isEqualTo("line 99");
    assertThat(b.terminate(CloseReason.CRASHED, null, Duration.ZERO, Duration.ofSeconds(2)).dirDeleted()).isTrue();
    assertNoLeaks(tempRoot);
  }

  @Test
  void missingExecutableIsNamedAndNoDirIsMade() {
    Path missing = elsewhere.resolve("no-such-chrome");
    assertThatThrownBy(() -> ChromeProcess.spawn(spec().executable(missing).build()))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageStartingWith("[bad-input] ")
        .hasMessageContaining(missing + ", which does not exist");
    assertNoLeaks(tempRoot);
  }

  @Test
  void nonExecutableFileIsAClearError() throws Exception {
    Path plain = Files.writeString(elsewhere.resolve("chrome.txt"), "text");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> ChromeProcess.spawn(spec().executable(plain).build()))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageStartingWith("[bad-input] ")
        .hasMessageContaining(plain + ", which is not an executable file");
    assertNoLeaks(tempRoot);
  }

  @Test
  void directoryAsExecutableIsAClearError() {
    assertThatThrownBy(() -> ChromeProcess.spawn(spec().executable(elsewhere).build()))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageStartingWith("[bad-input] ")
        .hasMessageContaining(elsewhere + ", which is not an executable file");
    assertNoLeaks(tempRoot);
  }

  @Test
  void tempRootThatIsNotAWritableDirectoryIsNamed() throws Exception {
    Path file = Files.writeString(tempRoot.resolve("a-file"), "x");
    for (Path bad : new Path[] {file, file.resolve("below")}) {
      assertThatThrownBy(() -> ChromeProcess.spawn(spec().tempRoot(bad).executable(Path.of("/bin/false")).build()))
          .isInstanceOf(BrowserLaunchException.class)
          .hasMessageStartingWith("[bad-input] ")
          .hasMessageContaining("tempRoot " + bad)
          .hasMessageContaining("writable directory");
    }
    assertThat(file).hasContent("x");
    Files.delete(file);
    assertNoLeaks(tempRoot);
  }
}
