package io.github.browserpool.chrome;

import static io.github.browserpool.chrome.ChromeLeakAssertions.assertNoLeaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.CloseReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real owners in child JVMs: the pipe lifeline when an owner is killed, and sweeps that spare live owners. */
@Tag("chromium")
class OwnerLifecycleTest {
  private static final Duration CHILD_READY = Duration.ofSeconds(30);

  @TempDir Path tempRoot;
  @TempDir Path logs;
  private final List<ChildJvm> children = new ArrayList<>();
  private final List<ChromeProcess> browsers = new ArrayList<>();

  @AfterEach
  void safetyNet() throws Exception {
    for (ChromeProcess b : browsers) {
      b.terminate(CloseReason.SHUTDOWN, null, Duration.ZERO, Duration.ofSeconds(2));
    }
    for (ChildJvm c : children) {
      c.close();
    }
  }

  private ChildJvm child(Class<?> main, String... args) throws Exception {
    ChildJvm c = ChildJvm.start(main, logs.resolve(main.getSimpleName() + "-" + children.size() + ".log"), args);
    children.add(c);
    return c;
  }

  @Test
  void killedOwnerTakesItsBrowsersAlongAndTheSweepRemovesTheDirs() throws Exception {
    ChildJvm owner = child(ChildBrowsersMain.class, tempRoot.toString(), "2");
    List<Path> dirs = new ArrayList<>();
    Set<Long> pids = new LinkedHashSet<>();
    for (int i = 0; i < 2; i++) {
      String[] f = owner.awaitLine("BROWSER ", CHILD_READY).split(" ");
      pids.add(Long.parseLong(f[1]));
      dirs.add(Path.of(f[2]));
    }
    Arrays.stream(owner.awaitLine("TREE", CHILD_READY).split(" ")).skip(1).map(Long::parseLong).forEach(pids::add);
    owner.awaitLine("READY", CHILD_READY);
    assertThat(pids).hasSizeGreaterThan(2);
    assertThat(dirs).allSatisfy(d -> assertThat(d).isDirectory());

    owner.process.destroyForcibly();

    // No help from this JVM: the closed pipes alone must end both trees.
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      assertThat(pids.stream().filter(p -> ProcFs.isAlive(p))).as("live chromium pids").isEmpty();
      assertThat(ChromeLeakAssertions.liveProcessesMentioning(tempRoot)).isEmpty();
    });
    assertThat(dirs).allSatisfy(d -> assertThat(d).isDirectory());

    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(2, 0));
    assertThat(dirs).allSatisfy(d -> assertThat(d).doesNotExist());
    assertNoLeaks(tempRoot);
  }

  @Test
  void theSweepKillsTheFrozenTreeOfADeadOwnerByItsRealCommandLines() throws Exception {
    // A frozen browser cannot exit when its owner dies: only the sweep can end it. Its helpers (zygote,
    // GPU, renderers) rewrite their command lines into one space-separated argument; they must be found.
    ChildJvm owner = child(ChildBrowsersMain.class, tempRoot.toString(), "1");
    Path dir = Path.of(owner.awaitLine("BROWSER ", CHILD_READY).split(" ")[2]);
    Map<Long, Long> tree = new LinkedHashMap<>(); // pid -> start time
    Arrays.stream(owner.awaitLine("TREE", CHILD_READY).split(" ")).skip(1).map(Long::parseLong)
        .filter(p -> p != owner.process.pid()) // its own command line names tempRoot
        .forEach(p -> tree.put(p, ProcFs.stat(p).startTicks()));
    owner.awaitLine("READY", CHILD_READY);
    assertThat(tree).hasSizeGreaterThan(2);
    try {
      signal("STOP", tree.keySet());
      owner.process.destroyForcibly();
      assertThat(owner.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(tree.entrySet().stream().filter(e -> ProfileSweeper.isGone(e.getKey(), e.getValue())))
          .as("the frozen tree outlives its owner").isEmpty();

      SweepResult r = ProfileSweeper.sweep(tempRoot);

      assertThat(r.dirs()).isEqualTo(1);
      assertThat(r.processes()).isGreaterThanOrEqualTo(tree.size());
      assertThat(tree.entrySet().stream().filter(e -> !ProfileSweeper.isGone(e.getKey(), e.getValue())))
          .as("tree processes alive after the sweep").isEmpty();
      assertThat(dir).doesNotExist();
      assertNoLeaks(tempRoot);
    } finally {
      tree.forEach(ProfileSweeper::killIfSame); // only if the test failed: the same processes, by start time
    }
  }

  private static void signal(String sig, java.util.Collection<Long> pids) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + sig));
    pids.forEach(p -> cmd.add(Long.toString(p)));
    Process kill = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  @Test
  void sweepsNeverTouchLiveOwnersInThisOrAnotherJvm() throws Exception {
    ChildJvm owner = child(ChildBrowsersMain.class, tempRoot.toString(), "1");
    String[] f = owner.awaitLine("BROWSER ", CHILD_READY).split(" ");
    long childBrowser = Long.parseLong(f[1]);
    Path childDir = Path.of(f[2]);
    owner.awaitLine("READY", CHILD_READY);

    ChromeProcess mine = ChromeProcess.spawn(LaunchSpec.builder().ownerName("mine").tempRoot(tempRoot).build());
    browsers.add(mine);
    RawCdp.call(mine, 1, "Browser.getVersion", Duration.ofSeconds(20));

    // Sweeps from this JVM, twice: they must skip this JVM's dir without opening its lock file.
    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(0, 0));
    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(0, 0));
    // A sweep from a third JVM: it sees both locks held, which proves this JVM's lock survived its own sweeps.
    ChildJvm sweeper = child(ChildSweepMain.class, tempRoot.toString());
    assertThat(sweeper.awaitLine("SWEEP ", CHILD_READY)).isEqualTo("SWEEP 0 0");

    assertThat(mine.userDataDir()).isDirectory();
    assertThat(childDir).isDirectory();
    assertThat(mine.isAlive()).isTrue();
    assertThat(ProcFs.isAlive(childBrowser)).isTrue();
    assertThat(RawCdp.call(mine, 2, "Browser.getVersion", Duration.ofSeconds(10))).contains("product");

    // Clean up: close mine, kill the child owner and let the lifeline end its browser, then sweep its dir.
    assertThat(mine.terminate(CloseReason.SHUTDOWN, RawCdp.browserClose(mine), Duration.ofSeconds(5), Duration.ofSeconds(10))
        .dirDeleted()).isTrue();
    owner.process.destroyForcibly();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> ChromeLeakAssertions.liveProcessesMentioning(tempRoot).isEmpty());
    assertThat(ProfileSweeper.sweep(tempRoot)).isEqualTo(new SweepResult(1, 0));
    assertThat(Files.exists(childDir)).isFalse();
    assertNoLeaks(tempRoot);
  }
}
