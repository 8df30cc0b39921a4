package io.github.browserpool.chrome;

import static io.github.browserpool.chrome.ChromeLeakAssertions.assertNoLeaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chromelambda-*} dirs that are not ours: another tool uses the same prefix. The sweep must not
 * kill what uses them, and deletes one only when nothing uses it and it has been untouched for longer
 * than {@link ProfileSweeper#MARKERLESS_MAX_AGE}. Real processes stand in for the other tool's browser.
 */
class ForeignDirSweepTest {
  @TempDir Path tempRoot;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killWhatThisTestStarted() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
      assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("test process %d ended", p.pid()).isTrue();
    }
  }

  /** A live process whose command line names {@code dir} as Chromium would: a shell blocked on a read. */
  private Process userOf(String arg) throws IOException {
    Process p = new ProcessBuilder("/bin/sh", "-c", "read x", arg).start();
    started.add(p);
    return p;
  }

  private static void age(Path p, Duration by) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(by)));
  }

  private static boolean sameProcessAlive(Process p) {
    return p.isAlive() && ProcFs.isAlive(p.pid());
  }

  /** Removes a dir this test made (the library must not), then proves nothing of the test is left. */
  private void removeAndAssertNothingLeft(Process user, Path dir) throws Exception {
    user.destroyForcibly();
    assertThat(user.waitFor(5, TimeUnit.SECONDS)).isTrue();
    ProfileDirs.deleteTree(dir);
    assertNoLeaks(tempRoot);
  }

  @Test
  void aForeignDirInUseSurvivesTheSweepAndPoolStart() throws Exception {
    // The reproduction from issue 8: another tool's profile, no marker of ours, two hours old, in use.
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-othertool"));
    Files.createDirectories(dir.resolve("Default"));
    Files.writeString(dir.resolve("Local State"), "{}");
    age(dir.resolve("Default"), Duration.ofHours(2));
    age(dir.resolve("Local State"), Duration.ofHours(2));
    age(dir, Duration.ofHours(2));
    Process user = userOf("--user-data-dir=" + dir);
    assertThat(ProcFs.referencing(dir.toString())).containsExactly(user.pid());

    String log = stderrOf(() -> ProfileSweeper.sweep(tempRoot, "sweep-repro"), r -> {
      assertThat(r).isEqualTo(new SweepResult(0, 0));
    });
    List<String> lines = Arrays.stream(log.split("\n")).filter(l -> l.contains(dir.toString())).toList();
    assertThat(lines).as("one line says why the dir was left alone").hasSize(1);
    assertThat(lines.get(0)).contains("INFO", "[sweep-repro] ", "pid " + user.pid());
    assertThat(sameProcessAlive(user)).isTrue();
    assertThat(dir.resolve("Local State")).hasContent("{}");

    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("sweep-repro").tempRoot(tempRoot).build())) {
      assertThat(pool.stats().total()).isZero();
    }
    assertThat(sameProcessAlive(user)).as("the other tool's browser survived BrowserPool.start").isTrue();
    assertThat(dir.resolve("Local State")).hasContent("{}");

    removeAndAssertNothingLeft(user, dir);
  }

  @Test
  void anUnusedMarkerlessDirIsDeletedOnlyAfterTheThreshold() throws Exception {
    Path old = Files.createDirectory(tempRoot.resolve("chromelambda-crashed-long-ago"));
    Files.createDirectories(old.resolve("Default/Cache"));
    Files.writeString(old.resolve("Default/Cache/data"), "x");
    age(old.resolve("Default"), ProfileSweeper.MARKERLESS_MAX_AGE.plusMinutes(5));
    age(old, ProfileSweeper.MARKERLESS_MAX_AGE.plusMinutes(5));
    Path young = Files.createDirectory(tempRoot.resolve("chromelambda-recent"));
    age(young, ProfileSweeper.MARKERLESS_MAX_AGE.minusMinutes(5));
    // The dir's own time is old, but an entry in it changed a minute ago: someone still writes to it.
    Path touched = Files.createDirectory(tempRoot.resolve("chromelambda-touched"));
    Files.writeString(touched.resolve("Local State"), "{}");
    age(touched.resolve("Local State"), Duration.ofMinutes(1));
    age(touched, ProfileSweeper.MARKERLESS_MAX_AGE.plusMinutes(5));

    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
    assertThat(old).doesNotExist();
    assertThat(young).isDirectory();
    assertThat(touched.resolve("Local State")).exists();

    // The package-private overload moves the threshold (for tests only).
    assertThat(ProfileSweeper.sweep(tempRoot, "short", Duration.ofSeconds(30))).isEqualTo(new SweepResult(2, 0));
    assertNoLeaks(tempRoot);
  }

  @Test
  void aMarkerlessDirIsNeverKilledForEvenWhenOld() throws Exception {
    // Even with a threshold of zero, a process naming a markerless dir is left alone.
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-crashpad-only"));
    age(dir, Duration.ofDays(3));
    Process user = userOf("--database=" + dir + "/Crash Reports");

    assertThat(ProfileSweeper.sweep(tempRoot, "zero", Duration.ZERO)).isEqualTo(new SweepResult(0, 0));
    assertThat(sameProcessAlive(user)).isTrue();
    assertThat(dir).isDirectory();
    removeAndAssertNothingLeft(user, dir);
  }

  @Test
  void aDeadOwnersDirNamedOnlyAsAPrefixOfAnotherPathKillsNothing() throws Exception {
    // Our dir "chromelambda-a" is stale; a live process uses "chromelambda-ab", which merely starts with it.
    Path ours = Files.createDirectory(tempRoot.resolve("chromelambda-a"));
    Files.writeString(ours.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    Path theirs = Files.createDirectory(tempRoot.resolve("chromelambda-ab"));
    Process user = userOf("--user-data-dir=" + theirs);

    ProfileSweeper.sweep(tempRoot);
    assertThat(sameProcessAlive(user)).as("a process that never named our dir was not killed").isTrue();
    assertThat(theirs).isDirectory();

    user.destroyForcibly();
    assertThat(user.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ProfileSweeper.sweep(tempRoot)).as("nothing mentions it any more").isEqualTo(new SweepResult(1, 0));
    assertThat(ours).doesNotExist();
    removeAndAssertNothingLeft(user, theirs);
  }

  @Test
  void aMarkerThatIsNotARegularFileIsNoMarkerAndNeverHangsTheSweep() throws Exception {
    // A FIFO named .owner.lock: opening it for writing would block until a reader comes, forever.
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-fifo"));
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve(OwnerMarker.LOCK_FILE).toString()).inheritIO().start();
    assertThat(mkfifo.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(mkfifo.exitValue()).isZero();
    Path target = Files.createDirectory(tempRoot.resolve("elsewhere"));
    Files.writeString(target.resolve("lockable"), "keep");
    Path linked = Files.createDirectory(tempRoot.resolve("chromelambda-linkedmarker"));
    Files.createSymbolicLink(linked.resolve(OwnerMarker.LOCK_FILE), target.resolve("lockable"));
    age(dir, Duration.ofDays(1));
    age(linked, Duration.ofDays(1));

    SweepResult r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ProfileSweeper.sweep(tempRoot));
    assertThat(r).isEqualTo(new SweepResult(0, 0));
    assertThat(dir.resolve(OwnerMarker.LOCK_FILE)).exists();
    assertThat(linked.resolve(OwnerMarker.LOCK_FILE)).isSymbolicLink();
    assertThat(target.resolve("lockable")).hasContent("keep");
    ProfileDirs.deleteTree(dir);
    ProfileDirs.deleteTree(linked);
    assertNoLeaks(tempRoot);
  }

  @Test
  void dirsOfAnotherUserAreNeverTouched() throws Exception {
    assumeTrue(isRoot(), "needs root to give a dir to another uid");
    int nobody = 65534;
    Path marked = Files.createDirectory(tempRoot.resolve("chromelambda-otheruser-marked"));
    Files.writeString(marked.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    Path bare = Files.createDirectory(tempRoot.resolve("chromelambda-otheruser-bare"));
    for (Path p : List.of(marked.resolve(OwnerMarker.LOCK_FILE), marked, bare)) {
      Files.setAttribute(p, "unix:uid", nobody, LinkOption.NOFOLLOW_LINKS);
    }
    age(marked, Duration.ofDays(1));
    age(bare, Duration.ofDays(1));
    Process user = userOf("--user-data-dir=" + marked);

    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(0, 0));
    assertThat(sameProcessAlive(user)).isTrue();
    assertThat(marked.resolve(OwnerMarker.LOCK_FILE)).exists();
    assertThat(bare).isDirectory();
    ProfileDirs.deleteTree(bare);
    removeAndAssertNothingLeft(user, marked);
  }

  private static boolean isRoot() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
  }

  interface Check<T> {
    void accept(T t) throws Exception;
  }

  /** Runs {@code action} on this thread while copying System.err (slf4j-simple looks it up on every write). */
  private static <T> String stderrOf(Supplier<T> action, Check<T> check) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        copy.write(b);
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        copy.write(b, off, len);
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
    T result;
    try {
      result = action.get();
    } finally {
      System.setErr(original);
    }
    check.accept(result);
    return copy.toString(StandardCharsets.UTF_8);
  }
}
