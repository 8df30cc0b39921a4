package io.github.browserpool.chrome;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of one launched browser, as /proc shows them: the main process, every process that
 * descends from it or names its profile dir, and under a subreaper the wrappers (tini and its shim),
 * which never count as part of the tree. Knows each PID by the start time first seen under it, so a
 * reused PID is never waited on or signalled. Reads, signals and waits; it decides nothing about when.
 * Thread-safe.
 */
final class ProcessTree {
  // Logs as ChromeProcess did before the tree was its own class, so the logger names users set stay valid.
  private static final Logger LOG = LoggerFactory.getLogger(ChromeProcess.class);

  private final String prefix;
  private final Process process;
  /**
   * The dir path itself, not "--user-data-dir=<dir>": crashpad handlers name it only inside
   * "--database=<dir>/...", and a frozen one does not exit with the browser.
   */
  private final String dirPath;
  /** The browser's main PID: Process.pid(), or the child of the subreaper shim. */
  private final long mainPid;
  /** The main process's start time (clock ticks since boot), recorded at spawn; -1 if it was gone already. */
  private final long mainStart;
  /** tini and its shim when running under a subreaper: never part of the tree, left to exit last. */
  private final Set<Long> wrappers;
  /** Start time (clock ticks since boot) of every PID captured for this tree, to detect PID reuse. */
  private final Map<Long, Long> births = new ConcurrentHashMap<>();
  /** Sleeps between polls for death so far, for tests: how often a close looked at the tree. */
  private final AtomicInteger deathPolls = new AtomicInteger();

  ProcessTree(String prefix, Process process, String dirPath, long mainPid, long mainStart, Set<Long> wrappers) {
    this.prefix = prefix;
    this.process = process;
    this.dirPath = dirPath;
    this.mainPid = mainPid;
    this.mainStart = mainStart;
    if (mainStart >= 0) {
      births.put(mainPid, mainStart);
    }
    this.wrappers = Set.copyOf(wrappers);
  }

  long mainPid() {
    return mainPid;
  }

  /** Whether the main process is alive (a zombie is dead) and still the process spawned. */
  boolean isMainAlive() {
    ProcFs.Stat s = mainStat();
    return s != null && s.state() != 'Z' && s.state() != 'X';
  }

  /** Whether the main process is stopped (SIGSTOP, or traced). */
  boolean isMainStopped() {
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

  /** Whether every process that holds the CDP pipe (the main process, and the wrappers if any) has exited. */
  boolean pipeHoldersGone() {
    return !isMainAlive() && (wrappers.isEmpty() || !process.isAlive());
  }

  /** The live PIDs now, for monitoring. Read-only: it records nothing. */
  Set<Long> livePids() {
    Set<Long> pids = ProcFs.scan(dirPath, isMainAlive() ? mainPid : -1);
    if (isMainAlive()) {
      pids.add(mainPid);
    }
    return pids;
  }

  /**
   * One full pass over /proc: the main process (while it is the process spawned), its descendants and
   * every process naming the dir, wrappers left out; only those alive and still the process first seen
   * under their PID, in that order.
   */
  Set<Long> scan() {
    boolean mainAlive = isMainAlive();
    Set<Long> found = new LinkedHashSet<>();
    if (mainAlive) {
      found.add(mainPid);
    }
    found.addAll(ProcFs.scan(dirPath, mainAlive ? mainPid : -1));
    found.removeAll(wrappers);
    found.removeIf(p -> !sameAlive(p));
    return found;
  }

  /** One pass over /proc for what still names the dir once the known tree is dead, wrappers left out. */
  Set<Long> scanLate() {
    Set<Long> late = ProcFs.scan(dirPath, -1);
    late.removeAll(wrappers);
    late.removeIf(p -> !sameAlive(p));
    return late;
  }

  boolean anyAlive(Set<Long> pids) {
    for (long p : pids) {
      if (p == mainPid ? isMainAlive() : sameAlive(p)) {
        return true;
      }
    }
    return false;
  }

  /** "pid cmd..." of each live process in {@code pids}, for debug lines. */
  List<String> describeAlive(Set<Long> pids) {
    List<String> out = new ArrayList<>();
    for (long p : pids) {
      if (p == mainPid ? isMainAlive() : sameAlive(p)) {
        String cmd = ProcFs.cmdline(p);
        out.add(p + " " + (cmd == null ? "?" : cmd.substring(0, Math.min(60, cmd.length()))));
      }
    }
    return out;
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
   * Waits until every PID in {@code pids} is dead or {@code until}, reading only their own /proc entries.
   * The main process, when it is the JVM's own child, is awaited through its exit rather than by polls, so
   * its death is seen when it happens instead of up to one backed-off poll (50 ms) later; the polls for
   * what is left then start again at {@link CloseBudget#POLL_MS}.
   */
  void waitDead(Set<Long> pids, long until) {
    awaitMainExit(pids, until);
    long poll = CloseBudget.POLL_MS;
    while (anyAlive(pids) && CloseBudget.isBefore(System.nanoTime(), until)) {
      deathPolls.incrementAndGet();
      try {
        Thread.sleep(CloseBudget.pollSleepMillis(poll, System.nanoTime(), until));
        poll = CloseBudget.nextPoll(poll);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Until {@code until}, waits for the main process to exit, when it is in {@code pids} and the JVM's own child. */
  private void awaitMainExit(Set<Long> pids, long until) {
    if (mainPid != process.pid() || !pids.contains(mainPid) || !isMainAlive()) {
      return; // under a subreaper the JVM's child is tini, which exits only after the whole tree
    }
    try {
      process.onExit().get(CloseBudget.nanosLeft(System.nanoTime(), until), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // still running at the deadline: the caller sees it alive
    }
  }

  /** How many times {@link #waitDead} has slept between two looks at the tree. */
  int deathPolls() {
    return deathPolls.get();
  }

  /** SIGTERM, or SIGKILL when {@code kill}, to each PID in {@code pids} that is still the process captured. */
  void signal(Set<Long> pids, boolean kill) {
    for (long p : pids) {
      if (p == mainPid && !isMainAlive()) {
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

  /**
   * Under a subreaper: once the tree is dead, tini and its shim exit by themselves after reaping the
   * last orphan. Stopped ones are continued; only past {@code until} are they killed (which may leave
   * zombies to PID 1), then given {@link CloseBudget#KILL_GRACE}. True when no wrapper is left.
   */
  boolean awaitWrappers(long until) {
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
      process.onExit().get(CloseBudget.nanosLeft(System.nanoTime(), until), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // still running
    }
    LOG.warn("{}tini (pid {}) did not exit after the tree of pid {} died; killing it", prefix, process.pid(), mainPid);
    signal(wrappers, true);
    try {
      process.onExit().get(CloseBudget.KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
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
      if (!k.waitFor(CloseBudget.millisLeftAtLeastOne(System.nanoTime(), until), TimeUnit.MILLISECONDS)) {
        k.destroyForcibly();
      }
    } catch (IOException e) {
      LOG.debug("{}kill -CONT {} failed: {}", prefix, pids, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
