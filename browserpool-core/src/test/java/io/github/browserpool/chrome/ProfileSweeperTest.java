package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweeping dirs without launching browsers: what counts as stale, and what is never touched. */
class ProfileSweeperTest {
  private static final Duration CHILD = Duration.ofSeconds(30);

  @TempDir Path tempRoot;
  @TempDir Path logs;

  @Test
  void markerNamesItsOwnerAndClosingItMakesTheDirStale() throws Exception {
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-marker"));
    OwnerMarker marker = OwnerMarker.claim(dir);
    assertThat(OwnerMarker.ownedHere(dir)).isTrue();
    assertThat(dir.resolve(OwnerMarker.LOCK_FILE)).isRegularFile();
    try (var files = Files.list(dir)) {
      assertThat(files).as("nothing but the marker").containsExactly(dir.resolve(OwnerMarker.LOCK_FILE));
    }
    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(0, 0));
    assertThat(dir).isDirectory();

    marker.close(); // Read the file only once closed: closing any fd of it in this JVM drops the lock.
    assertThat(OwnerMarker.ownedHere(dir)).isFalse();
    assertThat(Files.readString(dir.resolve(OwnerMarker.LOCK_FILE))).contains("pid " + ProcessHandle.current().pid());
    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
    assertThat(dir).doesNotExist();
  }

  @Test
  void missingTempRootGivesAnEmptyResult() {
    assertThat(ProfileSweeper.sweep(tempRoot.resolve("absent"))).isEqualTo(new SweepResult(0, 0));
  }

  @Test
  void deletesADirWhoseLockNobodyHolds() throws Exception {
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-deadowner"));
    Files.writeString(dir.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    Files.createDirectories(dir.resolve("Default/Cache"));
    Files.writeString(dir.resolve("Default/Cache/data"), "x");

    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
    assertThat(dir).doesNotExist();
  }

  @Test
  void killsWhatStillUsesAStaleDirBeforeDeletingIt() throws Exception {
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-inuse"));
    Files.writeString(dir.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    // A shell that names the dir on its command line and blocks reading a pipe nobody writes.
    Process user = new ProcessBuilder("/bin/sh", "-c", "read x", "--user-data-dir=" + dir).start();
    try {
      assertThat(ProcFs.referencing(dir.toString())).containsExactly(user.pid());

      assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 1));

      assertThat(user.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(ProcFs.isAlive(user.pid())).isFalse();
      assertThat(dir).doesNotExist();
    } finally {
      user.destroyForcibly();
    }
  }

  @Test
  void killsAUserWhoseCommandLineIsOneSpaceSeparatedArgument() throws Exception {
    // Chromium's zygote, GPU and renderer processes rewrite argv into a single string like this.
    Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-rewritten"));
    Files.writeString(dir.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    Process user = new ProcessBuilder("/bin/sh", "-c", "read x",
        "/usr/lib/chromium/chromium --type=zygote --user-data-dir=" + dir + " --no-first-run").start();
    try {
      assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 1));
      assertThat(user.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(dir).doesNotExist();
    } finally {
      user.destroyForcibly();
    }
  }

  @Test
  void aCommandLineNamesADirOnlyAsAWholePath() {
    String d = "/tmp/x/chromelambda-a";
    assertThat(names(d)).isTrue();
    assertThat(names("--user-data-dir=" + d)).isTrue();
    assertThat(names("--database=" + d + "/Crash Reports")).isTrue();
    assertThat(names("sh\0-c\0read x\0--user-data-dir=" + d)).isTrue();
    assertThat(names("chromium --type=renderer --user-data-dir=" + d + " --lang=en-US")).isTrue();
    assertThat(names("--user-data-dir=" + d + "b")).as("another dir starting with it").isFalse();
    assertThat(names("--user-data-dir=" + d + "-old/x")).isFalse();
    assertThat(names("--user-data-dir=/home" + d)).as("another dir ending with it").isFalse();
    assertThat(names("cd " + d + "b && run")).isFalse();
    assertThat(new ProfileSweeper.Proc(1, 1, "--user-data-dir=" + d + "b").mentions(d))
        .as("a loose mention still protects a markerless dir").isTrue();
    // The headless shell's helpers name their dir only as their working directory.
    String shellRenderer = "/usr/lib/chromium/chromium-headless-shell --type=renderer --headless=old";
    assertThat(new ProfileSweeper.Proc(1, 1, shellRenderer, d).names(d)).isTrue();
    assertThat(new ProfileSweeper.Proc(1, 1, shellRenderer, d + "/tmp").names(d)).isTrue();
    assertThat(new ProfileSweeper.Proc(1, 1, shellRenderer, d + "b").names(d)).isFalse();
    assertThat(new ProfileSweeper.Proc(1, 1, shellRenderer, "/tmp/x").names(d)).isFalse();
    assertThat(new ProfileSweeper.Proc(1, 1, shellRenderer, d + "b").mentions(d)).isTrue();
  }

  private static boolean names(String cmdline) {
    return new ProfileSweeper.Proc(1, 1, cmdline).names("/tmp/x/chromelambda-a");
  }

  @Test
  void aDirWithoutMarkerIsSweptOnlyAfterTheMarkerlessThreshold() throws Exception {
    Path fresh = Files.createDirectory(tempRoot.resolve("chromelambda-fresh"));
    // A claim in progress elsewhere: its lock file does not have its final name yet.
    Files.writeString(fresh.resolve(OwnerMarker.LOCK_FILE + ".tmp"), "");
    Path old = Files.createDirectory(tempRoot.resolve("chromelambda-old"));
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(ProfileSweeper.MARKERLESS_MAX_AGE).minusSeconds(10)));

    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
    assertThat(fresh).exists();
    assertThat(old).doesNotExist();
  }

  @Test
  void killsOnlyTheProcessThatStillHasTheRecordedStartTime() throws Exception {
    Process p = new ProcessBuilder("sleep", "600").start();
    try {
      long ticks = ProcFs.stat(p.pid()).startTicks();
      // A recorded start time that does not match: the PID now belongs to another process. No signal.
      assertThat(ProfileSweeper.isGone(p.pid(), ticks + 1)).isTrue();
      assertThat(ProfileSweeper.killIfSame(p.pid(), ticks + 1)).isFalse();
      assertThat(ProfileSweeper.killIfSame(p.pid(), ticks - 1)).isFalse();
      assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("not signalled").isFalse();
      assertThat(ProfileSweeper.isGone(p.pid(), ticks)).isFalse();

      assertThat(ProfileSweeper.killIfSame(p.pid(), ticks)).isTrue();
      assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(ProfileSweeper.isGone(p.pid(), ticks)).isTrue();
      assertThat(ProfileSweeper.killIfSame(p.pid(), ticks)).as("dead: nothing to signal").isFalse();
      assertThat(ProfileSweeper.killIfSame(ProcessHandle.current().pid(),
          ProcFs.stat(ProcessHandle.current().pid()).startTicks())).as("never this JVM").isFalse();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void neverTouchesOtherNamesSymlinksOrDirsOwnedHere() throws Exception {
    Path other = Files.createDirectory(tempRoot.resolve("not-chromelambda-x"));
    Files.writeString(other.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    Path target = Files.createDirectory(tempRoot.resolve("target"));
    Files.writeString(target.resolve("precious"), "keep");
    Path link = Files.createSymbolicLink(tempRoot.resolve("chromelambda-symlink"), target);
    Path inner = Files.createDirectory(tempRoot.resolve("chromelambda-innerlink"));
    Files.createSymbolicLink(inner.resolve("escape"), target); // Deleting inner must not follow this.
    Files.writeString(inner.resolve(OwnerMarker.LOCK_FILE), "pid 1\n");
    Path mine = Files.createDirectory(tempRoot.resolve("chromelambda-thisjvm"));
    OwnerMarker marker = OwnerMarker.claim(mine);
    try {
      assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
      assertThat(inner).doesNotExist();
      assertThat(other).exists();
      assertThat(link).isSymbolicLink();
      assertThat(target.resolve("precious")).hasContent("keep");
      assertThat(mine.resolve(OwnerMarker.LOCK_FILE)).exists();
    } finally {
      marker.close();
    }
    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
    assertThat(mine).doesNotExist();
    assertThat(link).isSymbolicLink();
    assertThat(target.resolve("precious")).hasContent("keep");
    assertThat(ChromeLeakAssertions.profileDirsUnder(tempRoot)).isEmpty();
  }

  @Test
  void sweepsHereKeepTheLockThatOtherJvmsSee() throws Exception {
    // The POSIX trap: if a sweep in this JVM opened and closed the lock file of a dir this JVM owns, the
    // lock would be gone and another JVM's sweep would delete the dir. Reach it through a symlink too.
    Path real = Files.createDirectory(tempRoot.resolve("real"));
    Path alias = Files.createSymbolicLink(tempRoot.resolve("alias"), real);
    Path dir = Files.createDirectory(alias.resolve("chromelambda-owned"));
    OwnerMarker marker = OwnerMarker.claim(dir);
    try {
      assertThat(ProfileSweeper.sweep(real)).isEqualTo(new SweepResult(0, 0));
      assertThat(ProfileSweeper.sweep(alias)).isEqualTo(new SweepResult(0, 0));
      assertThat(ProfileSweeper.sweep(real)).isEqualTo(new SweepResult(0, 0));
      try (ChildJvm sweeper = ChildJvm.start(ChildSweepMain.class, logs.resolve("sweep.log"), real.toString())) {
        assertThat(sweeper.awaitLine("SWEEP ", CHILD)).isEqualTo("SWEEP 0 0");
      }
      assertThat(real.resolve("chromelambda-owned")).isDirectory();
    } finally {
      marker.close();
    }
    try (ChildJvm sweeper = ChildJvm.start(ChildSweepMain.class, logs.resolve("sweep2.log"), alias.toString())) {
      assertThat(sweeper.awaitLine("SWEEP ", CHILD)).as("released: now stale to another JVM").isEqualTo("SWEEP 1 0");
    }
    assertThat(ChromeLeakAssertions.profileDirsUnder(real)).isEmpty();
  }
}
