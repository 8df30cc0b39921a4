package io.github.browserpool.chrome;

import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.CloseReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 */
public final class ChromeProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ChromeProcess.class);
  /** Moves the pipe onto fds 3/4 and execs the browser, so Process.pid() is the browser's PID. */
  private static final String PIPE_SHIM = "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>&2";
  private static final String STDERR_LOG = "chrome-stderr.log";
  private static final int TAIL_LINES = 30;
  private static final long POLL_MS = 5;
  private static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final String prefix;
  private final Process process;
  private final Path dir;
  private final OwnerMarker marker;
  private final String dirPath;
  /** Start time (clock ticks since boot) of every PID captured for this tree, to detect PID reuse. */
  private final java.util.Map<Long, Long> births = new java.util.concurrent.ConcurrentHashMap<>();
  private final CompletableFuture<ChromeProcess> exit;
  private final CompletableFuture<CloseOutcome> closed = new CompletableFuture<>();
  private boolean closeStarted; // guarded by this
  private volatile String lastStderr = "";

  private ChromeProcess(String prefix, Process process, Path dir, OwnerMarker marker) {
    this.prefix = prefix;
    this.process = process;
    this.dir = dir;
    this.marker = marker;
    // The dir path itself, not "--user-data-dir=<dir>": crashpad handlers name it only inside
    // "--database=<dir>/...", and a frozen one does not exit with the browser.
    this.dirPath = dir.toString();
    this.exit = process.onExit().thenApply(p -> this);
  }

  /**
   * Creates {@code <tempRoot>/chromelambda-<uuid>} (mode 0700) with its owner marker, and spawns
   * Chromium on it. Does not wait for CDP readiness: the caller does that over the pipe and calls
   * {@link #terminate} if it never comes.
   *
   * @throws BrowserLaunchException when the executable is missing, a directory or not executable, the
   *     dir cannot be made or the process cannot be started; nothing is left behind
   */
  public static ChromeProcess spawn(LaunchSpec spec) {
    String prefix = "[" + spec.ownerName() + "] ";
    Path exe;
    try {
      // Checked here too: a missing or non-executable file would otherwise only show as a shell exiting 127.
      exe = ChromeExecutable.locate(spec.executable());
    } catch (BrowserLaunchException e) {
      throw new BrowserLaunchException(prefix + e.getMessage(), e);
    }
    Path root = realPathIfExists(spec.tempRoot().toAbsolutePath().normalize());
    Path dir = root.resolve("chromelambda-" + UUID.randomUUID());
    OwnerMarker marker;
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | UnsupportedOperationException e) {
      throw new BrowserLaunchException(prefix + "cannot create a profile dir under tempRoot " + root + " (" + e
          + "). Pass PoolConfig.builder().tempRoot(...) a writable directory.", e);
    }
    try {
      marker = OwnerMarker.claim(dir);
    } catch (IOException e) {
      deleteQuietly(prefix, dir);
      throw new BrowserLaunchException(prefix + "cannot write the owner marker in " + dir + " (" + e + ")", e);
    }
    Process process;
    try {
      Path tmp = Files.createDirectory(dir.resolve("tmp"));
      Path config = Files.createDirectory(dir.resolve("xdg-config"));
      Path cache = Files.createDirectory(dir.resolve("xdg-cache"));
      List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", PIPE_SHIM, exe.toString()));
      cmd.addAll(spec.arguments(dir));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(STDERR_LOG).toFile()));
      // TMPDIR is relative to the working dir (the profile dir): Chromium's singleton socket lives
      // there, and an absolute path under a long tempRoot exceeds the 107-byte limit of socket paths.
      pb.directory(dir.toFile());
      pb.environment().put("TMPDIR", dir.relativize(tmp).toString());
      // Crashpad (started even with crash reporting off) then names this dir, so /proc scans find it.
      pb.environment().put("XDG_CONFIG_HOME", config.toString());
      pb.environment().put("XDG_CACHE_HOME", cache.toString());
      pb.environment().putAll(spec.extraEnv());
      process = pb.start();
    } catch (IOException e) {
      marker.close();
      deleteQuietly(prefix, dir);
      throw new BrowserLaunchException(prefix + "cannot start " + exe + " (" + e + ")", e);
    }
    ChromeProcess cp = new ChromeProcess(prefix, process, dir, marker);
    LOG.debug("{}spawned {} pid {} with profile {}", prefix, exe, process.pid(), dir);
    return cp;
  }

  /**
   * The real path, so the dir has one name everywhere: on Chromium's command line, in the owner registry
   * and in sweeps, however the tempRoot was spelled (a symlink must not hide a dir this JVM owns).
   */
  private static Path realPathIfExists(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p; // creating the dir below fails and says why
    }
  }

  public long pid() {
    return process.pid();
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
    String now = readTail(dir.resolve(STDERR_LOG));
    if (!now.isEmpty()) {
      lastStderr = now;
    }
    return lastStderr;
  }

  /** Whether the main process is alive, as /proc says (a zombie is dead). */
  public boolean isAlive() {
    return process.isAlive() && ProcFs.isAlive(pid());
  }

  /** Whether the main process is stopped (SIGSTOP, or traced): it cannot answer CDP. */
  public boolean isStopped() {
    ProcFs.Stat s = ProcFs.stat(pid());
    return s != null && (s.state() == 'T' || s.state() == 't');
  }

  /** Completes when the main process exits, for any reason. */
  public CompletableFuture<ChromeProcess> onExit() {
    return exit;
  }

  /**
   * Closes the whole tree with escalation, verifies every PID dead and deletes the profile dir.
   * Idempotent and safe from any thread: every caller gets the first close's outcome.
   *
   * @param graceful sends CDP {@code Browser.close} (may be null)
   * @param gracefulTimeout how long to wait for the tree to exit after {@code graceful}
   * @param budget the whole close's deadline; past it, SIGKILL
   */
  public CloseOutcome terminate(CloseReason reason, Supplier<CompletableFuture<?>> graceful,
      Duration gracefulTimeout, Duration budget) {
    synchronized (this) {
      if (closeStarted) {
        return closed.join();
      }
      closeStarted = true;
    }
    CloseOutcome outcome;
    try {
      outcome = doTerminate(reason, graceful, gracefulTimeout, budget);
    } catch (RuntimeException e) {
      LOG.error("{}closing browser pid {} failed", prefix, pid(), e);
      outcome = new CloseOutcome(reason, CloseOutcome.Step.SIGKILL, Duration.ZERO, true, false, !Files.exists(dir));
    }
    closed.complete(outcome);
    return outcome;
  }

  private CloseOutcome doTerminate(CloseReason reason, Supplier<CompletableFuture<?>> graceful,
      Duration gracefulTimeout, Duration budget) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    Set<Long> tree = captureTree();
    CloseOutcome.Step step = CloseOutcome.Step.ALREADY_DEAD;
    boolean forced = false;
    if (anyAlive(tree)) {
      step = CloseOutcome.Step.GRACEFUL;
      if (graceful != null && process.isAlive()) {
        try {
          graceful.get();
        } catch (RuntimeException e) {
          LOG.debug("{}graceful close of pid {} failed to send: {}", prefix, pid(), e.toString());
        }
        waitDead(tree, Math.min(deadline, start + gracefulTimeout.toNanos()));
      }
      if (anyAlive(tree)) {
        step = CloseOutcome.Step.SIGTERM;
        tree.addAll(captureTree());
        signal(tree, false);
        long remaining = Math.max(0, deadline - System.nanoTime());
        waitDead(tree, System.nanoTime() + Math.min(remaining / 4, TimeUnit.SECONDS.toNanos(1)));
      }
      if (anyAlive(tree)) {
        step = CloseOutcome.Step.SIGKILL;
        forced = true;
        tree.addAll(captureTree());
        signal(tree, true);
        waitDead(tree, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
      }
    }
    // Stragglers: anything still naming this profile dir (crashpad, a late child).
    for (int i = 0; i < 3; i++) {
      Set<Long> late = new LinkedHashSet<>(ProcFs.referencing(dirPath));
      if (late.isEmpty()) {
        break;
      }
      forced = true;
      tree.addAll(late);
      signal(late, true);
      waitDead(late, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
    }
    boolean verified = !anyAlive(tree) && ProcFs.referencing(dirPath).isEmpty();
    stderrTail(); // keep the tail for error messages once the dir is gone
    closeQuietly(process.getOutputStream());
    closeQuietly(process.getInputStream());
    boolean deleted = verified && deleteWithRetries(prefix, dir, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    marker.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String how = step == CloseOutcome.Step.GRACEFUL ? "Browser.close" : step.name();
    if (!verified || !deleted) {
      LOG.error("{}closing browser pid {} (reason {}) took {} ms by {}: tree dead={}, dir deleted={} ({})",
          prefix, pid(), reason, took.toMillis(), how, verified, deleted, dir);
    } else if (forced) {
      LOG.warn("{}closed browser pid {} (reason {}) in {} ms by {} (forced kill); dir deleted",
          prefix, pid(), reason, took.toMillis(), how);
    } else {
      LOG.info("{}closed browser pid {} (reason {}) in {} ms by {}; dir deleted",
          prefix, pid(), reason, took.toMillis(), how);
    }
    return new CloseOutcome(reason, step, took, forced, verified, deleted);
  }

  /**
   * The live PIDs of this tree now, found as {@link #captureTree()} finds them (the main PID, its
   * descendants, every process naming the profile dir), for monitoring. Read-only: it records nothing.
   */
  public Set<Long> treePids() {
    Set<Long> pids = new LinkedHashSet<>();
    if (isAlive()) {
      pids.add(pid());
      pids.addAll(ProcFs.descendants(pid()));
    }
    pids.addAll(ProcFs.referencing(dirPath));
    pids.removeIf(p -> !ProcFs.isAlive(p));
    return pids;
  }

  /** The main PID, its descendants, and every process naming this profile dir (crashpad is reparented). */
  private Set<Long> captureTree() {
    Set<Long> pids = new LinkedHashSet<>();
    pids.add(pid());
    pids.addAll(ProcFs.descendants(pid()));
    pids.addAll(ProcFs.referencing(dirPath));
    pids.forEach(this::sameAlive); // records each one's start time now
    return pids;
  }

  private boolean anyAlive(Set<Long> pids) {
    for (long p : pids) {
      if (p == pid() ? isAlive() : sameAlive(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code pid} is alive and still the process first seen under that number: its start time in
   * /proc must match the one recorded when it was captured, so a reused PID is never waited on or
   * signalled.
   */
  private boolean sameAlive(long pid) {
    ProcFs.Stat s = ProcFs.stat(pid);
    if (s == null || s.state() == 'Z' || s.state() == 'X') {
      return false;
    }
    Long born = births.putIfAbsent(pid, s.startTicks());
    return born == null || born == s.startTicks();
  }

  /**
   * Waits until every PID in {@code pids} is dead, re-scanning for processes born since the last scan
   * (a helper started during shutdown), so that they are waited for instead of SIGKILLed as stragglers.
   */
  private void waitDead(Set<Long> pids, long until) {
    long lastScan = System.nanoTime();
    while (System.nanoTime() - until < 0) {
      if (!anyAlive(pids) && !rescan(pids)) {
        return;
      }
      if (System.nanoTime() - lastScan >= RESCAN_NANOS) {
        rescan(pids);
        lastScan = System.nanoTime();
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Adds live processes of this tree not yet in {@code pids}; returns true when there was one. */
  private boolean rescan(Set<Long> pids) {
    Set<Long> found = new LinkedHashSet<>(ProcFs.referencing(dirPath));
    if (process.isAlive()) { // else its PID may already belong to another process
      found.addAll(ProcFs.descendants(pid()));
    }
    boolean added = false;
    for (long p : found) {
      if (pids.add(p) && sameAlive(p)) {
        added = true;
      }
    }
    return added;
  }

  private void signal(Set<Long> pids, boolean kill) {
    for (long p : pids) {
      if (p == pid()) {
        if (kill) {
          process.destroyForcibly();
        } else {
          process.destroy();
        }
        continue;
      }
      if (!sameAlive(p)) {
        continue; // gone, or its PID now belongs to another process
      }
      ProcessHandle.of(p).ifPresent(h -> {
        if (kill) {
          h.destroyForcibly();
        } else {
          h.destroy();
        }
      });
    }
  }

  /** Deletes a dir tree, retrying while a dying process may still write into it; false if it stays. */
  static boolean deleteWithRetries(String prefix, Path dir, long until) {
    while (true) {
      try {
        deleteTree(dir);
        return true;
      } catch (NoSuchFileException e) {
        return !Files.exists(dir);
      } catch (IOException e) {
        if (System.nanoTime() - until > 0) {
          LOG.warn("{}could not delete {}: {}", prefix, dir, e.toString());
          return false;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  /** Deletes a tree without following symlinks out of it. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null && !(exc instanceof NoSuchFileException)) {
          throw exc;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void deleteQuietly(String prefix, Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("{}could not delete {}: {}", prefix, dir, e.toString());
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing a pipe whose other end is gone
    }
  }

  private static String readTail(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(len, 8192);
      byte[] buf = new byte[n];
      f.seek(len - n);
      f.readFully(buf);
      String[] lines = new String(buf, StandardCharsets.UTF_8).split("\n");
      int from = Math.max(0, lines.length - TAIL_LINES);
      return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length)).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
