package io.github.browserpool.cdp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.chrome.ChromeExecutable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A real Chromium on {@code --remote-debugging-pipe}, started by a test in the test's own dir (profile,
 * TMPDIR and XDG_CONFIG_HOME all inside it), and a {@link PipeConnection} to it. {@link #close()} kills
 * its whole process tree and asserts that no process whose command line names that dir is left alive.
 */
final class LaunchedChromium implements AutoCloseable {
  final Process process;
  final PipeConnection connection;
  /** The test's own dir: every process of this browser, crashpad included, names it on its command line. */
  final Path dir;
  final AtomicLong activity = new AtomicLong();

  private LaunchedChromium(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
    this.connection =
        new PipeConnection("chromium-" + process.pid(), process.getInputStream(), process.getOutputStream(), activity::incrementAndGet);
    connection.start();
  }

  static LaunchedChromium launch(Path dir) throws IOException {
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path config = Files.createDirectories(dir.resolve("config"));
    ProcessBuilder builder =
        new ProcessBuilder(
            "/bin/sh",
            "-c",
            "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>&2",
            ChromeExecutable.launchable(ChromeExecutable.locate(null)).toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-component-update",
            "--disable-breakpad",
            "--disable-crash-reporter",
            "--remote-debugging-pipe",
            "--user-data-dir=" + profile);
    builder.redirectError(dir.resolve("chromium.log").toFile());
    builder.environment().put("TMPDIR", tmp.toString()); // Chromium's singleton dirs land in the test's dir
    // Debian's Chromium starts chrome_crashpad_handler even with --disable-crash-reporter; it is reparented
    // to PID 1 at once and its command line names $XDG_CONFIG_HOME/chromium/Crash Reports, not the profile.
    builder.environment().put("XDG_CONFIG_HOME", config.toString());
    return new LaunchedChromium(builder.start(), dir);
  }

  /**
   * Kills the browser and every descendant, waits for them, then asserts that no live process (zombies
   * count as dead) has the test's dir on its command line. Only processes this test started are touched.
   *
   * <p>Descendants are checked through {@code /proc}, not {@link ProcessHandle#onExit()}: once the browser
   * is dead they are zombies of PID 1, which may reap them seconds later, and ProcessHandle counts a
   * zombie as alive.
   */
  @Override
  public void close() throws IOException {
    List<ProcessHandle> tree = new ArrayList<>(process.toHandle().descendants().toList());
    connection.close();
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      assertThat(process.waitFor(10, SECONDS)).as("browser exited").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the browser to exit", e);
    }
    String marker = dir.toString();
    await("the browser's process tree and every process naming " + marker + " dead")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> tree.stream().allMatch(child -> isDead(child.pid())) && liveProcessesNaming(marker).isEmpty());
    assertThat(liveProcessesNaming(marker)).isEmpty();
  }

  /** Whether the process is gone or a zombie (state Z or X in /proc/PID/stat). */
  static boolean isDead(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException e) {
      return true; // no such process any more
    }
  }

  /** PIDs of processes not yet dead (state other than Z/X) whose command line contains {@code marker}. */
  static List<Long> liveProcessesNaming(String marker) throws IOException {
    List<Long> live = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String pid = entry.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
          if (!cmdline.contains(marker)) {
            continue;
          }
          long number = Long.parseLong(pid);
          if (!isDead(number)) {
            live.add(number);
          }
        } catch (IOException e) {
          // the process ended while we looked
        }
      }
    }
    return live;
  }
}
