package io.github.browserpool.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakCheckTest {
  private Path scratch;
  private Path tempRoot;
  private Process sleeper;

  @BeforeEach
  void makeScratch() throws IOException {
    scratch = Files.createTempDirectory("leakcheck-test-").toRealPath();
    tempRoot = Files.createDirectory(scratch.resolve("root"));
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (sleeper != null) {
      sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    LeakCheck.deleteTree(scratch);
  }

  /**
   * A process that holds {@code arg} in its command line: a shell blocked on the builtin read, which forks
   * nothing (a forked child names {@code arg} too until it execs, and a scan taken then would count it).
   */
  private Process spawnNaming(String arg) throws IOException {
    sleeper = new ProcessBuilder("/bin/sh", "-c", "read x", arg).start();
    return sleeper;
  }

  @Test
  void aProcessWorkingInTheTempRootIsLeftOverThoughItsCommandLineNamesNothing() throws Exception {
    // As the headless shell's helpers: no --user-data-dir, but the browser's working dir, its profile dir.
    Path profile = Files.createDirectory(tempRoot.resolve("chromelambda-cwd"));
    sleeper = new ProcessBuilder("/bin/sh", "-c", "read x").directory(profile.toFile()).start();
    assertThat(ProcessTable.naming(tempRoot)).extracting(ProcessInfo::pid).doesNotContain(sleeper.pid());
    assertThat(LeakCheck.processesReferencing(tempRoot)).extracting(ProcessInfo::pid).containsExactly(sleeper.pid());
    assertThat(ProcessTable.namingInCommandLineOrCwd(scratch.resolve("ro"))).as("a whole path only").isEmpty();
    sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(LeakCheck.processesReferencing(tempRoot)).isEmpty();
  }

  @Test
  void anEmptyTempRootHasNothingLeft() {
    Leftovers scan = LeakCheck.scan(tempRoot);

    assertThat(scan.isEmpty()).isTrue();
    assertThat(LeakCheck.leftovers(tempRoot)).isEmpty();
    LeakCheck.assertNothingLeft(tempRoot);
  }

  @Test
  void aProcessNamingTheTempRootIsReportedWithItsPid() throws Exception {
    Process p = spawnNaming(tempRoot.resolve("chromelambda-1").toString());

    Leftovers scan = LeakCheck.scan(tempRoot);

    assertThat(scan.processes()).extracting(ProcessInfo::pid).containsExactly(p.pid());
    assertThatThrownBy(() -> LeakCheck.assertNothingLeft(tempRoot))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 process(es)")
        .hasMessageContaining("pid " + p.pid())
        .hasMessageContaining(tempRoot.toString());

    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(LeakCheck.processesReferencing(tempRoot)).isEmpty();
  }

  @Test
  void theTempRootItselfAsTheLastArgumentCounts() throws Exception {
    Process p = spawnNaming(tempRoot.toString());

    assertThat(LeakCheck.processesReferencing(tempRoot)).extracting(ProcessInfo::pid).containsExactly(p.pid());
  }

  @Test
  void aSiblingWhosePathMerelyStartsWithTheTempRootIsNotCounted() throws Exception {
    spawnNaming(tempRoot + "-other/chromelambda-1");

    assertThat(LeakCheck.processesReferencing(tempRoot)).isEmpty();
  }

  @Test
  void aProfileDirIsReportedButOtherEntriesFilesAndSymlinksAreNot() throws IOException {
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-x"));
    Files.createDirectory(tempRoot.resolve("something-else"));
    Files.createSymbolicLink(tempRoot.resolve("chromelambda-link"), scratch); // not a dir of its own
    Files.createFile(tempRoot.resolve("chromelambda-file"));
    Files.createDirectories(tempRoot.resolve("nested/chromelambda-deep"));

    assertThat(LeakCheck.profileDirs(tempRoot)).containsExactly(dir);
    assertThat(LeakCheck.profileDirs(tempRoot, 2))
        .containsExactly(tempRoot.resolve("chromelambda-x"), tempRoot.resolve("nested/chromelambda-deep"));
    assertThat(LeakCheck.leftovers(tempRoot)).containsExactly("profile dir left behind: " + dir);
    assertThatThrownBy(() -> LeakCheck.assertNothingLeft(tempRoot)).hasMessageContaining("chromelambda-x");
  }

  @Test
  void sinceABaselineReportsOnlyWhatIsNew() throws Exception {
    Files.createDirectory(tempRoot.resolve("chromelambda-old"));
    Leftovers baseline = LeakCheck.scan(tempRoot);
    Path fresh = Files.createDirectory(tempRoot.resolve("chromelambda-new"));
    Process p = spawnNaming(tempRoot.toString());

    Leftovers news = LeakCheck.scan(tempRoot).since(baseline);

    assertThat(news.profileDirs()).containsExactly(fresh);
    assertThat(news.processes()).extracting(ProcessInfo::pid).containsExactly(p.pid());
  }

  @Test
  void aMissingTempRootHasNoProfileDirs() {
    assertThat(LeakCheck.profileDirs(scratch.resolve("missing"))).isEmpty();
  }

  @Test
  void verifyAndDeleteRemovesAnEmptyTempRootAndKeepsAFullOne() throws IOException {
    assertThat(LeakCheck.verifyAndDelete(tempRoot)).isEmpty();
    assertThat(tempRoot).doesNotExist();

    Path full = Files.createDirectories(scratch.resolve("full/chromelambda-1")).getParent();
    assertThat(LeakCheck.verifyAndDelete(full)).hasSize(1);
    assertThat(full).isDirectory();
  }

  @Test
  void processTableSeesThisJvmAndItsChildren() throws Exception {
    long self = ProcessHandle.current().pid();
    Process p = spawnNaming(tempRoot.toString());

    assertThat(ProcessTable.isAlive(self)).isTrue();
    assertThat(ProcessTable.descendants(self)).contains(p.pid());
    assertThat(ProcessTable.read(p.pid()).ppid()).isEqualTo(self);
    assertThat(ProcessTable.identity(p.pid())).startsWith(p.pid() + "@");

    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(ProcessTable.isAlive(p.pid())).isFalse();
  }
}
