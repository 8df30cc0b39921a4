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
  /**
   * Runs as the only child of {@code tini -s}: starts the browser on fds 3/4, writes its PID to
   * {@value #PID_FILE}, and after the browser exits stays until tini has no other child (at most 5 min),
   * so that tini, the subreaper, outlives every orphan of the tree and reaps it. Otherwise tini exits
   * with the browser and the orphans still alive go to PID 1, which never reaps them.
   */
  private static final String SUBREAPER_SHIM = "exec 3<&0 4>&1 0</dev/null 1>&2\n"
      + "\"$0\" \"$@\" &\n"
      + "b=$!\n"
      + "exec 3<&- 4>&-\n"
      + "echo \"$b\" > " + "browserpool-main.pid" + "\n"
      + "wait \"$b\"\n"
      + "rc=$?\n"
      + "f=/proc/$PPID/task/$PPID/children\n"
      + "i=0\n"
      + "while [ \"$i\" -lt 6000 ] && [ -e \"$f\" ]; do\n"
      + "  kids=\n"
      + "  read -r kids < \"$f\"\n"
      + "  [ \"$kids\" = \"$$\" ] && break\n"
      + "  sleep 0.05\n"
      + "  i=$((i+1))\n"
      + "done\n"
      + "exit \"$rc\"\n";
  static final String PID_FILE = "browserpool-main.pid";
  private static final String STDERR_LOG = "chrome-stderr.log";
  private static final int TAIL_LINES = 30;
  /** Polls for death start this often and back off to {@link #MAX_POLL_MS}: many closes run at once. */
  private static final long POLL_MS = 5;
  private static final long MAX_POLL_MS = 50;
  /**
   * Full passes over /proc per close: the capture at the start, then one rescan each time the known
   * tree is seen dead (to catch a helper born during the close), at most this many in all.
   */
  static final int MAX_SCANS = 4;
  /**
   * How long past the budget a SIGKILLed tree may take to die before the close returns anyway. SIGKILL
   * cannot be refused, but on a starved machine dying processes need CPU to tear down their memory.
   */
  static final Duration KILL_GRACE = Duration.ofSeconds(1);
  /** How long a background finisher waits for a tree that was still dying when its close returned. */
  static final Duration FINISH_LIMIT = Duration.ofSeconds(60);
  private static final java.util.concurrent.ExecutorService GRACEFUL_SENDER = new java.util.concurrent.ThreadPoolExecutor(
      0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "browserpool-graceful-close");
        t.setDaemon(true);
        return t;
      });

  private final String prefix;
  private final Process process;
  private final Path dir;
  private final OwnerMarker marker;
  private final String dirPath;
  /** The browser's main PID: Process.pid(), or the child of the subreaper shim. */
  private final long mainPid;
  /** The main process's start time (clock ticks since boot), recorded at spawn; -1 if it was gone already. */
  private final long mainStart;
  /** tini and its shim when running under a subreaper: never part of the tree, left to exit last. */
  private final Set<Long> wrappers;
  /** Start time (clock ticks since boot) of every PID captured for this tree, to detect PID reuse. */
  private final java.util.Map<Long, Long> births = new java.util.concurrent.ConcurrentHashMap<>();
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
    // The dir path itself, not "--user-data-dir=<dir>": crashpad handlers name it only inside
    // "--database=<dir>/...", and a frozen one does not exit with the browser.
    this.dirPath = dir.toString();
    this.mainPid = mainPid;
    this.mainStart = mainStart;
    if (mainStart >= 0) {
      births.put(mainPid, mainStart);
    }
    this.wrappers = Set.copyOf(wrappers);
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
    Path tini = spec.subreaper();
    try {
      Path tmp = Files.createDirectory(dir.resolve("tmp"));
      Path config = Files.createDirectory(dir.resolve("xdg-config"));
      Path cache = Files.createDirectory(dir.resolve("xdg-cache"));
      List<String> cmd = new ArrayList<>();
      if (tini != null) {
        cmd.addAll(List.of(tini.toString(), "-s", "--", "/bin/sh", "-c", SUBREAPER_SHIM, exe.toString()));
      } else {
        cmd.addAll(List.of("/bin/sh", "-c", PIPE_SHIM, exe.toString()));
      }
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
    long mainPid = process.pid();
    Set<Long> wrappers = new LinkedHashSet<>();
    if (tini != null) {
      wrappers.add(process.pid());
      mainPid = awaitMainPid(process, dir, spec.launchTimeout(), wrappers);
    }
    ProcFs.Stat main = ProcFs.stat(mainPid); // read now: the main's identity for the whole close
    long mainStart = main == null || main.state() == 'Z' || main.state() == 'X' ? -1 : main.startTicks();
    ChromeProcess cp = new ChromeProcess(prefix, process, dir, marker, mainPid, mainStart, wrappers);
    LOG.debug("{}spawned {} pid {} with profile {}{}", prefix, exe, mainPid, dir,
        tini == null ? "" : " under " + tini + " -s (pids " + wrappers + ")");
    return cp;
  }

  /**
   * Under the subreaper the browser is tini's grandchild: reads its PID from the file the shim writes
   * (and the shim's PID from tini's children). Falls back to tini's PID if tini exits first or the file
   * does not come within {@code timeout}.
   */
  private static long awaitMainPid(Process tini, Path dir, Duration timeout, Set<Long> wrappers) {
    long until = System.nanoTime() + timeout.toNanos();
    Path file = dir.resolve(PID_FILE);
    while (System.nanoTime() - until < 0) {
      if (wrappers.size() < 2) {
        List<Long> kids = ProcFs.children(tini.pid());
        if (!kids.isEmpty()) {
          wrappers.add(kids.get(0));
        }
      }
      try {
        String text = Files.readString(file);
        if (text.endsWith("\n")) {
          // The shim wrote it after it forked the browser, so tini's child (the shim) is known by now,
          // unless the kernel has no /proc/PID/task/PID/children (then the shim cannot wait either).
          if (wrappers.size() < 2) {
            wrappers.addAll(ProcFs.children(tini.pid()));
          }
          return Long.parseLong(text.trim());
        }
      } catch (IOException | NumberFormatException e) {
        // not written yet
      }
      if (!tini.isAlive()) {
        break;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return tini.pid();
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

  /** The browser's main PID (under a subreaper too: then it is not {@code Process.pid()}). */
  public long pid() {
    return mainPid;
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

  /**
   * Whether the main process is alive, as /proc says (a zombie is dead), and is still the process
   * spawned: its start time must match the one recorded at spawn, so a reused PID reads as dead.
   */
  public boolean isAlive() {
    ProcFs.Stat s = mainStat();
    return s != null && s.state() != 'Z' && s.state() != 'X';
  }

  /** Whether the main process is stopped (SIGSTOP, or traced): it cannot answer CDP. */
  public boolean isStopped() {
    ProcFs.Stat s = mainStat();
    return s != null && (s.state() == 'T' || s.state() == 't');
  }

  private ProcFs.Stat mainStat() {
    if (mainStart < 0) {
      return null;
    }
    ProcFs.Stat s = ProcFs.stat(mainPid);
    return s != null && s.startTicks() == mainStart ? s : null;
  }

  /** Completes when the main process exits, for any reason (under a subreaper: when tini exits after it). */
  public CompletableFuture<ChromeProcess> onExit() {
    return exit;
  }

  /**
   * Closes the whole tree with escalation, verifies every PID dead and deletes the profile dir, all
   * within {@code budget}: {@code Browser.close} until {@code min(gracefulTimeout, budget/2)}, SIGTERM
   * of the tree (main process first) until {@code 3/4 budget}, then SIGKILL of the tree; death, the subreaper's
   * exit and the dir's deletion are awaited until {@code budget}, plus {@link #KILL_GRACE} when SIGKILL
   * was needed. A tree still dying then is left to a background finisher (see {@link #finishLater}). A stopped browser
   * cannot answer or act on SIGTERM: it gets SIGKILL at once. Idempotent and safe from any thread:
   * every caller gets the first close's outcome.
   *
   * @param graceful sends CDP {@code Browser.close} (may be null); run on another thread and never
   *     waited for, so a send stuck behind a blocked write cannot hold the close
   * @param gracefulTimeout how long to wait for the tree to exit after {@code graceful}, capped at half
   *     the budget
   * @param budget the whole close's deadline
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

  /** The state of one close: the tree seen so far and the /proc passes left. */
  private final class Close {
    final Set<Long> tree = new LinkedHashSet<>();
    int scansLeft = MAX_SCANS;
    /** Whether the last rescan found nothing alive that was not known: the tree is verified dead. */
    boolean confirmed;

    /** One full pass: the main (while it is the process spawned), its descendants, and every process naming the dir. */
    Set<Long> scan() {
      scansLeft--;
      boolean mainAlive = isAlive();
      Set<Long> found = new LinkedHashSet<>();
      if (mainAlive) {
        found.add(mainPid);
      }
      found.addAll(ProcFs.scan(dirPath, mainAlive ? mainPid : -1));
      found.removeAll(wrappers);
      Set<Long> fresh = new LinkedHashSet<>();
      for (long p : found) {
        if (sameAlive(p) && tree.add(p)) {
          fresh.add(p);
        }
      }
      return fresh;
    }

    /**
     * Waits until the tree is dead or {@code until}; each time it is seen dead, rescans once (while
     * passes are left) for processes born since, waits for them too, and SIGKILLs them when
     * {@code killNew}. Returns whether the tree is dead.
     */
    boolean settle(long until, boolean killNew) {
      while (true) {
        waitDead(tree, until);
        if (anyAlive(tree)) {
          return false;
        }
        if (scansLeft <= 0) {
          return true;
        }
        Set<Long> fresh = scan();
        if (fresh.isEmpty()) {
          confirmed = true;
          return true;
        }
        if (killNew) {
          signal(fresh, true);
        }
      }
    }
  }

  private CloseOutcome doTerminate(CloseReason reason, Supplier<CompletableFuture<?>> graceful,
      Duration gracefulTimeout, Duration budget) {
    long start = System.nanoTime();
    long total = saturatedNanos(budget);
    long deadline = start + total;
    long gracefulEnd = start + Math.min(saturatedNanos(gracefulTimeout), total / 2);
    long termEnd = start + total / 4 * 3;
    Close c = new Close();
    c.scan();
    CloseOutcome.Step step = CloseOutcome.Step.ALREADY_DEAD;
    boolean forced = false;
    boolean dead = !anyAlive(c.tree);
    c.confirmed = dead; // the capture itself was the pass that saw nothing alive
    boolean stopped = isStopped();
    if (!dead) {
      step = CloseOutcome.Step.GRACEFUL;
      if (graceful != null && !stopped && isAlive()) {
        sendGracefully(graceful);
        dead = c.settle(gracefulEnd, false);
      }
    }
    if (!dead && !stopped) {
      LOG.debug("{}pid {}: graceful step over after {} ms; alive: {}", prefix, pid(), ms(start), alive(c.tree));
      step = CloseOutcome.Step.SIGTERM;
      // The main process first (the tree lists it first), then its helpers: on a loaded machine, waiting
      // for Chromium to end its helpers itself costs the rest of the budget. Zombies are no concern here:
      // as PID 1 the tree runs under tini, which reaps whatever order they die in.
      signal(c.tree, false);
      dead = c.settle(termEnd, false);
    }
    long end = deadline;
    if (!dead) {
      LOG.debug("{}pid {}: SIGKILL after {} ms; alive: {}", prefix, pid(), ms(start), alive(c.tree));
      step = CloseOutcome.Step.SIGKILL;
      forced = true;
      signal(c.tree, true); // SIGKILL works on stopped processes too
      end = deadline + KILL_GRACE.toNanos();
      dead = c.settle(end, true);
    }
    boolean verified = dead && (c.confirmed || !anyAlive(c.tree));
    if (!c.confirmed && verified) {
      LOG.warn("{}pid {}: helpers kept being born during the close; {} passes over /proc did not see the"
          + " tree settle", prefix, pid(), MAX_SCANS);
    }
    LOG.debug("{}pid {}: tree dead={} after {} ms, {} passes over /proc left", prefix, pid(), dead, ms(start), c.scansLeft);
    verified = verified && awaitWrappers(end);
    stderrTail(); // keep the tail for error messages once the dir is gone
    closePipes();
    boolean deleted = verified && deleteWithRetries(prefix, dir, end);
    if (!verified || !deleted) {
      finishLater(c.tree, reason);
    } else {
      marker.close();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String how = step == CloseOutcome.Step.GRACEFUL ? "Browser.close" : step.name();
    if (!verified || !deleted) {
      LOG.warn("{}closing browser pid {} (reason {}) ran out of time after {} ms by {}: tree dead={}, dir"
          + " deleted={} ({}); finishing in the background for up to {} s", prefix, pid(), reason,
          took.toMillis(), how, verified, deleted, dir, FINISH_LIMIT.toSeconds());
    } else if (forced) {
      LOG.warn("{}closed browser pid {} (reason {}) in {} ms by {} (forced kill{}); dir deleted",
          prefix, pid(), reason, took.toMillis(), how, stopped ? ", it was stopped" : "");
    } else {
      LOG.info("{}closed browser pid {} (reason {}) in {} ms by {}; dir deleted",
          prefix, pid(), reason, took.toMillis(), how);
    }
    return new CloseOutcome(reason, step, took, forced, verified, deleted);
  }

  /**
   * The live PIDs of this tree now (the main PID while it is still the process spawned, its
   * descendants, every process naming the profile dir), for monitoring. Read-only: it records nothing.
   */
  public Set<Long> treePids() {
    Set<Long> pids = ProcFs.scan(dirPath, isAlive() ? mainPid : -1);
    if (isAlive()) {
      pids.add(mainPid);
    }
    return pids;
  }

  /**
   * The tree was SIGKILLed but still dying (or a wrapper still running, or the dir not yet deleted) when
   * the close's time ran out:
   * waits for it on a daemon thread for up to {@link #FINISH_LIMIT}, then deletes the dir, so that
   * nothing is left while this JVM lives. Logged at WARN when done, ERROR when it gives up.
   */
  private void finishLater(Set<Long> tree, CloseReason reason) {
    Thread t = new Thread(() -> {
      long start = System.nanoTime();
      long until = start + FINISH_LIMIT.toNanos();
      signal(tree, true);
      waitDead(tree, until);
      boolean dead = !anyAlive(tree);
      if (dead) {
        Set<Long> late = ProcFs.scan(dirPath, -1);
        late.removeAll(wrappers);
        late.removeIf(p -> !sameAlive(p));
        signal(late, true);
        waitDead(late, until);
        dead = !anyAlive(late);
      }
      boolean wrappersGone = awaitWrappers(until);
      closePipes();
      boolean deleted = dead && wrappersGone && deleteWithRetries(prefix, dir, until);
      marker.close();
      if (deleted) {
        LOG.warn("{}browser pid {} (reason {}): its SIGKILLed tree died {} ms after its close returned;"
            + " dir deleted", prefix, pid(), reason, ms(start));
      } else {
        LOG.error("{}browser pid {} (reason {}): tree still alive or dir not deleted {} ms after its close"
            + " returned: dead={}, dir {}", prefix, pid(), reason, ms(start), dead, dir);
      }
    }, "browserpool-close-finisher");
    t.setDaemon(true);
    t.start();
  }

  /** Runs the graceful step on its own thread: sending may block behind a write stuck on a full pipe. */
  private void sendGracefully(Supplier<CompletableFuture<?>> graceful) {
    try {
      GRACEFUL_SENDER.execute(() -> {
        try {
          graceful.get();
        } catch (RuntimeException e) {
          LOG.debug("{}graceful close of pid {} failed to send: {}", prefix, pid(), e.toString());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("{}graceful close of pid {} not sent: {}", prefix, pid(), e.toString());
    }
  }

  /**
   * Under a subreaper: once the tree is dead, tini and its shim exit by themselves after reaping the
   * last orphan. Stopped ones are continued; only past {@code until} are they killed (which may leave
   * zombies to PID 1). True when no wrapper is left.
   */
  private boolean awaitWrappers(long until) {
    if (wrappers.isEmpty()) {
      return true;
    }
    Set<Long> stoppedOnes = new LinkedHashSet<>();
    for (long w : wrappers) {
      ProcFs.Stat s = ProcFs.stat(w);
      if (s != null && (s.state() == 'T' || s.state() == 't') && sameAlive(w)) {
        stoppedOnes.add(w);
      }
    }
    if (!stoppedOnes.isEmpty()) {
      continueStopped(stoppedOnes, until);
    }
    try {
      process.onExit().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // still running
    }
    LOG.warn("{}tini (pid {}) did not exit after the tree of pid {} died; killing it", prefix, process.pid(), pid());
    signal(wrappers, true);
    try {
      process.onExit().get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return !process.isAlive();
    }
  }

  /** SIGCONT for our own stopped wrappers (ProcessHandle cannot send it): one bounded {@code kill}. */
  private void continueStopped(Set<Long> pids, long until) {
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "kill -CONT \"$@\"", "sh"));
    pids.forEach(p -> cmd.add(Long.toString(p)));
    try {
      Process k = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!k.waitFor(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())), TimeUnit.MILLISECONDS)) {
        k.destroyForcibly();
      }
    } catch (IOException e) {
      LOG.debug("{}kill -CONT {} failed: {}", prefix, pids, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes our ends of the CDP pipe. Closing the stream blocks while another thread is stuck in a write
   * to it (the stream's lock), and such a write only ends when every reader is gone; so it is closed
   * here only once every process that holds the pipe has exited, else on a daemon thread.
   */
  private void closePipes() {
    if (!isAlive() && (wrappers.isEmpty() || !process.isAlive())) {
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

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /** "pid cmd..." of each live process in {@code pids}, for debug lines. */
  private List<String> alive(Set<Long> pids) {
    List<String> out = new ArrayList<>();
    for (long p : pids) {
      if (p == mainPid ? isAlive() : sameAlive(p)) {
        String cmd = ProcFs.cmdline(p);
        out.add(p + " " + (cmd == null ? "?" : cmd.substring(0, Math.min(60, cmd.length()))));
      }
    }
    return out;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? 0 : Long.MAX_VALUE / 2;
    }
  }

  private boolean anyAlive(Set<Long> pids) {
    for (long p : pids) {
      if (p == mainPid ? isAlive() : sameAlive(p)) {
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

  /** Waits until every PID in {@code pids} is dead or {@code until}, reading only their own /proc entries. */
  private void waitDead(Set<Long> pids, long until) {
    long poll = POLL_MS;
    while (anyAlive(pids) && System.nanoTime() - until < 0) {
      try {
        Thread.sleep(Math.max(1, Math.min(poll, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
        poll = Math.min(MAX_POLL_MS, poll * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void signal(Set<Long> pids, boolean kill) {
    for (long p : pids) {
      if (p == mainPid && !isAlive()) {
        continue; // gone, or its PID now belongs to another process
      }
      if (p == process.pid() && p == mainPid) {
        if (kill) {
          process.destroyForcibly();
        } else {
          process.destroy();
        }
        continue;
      }
      if (p != mainPid && !sameAlive(p)) {
        continue; // gone, or its PID now belongs to another process
      }
      // ProcessHandle checks the start time it read at lookup again before it signals.
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
