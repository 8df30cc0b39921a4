package io.github.browserpool.local;

import io.github.browserpool.Ticker;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.DaemonThreads;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.chrome.ChromeExecutable;
import io.github.browserpool.chrome.ChromeProcess;
import io.github.browserpool.chrome.LaunchSpec;
import io.github.browserpool.chrome.ProfileSweeper;
import io.github.browserpool.chrome.SweepResult;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches real Chromium browsers for a pool: spawns the process with its CDP pipe, waits for the
 * first CDP reply, and wires activity (the lease client's own CDP round trips) and crash reports (process
 * exit, or the pipe's end-of-file or I/O error) to the engine. A launch that fails for any
 * reason leaves no process and no profile dir behind.
 */
public final class LocalBrowserLauncher implements BrowserLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(LocalBrowserLauncher.class);

  private final PoolConfig config;
  private final LaunchSpec spec;
  private final String prefix;
  /** The threads of this pool's connections; they end in {@link #shutdown}. */
  private final DaemonThreads threads;

  private LocalBrowserLauncher(PoolConfig config, LaunchSpec spec) {
    this.config = config;
    this.spec = spec;
    this.prefix = "[" + config.poolName() + "] ";
    this.threads = BrowserLauncher.connectionThreads(config);
  }

  /**
   * Checks what every launch needs, so that a misconfigured pool fails at start: the executable, and
   * a writable {@code tempRoot} (created when missing).
   *
   * @throws BrowserLaunchException naming what is wrong and how to fix it
   */
  public static LocalBrowserLauncher create(PoolConfig config) {
    requireLinux(config.poolName(), PROC_SELF_STAT, SHELL);
    boolean shellFirst = config.browserBinary() == BrowserBinary.HEADLESS_SHELL;
    Path exe = ChromeExecutable.locate(config.chromeExecutable(), shellFirst);
    LOG.info("[{}] launches {} ({})", config.poolName(), exe,
        ChromeExecutable.isHeadlessShell(exe) ? "headless shell" : "full Chromium, new headless mode");
    requireWritable(config);
    LaunchSpec.Builder b = LaunchSpec.builder()
        .ownerName(config.poolName())
        .executable(exe)
        .tempRoot(config.tempRoot())
        .extraArgs(config.chromeArguments())
        .launchTimeout(config.launchTimeout())
        .subreaper(subreaperFor(config.poolName(), ProcessHandle.current().pid(), TINI_PLACES));
    if (config.noSandbox() != null) {
      b.noSandbox(config.noSandbox());
    }
    return new LocalBrowserLauncher(config, b.build());
  }

  static final Path PROC_SELF_STAT = Path.of("/proc/self/stat");
  static final Path SHELL = Path.of("/bin/sh");
  static final List<Path> TINI_PLACES = List.of(Path.of("/usr/bin/tini"), Path.of("/sbin/tini"),
      Path.of("/usr/sbin/tini"), Path.of("/usr/local/bin/tini"), Path.of("/bin/tini"));

  /**
   * Fails at once unless this is Linux as browserpool needs it: {@code /proc} (to verify every process
   * dead) and {@code /bin/sh} (to hand Chromium its CDP pipe).
   *
   * @throws BrowserLaunchException naming what is missing
   */
  static void requireLinux(String poolName, Path procSelfStat, Path shell) {
    String os = System.getProperty("os.name", "?");
    if (!Files.isReadable(procSelfStat)) {
      throw new BrowserLaunchException("[" + poolName + "] browserpool runs on Linux only: " + procSelfStat
          + " is missing (os.name=" + os + "). It reads /proc to verify that every browser process is dead"
          + " before close() returns. Run the pool on Linux (a container is fine), with /proc mounted.");
    }
    if (!Files.isExecutable(shell)) {
      throw new BrowserLaunchException("[" + poolName + "] browserpool runs on Linux only: " + shell
          + " is missing or not executable (os.name=" + os + "). It starts Chromium through /bin/sh to hand"
          + " it its CDP pipe. Run the pool on Linux with a POSIX shell at /bin/sh.");
    }
  }

  /**
   * The tini to run each browser under when this JVM is PID 1, else null. As PID 1 (a container started
   * without {@code --init}) the JVM inherits every orphan and never reaps it, so each close would leave
   * Chromium's helpers as zombies; under {@code tini -s} they are reaped. Without tini, logs one WARN.
   */
  static Path subreaperFor(String poolName, long ownPid, List<Path> places) {
    if (ownPid != 1) {
      return null;
    }
    for (Path p : places) {
      if (Files.isExecutable(p)) {
        LOG.info("[{}] this JVM is PID 1: each browser runs under {} -s, which reaps Chromium's exited"
            + " helpers (PID 1 never does)", poolName, p);
        return p;
      }
    }
    LOG.warn("[{}] this JVM is PID 1 and tini is not installed: every closed or crashed browser leaves"
        + " zombie processes that nothing reaps. Start the container with `docker run --init` (or an init"
        + " such as tini as its entrypoint), or install tini (`apt-get install tini`) so that browserpool"
        + " runs each browser under `tini -s`.", poolName);
    return null;
  }

  private static void requireWritable(PoolConfig config) {
    Path root = config.tempRoot();
    try {
      Files.createDirectories(root);
      Path probe = Files.createTempFile(root, ".browserpool-probe-", "");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new BrowserLaunchException("[" + config.poolName() + "] tempRoot " + root
          + " is not a writable directory (" + e + "). Pass PoolConfig.builder().tempRoot(...) a"
          + " directory this process can create files in.", e);
    }
  }

  /** Runs the startup sweep of the pool's tempRoot and records what it removed. */
  @Override
  public void sweep(Swept swept) {
    SweepResult r = ProfileSweeper.sweep(config.tempRoot(), config.poolName());
    swept.record(r.dirs(), r.processes());
    if (r.dirs() > 0 || r.processes() > 0) {
      LOG.warn("{}startup sweep of {} removed {} stale profile dirs (of dead owners, or unmarked, unused and"
          + " older than {}) and killed {} processes of dead owners", prefix, config.tempRoot(),
          r.dirs(), ProfileSweeper.MARKERLESS_MAX_AGE, r.processes());
    }
  }

  @Override
  public LaunchedBrowser launch(BrowserEvents events) {
    ChromeProcess process = ChromeProcess.spawn(spec);
    PipeConnection conn = new PipeConnection(
        config.poolName() + " pid " + process.pid(), process.fromBrowser(), process.toBrowser(), events::activity,
        threads);
    conn.start();
    String failure = awaitReady(process, conn);
    if (failure != null) {
      conn.close();
      process.terminate(CloseReason.LAUNCH_FAILED, null, Duration.ZERO, config.closeTimeout());
      String tail = process.stderrTail();
      throw new BrowserLaunchException(prefix + "Chromium " + spec.executable() + " " + failure + "."
          + (tail.isBlank() ? " It wrote nothing to stderr." : " Last stderr lines:\n" + tail)
          + "\nCheck the executable and PoolConfig.chromeArguments(); nothing was left behind.");
    }
    LocalBrowser browser = new LocalBrowser(config, process, conn);
    browser.prepareNext();
    // A dead pipe makes the browser as useless as a dead process: either one, unasked, is a crash.
    Runnable unexpected = () -> {
      if (!browser.isClosing()) {
        events.exitedUnexpectedly();
      }
    };
    process.onExit().thenRun(unexpected);
    conn.closedFuture().thenRun(unexpected);
    return browser;
  }

  @Override
  public boolean shutdown(long deadlineNanos) throws InterruptedException {
    threads.shutdown();
    return threads.awaitTermination(deadlineNanos);
  }

  /** Waits for the first CDP reply; returns null when ready, else what went wrong. */
  private String awaitReady(ChromeProcess process, PipeConnection conn) {
    CompletableFuture<JsonNode> version = conn.send("Browser.getVersion", null);
    try {
      CompletableFuture.anyOf(version, process.onExit())
          .get(Ticker.nanos(config.launchTimeout()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return "gave no CDP reply within launchTimeout " + config.launchTimeout();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "launch was interrupted";
    } catch (ExecutionException e) {
      // handled below
    }
    if (version.isDone() && !version.isCompletedExceptionally()) {
      return null;
    }
    try {
      process.onExit().get(1, TimeUnit.SECONDS); // the pipe closes a moment before the exit is seen
    } catch (Exception notExited) {
      // still running: report the CDP failure
    }
    if (process.onExit().isDone()) {
      return "exited at once, before answering on its CDP pipe";
    }
    return "failed its first CDP command: " + version.handle((v, t) -> String.valueOf(t)).join();
  }
}
