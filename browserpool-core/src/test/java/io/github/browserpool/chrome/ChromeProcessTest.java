package io.github.browserpool.chrome;

import static io.github.browserpool.chrome.ChromeLeakAssertions.assertNoLeaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.CloseReason;
import io.github.browserpool.test.Binaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launches real Chromium and closes it every way; each test ends by proving nothing was left behind. */
@Tag("chromium")
class ChromeProcessTest {
  private static final Duration READY = Duration.ofSeconds(20);
  /** Chromium's singleton socket path must fit sun_path (108 bytes with the NUL). */
  private static final int MAX_SOCKET_PATH_BYTES = 107;

  @TempDir Path tempRoot;
  private final List<ChromeProcess> spawned = new ArrayList<>();

  @AfterEach
  void safetyNet() {
    for (ChromeProcess b : spawned) {
      b.terminate(CloseReason.SHUTDOWN, null, Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private ChromeProcess spawnReady(Path root) throws Exception {
    ChromeProcess b = ChromeProcess.spawn(LaunchSpec.builder().ownerName("test").tempRoot(root).build());
    spawned.add(b);
    String version = RawCdp.call(b, 1, "Browser.getVersion", READY);
    assertThat(version).contains("\"product\"");
    return b;
  }

  /** The main PID, its descendants and every process naming its profile dir (crashpad is reparented). */
  private static Set<Long> treeOf(ChromeProcess b) {
    Set<Long> tree = new LinkedHashSet<>();
    tree.add(b.pid());
    tree.addAll(ProcFs.descendants(b.pid()));
    tree.addAll(ProcFs.referencing(b.userDataDir().toString()));
    return tree;
  }

  private static void assertAllDead(Set<Long> tree) {
    assertThat(tree.stream().filter(ProcFs::isAlive)).as("live pids of the closed tree %s", tree).isEmpty();
  }

  @Test
  void gracefulCloseOverThePipeLeavesNothing() throws Exception {
    ChromeProcess b = spawnReady(tempRoot);
    Path dir = b.userDataDir();
    assertThat(dir.getParent()).isEqualTo(tempRoot.toRealPath());
    assertThat(dir.getFileName().toString()).matches("chromelambda-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(dir.resolve(OwnerMarker.LOCK_FILE)).exists();
    // Not read here: opening and closing the lock file in this JVM would drop its POSIX lock (see OwnerMarker).
    assertThat(OwnerMarker.ownedHere(dir)).isTrue();
    assertThat(b.isAlive()).isTrue();
    assertThat(b.isStopped()).isFalse();
    assertThat(b.onExit()).isNotDone();
    assertThat(ProcFs.cmdline(b.pid())).contains("--user-data-dir=" + dir, "--remote-debugging-pipe");
    Set<Long> tree = treeOf(b);
    assertThat(tree).hasSizeGreaterThan(1);
    long scansBefore = ProcFs.fullScans();

    CloseOutcome o = b.terminate(CloseReason.RELEASED, RawCdp.browserClose(b), Duration.ofSeconds(5), Duration.ofSeconds(10));

    assertThat(ProcFs.fullScans() - scansBefore).as("full passes over /proc in one close")
        .isLessThanOrEqualTo(ChromeProcess.MAX_SCANS);

    assertThat(o.reason()).isEqualTo(CloseReason.RELEASED);
    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.GRACEFUL);
    assertThat(o.forced()).isFalse();
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertThat(o.took()).isLessThan(Duration.ofSeconds(10));
    assertThat(b.isAlive()).isFalse();
    assertThat(b.onExit()).succeedsWithin(Duration.ofSeconds(2)).isSameAs(b);
    assertThat(OwnerMarker.ownedHere(dir)).isFalse();
    assertThat(dir).doesNotExist();
    assertAllDead(tree);
    assertNoLeaks(tempRoot);
  }

  @Test
  void withoutGracefulStepSigtermEndsIt() throws Exception {
    ChromeProcess b = spawnReady(tempRoot);
    Set<Long> tree = treeOf(b);

    CloseOutcome o = b.terminate(CloseReason.IDLE, null, Duration.ZERO, Duration.ofSeconds(5));

    assertThat(o.reason()).isEqualTo(CloseReason.IDLE);
    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.SIGTERM);
    assertThat(o.forced()).isFalse();
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertThat(b.isAlive()).isFalse();
    assertAllDead(tree);
    assertNoLeaks(tempRoot);
  }

  @Test
  void longTempRootLaunchesAndAnswersCdp() throws Exception {
    Path deep = Files.createDirectories(tempRoot.resolve("a-rather-long-directory-name-for-a-temp-root")
        .resolve("x".repeat(50)));
    assertThat(deep.toRealPath().toString().length()).isGreaterThanOrEqualTo(90);
    ChromeProcess b = spawnReady(deep);
    Path dir = b.userDataDir();
    // Where Chromium's singleton socket would be with an absolute TMPDIR: too long for a Unix socket.
    String absoluteSocket = dir.resolve("tmp/org.chromium.Chromium.XXXXXX/SingletonSocket").toString();
    assertThat(absoluteSocket.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(MAX_SOCKET_PATH_BYTES);
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      if (Binaries.poolBrowserIsHeadlessShell()) {
        // The headless shell has no process singleton, so no socket; it must launch all the same.
        assertThat(tmp.map(p -> p.getFileName().toString())).as("no singleton dir from the headless shell")
            .noneMatch(n -> n.startsWith("org.chromium.Chromium."));
      } else {
        assertThat(tmp.map(p -> p.getFileName().toString())).as("singleton dir inside the profile's tmp")
            .anyMatch(n -> n.startsWith("org.chromium.Chromium."));
      }
    }
    assertThat(RawCdp.call(b, 2, "Target.getTargets", READY)).contains("\"targetInfos\"");
    Set<Long> tree = treeOf(b);

    CloseOutcome o = b.terminate(CloseReason.RELEASED, RawCdp.browserClose(b), Duration.ofSeconds(5), Duration.ofSeconds(10));

    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.GRACEFUL);
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertAllDead(tree);
    assertNoLeaks(deep);
    assertNoLeaks(tempRoot);
  }

  @Test
  void stoppedTreeIsKilledWithinBudget() throws Exception {
    ChromeProcess b = spawnReady(tempRoot);
    Set<Long> tree = treeOf(b);
    assertThat(tree).hasSizeGreaterThan(1);
    // One PID at a time: a short-lived helper may exit between the scan and the signal.
    for (long p : tree) {
      int rc = new ProcessBuilder("kill", "-STOP", Long.toString(p)).inheritIO().start().waitFor();
      if (p == b.pid()) {
        assertThat(rc).as("SIGSTOP of the main process").isZero();
      }
    }
    for (long p : tree) {
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        ProcFs.Stat st = ProcFs.stat(p);
        return st == null || st.state() == 'T' || !ProcFs.isAlive(p);
      });
    }
    assertThat(b.isStopped()).isTrue();
    assertThat(b.isAlive()).isTrue();

    Duration budget = Duration.ofSeconds(3);
    long t0 = System.nanoTime();
    CloseOutcome o = b.terminate(CloseReason.ABANDONED, RawCdp.browserClose(b), Duration.ofSeconds(1), budget);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(took).isLessThan(budget.plusSeconds(1));
    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.SIGKILL);
    assertThat(o.forced()).isTrue();
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertAllDead(tree);
    assertNoLeaks(tempRoot);
  }

  @Test
  void terminateIsIdempotentAndConcurrentSafe() throws Exception {
    ChromeProcess b = spawnReady(tempRoot);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<CloseOutcome>> calls = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return b.terminate(CloseReason.SHUTDOWN, RawCdp.browserClose(b), Duration.ofSeconds(5), Duration.ofSeconds(10));
      }));
    }
    go.countDown();
    CloseOutcome first = calls.get(0).get(15, TimeUnit.SECONDS);
    CloseOutcome second = calls.get(1).get(15, TimeUnit.SECONDS);

    assertThat(second).isSameAs(first);
    assertThat(b.terminate(CloseReason.CRASHED, null, Duration.ZERO, Duration.ofSeconds(1))).isSameAs(first);
    assertThat(first.reason()).isEqualTo(CloseReason.SHUTDOWN);
    assertThat(first.treeVerifiedDead()).isTrue();
    assertThat(first.dirDeleted()).isTrue();
    assertNoLeaks(tempRoot);
  }

  /**
   * A fake browser, a shell script in {@code bin} that waits for 5 bytes on the CDP pipe (the close) and
   * then runs {@code onClose}; returned once it is running.
   */
  private ChromeProcess spawnFake(Path bin, String onClose) throws Exception {
    Path fake = Files.writeString(bin.resolve("fake-chrome"), "#!/bin/sh\nhead -c 5 <&3 >/dev/null\n" + onClose);
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    ChromeProcess b = ChromeProcess.spawn(LaunchSpec.builder().ownerName("test").tempRoot(tempRoot).executable(fake).build());
    spawned.add(b);
    String dir = b.userDataDir().toString();
    await().atMost(READY).until(() -> ProcFs.referencing(dir).contains(b.pid()));
    return b;
  }

  /** Closes a fake browser: "close" over its pipe, 5 s for it to end, a 10 s budget. */
  private static CloseOutcome closeFake(ChromeProcess b) {
    return b.terminate(CloseReason.RELEASED, () -> {
      RawCdp.send(b, "close");
      return CompletableFuture.completedFuture(null);
    }, Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @Test
  void aHelperBornDuringTheCloseIsWaitedForNotKilled(@TempDir Path bin) throws Exception {
    // A fake browser that, asked to close, starts a helper naming the profile dir, then exits at once;
    // the helper exits by itself 600 ms later (its sleep child names nothing and ends with it).
    ChromeProcess b = spawnFake(bin, "/bin/sh -c 'sleep 0.6; exit 0' helper \"$@\" &\nexit 0\n");

    CloseOutcome o = closeFake(b);

    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.GRACEFUL);
    assertThat(o.forced()).as("the helper exited by itself").isFalse();
    assertThat(o.took()).isGreaterThan(Duration.ofMillis(300));
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertNoLeaks(tempRoot);
  }

  @Test
  void theMainProcessExitIsSeenWhenItHappensNotByBackedOffPolls(@TempDir Path bin) throws Exception {
    // A fake browser that, asked to close, takes 800 ms to exit. Polls backing off from 5 to 50 ms would
    // look about 20 times; awaiting the process's exit looks once it has happened.
    ChromeProcess b = spawnFake(bin, "sleep 0.8\nexit 0\n");
    Set<Long> tree = treeOf(b);

    CloseOutcome o = closeFake(b);

    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.GRACEFUL);
    assertThat(o.forced()).isFalse();
    assertThat(o.took()).isGreaterThan(Duration.ofMillis(700)).isLessThan(Duration.ofSeconds(10));
    assertThat(b.deathPolls()).as("sleeps between looks at the tree while it died").isLessThanOrEqualTo(2);
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertAllDead(tree);
    assertNoLeaks(tempRoot);
  }

  @Test
  void onExitCompletesWhenKilledFromOutside() throws Exception {
    ChromeProcess b = spawnReady(tempRoot);
    CompletableFuture<ChromeProcess> exit = b.onExit();
    assertThat(exit).isNotDone();

    ProcessHandle.of(b.pid()).orElseThrow().destroyForcibly();

    assertThat(exit).succeedsWithin(Duration.ofSeconds(5)).isSameAs(b);
    assertThat(b.isAlive()).isFalse();
    CloseOutcome o = b.terminate(CloseReason.CRASHED, RawCdp.browserClose(b), Duration.ofSeconds(1), Duration.ofSeconds(3));
    assertThat(o.reason()).isEqualTo(CloseReason.CRASHED);
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertNoLeaks(tempRoot);
  }

  @Test
  void aMainPidNowOwnedByAnotherProcessIsNeitherSignalledNorWalked() throws Exception {
    // The browser is dead (a process that has exited) and its PID now belongs to an unrelated process
    // with a child: modelled by recording that process's PID with another start time.
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    Process unrelated = new ProcessBuilder("/bin/sh", "-c", "sleep 30 & wait").start();
    try {
      await().atMost(READY).until(() -> !ProcFs.children(unrelated.pid()).isEmpty());
      long child = ProcFs.children(unrelated.pid()).get(0);
      long start = ProcFs.stat(unrelated.pid()).startTicks();
      Path dir = Files.createDirectory(tempRoot.resolve("chromelambda-reused"));
      ChromeProcess b = new ChromeProcess("[test] ", dead, dir, OwnerMarker.claim(dir), unrelated.pid(), start - 1, Set.of());

      assertThat(b.isAlive()).as("a PID with another start time is not our browser").isFalse();
      assertThat(b.isStopped()).isFalse();
      CloseOutcome o = b.terminate(CloseReason.CRASHED, null, Duration.ZERO, Duration.ofSeconds(2));

      assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.ALREADY_DEAD);
      assertThat(o.forced()).isFalse();
      assertThat(o.treeVerifiedDead()).isTrue();
      assertThat(o.dirDeleted()).isTrue();
      assertThat(ProcFs.isAlive(unrelated.pid())).as("the unrelated process").isTrue();
      assertThat(ProcFs.isAlive(child)).as("the unrelated process's child").isTrue();
    } finally {
      unrelated.descendants().forEach(ProcessHandle::destroyForcibly);
      unrelated.destroyForcibly().waitFor();
    }
    assertNoLeaks(tempRoot);
  }

  private static final Path TINI = Path.of("/usr/bin/tini");

  private ChromeProcess spawnUnderTini() throws Exception {
    assertThat(TINI).as("tini (scripts/setup.sh installs it)").isExecutable();
    ChromeProcess b = ChromeProcess.spawn(LaunchSpec.builder().ownerName("test").tempRoot(tempRoot).subreaper(TINI).build());
    spawned.add(b);
    assertThat(RawCdp.call(b, 1, "Browser.getVersion", READY)).contains("\"product\"");
    return b;
  }

  @Test
  void underTiniThePidIsTheBrowserAndEveryHelperIsTinis() throws Exception {
    ChromeProcess b = spawnUnderTini();
    assertThat(ProcFs.cmdline(b.pid())).contains("chromium", "--user-data-dir=" + b.userDataDir())
        .doesNotContain("tini");
    long tini = ProcFs.stat(ProcFs.stat(b.pid()).ppid()).ppid();
    assertThat(ProcFs.cmdline(tini)).startsWith(TINI + " -s");
    // crashpad double-forks away from the browser: to the subreaper, not to init. The headless shell
    // starts no crashpad with crash reporting off; its helpers are the browser's children.
    if (!Binaries.poolBrowserIsHeadlessShell()) {
      await().atMost(READY).until(() -> ProcFs.referencing(b.userDataDir().toString()).stream()
          .anyMatch(p -> ProcFs.cmdline(p).contains("crashpad")));
    }
    List<Long> browsers = ProcFs.referencing(b.userDataDir().toString());
    for (long p : browsers) {
      String cmd = ProcFs.cmdline(p);
      if (cmd != null && cmd.contains("chrome_crashpad_handler")) {
        assertThat(ProcFs.stat(p).ppid()).as("parent of crashpad %s", p).isEqualTo(tini);
      }
      ProcFs.Stat stat = ProcFs.stat(p);
      if (stat != null && p != tini) {
        assertThat(stat.ppid()).as("parent of %s (%s): tini or the browser's own", p, cmd).satisfiesAnyOf(
            pp -> assertThat(pp).isEqualTo(tini), pp -> assertThat(browsers).contains(pp));
      }
    }
    Set<Long> tree = treeOf(b);

    CloseOutcome o = b.terminate(CloseReason.RELEASED, RawCdp.browserClose(b), Duration.ofSeconds(5), Duration.ofSeconds(10));

    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.GRACEFUL);
    assertThat(o.forced()).isFalse();
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertThat(b.onExit()).isDone();
    assertThat(ProcFs.isAlive(tini)).as("tini").isFalse();
    assertAllDead(tree);
    assertNoLeaks(tempRoot);
  }

  @Test
  void underTiniAKilledBrowserIsSeenExitedAndItsOrphansAreReaped() throws Exception {
    ChromeProcess b = spawnUnderTini();
    Set<Long> tree = treeOf(b);
    long t0 = System.nanoTime();

    ProcessHandle.of(b.pid()).orElseThrow().destroyForcibly();

    assertThat(b.onExit()).succeedsWithin(Duration.ofSeconds(5));
    System.out.println("under tini: onExit " + (System.nanoTime() - t0) / 1_000_000 + " ms after SIGKILL of the browser");
    assertThat(tree.stream().filter(p -> {
      ProcFs.Stat st = ProcFs.stat(p);
      return st != null; // a zombie would still be listed: everything must be reaped, not only dead
    })).as("processes of the killed tree still in /proc").isEmpty();
    CloseOutcome o = b.terminate(CloseReason.CRASHED, null, Duration.ZERO, Duration.ofSeconds(3));
    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.ALREADY_DEAD);
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertNoLeaks(tempRoot);
  }

  @Test
  void underTiniAStoppedTreeIsKilledWithinBudgetAndTiniExits() throws Exception {
    ChromeProcess b = spawnUnderTini();
    List<Long> all = new ArrayList<>(ProcFs.referencing(b.userDataDir().toString())); // tini and its shim too
    for (long p : all) {
      new ProcessBuilder("kill", "-STOP", Long.toString(p)).inheritIO().start().waitFor();
    }
    await().atMost(Duration.ofSeconds(5)).until(b::isStopped);

    Duration budget = Duration.ofSeconds(3);
    long t0 = System.nanoTime();
    CloseOutcome o = b.terminate(CloseReason.ABANDONED, RawCdp.browserClose(b), Duration.ofSeconds(1), budget);

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(budget.plusSeconds(1));
    assertThat(o.finishedBy()).isEqualTo(CloseOutcome.Step.SIGKILL);
    assertThat(o.treeVerifiedDead()).isTrue();
    assertThat(o.dirDeleted()).isTrue();
    assertThat(all.stream().filter(p -> ProcFs.stat(p) != null)).as("left in /proc, zombies included").isEmpty();
    assertNoLeaks(tempRoot);
  }
}
