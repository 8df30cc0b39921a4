package io.github.browserpool.chrome;

import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.CloseReason;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One launched Chromium process tree and its profile dir, owned from spawn until the dir is deleted.
 * Thread-safe.
 *
 * <p>Chromium runs with {@code --remote-debugging-pipe}: it reads CDP from its fd 3 (our stdin pipe)
 * and writes to its fd 4 (our stdout pipe). That pipe is the lifeline: when this JVM dies, even by
 * {@code kill -9}, the pipe closes and the browser exits. Its own stdout and stderr go to a log file
 * inside the profile dir, so nothing needs draining and stray output never corrupts CDP.
 *
 * <p>This object owns the process, its pipes, its dir and its owner marker; the work is done by
 * {@link ChromeSpawner} (the launch), {@link ProcessTree} (the processes, seen through /proc) and
 * {@link CloseSequence} (the close, timed by {@link CloseBudget}).
 */
public final class ChromeProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ChromeProcess.class);
  /** The most full passes over /proc one close makes (see {@link CloseSequence#MAX_SCANS}). */
  static final int MAX_SCANS = CloseSequence.MAX_SCANS;

  private final String prefix;
  private final Process process;
  private final Path dir;
  private final OwnerMarker marker;
  private final ProcessTree tree;
  private final CompletableFuture<ChromeProcess> exit;
  private final CompletableFuture<CloseOutcome> closed = new CompletableFuture<>();
  private boolean closeStarted; // guarded by this
  private volatile String lastStderr = "";

  ChromeProcess(String prefix, Process process, Path dir, OwnerMarker marker, long mainPid, long mainStart,
      Set<Long> wrappers) {
    this.prefix = prefix;
    this.process = process;
    this.dir = dir;
    this.marker = marker;
    this.tree = new ProcessTree(prefix, process, dir.toString(), mainPid, mainStart, wrappers);
    this.exit = process.onExit().thenApply(p -> this);
  }

  /**
   * Creates {@code <tempRoot>/chromelambda-<uuid>} (mode 0700) with its owner marker, and spawns
   * Chromium on it (under {@code tini -s} when {@link LaunchSpec#subreaper()} is set). Does not wait
   * for CDP readiness: the caller does that over the pipe and calls {@link #terminate} if it never comes.
   *
   * @throws BrowserLaunchException when the executable is missing, a directory or not executable, the
   *     dir cannot be made or the process cannot be started; nothing is left behind
   */
  public static ChromeProcess spawn(LaunchSpec spec) {
    return ChromeSpawner.spawn(spec);
  }

  /** The browser's main PID (under a subreaper too: then it is not {@code Process.pid()}). */
  public long pid() {
    return tree.mainPid();
  }

  public Path userDataDir() {
    return dir;
  }

  /** Chromium's CDP output (its fd 4). */
  public InputStream fromBrowser() {
    return process.getInputStream();
  }

  /** Chromium's CDP input (its fd 3). */
  public OutputStream toBrowser() {
    return process.getOutputStream();
  }

  /** The last lines Chromium wrote to stderr (kept after the dir is deleted). */
  public String stderrTail() {
    String now = ProfileDirs.stderrTail(dir);
    if (!now.isEmpty()) {
      lastStderr = now;
    }
    return lastStderr;
  }

  /**
   * Whether the main process is alive, as /proc says (a zombie is dead), and is still the process
   * spawned: its start time must match the one recorded at spawn, so a reused PID reads as dead.
   */
  public boolean isAlive() {
    return tree.isMainAlive();
  }

  /** Whether the main process is stopped (SIGSTOP, or traced): it cannot answer CDP. */
  public boolean isStopped() {
    return tree.isMainStopped();
  }

  /** Completes when the main process exits, for any reason (under a subreaper: when tini exits after it). */
  public CompletableFuture<ChromeProcess> onExit() {
    return exit;
  }

  /**
   * As {@link #terminate(CloseReason, Supplier, Executor, Duration, Duration)}, sending {@code graceful}
   * on the calling thread: for a browser whose pipe cannot be full (a launch that failed, a test).
   */
  public CloseOutcome terminate(CloseReason reason, Supplier<CompletableFuture<?>> graceful,
      Duration gracefulTimeout, Duration budget) {
    return terminate(reason, graceful, Runnable::run, gracefulTimeout, budget);
  }

  /**
   * Closes the whole tree with escalation, verifies every PID dead and deletes the profile dir, all
   * within {@code budget}: {@code Browser.close} until {@code min(gracefulTimeout, budget/2)}, SIGTERM
   * of the tree (main process first) until {@code 3/4 budget}, then SIGKILL of the tree; death, the subreaper's
   * exit and the dir's deletion are awaited until {@code budget}, plus {@link CloseBudget#KILL_GRACE} when
   * SIGKILL was needed. A tree still dying then is left to a background finisher (for up to {@link
   * CloseBudget#FINISH_LIMIT}). A stopped browser cannot answer or act on SIGTERM: it gets SIGKILL at once.
   * Idempotent and safe from any thread: every caller gets the first close's outcome.
   *
   * @param graceful sends CDP {@code Browser.close} (may be null); run on {@code sender} and never
   *     waited for, so a send stuck behind a blocked write cannot hold the close
   * @param sender runs {@code graceful}: the pool's {@code graceful-close} threads
   * @param gracefulTimeout how long to wait for the tree to exit after {@code graceful}, capped at half
   *     the budget
   * @param budget the whole close's deadline
   */
  public CloseOutcome terminate(CloseReason reason, Supplier<CompletableFuture<?>> graceful, Executor sender,
      Duration gracefulTimeout, Duration budget) {
    synchronized (this) {
      if (closeStarted) {
        return closed.join();
      }
      closeStarted = true;
    }
    CloseOutcome outcome;
    try {
      outcome = new CloseSequence(this, tree, prefix).run(reason, graceful, sender, gracefulTimeout, budget);
    } catch (RuntimeException e) {
      LOG.error("{}closing browser pid {} failed", prefix, pid(), e);
      outcome = new CloseOutcome(reason, CloseOutcome.Step.SIGKILL, Duration.ZERO, true, false, !Files.exists(dir));
    }
    closed.complete(outcome);
    return outcome;
  }

  /**
   * The live PIDs of this tree now (the main PID while it is still the process spawned, its
   * descendants, every process naming the profile dir), for monitoring. Read-only: it records nothing.
   */
  public Set<Long> treePids() {
    return tree.livePids();
  }

  /** How many times the close has slept between two looks at the tree, for tests. */
  int deathPolls() {
    return tree.deathPolls();
  }

  /** Lets go of the owner marker: the dir is deleted, or the close has given up on it. */
  void releaseMarker() {
    marker.close();
  }

  /**
   * Closes our ends of the CDP pipe. Closing the stream blocks while another thread is stuck in a write
   * to it (the stream's lock), and such a write only ends when every reader is gone; so it is closed
   * here only once every process that holds the pipe has exited, else on a daemon thread.
   */
  void closePipes() {
    if (tree.pipeHoldersGone()) {
      closeQuietly(process.getOutputStream());
      closeQuietly(process.getInputStream());
      return;
    }
    Thread t = new Thread(() -> {
      closeQuietly(process.getOutputStream());
      closeQuietly(process.getInputStream());
    }, "browserpool-pipe-close");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing a pipe whose other end is gone
    }
  }
}
